"""What a recording shows when, worked out from the recorded streams alone (no files read,
no ffmpeg): whose camera is on screen (the active speaker), and whether a shared screen is
shown large with that camera in a corner. ``recording.py`` turns the result into ffmpeg's
filters."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path

WINDOW = 0.5  # seconds of audio per loudness measure
SILENCE_DB = -50.0  # quieter than this is nobody speaking
SWITCH_DB = 3.0  # another voice must be this much louder …
SWITCH_WINDOWS = 2  # … for this many windows in a row to take the picture
FPS = 25  # the recording's frames per second: every cut falls on a frame


@dataclass
class Stream:
    """One recorded stream, converted, with its place on the meeting's clock (seconds).
    ``screen``: a video that is a shared screen, not a camera."""

    feed: int
    kind: str
    path: Path
    start: float = 0.0
    duration: float = 0.0
    levels: list[float] = field(default_factory=list)  # dB per WINDOW, from ``start``
    screen: bool = False

    @property
    def end(self) -> float:
        return self.start + self.duration

    def covers(self, at: float) -> bool:
        return self.start <= at < self.end


@dataclass(frozen=True)
class Shot:
    """From ``start`` to ``end`` (seconds on the recording's clock) the picture is ``camera``
    full frame, or ``screen`` large with ``camera`` in a corner; black with neither."""

    start: float
    end: float
    camera: Stream | None
    screen: Stream | None = None


def cameras_of(streams: list[Stream]) -> list[Stream]:
    return [s for s in streams if s.kind == "video" and not s.screen]


def speakers(
    streams: list[Stream], origin: float, total: float
) -> list[tuple[float, float, int | None]]:
    """Whose camera to show when: (start, end, feed), on the recording's clock. The loudest
    voice takes the picture once it is clearly louder for a second; silence keeps it. Only
    people with a camera on at that moment can take it (None: nobody's camera); a shared
    screen never does."""
    audio = [s for s in streams if s.kind == "audio"]
    cameras = cameras_of(streams)
    feeds = list(dict.fromkeys(s.feed for s in cameras))

    def level(feed: int, at: float) -> float:
        values = [
            s.levels[int((at - s.start) / WINDOW)]
            for s in audio
            if s.feed == feed and s.start <= at < s.start + len(s.levels) * WINDOW
        ]
        return max(values, default=-math.inf)

    windows = max(1, math.ceil(total / WINDOW))
    current: int | None = None
    challenger, streak = None, 0
    chosen: list[int | None] = []
    for index in range(windows):
        at = origin + index * WINDOW
        visible = [feed for feed in feeds if any(s.feed == feed and s.covers(at) for s in cameras)]
        if current is not None and current not in visible:
            current = None
        loudest = max(visible, key=lambda feed: level(feed, at), default=None)
        if current is None:
            current = loudest
        elif loudest is not None and loudest != current:
            louder = level(loudest, at) > max(level(current, at), SILENCE_DB) + SWITCH_DB
            streak = streak + 1 if louder and loudest == challenger else int(louder)
            challenger = loudest if louder else None
            if streak >= SWITCH_WINDOWS:
                current, challenger, streak = loudest, None, 0
        chosen.append(current)
    segments: list[tuple[float, float, int | None]] = []
    for index, feed in enumerate(chosen):
        start, end = index * WINDOW, min(total, (index + 1) * WINDOW)
        if segments and segments[-1][2] == feed:
            segments[-1] = (segments[-1][0], end, feed)
        else:
            segments.append((start, end, feed))
    return segments


def on_frame(seconds: float) -> float:
    return round(seconds * FPS) / FPS


def layout(streams: list[Stream], origin: float, total: float) -> list[Shot]:
    """The recording's shots, cut on the frame grid: while a screen is shared, that screen
    (the one shared last, when two are) with the active speaker's camera in a corner;
    otherwise the active speaker's camera. A speaker whose camera stream has a gap (a
    reconnection) gives the picture to another camera meanwhile, never to black."""
    cameras = cameras_of(streams)
    screens = [s for s in streams if s.kind == "video" and s.screen]
    talk = speakers(streams, origin, total)
    cuts = {0.0, total, *(start for start, _end, _feed in talk)}
    for stream in (*cameras, *screens):
        cuts |= {stream.start - origin, stream.end - origin}
    grid = sorted({on_frame(cut) for cut in cuts if 0 <= cut <= total})
    if len(grid) < 2:  # shorter than a frame: one frame still
        grid = [0.0, 1 / FPS]
    shots: list[Shot] = []
    for start, end in itertools.pairwise(grid):
        at = (start + end) / 2
        feed = next((f for a, b, f in talk if a <= at < b), None)
        showing = [s for s in cameras if s.covers(origin + at)]
        speaking = [s for s in showing if s.feed == feed] or showing[:1]
        camera = max(speaking, key=lambda s: s.start, default=None)
        screen = max(
            (s for s in screens if s.covers(origin + at)), key=lambda s: s.start, default=None
        )
        if shots and shots[-1].camera is camera and shots[-1].screen is screen:
            shots[-1] = Shot(shots[-1].start, end, camera, screen)
        else:
            shots.append(Shot(start, end, camera, screen))
    return shots
