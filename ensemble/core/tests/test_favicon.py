"""The site's icon at the address browsers ask for by themselves."""

from __future__ import annotations

from django.contrib.staticfiles import finders
from django.test import Client
from PIL import Image


def test_favicon_ico_leads_to_the_icon() -> None:
    answer = Client().get("/favicon.ico")
    assert (answer.status_code, answer["Location"]) == (301, "/static/favicon.ico")
    with Image.open(finders.find("favicon.ico")) as icon:  # a real icon, not a placeholder
        assert icon.format == "ICO" and icon.size[0] >= 16
