"""Running the converters: without a shell, with a timeout, in a private temporary HOME (and
LibreOffice profile), in a process group of their own that a timeout kills whole."""

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from django.utils.translation import gettext as _

TIMEOUT = 120  # seconds for one converter run; a LibreOffice start alone takes a few


class ConversionError(Exception):
    """A conversion failed; `str(error)` is a sentence for the person who asked for it."""


def run(command: list[str], cwd: Path, timeout: float | None = None) -> bytes:
    """Run a converter in its own process group (LibreOffice forks), HOME in `cwd`."""
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(cwd),
        "LANG": "C.UTF-8",
        "TMPDIR": str(cwd),
    }
    try:
        process = subprocess.Popen(  # noqa: S603 (fixed programs, arguments as a list)
            command,
            cwd=cwd,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except FileNotFoundError as error:
        raise ConversionError(
            _("The converter %(name)s is not installed on the server.") % {"name": command[0]}
        ) from error
    try:
        stdout, stderr = process.communicate(timeout=timeout or TIMEOUT)
    except subprocess.TimeoutExpired as error:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise ConversionError(_("The conversion took too long and was stopped.")) from error
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    if process.returncode != 0:
        raise ConversionError(_("The file could not be converted.")) from RuntimeError(
            stderr.decode(errors="replace")[-2000:]
        )
    return stdout


def pandoc(data: bytes, source: str, target: str, *extra: str) -> bytes:
    """`data` converted by pandoc from `source` to `target` (text formats on stdout)."""
    with tempfile.TemporaryDirectory(prefix="ensemble-pandoc-") as directory:
        work = Path(directory)
        (work / "input").write_bytes(data)
        command = ["pandoc", "--sandbox", "-f", source, "-t", target, *extra, "input"]
        return run(command, work)


def soffice(source: Path, target: str) -> Path:
    """Convert `source` with LibreOffice into `target` (an extension) beside it."""
    work = source.parent
    profile = work / "lo-profile"
    outdir = work / "lo-out"
    command = [
        "soffice",
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--invisible",
        "--norestore",
        "--nolockcheck",
        "--nodefault",
        "--convert-to",
        target,
        "--outdir",
        str(outdir),
        str(source),
    ]
    run(command, work)
    result = outdir / f"{source.stem}.{target.split(':')[0]}"
    if not result.is_file():
        raise ConversionError(_("The file could not be converted."))
    return result


def converters_installed() -> bool:
    """Whether pandoc and LibreOffice are on this machine (the tests skip without them)."""
    return shutil.which("pandoc") is not None and shutil.which("soffice") is not None
