"""Free TCP ports on 127.0.0.1 for servers that tests and benchmarks start themselves."""

from __future__ import annotations

import socket

_given: set[int] = set()


def free_port() -> int:
    """A port nothing listens on now, and never one this process was given before (a server
    given a port may not have bound it yet when the next one is asked for)."""
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if port not in _given:
            _given.add(port)
            return port
