"""The tiles of the portal: one per app that exists and that the person may open."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps


@dataclass(frozen=True)
class Tile:
    name: str
    description: str
    url: str
    icon: str


def tiles_for(user: Any) -> list[Tile]:
    """Apps declare ``launcher_tiles(user)`` on their AppConfig; the portal only lists them."""
    tiles: list[Tile] = []
    for config in apps.get_app_configs():
        declare = getattr(config, "launcher_tiles", None)
        if declare is not None:
            tiles.extend(declare(user))
    return tiles
