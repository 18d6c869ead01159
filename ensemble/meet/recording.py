"""From Janus's files to one video: each stream Janus recorded (one .mjr per stream and per
publisher) is converted with janus-pp-rec, placed on the meeting's clock by the time of its
first packet, and ffmpeg mixes everyone's audio under the video of whoever speaks (loudness
measured by ffmpeg per half second). The result is stored encrypted; the organiser and the
person who recorded are notified with a link; the raw files are deleted."""

from __future__ import annotations

import json
import logging
import math
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
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

logger = logging.getLogger(__name__)

STREAM_FILE = re.compile(r"videoroom-\d+-user-(?P<feed>\d+)-\d+-(?P<kind>audio|video)-\d+\.mjr$")
WINDOW = 0.5  # seconds of audio per loudness measure
SILENCE_DB = -50.0  # quieter than this is nobody speaking
SWITCH_DB = 3.0  # another voice must be this much louder …
SWITCH_WINDOWS = 2  # … for this many windows in a row to take the picture
SIZE, FPS = (1280, 720), 25


@dataclass
class Stream:
    """One recorded stream, converted, with its place on the meeting's clock (seconds)."""

    feed: int
    kind: str
    path: Path
    start: float = 0.0
    duration: float = 0.0
    levels: list[float] = field(default_factory=list)  # dB per WINDOW, from ``start``

    @property
    def end(self) -> float:
        return self.start + self.duration


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


def collect(folder: Path, work: Path) -> list[Stream]:
    """Convert every stream of the folder; streams with nothing in them are left out."""
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
        stream = Stream(int(match["feed"]), kind, target, start, duration_of(target))
        if stream.duration <= 0:
            continue
        if kind == "audio":
            stream.levels = loudness(target)
        streams.append(stream)
    return streams


def speakers(
    streams: list[Stream], origin: float, total: float
) -> list[tuple[float, float, int | None]]:
    """Whose video to show when: (start, end, feed), on the recording's clock. The loudest
    voice takes the picture once it is clearly louder for a second; silence keeps it. Only
    people with a video at that moment can take it (None: nobody's video)."""
    audio = [s for s in streams if s.kind == "audio"]
    video = {s.feed: s for s in streams if s.kind == "video"}

    def level(feed: int, at: float) -> float:
        values = [
            s.levels[int((at - s.start) / WINDOW)]
            for s in audio
            if s.feed == feed and s.start <= at < s.start + len(s.levels) * WINDOW
        ]
        return max(values, default=-math.inf)

    def has_video(feed: int, at: float) -> bool:
        stream = video.get(feed)
        return stream is not None and stream.start <= at < stream.end

    windows = max(1, math.ceil(total / WINDOW))
    current: int | None = None
    challenger, streak = None, 0
    chosen: list[int | None] = []
    for index in range(windows):
        at = origin + index * WINDOW
        visible = [feed for feed in video if has_video(feed, at)]
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


def compose(streams: list[Stream], target: Path) -> float:
    """Write the video (H.264 + AAC in MP4); returns its length in seconds."""
    origin = min(s.start for s in streams)
    total = max(s.end for s in streams) - origin
    inputs: list[str | Path] = []
    filters: list[str] = []
    audio_labels = []
    for stream in (s for s in streams if s.kind == "audio"):
        index = len(inputs) // 2
        inputs += ["-i", stream.path]
        delay = int((stream.start - origin) * 1000)
        filters.append(f"[{index}:a]aresample=48000,adelay={delay}:all=1[a{index}]")
        audio_labels.append(f"[a{index}]")
    segments = speakers(streams, origin, total)
    video_input: dict[int, int] = {}
    uses: dict[int, int] = {}
    for _start, _end, feed in segments:
        if feed is not None and feed not in video_input:
            stream = next(s for s in streams if s.kind == "video" and s.feed == feed)
            video_input[feed] = len(inputs) // 2
            inputs += ["-i", stream.path]
        if feed is not None:
            uses[feed] = uses.get(feed, 0) + 1
    for feed, index in video_input.items():
        outputs = "".join(f"[v{index}_{n}]" for n in range(uses[feed]))
        filters.append(f"[{index}:v]split={uses[feed]}{outputs}")
    width, height = SIZE
    parts, taken = [], dict.fromkeys(video_input, 0)
    for number, (start, end, feed) in enumerate(segments):
        if feed is None:
            filters.append(
                f"color=c=black:s={width}x{height}:r={FPS}:d={end - start:.3f}[s{number}]"
            )
        else:
            stream = next(s for s in streams if s.kind == "video" and s.feed == feed)
            offset = origin - stream.start
            label = f"[v{video_input[feed]}_{taken[feed]}]"
            taken[feed] += 1
            filters.append(
                f"{label}trim=start={max(0.0, start + offset):.3f}:end={end + offset:.3f},"
                f"setpts=PTS-STARTPTS,scale={width}:{height}:force_original_aspect_ratio=decrease,"
                f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2,fps={FPS},"
                f"tpad=stop_mode=clone:stop_duration={end - start:.3f},"
                f"trim=duration={end - start:.3f},setsar=1[s{number}]"
            )
        parts.append(f"[s{number}]")
    filters.append(f"{''.join(parts)}concat=n={len(parts)}:v=1:a=0,format=yuv420p[v]")
    maps = ["-map", "[v]"]
    if audio_labels:
        filters.append(
            f"{''.join(audio_labels)}amix=inputs={len(audio_labels)}:duration=longest:normalize=0[a]"
        )
        maps += ["-map", "[a]", "-c:a", "aac", "-b:a", "96k"]
    run(
        "ffmpeg", "-v", "error", "-y", *inputs, "-filter_complex", ";".join(filters), *maps,
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "28", "-t", f"{total:.3f}",
        "-movflags", "+faststart", target,
    )  # fmt: skip
    return duration_of(target)


def raw_folder(recording: Recording) -> Path:
    """Where Janus writes this recording's streams (a folder Janus writes and the workers
    read: one machine for the embedded default, shared in production)."""
    return settings.MEET_RECORDING_DIR / str(recording.meeting_id) / str(recording.pk)


def make_video(recording: Recording) -> None:
    folder = raw_folder(recording)
    with tempfile.TemporaryDirectory(prefix="ensemble-recording-") as work:
        streams = collect(folder, Path(work))
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
        with translation.override(person.language or settings.LANGUAGE_CODE):
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
