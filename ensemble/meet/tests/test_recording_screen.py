"""A recording with a shared screen, made by the real ffmpeg pipeline from synthetic streams
(recorded_media.py): during the share the screen fills the frame, letterboxed, with the
speaker's camera in the bottom-right corner; before and after it the speaker fills the frame.
Read from the MP4's frames, pixel by pixel."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from ensemble.accounts.tests.factories import UserFactory
from ensemble.meet import actions
from ensemble.meet.models import Participant, Recording
from ensemble.meet.recording import compose, screen_feeds
from ensemble.meet.tests.recorded_media import frame, pixel, resized, video, voice

pytestmark = pytest.mark.skipif(not shutil.which("ffmpeg"), reason="needs ffmpeg")

RED, GREEN, BLUE, BLACK = (255, 0, 0), (0, 255, 0), (0, 0, 255), (0, 0, 0)
YELLOW = (255, 255, 0)
CENTRE, PILLAR = (640, 360), (60, 360)  # a 4:3 screen leaves black pillars left and right
CORNER = (1280 - 16 - 100, 720 - 16 - 80)  # inside the camera in the bottom-right corner
SCREEN_TOP_LEFT = (200, 40)


def near(colour: tuple[int, int, int], expected: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= 48 for a, b in zip(colour, expected, strict=True))


def test_a_shared_screen_is_large_with_the_speaker_in_a_corner(tmp_path: Path) -> None:
    # Alice (red camera) speaks first, Bob (green camera) from 6 s; Alice shares a 4:3 blue
    # screen (5 frames/s, as screens are sent) from 3 s to 9 s. Cameras: 16:9, 15 frames/s.
    streams = [
        voice(tmp_path, 1, 12, [(0, 6)]),
        video(tmp_path, 1, "red", 0, 12),
        voice(tmp_path, 2, 12, [(6, 12)]),
        video(tmp_path, 2, "lime", 0, 12),
        video(tmp_path, 3, "blue", 3, 6, size="320x240", rate=5, screen=True),
    ]
    target = tmp_path / "recording.mp4"
    assert compose(streams, target) == pytest.approx(12, abs=0.2)

    def colours(at: float) -> dict[str, tuple[int, int, int]]:
        picture = frame(target, at)
        assert len(picture) == 1280 * 720 * 3  # 720p
        places = {"centre": CENTRE, "pillar": PILLAR, "corner": CORNER, "top": SCREEN_TOP_LEFT}
        return {name: pixel(picture, x, y) for name, (x, y) in places.items()}

    def shows(at: float, **expected: tuple[int, int, int]) -> None:
        seen = colours(at)
        assert all(near(seen[name], colour) for name, colour in expected.items()), (at, seen)

    shows(1.5, centre=RED, pillar=RED, corner=RED, top=RED)  # Alice fills the frame
    shows(4.5, centre=BLUE, top=BLUE, pillar=BLACK, corner=RED)  # her screen, her in a corner
    shows(8.0, centre=BLUE, top=BLUE, pillar=BLACK, corner=GREEN)  # Bob speaks now
    shows(10.5, centre=GREEN, pillar=GREEN, corner=GREEN, top=GREEN)  # share over: Bob


def test_a_screen_whose_size_changes_stays_letterboxed(tmp_path: Path) -> None:
    # A shared window made wider midway: 4:3, then 8:3 (black bars above and below). ffmpeg
    # once rebuilt its filters at the change and lost the rest of the recording's timeline.
    streams = [
        voice(tmp_path, 1, 6, [(0, 6)]),
        video(tmp_path, 1, "red", 0, 6),
        resized(tmp_path, 3, 2, [("blue", "320x240"), ("yellow", "320x120")]),
    ]
    target = tmp_path / "recording.mp4"
    assert compose(streams, target) == pytest.approx(6, abs=0.2)
    top, pillar = (640, 20), PILLAR
    for at, expected in [
        (1.5, {CENTRE: RED, top: RED, pillar: RED}),
        (2.5, {CENTRE: BLUE, top: BLUE, pillar: BLACK, CORNER: RED}),
        (3.5, {CENTRE: YELLOW, top: BLACK, pillar: YELLOW, CORNER: RED}),
        (5.0, {CENTRE: RED, top: RED, pillar: RED}),
    ]:
        picture = frame(target, at)
        seen = {place: pixel(picture, *place) for place in expected}
        assert all(near(seen[place], colour) for place, colour in expected.items()), (at, seen)


@pytest.mark.django_db
def test_the_recorder_knows_screens_from_the_meeting(tmp_path: Path, settings: Any) -> None:
    """Janus's files do not tell a screen from a camera (a feed id each); the meeting does:
    each participant has a feed for its camera and one for its screen."""
    meeting = actions.create_meeting(UserFactory(), "Revue")
    shown = Participant.objects.create(
        meeting=meeting, user=UserFactory(), display_name="A", janus_feed=11, janus_screen_feed=12
    )
    Participant.objects.create(meeting=meeting, user=UserFactory(), display_name="B")
    other = actions.create_meeting(UserFactory(), "Autre")
    Participant.objects.create(
        meeting=other, user=UserFactory(), display_name="C", janus_feed=21, janus_screen_feed=22
    )
    recording = Recording.objects.create(meeting=meeting)
    assert screen_feeds(recording) == {shown.janus_screen_feed}
