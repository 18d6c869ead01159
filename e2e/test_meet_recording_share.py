"""A recording with a shared screen, seen in its MP4: two people in a meeting (Chromium's fake
camera and microphone, the suite's own Janus, in the network namespace of scripts/media-netns),
the host records, the other shares a screen (headless Chromium shares its fake screen: with
--use-fake-ui-for-media-stream and --use-fake-device-for-media-stream, getDisplayMedia answers
with a fake capture, no picker), the recording stops and the worker makes one video of it.
A frame taken while the screen was shared shows the screen large and a camera in the bottom
right corner (ensemble/meet/recording.py: CORNER, MARGIN); a frame from before shows the camera
alone. Frames are saved as PNG under /tmp/scenario/ to look at."""

from __future__ import annotations

import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from PIL import Image, ImageStat
from playwright.sync_api import Page, expect

from e2e.conftest import Suite
from e2e.test_meet_page import (  # noqa: F401  (person: the fixture of the meeting pages)
    join,
    media_flowing,
    open_people,
    person,
    pytestmark,
    start_meeting,
)

SHOTS = Path(tempfile.gettempdir()) / "scenario"
WIDTH, HEIGHT = 1280, 720
# Where recording.py lays the speaker's camera over a shared screen: a 320x240 box 16 pixels
# from the bottom right corner (the fake camera, 4:3, fills it).
CORNER = (WIDTH - 16 - 320, HEIGHT - 16 - 240, WIDTH - 16, HEIGHT - 16)
LEFT_BAR = (0, 100, 150, 600)  # black beside a 4:3 camera alone


Box = tuple[int, int, int, int]  # left, top, right, bottom


def frame_at(video: Path, seconds: float, name: str) -> Image.Image:
    """The video's frame at `seconds`, saved as a PNG under /tmp/scenario/."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    png = SHOTS / f"{name}.png"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-ss", f"{seconds:.2f}", "-i", str(video),
         "-frames:v", "1", str(png)],
        check=True,
    )  # fmt: skip
    frame = Image.open(png).convert("RGB")
    assert frame.size == (WIDTH, HEIGHT), frame.size
    return frame


def colour(frame: Image.Image, box: Box) -> tuple[int, int, int]:
    """The mean colour of a box of the frame."""
    red, green, blue = (round(value) for value in ImageStat.Stat(frame.crop(box)).mean)
    return red, green, blue


def black(rgb: tuple[int, int, int]) -> bool:
    return max(rgb) < 25


def white(rgb: tuple[int, int, int]) -> bool:
    return min(rgb) > 200


def green(rgb: tuple[int, int, int]) -> bool:
    """The fake camera's and fake screen's picture: green, no red or blue."""
    return rgb[1] > 100 and rgb[0] < 60 and rgb[2] < 60


def wait_for_video(page: Page, suite: Suite, code: str) -> dict[str, Any]:
    api = f"{suite.url}/api/v1/meet/recordings/?meeting={code}"
    deadline = time.monotonic() + 180
    while True:
        found: list[dict[str, Any]] = page.request.get(api).json()["results"]
        if found and found[0]["state"] in ("ready", "failed"):
            return found[0]
        assert time.monotonic() < deadline, found
        page.wait_for_timeout(1000)


def corner_marks(frame: Image.Image) -> list[tuple[int, int, int]]:
    """Where the camera laid in the corner has the fake camera's four corner squares (each
    lit or dim, changing with time; its background is (0, 135, 0))."""
    left, top, right, bottom = CORNER
    return [
        colour(frame, (x + 3, y + 3, x + 15, y + 15))
        for x in (left, right - 18)
        for y in (top, bottom - 18)
    ]


def test_a_recording_shows_the_shared_screen_large_and_a_camera_in_a_corner(
    suite: Suite,
    person: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    host = person("odile@lyon.fr", "Odile Perrin")
    meeting_url = start_meeting(host, suite.url, "Revue de projet")
    code = meeting_url.rstrip("/").rsplit("/", 1)[1]
    join(host, meeting_url)
    other = person("marc@lyon.fr", "Marc Chevalier")
    join(other, meeting_url)
    host.locator("[data-knock]").get_by_role("button", name="Admit").click()
    media_flowing(host)
    media_flowing(other)

    open_people(host)  # the moderators' buttons are in the people panel
    host.get_by_role("button", name="Start recording").click()
    expect(other.locator("[data-recording]")).to_be_visible()
    host.wait_for_timeout(3000)  # the cameras alone, first
    share = other.locator("[data-toggle-screen]")
    share.click()
    expect(share).to_have_attribute("aria-pressed", "true")
    host.wait_for_function(
        "() => [...document.querySelectorAll('.ens-meet__tile--screen video')]"
        ".some(v => v.videoWidth > 0)"
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    host.screenshot(path=str(SHOTS / "meet-recording-share-page.png"))
    host.wait_for_timeout(6000)  # the screen, recorded while shared
    host.get_by_role("button", name="Stop recording").click()
    expect(other.locator("[data-recording]")).to_be_hidden()

    found = wait_for_video(host, suite, code)
    assert found["state"] == "ready", found["error"]
    video = host.request.get(f"{suite.url}/api/v1/meet/recordings/{found['id']}/download/")
    assert video.ok
    path = tmp_path / "recording.mp4"
    path.write_bytes(video.body())
    duration = float(
        subprocess.run(
            ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
             str(path)],
            capture_output=True, text=True, check=True,
        ).stdout
    )  # fmt: skip
    assert duration >= 7, duration

    # Before the share: the camera alone, 4:3 in the 16:9 frame, so black bars on both sides,
    # and nothing laid in the corner.
    left, top, right, bottom = CORNER
    before = frame_at(path, 1.5, "recording-before-share")
    assert black(colour(before, LEFT_BAR)), colour(before, LEFT_BAR)
    assert green(colour(before, (300, 150, 600, 300))), colour(before, (300, 150, 600, 300))
    assert not white(colour(before, (left, top + 6, left + 2, bottom - 6)))
    assert not any(mark[1] > 180 for mark in corner_marks(before)), corner_marks(before)

    # While the screen is shared: the screen (16:9) fills the whole frame, bars included, and
    # the camera is a picture of its own in the bottom right corner: framed by a white line,
    # with the bright squares the fake camera draws in its corners just inside.
    during = frame_at(path, duration - 2, "recording-during-share")
    assert green(colour(during, LEFT_BAR)), colour(during, LEFT_BAR)
    frame_lines = {
        "left": (left, top + 6, left + 2, bottom - 6),
        "right": (right - 2, top + 6, right, bottom - 6),
        "top": (left + 6, top, right - 6, top + 2),
        "bottom": (left + 6, bottom - 2, right - 6, bottom),
    }
    for side, box in frame_lines.items():
        assert white(colour(during, box)), (side, colour(during, box))
    marks = corner_marks(during)
    assert any(green(mark) and mark[1] > 180 for mark in marks), marks
    assert green(colour(during, (left - 40, top + 6, left - 5, bottom - 6)))  # the screen
