"""Background blur in Chromium: MediaPipe's selfie segmentation runs in the page (its model and
WebAssembly served by Ensemble), the preview and what the meeting receives are the blurred
canvas, and the background is smoother than the raw camera's."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.conftest import Suite, close_pages, sign_in
from e2e.test_meet_page import shot

pytestmark = pytest.mark.skipif(
    not os.environ.get("MEDIA_NETNS"),
    reason="WebRTC needs the network namespace of scripts/media-netns (make e2e runs it)",
)

# How sharp the top left corner of a video's frame is (the fake camera's background: no one
# there): the mean difference of luminance between neighbouring pixels, drawn on a canvas.
SHARPNESS = """async (video) => {
  const w = video.videoWidth, h = video.videoHeight;
  const c = document.createElement('canvas'); c.width = w; c.height = h;
  const g = c.getContext('2d'); g.drawImage(video, 0, 0, w, h);
  const cw = Math.floor(w / 4), ch = Math.floor(h / 4);
  const d = g.getImageData(Math.floor(w / 50), Math.floor(h / 50), cw, ch).data;
  const y = (i) => 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
  let n = 0, sum = 0;
  for (let row = 0; row < ch - 1; row++) for (let col = 0; col < cw - 1; col++) {
    const i = 4 * (row * cw + col);
    sum += Math.abs(y(i) - y(i + 4)) + Math.abs(y(i) - y(i + 4 * cw)); n++;
  }
  return sum / n;
}"""


# The raw camera, opened again beside the page's, in a video of its own.
RAW = """async () => {
  const stream = await navigator.mediaDevices.getUserMedia({video: true});
  const v = document.createElement('video'); v.id = 'raw-camera'; v.muted = true;
  v.srcObject = stream; document.body.append(v); await v.play();
}"""


@pytest.fixture
def host(media_browser: Browser, suite: Suite, request: Any) -> Iterator[Page]:
    context = media_browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 860})
    context.set_default_timeout(20000)
    page = context.new_page()
    page.on("console", lambda message: print(f"[host] {message.text}"))
    page.on("pageerror", lambda error: print(f"[host] error: {error}"))
    suite.create_user("blanche@lyon.fr", "Blanche Roux")
    sign_in(page, suite.url, "blanche@lyon.fr")
    yield page
    close_pages(request, [page])


def frames(page: Page) -> int:
    return int(page.evaluate("window.ensembleMeet.blur().frames"))


def test_blur_runs_in_the_page_and_is_what_the_meeting_sees(suite: Suite, host: Page) -> None:
    code = suite.shell(
        "from ensemble.accounts.models import User\n"
        "from ensemble.meet.actions import create_meeting\n"
        "host = User.objects.get(email='blanche@lyon.fr')\n"
        "print(create_meeting(host, 'Flou', access='public', lobby=False).code)"
    ).split()[-1]
    host.goto(f"{suite.url}/meet/{code}/")
    preview = host.locator("[data-preview]")
    expect(preview).to_have_js_property("readyState", 4)
    blur = host.locator("#blur")
    expect(blur).not_to_be_checked()  # off unless turned on
    assert frames(host) == 0
    host.evaluate(RAW)
    host.wait_for_timeout(500)
    raw = host.locator("#raw-camera").evaluate(SHARPNESS)
    host.evaluate(
        "() => { const v = document.getElementById('raw-camera');"
        " v.srcObject.getTracks().forEach(t => t.stop()); v.remove(); }"
    )

    host.locator("label[for=blur]").click()
    host.wait_for_function("() => window.ensembleMeet.blur().frames > 20", timeout=60_000)
    expect(host.locator("[data-preview-note]")).to_be_hidden()
    host.wait_for_timeout(500)
    blurred = preview.evaluate(SHARPNESS)
    print(f"background sharpness: raw camera {raw:.1f}, blurred preview {blurred:.1f}")
    shot(host, "blur-preview")
    assert blurred < 0.5 * raw, (raw, blurred)

    # Remembered, and what the meeting receives is the canvas, not the camera.
    host.reload()
    expect(host.locator("#blur")).to_be_checked()
    host.get_by_role("button", name="Join the meeting").click()
    expect(host.locator("[data-room]")).to_be_visible()
    toggle = host.locator("[data-toggle-blur]")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    host.wait_for_function("() => window.ensembleMeet.blur().sent === 'canvas'")
    before = frames(host)
    host.wait_for_function(f"() => window.ensembleMeet.blur().frames > {before + 10}")
    shot(host, "blur-meeting")

    # Off during the meeting: the camera itself is sent again; on again: the canvas.
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    host.wait_for_function("() => window.ensembleMeet.blur().sent === 'camera'")
    assert frames(host) == 0
    toggle.click()
    host.wait_for_function("() => window.ensembleMeet.blur().sent === 'canvas'", timeout=60_000)
    host.wait_for_function("() => window.ensembleMeet.blur().frames > 10")
