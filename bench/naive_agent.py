"""The floor reference: a naive Faust agent (`async for` over the stream, json.loads each
value) on the same app configuration as `tecflow worker` (streams/app.py).

Run: python bench/naive_agent.py worker -l warn (environment as for `tecflow worker`)
"""

from __future__ import annotations

import json

import faust

from contracts.topics import Topic
from services.settings import Settings
from streams.app import create_app

bus = create_app(Settings())


@bus.app.agent(bus[Topic.DEVICE_EVENTS], name="naive")
async def naive(stream: faust.StreamT[bytes]) -> None:
    async for value in stream:
        json.loads(value)


if __name__ == "__main__":
    bus.app.main()
