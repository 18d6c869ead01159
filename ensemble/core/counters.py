"""Counters every process shares, in the cache (flood control): one round trip to Redis."""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

# Django makes a Redis client for every command (0.15 ms building its reply parsers): one
# kept per cache object (each thread has its own) for counting.
_CLIENTS: WeakKeyDictionary[RedisCache, Any] = WeakKeyDictionary()


def add_one(key: str, timeout: int) -> int:
    """Add one to the counter ``key`` (started at 0 and kept ``timeout`` seconds from its
    creation) and return the new value."""
    return add_ones([key], timeout)[0]


def add_ones(keys: list[str], timeout: int) -> list[int]:
    """add_one() for each key in turn (a key given twice counts twice), in one round trip."""
    if not keys:
        return []
    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        counts = []
        for key in keys:
            cache.add(key, 0, timeout=timeout)
            counts.append(int(cache.incr(key)))
        return counts
    client = _CLIENTS.get(cache)
    if client is None:
        client = _CLIENTS[cache] = cache._cache.get_client(write=True)
    pipe = client.pipeline(transaction=False)
    for key in keys:
        name = cache.make_key(key)
        pipe.set(name, 0, ex=timeout, nx=True)
        pipe.incr(name)
    return [int(count) for count in pipe.execute()[1::2]]
