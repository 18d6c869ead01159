"""Benchmark: encrypt + store, then read back and decrypt, a large file through Ensemble's
encrypted storage, next to a plain copy of the same file on the same disk.

Prints MB/s and the peak resident memory of each phase (measured in a child process each, so
that one phase's peak does not hide another's), and the conditions of the run.

    .venv/bin/python bench/storage.py [--size-mib 2048] [--dir DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BLOCK = 1024 * 1024


def make_input(path: Path, size: int) -> str:
    """A file of pseudo-random bytes (incompressible), and its SHA-256."""
    digest = hashlib.sha256()
    seed = os.urandom(BLOCK)
    with path.open("wb") as out:
        for index in range(size // BLOCK):
            block = hashlib.sha256(seed + index.to_bytes(8, "big")).digest() * (BLOCK // 32)
            digest.update(block)
            out.write(block)
    return digest.hexdigest()


def phase(name: str, source: Path, target_dir: Path) -> dict[str, float | str]:
    """Run one phase in a fresh process; it prints a JSON line with its result."""
    done = subprocess.run(
        [sys.executable, __file__, "--phase", name, str(source), str(target_dir)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    result: dict[str, float | str] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_phase(name: str, source: Path, target_dir: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ensemble.settings")
    os.environ["ENSEMBLE_DATA_DIR"] = str(target_dir / "data")
    import django

    django.setup()
    from django.core.files import File

    from ensemble.core.storage import EncryptedStorage

    storage = EncryptedStorage(
        {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(target_dir / "store")},
        }
    )
    size = source.stat().st_size
    started = time.perf_counter()
    extra = ""
    if name == "plain-copy":
        shutil.copyfile(source, target_dir / "plain-copy.bin")
        os.sync()
    elif name == "encrypt-store":
        with source.open("rb") as handle:
            storage.save("big.bin", File(handle))
        os.sync()
    elif name == "read-decrypt":
        digest = hashlib.sha256()
        with storage.open("big.bin") as handle:
            while chunk := handle.read(BLOCK):
                digest.update(chunk)
        extra = digest.hexdigest()
    elif name == "plain-read":
        digest = hashlib.sha256()
        with (target_dir / "plain-copy.bin").open("rb") as handle:
            while chunk := handle.read(BLOCK):
                digest.update(chunk)
        extra = digest.hexdigest()
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "phase": name,
                "seconds": seconds,
                "mb_per_s": size / 1e6 / seconds,
                "peak_rss_mib": peak_rss_mib(),
                "sha256": extra,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mib", type=int, default=2048)
    parser.add_argument("--dir", default=str(ROOT / "var" / "bench"))
    parser.add_argument("--phase", nargs=3, metavar=("NAME", "SOURCE", "DIR"))
    options = parser.parse_args()
    if options.phase:
        run_phase(options.phase[0], Path(options.phase[1]), Path(options.phase[2]))
        return
    Path(options.dir).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=options.dir) as workdir:
        work = Path(workdir)
        source = work / "input.bin"
        size = options.size_mib * BLOCK
        expected = make_input(source, size)
        print(f"Encrypted storage benchmark: {options.size_mib} MiB file in {work}")
        python = platform.python_version()
        print(f"  machine: {platform.platform()}, {os.cpu_count()} cores, Python {python}")
        from cryptography.hazmat.backends.openssl import backend

        print(f"  crypto: {backend.openssl_version_text()}; chunk 64 KiB; AES-256-GCM")
        results = [
            phase(name, source, work)
            for name in ("plain-copy", "encrypt-store", "plain-read", "read-decrypt")
        ]
        print(f"  {'phase':<15}{'seconds':>10}{'MB/s':>10}{'peak RSS MiB':>15}")
        for row in results:
            print(
                f"  {row['phase']:<15}{row['seconds']:>10.1f}{row['mb_per_s']:>10.0f}"
                f"{row['peak_rss_mib']:>15.0f}"
            )
        intact = all(row["sha256"] in ("", expected) for row in results)
        print(f"  read back identical to the input: {'yes' if intact else 'NO'}")
        stored = (work / "store" / "big.bin").stat().st_size
        print(f"  stored size / plain size: {stored / size:.5f}")
        if not intact:
            sys.exit(1)


if __name__ == "__main__":
    main()
