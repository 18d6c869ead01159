"""The channel layer with Redis (core/layer.py), as two processes see it: two layers, each
with its own hub, against the real Redis of the production run."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from django.conf import settings

from ensemble.core.layer import RedisPubSubLayer

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="the production run has Redis")


@pytest.fixture
async def processes() -> AsyncIterator[tuple[RedisPubSubLayer, RedisPubSubLayer]]:
    prefix = f"test-{uuid.uuid4().hex[:8]}"  # apart from anything else on this Redis
    here, there = (RedisPubSubLayer([settings.REDIS_URL], prefix=prefix) for _ in range(2))
    yield here, there
    await here.flush()
    await there.flush()


async def received(layer: RedisPubSubLayer, channel: str, wait: float = 2) -> Any:
    return await asyncio.wait_for(layer.receive(channel), wait)


async def nothing_more(layer: RedisPubSubLayer, channel: str) -> bool:
    """Nothing arrives for the channel within a moment (a message lost its way or came
    twice would show here)."""
    try:
        await received(layer, channel, wait=0.3)
    except TimeoutError:
        return True
    return False


async def test_a_group_message_reaches_members_here_once_and_in_the_other_process(
    processes: tuple[RedisPubSubLayer, RedisPubSubLayer],
) -> None:
    here, there = processes
    mine, other, theirs = (
        await here.new_channel(),
        await here.new_channel(),
        await there.new_channel(),
    )
    for layer, channel in ((here, mine), (here, other), (there, theirs)):
        await layer.group_add("room", channel)
    message = {"type": "stream.event", "message": {"seq": 1, "payload": {"body": "é"}}}
    await here.group_send("room", message)
    assert await received(here, mine) == message
    assert await received(here, other) == message
    assert await received(there, theirs) == message
    assert await nothing_more(here, mine)  # its own publication is not delivered again
    assert await nothing_more(there, theirs)


async def test_who_left_a_group_gets_nothing_more_and_others_still_do(
    processes: tuple[RedisPubSubLayer, RedisPubSubLayer],
) -> None:
    here, there = processes
    mine, theirs = await here.new_channel(), await there.new_channel()
    await here.group_add("room", mine)
    await there.group_add("room", theirs)
    await there.group_discard("room", theirs)
    await there.group_discard("room", theirs)  # twice: nothing happens
    await here.group_send("room", {"type": "ping", "n": 1})
    assert await received(here, mine) == {"type": "ping", "n": 1}
    assert await nothing_more(there, theirs)
    await there.group_send("room", {"type": "ping", "n": 2})  # from a process not in it
    assert await received(here, mine) == {"type": "ping", "n": 2}


async def test_a_message_to_one_connection_goes_through_redis_even_in_its_own_process(
    processes: tuple[RedisPubSubLayer, RedisPubSubLayer],
) -> None:
    """What the readiness check does (core/checks.py): it proves the round trip."""
    here, there = processes
    mine = await here.new_channel()
    await here.send(mine, {"type": "ping"})
    assert await received(here, mine) == {"type": "ping"}
    await there.send(mine, {"type": "ping", "from": "there"})
    assert await received(here, mine) == {"type": "ping", "from": "there"}
    with pytest.raises(TypeError):
        await here.send("not a channel!", {"type": "ping"})


async def test_a_connection_that_goes_away_leaves_its_groups(
    processes: tuple[RedisPubSubLayer, RedisPubSubLayer],
) -> None:
    here, there = processes
    gone, theirs = await here.new_channel(), await there.new_channel()
    await here.group_add("room", gone)
    await there.group_add("room", theirs)
    listening = asyncio.ensure_future(here.receive(gone))
    await asyncio.sleep(0)
    listening.cancel()  # how Channels ends a consumer
    with pytest.raises(asyncio.CancelledError):
        await listening
    hub = here.hubs[asyncio.get_running_loop()]
    assert "room" not in hub.groups and gone not in hub.queues
    await there.group_send("room", {"type": "ping"})
    assert await received(there, theirs) == {"type": "ping"}
