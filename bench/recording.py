"""Benchmark: how long the worker takes to make the video of a one-minute recording with a
shared screen, and of the same minute without it.

Two people (cameras 640x480 at 25 frames/s, VP8, ffmpeg's moving test pattern; voices in
Opus taking turns every 10 s) and, in the first case, a screen 1920x1080 at 5 frames/s shared
from 15 s to 45 s. Measured: the loudness pass and the composition (H.264 720p + AAC), wall
time and the CPU time of the ffmpeg processes. Not measured: janus-pp-rec, which only
rewraps the packets Janus wrote (no decoding).

    .venv/bin/python bench/recording.py
"""

from __future__ import annotations

import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ensemble.settings")

import django  # noqa: E402

django.setup()

from ensemble.meet.recording import compose, loudness  # noqa: E402
from ensemble.meet.recording_timeline import Stream  # noqa: E402
from ensemble.meet.tests.recorded_media import video, voice  # noqa: E402

MINUTE = 60


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(streams: list[Stream], target: Path) -> dict[str, float]:
    cpu, wall = children_cpu(), time.perf_counter()
    for stream in (s for s in streams if s.kind == "audio"):
        stream.levels = loudness(stream.path)
    seconds = compose(streams, target)
    return {
        "video_s": round(seconds, 2),
        "wall_s": round(time.perf_counter() - wall, 1),
        "ffmpeg_cpu_s": round(children_cpu() - cpu, 1),
        "size_mib": round(target.stat().st_size / 2**20, 1),
    }


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="ensemble-bench-recording-") as work:
        folder = Path(work)
        turns = [[(a, a + 10) for a in range(start, MINUTE, 20)] for start in (0, 10)]
        people = []
        for feed, loud in enumerate(turns, start=1):
            people.append(voice(folder, feed, MINUTE, loud))
            people.append(video(folder, feed, "", 0, MINUTE, size="640x480", rate=25, moving=True))
        screen = video(folder, 9, "", 15, 30, size="1920x1080", rate=5, screen=True, moving=True)
        results = {
            "with_share": measure([*people, screen], folder / "share.mp4"),
            "without_share": measure(people, folder / "plain.mp4"),
        }
    load = os.getloadavg()
    print(
        json.dumps(
            {
                "results": results,
                "conditions": {
                    "cpus": os.cpu_count(),
                    "load_average_1_5_15": [round(x, 2) for x in load],
                    "python": platform.python_version(),
                    "ffmpeg": os.popen("ffmpeg -version").readline().split(" ")[2],  # noqa: S605
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
