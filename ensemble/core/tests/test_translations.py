"""Every string of the interface is translated into French."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]
CATALOGUE = PACKAGE / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def entries(po_text: str) -> dict[str, str]:
    """msgid -> msgstr of a .po file (multi-line strings joined; the header left out)."""
    result: dict[str, str] = {}
    current: dict[str, list[str]] = {}
    key = ""
    for line in [*po_text.splitlines(), ""]:
        if line.startswith(("msgid ", "msgstr ", "msgid_plural ", "msgstr[0] ")):
            key, _, text = line.partition(" ")
            current.setdefault(key, []).append(text.strip().strip('"'))
        elif line.startswith('"') and key:
            current[key].append(line.strip().strip('"'))
        elif not line.strip() and current:
            msgid = "".join(current.get("msgid", []))
            msgstr = "".join(current.get("msgstr", current.get("msgstr[0]", [])))
            if msgid:
                result[msgid] = msgstr
            current, key = {}, ""
    return result


def test_every_message_has_a_french_translation() -> None:
    text = CATALOGUE.read_text(encoding="utf-8")
    assert "#, fuzzy" not in text.split("\n\n", 1)[1], "fuzzy entries are not translations"
    untranslated = [msgid for msgid, msgstr in entries(text).items() if not msgstr]
    assert untranslated == []


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext is not installed")
def test_the_catalogue_has_every_string_of_the_code(tmp_path: Path) -> None:
    copy = tmp_path / "ensemble"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("tests", "__pycache__", "*.mo"))
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "fr", "--no-location"],
        cwd=copy,
        check=True,
        capture_output=True,
        env=env,
    )
    text = (copy / "locale/fr/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    missing = [msgid for msgid, msgstr in entries(text).items() if not msgstr]
    # makemessages fills a new string with the translation of a similar one and marks it fuzzy:
    # a guess that compilemessages leaves out, so that people read the English string.
    guessed = [msgid for msgid in entries(fuzzy_blocks(text)) if msgid]
    assert missing + guessed == [], "run makemessages and translate these"


def fuzzy_blocks(po_text: str) -> str:
    """The entries of a .po file marked fuzzy, past its header."""
    blocks = po_text.split("\n\n")[1:]
    return "\n\n".join(block for block in blocks if "#, fuzzy" in block) + "\n"
