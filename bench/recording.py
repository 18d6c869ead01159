"""Benchmark: how long the worker takes to make the video of a one-minute recording with a
shared screen, and of the same minute without it.

Two people (cameras 640x480 at 25 frames/s, VP8, ffmpeg's moving test pattern; voices in
Opus taking turns every 10 s) and, in the first case, a screen 1920x1080 at 5 frames/s shared
from 15 s to 45 s. Measured: the loudness pass and the composition (H.264 720p + AAC), wall
time and the CPU time of the ffmpeg processes. Not measured: janus-pp-rec, which only
rewraps the packets Janus wrote (no decoding).

    .venv/bin/python bench/recording.py [--inputs var/bench-recording]

The inputs are made once into that folder (minutes on a small machine) and reused.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ensemble.settings")

import django  # noqa: E402

django.setup()

from ensemble.meet.recording import compose, duration_of, loudness  # noqa: E402
from ensemble.meet.recording_timeline import Stream  # noqa: E402
from ensemble.meet.tests.recorded_media import ORIGIN, video, voice  # noqa: E402

MINUTE = 60
SCREEN = 9  # the shared screen's feed


def make_inputs(folder: Path) -> list[Stream]:
    """The minute's streams: made by ffmpeg the first time, read back afterwards."""
    turns = [[(a, a + 10) for a in range(start, MINUTE, 20)] for start in (0, 10)]
    streams = []
    for feed, loud in enumerate(turns, start=1):
        sound, picture = folder / f"{feed}-audio.opus", folder / f"{feed}-0-video.webm"
        if sound.exists() and picture.exists():
            streams += [
                Stream(feed, "audio", sound, ORIGIN, duration_of(sound)),
                Stream(feed, "video", picture, ORIGIN, duration_of(picture)),
            ]
            continue
        streams.append(voice(folder, feed, MINUTE, loud))
        streams.append(video(folder, feed, "", 0, MINUTE, size="640x480", rate=25, moving=True))
    shared = folder / f"{SCREEN}-15-video.webm"
    if shared.exists():
        length = duration_of(shared)
        streams.append(Stream(SCREEN, "video", shared, ORIGIN + 15, length, screen=True))
    else:
        streams.append(
            video(folder, SCREEN, "", 15, 30, size="1920x1080", rate=5, screen=True, moving=True)
        )
    return streams


def measure(folder: Path, share: bool) -> dict[str, float]:
    """In a process of its own, so that its ffmpeg processes alone count."""
    streams = [s for s in make_inputs(folder) if share or not s.screen]
    target = folder / ("share.mp4" if share else "plain.mp4")
    wall = time.perf_counter()
    for stream in (s for s in streams if s.kind == "audio"):
        stream.levels = loudness(stream.path)
    seconds = compose(streams, target)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "video_s": round(seconds, 2),
        "wall_s": round(time.perf_counter() - wall, 1),
        "ffmpeg_cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
        "ffmpeg_peak_rss_mib": round(usage.ru_maxrss / 1024),
        "size_mib": round(target.stat().st_size / 2**20, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--inputs", type=Path, default=ROOT / "var" / "bench-recording")
    parser.add_argument("--case", choices=["with_share", "without_share"])
    options = parser.parse_args()
    options.inputs.mkdir(parents=True, exist_ok=True)
    if options.case:
        print(json.dumps(measure(options.inputs, options.case == "with_share")))
        return
    make_inputs(options.inputs)
    results = {}
    for case in ("with_share", "without_share"):
        command = [sys.executable, __file__, "--inputs", str(options.inputs), "--case", case]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        results[case] = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        json.dumps(
            {
                "results": results,
                "conditions": {
                    "cpus": os.cpu_count(),
                    "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
                    "python": platform.python_version(),
                    "ffmpeg": os.popen("ffmpeg -version").readline().split(" ")[2],  # noqa: S605
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
