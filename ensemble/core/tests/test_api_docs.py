"""The API docs page (/api/docs/) loads Swagger UI from the suite itself: no CDN, no inline
script, nothing from another host."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db

URL = re.compile(r"""(?:https?:)?//[^\s"'<>)]+""")


def test_the_docs_page_references_no_other_host() -> None:
    page = Client().get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert URL.findall(html) == []
    script = Client().get("/api/docs/?script=")
    assert script["Content-Type"] == "application/javascript"
    assert URL.findall(script.content.decode()) == []
    assert '"validatorUrl": null' in script.content.decode()


def test_the_docs_page_has_no_inline_script_or_style() -> None:
    html = Client().get("/api/docs/").content.decode()
    assert re.findall(r"<script>|<style", html) == []
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources == [
        "/static/drf_spectacular_sidecar/swagger-ui-dist/favicon-32x32.png",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css",
        "/static/api-docs.css",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-standalone-preset.js",
        "/api/docs/?script=",
    ]
    for source in sources[:-1]:
        assert finders.find(source.removeprefix("/static/")) is not None, source
