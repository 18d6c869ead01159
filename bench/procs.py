"""What the benchmarks read of a server's processes in /proc: its tree, memory and CPU time."""

from __future__ import annotations

import os
from pathlib import Path


def tree(pid: int) -> list[int]:
    """A process and all its descendants."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(child) for child in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return found


def memory_mib(pid: int, field: str = "VmRSS") -> float:
    """The sum over a process's tree of a memory figure of /proc/…/status: VmRSS (resident
    now) or VmHWM (its peak)."""
    total = 0
    for each in tree(pid):
        try:
            status = Path(f"/proc/{each}/status").read_text()
            total += next(
                int(line.split()[1]) for line in status.splitlines() if line.startswith(field)
            )
        except (FileNotFoundError, ProcessLookupError, StopIteration):
            continue
    return total / 1024


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process and its descendants, in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for each in tree(pid):
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
    return total
