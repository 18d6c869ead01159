"""Counters every process shares, in the cache (flood control): one round trip to Redis."""

from __future__ import annotations

from typing import Any

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache


def add_one(key: str, timeout: int) -> int:
    """Add one to the counter ``key`` (started at 0 and kept ``timeout`` seconds from its
    creation) and return the new value."""
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        client: Any = cache._cache.get_client(key, write=True)
        name = cache.make_key(key)
        pipe = client.pipeline(transaction=False)
        pipe.set(name, 0, ex=timeout, nx=True)
        pipe.incr(name)
        return int(pipe.execute()[1])
    cache.add(key, 0, timeout=timeout)
    return int(cache.incr(key))
