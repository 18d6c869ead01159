"""From Janus's files to one video: each stream Janus recorded (one .mjr per stream and per
publisher) is converted with janus-pp-rec, placed on the meeting's clock by the time of its
first packet, and ffmpeg mixes everyone's audio under the video of whoever speaks (loudness
measured by ffmpeg per half second); while someone shares a screen, the screen fills the
frame (letterboxed) with the speaker's camera in a corner (``recording_timeline.layout``).
The result is stored encrypted; the organiser and the person who recorded are notified with
a link; the raw files are deleted."""

from __future__ import annotations

import json
import logging
import math
import re
import shutil
import subprocess
import tempfile
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ensemble.core.schedule import every
from ensemble.core.tasks import background_task
from ensemble.meet.models import Recording, RecordingState
from ensemble.meet.recording_timeline import FPS, WINDOW, Shot, Stream, layout

logger = logging.getLogger(__name__)

STREAM_FILE = re.compile(r"videoroom-\d+-user-(?P<feed>\d+)-\d+-(?P<kind>audio|video)-\d+\.mjr$")
SIZE = (1280, 720)
CORNER = (320, 240)  # the box the speaker's camera fits in over a shared screen
MARGIN = 16  # between that camera and the frame's edges


def run(*command: str | Path) -> str:
    done = subprocess.run(  # noqa: S603
        [str(part) for part in command], capture_output=True, text=True, timeout=3600, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed: {done.stderr[-2000:]}")
    return done.stdout


def first_packet(mjr: Path) -> float:
    """When the stream's first packet was written (seconds, wall clock), from the header."""
    output = run("janus-pp-rec", "-j", "-d", "0", mjr)
    header = json.loads(output[output.index("{") :])
    return float(header.get("u") or header["s"]) / 1e6


def duration_of(path: Path) -> float:
    output = run(
        "ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path
    )
    try:
        return float(output.strip())
    except ValueError:
        return 0.0


def loudness(path: Path) -> list[float]:
    """The audio's level in dB for each WINDOW (-inf for silence)."""
    samples = int(48000 * WINDOW)
    output = run(
        "ffmpeg", "-v", "error", "-i", path, "-af",
        f"aresample=48000,asetnsamples=n={samples}:p=0,astats=metadata=1:reset=1,"
        "ametadata=print:key=lavfi.astats.Overall.RMS_level:file=-",
        "-f", "null", "-",
    )  # fmt: skip
    levels = []
    for line in output.splitlines():
        if line.startswith("lavfi.astats.Overall.RMS_level="):
            value = line.split("=", 1)[1]
            levels.append(float(value) if value not in ("-inf", "inf", "nan") else -math.inf)
    return levels


def collect(folder: Path, work: Path, screens: frozenset[int] = frozenset()) -> list[Stream]:
    """Convert every stream of the folder; streams with nothing in them are left out. The
    videos of the feeds in ``screens`` are shared screens (the files alone do not tell)."""
    streams = []
    for mjr in sorted(folder.glob("*.mjr")):
        match = STREAM_FILE.search(mjr.name)
        if not match:
            continue
        kind = match["kind"]
        target = work / f"{mjr.stem}.{'opus' if kind == 'audio' else 'webm'}"
        try:
            run("janus-pp-rec", "-d", "0", mjr, target)
            start = first_packet(mjr)
        except RuntimeError as error:  # an empty stream (no packet ever came)
            logger.info("recording: %s skipped: %s", mjr.name, error)
            continue
        feed = int(match["feed"])
        screen = kind == "video" and feed in screens
        stream = Stream(feed, kind, target, start, duration_of(target), screen=screen)
        if stream.duration <= 0:
            continue
        if kind == "audio":
            stream.levels = loudness(target)
        streams.append(stream)
    return streams


def picture(stream: Stream, label: str, shot: Shot, origin: float, box: tuple[int, int]) -> str:
    """The filters that cut ``shot`` out of a video and fit it in ``box`` (no crop)."""
    offset = origin - stream.start
    length = shot.end - shot.start
    width, height = box
    return (
        f"{label}trim=start={max(0.0, shot.start + offset):.3f}:end={shot.end + offset:.3f},"
        f"setpts=PTS-STARTPTS,scale={width}:{height}:force_original_aspect_ratio=decrease"
        ":force_divisible_by=2,"
        f"fps={FPS},tpad=stop_mode=clone:stop_duration={length:.3f},"
        f"trim=duration={length:.3f},setsar=1"
    )


def frame_filters(shots: list[Shot], origin: float, inputs: dict[int, int]) -> list[str]:
    """One filter chain per shot, each ending in ``[s<number>]``, for ``concat``. ``inputs``:
    the ffmpeg input of each video used (by ``id`` of its Stream)."""
    width, height = SIZE
    counts: dict[int, int] = {}
    for stream in (s for shot in shots for s in (shot.screen, shot.camera) if s is not None):
        counts[id(stream)] = counts.get(id(stream), 0) + 1
    filters, labels = [], {}
    for key, count in counts.items():
        labels[key] = [f"[v{inputs[key]}_{n}]" for n in range(count)]
        filters.append(f"[{inputs[key]}:v]split={count}{''.join(labels[key])}")

    def take(stream: Stream) -> str:  # the next copy of that video
        return labels[id(stream)].pop(0)

    # Pictures are laid on a black canvas with ``overlay`` (placed again at each frame), not
    # grown with ``pad``: a video whose size changes midway (a shared window resized, a
    # camera lowered by the browser) keeps its place and never overruns the frame.
    centre, corner = "x=(W-w)/2:y=(H-h)/2", f"x=W-w-{MARGIN}:y=H-h-{MARGIN}"
    for number, shot in enumerate(shots):
        length = shot.end - shot.start
        filters.append(f"color=c=black:s={width}x{height}:r={FPS}:d={length:.3f}[k{number}]")
        big = shot.screen or shot.camera
        if big is None:
            filters.append(f"[k{number}]null[s{number}]")
            continue
        filters.append(f"{picture(big, take(big), shot, origin, SIZE)}[f{number}]")
        if shot.screen is None or shot.camera is None:
            filters.append(f"[k{number}][f{number}]overlay={centre}:eval=frame[s{number}]")
            continue
        small = picture(shot.camera, take(shot.camera), shot, origin, CORNER)
        filters += [
            f"{small},drawbox=c=white:t=2[c{number}]",
            f"[k{number}][f{number}]overlay={centre}:eval=frame[b{number}]",
            f"[b{number}][c{number}]overlay={corner}:eval=frame[s{number}]",
        ]
    return filters


def compose(streams: list[Stream], target: Path) -> float:
    """Write the video (H.264 + AAC in MP4); returns its length in seconds."""
    origin = min(s.start for s in streams)
    total = max(s.end for s in streams) - origin
    arguments: list[str | Path] = []
    filters: list[str] = []
    audio_labels = []
    for stream in (s for s in streams if s.kind == "audio"):
        index = arguments.count("-i")
        arguments += ["-i", stream.path]
        delay = int((stream.start - origin) * 1000)
        filters.append(f"[{index}:a]aresample=48000,adelay={delay}:all=1[a{index}]")
        audio_labels.append(f"[a{index}]")
    shots = layout(streams, origin, total)
    inputs: dict[int, int] = {}
    for stream in (s for shot in shots for s in (shot.screen, shot.camera) if s is not None):
        if id(stream) not in inputs:
            inputs[id(stream)] = arguments.count("-i")
            arguments += ["-reinit_filter", "0", "-i", stream.path]
    filters += frame_filters(shots, origin, inputs)
    parts = "".join(f"[s{number}]" for number in range(len(shots)))
    filters.append(f"{parts}concat=n={len(shots)}:v=1:a=0,format=yuv420p[v]")
    maps = ["-map", "[v]"]
    if audio_labels:
        filters.append(
            f"{''.join(audio_labels)}amix=inputs={len(audio_labels)}:duration=longest:normalize=0[a]"
        )
        maps += ["-map", "[a]", "-c:a", "aac", "-b:a", "96k"]
    run(
        "ffmpeg", "-v", "error", "-y", *arguments, "-filter_complex", ";".join(filters), *maps,
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "28", "-t", f"{total:.3f}",
        "-movflags", "+faststart", target,
    )  # fmt: skip
    return duration_of(target)


def raw_folder(recording: Recording) -> Path:
    """Where Janus writes this recording's streams (a folder Janus writes and the workers
    read: one machine for the embedded default, shared in production)."""
    return settings.MEET_RECORDING_DIR / str(recording.meeting_id) / str(recording.pk)


def screen_feeds(recording: Recording) -> frozenset[int]:
    """The feeds under which the meeting's participants share their screens: Ensemble gives
    each participant one for its camera and one for its screen, and keeps both."""
    feeds = recording.meeting.participants.values_list("janus_screen_feed", flat=True)
    return frozenset(feed for feed in feeds if feed is not None)


def make_video(recording: Recording) -> None:
    folder = raw_folder(recording)
    with tempfile.TemporaryDirectory(prefix="ensemble-recording-") as work:
        streams = collect(folder, Path(work), screen_feeds(recording))
        if not streams:
            raise EmptyRecording(_("Nothing was recorded: nobody sent sound or video."))
        target = Path(work) / "recording.mp4"
        recording.duration = compose(streams, target)
        with target.open("rb") as video:
            recording.file.save("recording.mp4", File(video), save=False)
        recording.size = target.stat().st_size
    recording.state = RecordingState.READY
    recording.error = ""
    recording.save()
    shutil.rmtree(folder, ignore_errors=True)


class EmptyRecording(Exception):
    pass


@background_task
def process_recording(recording_id: str) -> str:
    recording = Recording.objects.select_related("meeting").filter(pk=recording_id).first()
    if recording is None or recording.state == RecordingState.READY:
        return "gone"
    try:
        make_video(recording)
    except EmptyRecording as empty:
        recording.state, recording.error = RecordingState.FAILED, str(empty)
        recording.save(update_fields=["state", "error", "updated_at"])
        shutil.rmtree(raw_folder(recording), ignore_errors=True)
    except Exception as error:
        recording.state, recording.error = RecordingState.FAILED, str(error)[:2000]
        recording.save(update_fields=["state", "error", "updated_at"])
        raise  # retried; the last failure is kept for operators
    notify_owners(recording)
    return recording.state


def notify_owners(recording: Recording) -> None:
    """The organiser and the person who recorded hear how it went, in their own language."""
    from ensemble.portal.actions import notify

    ready = recording.state == RecordingState.READY
    names = {"title": recording.meeting.title}
    people = {recording.meeting.organiser, recording.started_by}
    for person in (person for person in people if person is not None):
        with translation.override(person.reads):
            if ready:
                title = _("The recording of “%(title)s” is ready") % names
                body = _("%(minutes)s min, kept %(days)s days.") % {
                    "minutes": max(1, round(recording.duration / 60)),
                    "days": settings.MEET_RECORDING_RETENTION_DAYS,
                }
                url = reverse("meet-recording-download", args=[recording.pk])
            else:
                title = _("The recording of “%(title)s” could not be made") % names
                body, url = recording.error, ""
            notify(person, title, body, url)


@every(timedelta(hours=1))
@background_task
def delete_old_recordings() -> dict[str, int]:
    """Recordings are kept MEET_RECORDING_RETENTION_DAYS days, then deleted with their file."""
    cutoff = timezone.now() - timedelta(days=settings.MEET_RECORDING_RETENTION_DAYS)
    old = Recording.objects.filter(created_at__lt=cutoff).exclude(
        state__in=[RecordingState.RECORDING, RecordingState.PROCESSING]
    )
    deleted = 0
    for recording in old:
        shutil.rmtree(raw_folder(recording), ignore_errors=True)
        recording.delete()
        deleted += 1
    return {"deleted": deleted}
