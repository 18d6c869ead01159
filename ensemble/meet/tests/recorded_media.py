"""Synthetic recorded streams, made by ffmpeg in the formats janus-pp-rec writes (VP8 in
WebM, Opus in Ogg): a camera or a screen of one colour, a voice that is loud at given times
and silent otherwise. With their place on the meeting's clock they are what ``collect``
returns, so that the real composition (``compose``) can be run on them and its frames read."""

from __future__ import annotations

import subprocess
from pathlib import Path

from ensemble.meet.recording import duration_of, loudness, run
from ensemble.meet.recording_timeline import Stream

ORIGIN = 1_000.0  # the meeting's clock at the recording's first packet


def video(
    folder: Path,
    feed: int,
    colour: str,
    start: float,
    seconds: float,
    size: str = "256x144",
    rate: int = 15,
    screen: bool = False,
    moving: bool = False,
) -> Stream:
    """A video of one colour (or, ``moving``, ffmpeg's moving test pattern, as costly to
    encode as a real picture)."""
    source = "testsrc2=" if moving else f"color=c={colour}:"
    path = folder / f"{feed}-{start}-video.webm"
    run(
        "ffmpeg", "-v", "error", "-y", "-f", "lavfi",
        "-i", f"{source}s={size}:r={rate}:d={seconds}", "-c:v",
        "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "300k", path,
    )  # fmt: skip
    return Stream(feed, "video", path, ORIGIN + start, duration_of(path), screen=screen)


def voice(folder: Path, feed: int, seconds: float, loud: list[tuple[float, float]]) -> Stream:
    """A 440 Hz tone while ``loud`` (seconds from its start), digital silence otherwise."""
    path = folder / f"{feed}-audio.opus"
    spoken = "+".join(f"between(t,{a},{b})" for a, b in loud) or "0"
    run(
        "ffmpeg", "-v", "error", "-y", "-f", "lavfi",
        "-i", f"sine=f=440:sample_rate=48000:d={seconds}", "-af",
        f"volume='gt({spoken},0)':eval=frame", "-c:a", "libopus", "-b:a", "32k", path,
    )  # fmt: skip
    stream = Stream(feed, "audio", path, ORIGIN, duration_of(path))
    stream.levels = loudness(path)
    return stream


def frame(path: Path, at: float) -> bytes:
    """The picture at ``at`` seconds, as RGB bytes."""
    command = ["ffmpeg", "-v", "error", "-ss", f"{at}", "-i", str(path), "-frames:v", "1"]
    command += ["-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    return subprocess.run(command, capture_output=True, check=True, timeout=120).stdout


def pixel(picture: bytes, x: int, y: int, width: int = 1280) -> tuple[int, int, int]:
    at = (y * width + x) * 3
    red, green, blue = picture[at : at + 3]
    return red, green, blue


def resized(folder: Path, feed: int, start: float, parts: list[tuple[str, str]]) -> Stream:
    """A shared screen whose size changes midway (a window resized): one second at 5 frames/s
    per (colour, size) part, in one WebM, as the browser sends it."""
    pieces = [
        video(folder, feed * 100 + n, colour, 0, 1, size, 5)
        for n, (colour, size) in enumerate(parts)
    ]
    listing = folder / f"{feed}-parts.txt"
    listing.write_text("".join(f"file '{piece.path}'\n" for piece in pieces))
    path = folder / f"{feed}-{start}-resized.webm"
    run(
        "ffmpeg",
        "-v",
        "error",
        "-y",
        "-f",
        "concat",
        "-safe",
        "0",
        "-i",
        listing,
        "-c",
        "copy",
        path,
    )
    return Stream(feed, "video", path, ORIGIN + start, duration_of(path), screen=True)
