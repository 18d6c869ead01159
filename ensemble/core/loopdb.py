"""PostgreSQL from the server's event loop (ADR 0005), for the one statement of a hot-path
write (a plain chat message): it then needs no trip to the database thread, whose hand-offs
and shared interpreter lock cost more than the statement.

One connection per event loop, in autocommit, one statement at a time. Anything that goes
wrong here (no PostgreSQL, no connection, an error) answers None, and the caller does the
work the usual way, in the database thread, where errors are handled and reported as
everywhere else; the writes that come here are idempotent, so doing one again is safe.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any

import psycopg
from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)

# What Django passes to psycopg that a plain asynchronous connection does not take.
NOT_FOR_US = {"cursor_factory", "server_side_binding", "pool", "assume_role", "prepare_threshold"}


class LoopConnection:
    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.connection: psycopg.AsyncConnection[Any] | None = None

    async def fetch_one(self, statement: str, params: list[Any]) -> tuple[Any, ...] | None:
        async with self.lock:
            try:
                if self.connection is None or self.connection.closed:
                    self.connection = await connect()
                async with self.connection.cursor() as cursor:
                    prepare = settings.DATABASE_PREPARED_STATEMENTS
                    await cursor.execute(statement, params, prepare=prepare)
                    return await cursor.fetchone()
            except psycopg.Error:
                logger.exception("a statement from the event loop failed; done the usual way")
                if self.connection is not None:
                    await self.connection.close()
                self.connection = None
                return None


_connections: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, LoopConnection] = (
    weakref.WeakKeyDictionary()
)


def available() -> bool:
    return connection.vendor == "postgresql"


async def fetch_one(statement: str, params: list[Any]) -> tuple[Any, ...] | None:
    """The first row of ``statement``, run on this event loop's connection (committed by
    itself); None if it could not run here."""
    if not available():
        return None
    loop = asyncio.get_running_loop()
    own = _connections.get(loop)
    if own is None:
        own = _connections[loop] = LoopConnection()
    return await own.fetch_one(statement, params)


async def connect() -> psycopg.AsyncConnection[Any]:
    params = {
        key: value
        for key, value in connection.get_connection_params().items()
        if key not in NOT_FOR_US
    }
    return await psycopg.AsyncConnection.connect(**params, autocommit=True)
