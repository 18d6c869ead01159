"""What the recording shows when (the pure timeline): the camera of whoever speaks, and
while a screen is shared, the screen large with that camera in a corner. The frames ffmpeg
makes of it are checked in test_recording_screen.py."""

from __future__ import annotations

import math
from pathlib import Path

from ensemble.meet.recording_timeline import WINDOW, Shot, Stream, layout, speakers

LOUD, QUIET = -20.0, -70.0


def voice(feed: int, seconds: float, loud: list[tuple[float, float]]) -> Stream:
    windows = int(seconds / WINDOW)
    levels = [LOUD if any(a <= i * WINDOW < b for a, b in loud) else QUIET for i in range(windows)]
    return Stream(feed, "audio", Path(f"{feed}.opus"), 100.0, seconds, levels)


def video(feed: int, start: float = 0.0, seconds: float = 10.0, screen: bool = False) -> Stream:
    path = Path(f"{feed}-{start}.webm")
    return Stream(feed, "video", path, 100.0 + start, seconds, screen=screen)


def test_the_picture_goes_to_whoever_speaks() -> None:
    streams = [voice(1, 10, [(0, 4)]), video(1), voice(2, 10, [(4, 10)]), video(2)]
    assert speakers(streams, 100.0, 10.0) == [(0.0, 4.5, 1), (4.5, 10.0, 2)]


def test_a_cough_or_a_silence_does_not_take_the_picture() -> None:
    streams = [
        voice(1, 10, [(0, 3), (6, 7)]),
        video(1),
        voice(2, 10, [(4, 4.5)]),  # one half-second: not enough
        video(2),
    ]
    assert speakers(streams, 100.0, 10.0) == [(0.0, 10.0, 1)]


def test_only_people_with_a_camera_take_the_picture() -> None:
    streams = [voice(1, 10, [(0, 10)]), voice(2, 10, []), video(2)]
    assert speakers(streams, 100.0, 10.0) == [(0.0, 10.0, 2)]
    assert speakers([voice(1, 6, [(0, 6)])], 100.0, 6.0) == [(0.0, 6.0, None)]


def test_someone_whose_camera_stops_hands_the_picture_on() -> None:
    streams = [voice(1, 10, [(0, 10)]), video(1, seconds=5), voice(2, 10, []), video(2)]
    assert speakers(streams, 100.0, 10.0) == [(0.0, 5.0, 1), (5.0, 10.0, 2)]
    assert not math.isinf(streams[0].levels[0])


def test_without_a_share_the_speaker_fills_the_frame() -> None:
    alice, bob = video(1), video(2)
    streams = [voice(1, 10, [(0, 4)]), alice, voice(2, 10, [(4, 10)]), bob]
    assert layout(streams, 100.0, 10.0) == [Shot(0.0, 4.48, alice), Shot(4.48, 10.0, bob)]


def test_a_shared_screen_is_shown_large_with_the_speaker_in_a_corner() -> None:
    alice = video(1)
    screen = video(3, start=3.0, seconds=4.0, screen=True)
    streams = [voice(1, 10, [(0, 10)]), alice, screen]
    assert layout(streams, 100.0, 10.0) == [
        Shot(0.0, 3.0, alice),
        Shot(3.0, 7.0, alice, screen),
        Shot(7.0, 10.0, alice),
    ]


def test_the_corner_follows_whoever_speaks_during_the_share() -> None:
    alice, bob = video(1), video(2)
    screen = video(3, start=2.0, seconds=6.0, screen=True)
    streams = [voice(1, 10, [(0, 4)]), alice, voice(2, 10, [(4, 10)]), bob, screen]
    assert layout(streams, 100.0, 10.0) == [
        Shot(0.0, 2.0, alice),
        Shot(2.0, 4.48, alice, screen),
        Shot(4.48, 8.0, bob, screen),
        Shot(8.0, 10.0, bob),
    ]


def test_a_screen_never_takes_the_picture_as_a_speaker() -> None:
    screen = video(3, screen=True)
    assert speakers([voice(1, 10, [(0, 10)]), screen], 100.0, 10.0) == [(0.0, 10.0, None)]
    # Nobody has a camera: the screen alone, letterboxed; black once it stops.
    short = video(3, seconds=6.0, screen=True)
    assert layout([voice(1, 10, [(0, 10)]), short], 100.0, 10.0) == [
        Shot(0.0, 6.0, None, short),
        Shot(6.0, 10.0, None),
    ]


def test_the_screen_shared_last_is_shown_and_the_first_comes_back() -> None:
    alice = video(1)
    first = video(3, start=1.0, seconds=8.0, screen=True)
    second = video(4, start=3.0, seconds=3.0, screen=True)
    streams = [voice(1, 10, [(0, 10)]), alice, first, second]
    assert layout(streams, 100.0, 10.0) == [
        Shot(0.0, 1.0, alice),
        Shot(1.0, 3.0, alice, first),
        Shot(3.0, 6.0, alice, second),
        Shot(6.0, 9.0, alice, first),
        Shot(9.0, 10.0, alice),
    ]


def test_sharing_twice_under_the_same_feed_shows_both_shares() -> None:
    # Stopping and sharing again publishes the same feed anew: Janus writes a second file.
    alice = video(1)
    once, again = video(3, 1.0, 2.0, screen=True), video(3, 5.0, 2.0, screen=True)
    streams = [voice(1, 10, [(0, 10)]), alice, once, again]
    assert layout(streams, 100.0, 10.0) == [
        Shot(0.0, 1.0, alice),
        Shot(1.0, 3.0, alice, once),
        Shot(3.0, 5.0, alice),
        Shot(5.0, 7.0, alice, again),
        Shot(7.0, 10.0, alice),
    ]


def test_cuts_fall_on_frames_and_a_camera_gap_shows_another_camera() -> None:
    # Alice speaks; her camera is published again after a reconnection (a gap of 0.3 s).
    before, after, bob = video(1, 0.0, 4.013), video(1, 4.313, 5.687), video(2)
    screen = video(3, start=6.017, seconds=2.0, screen=True)
    streams = [voice(1, 10, [(0, 10)]), before, after, voice(2, 10, []), bob, screen]
    shots = layout(streams, 100.0, 10.0)
    assert shots == [
        Shot(0.0, 4.0, before),
        Shot(4.0, 4.32, bob),
        Shot(4.32, 6.0, after),
        Shot(6.0, 8.0, after, screen),
        Shot(8.0, 10.0, after),
    ]
    for shot in shots:
        assert round(shot.start * 25, 6).is_integer() and round(shot.end * 25, 6).is_integer()


def test_a_recording_shorter_than_a_frame_is_one_frame() -> None:
    # Not nothing, which ffmpeg would refuse to join.
    assert layout([video(1, seconds=0.01)], 100.0, 0.01) == [Shot(0.0, 0.04, None)]
