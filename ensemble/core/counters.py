"""Counters every process shares, in the cache (flood control): one round trip to Redis."""

from __future__ import annotations

import asyncio
from typing import Any
from weakref import WeakKeyDictionary

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis import asyncio as aioredis

# Django makes a Redis client for every command (0.15 ms building its reply parsers): one
# kept per cache object (each thread has its own) for counting.
_CLIENTS: WeakKeyDictionary[RedisCache, Any] = WeakKeyDictionary()


def add_one(key: str, timeout: int) -> int:
    """Add one to the counter ``key`` (started at 0 and kept ``timeout`` seconds from its
    creation) and return the new value."""
    return add_ones([key], timeout)[0]


def add_ones(keys: list[str], timeout: int, step: int = 1) -> list[int]:
    """add_one() for each key in turn (a key given twice counts twice), in one round trip;
    ``step`` -1 takes back what was added."""
    if not keys:
        return []
    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        counts = []
        for key in keys:
            cache.add(key, 0, timeout=timeout)
            counts.append(int(cache.incr(key, step)))
        return counts
    client = _CLIENTS.get(cache)
    if client is None:
        client = _CLIENTS[cache] = cache._cache.get_client(write=True)
    pipe = client.pipeline(transaction=False)
    _count(pipe, cache, keys, timeout, step)
    return [int(count) for count in pipe.execute()[1::2]]


async def add_ones_in_loop(keys: list[str], timeout: int, step: int = 1) -> list[int]:
    """add_ones() from an event loop, which it does not block."""
    cache = caches["default"]
    if not keys or not isinstance(cache, RedisCache):  # in memory: nothing to wait for
        return add_ones(keys, timeout, step)
    loop = asyncio.get_running_loop()
    client = _LOOP_CLIENTS.get(loop)
    if client is None:
        client = _LOOP_CLIENTS[loop] = aioredis.Redis.from_url(
            settings.CACHES["default"]["LOCATION"]
        )
    pipe = client.pipeline(transaction=False)
    _count(pipe, cache, keys, timeout, step)
    return [int(count) for count in (await pipe.execute())[1::2]]


_LOOP_CLIENTS: WeakKeyDictionary[asyncio.AbstractEventLoop, aioredis.Redis] = WeakKeyDictionary()


def _count(pipe: Any, cache: RedisCache, keys: list[str], timeout: int, step: int) -> None:
    for key in keys:
        name = cache.make_key(key)
        pipe.set(name, 0, ex=timeout, nx=True)
        pipe.incrby(name, step)
