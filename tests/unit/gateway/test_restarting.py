"""One failing gateway part is started again with back-off; the others keep running."""

from __future__ import annotations

import asyncio

from services.gateway.runner import restarting


async def test_a_failing_part_is_restarted_and_its_sibling_keeps_running() -> None:
    runs: list[int] = []
    sibling_ticks = 0

    async def flaky() -> None:
        runs.append(len(runs))
        if len(runs) < 3:
            raise OSError("socket closed under it")
        await asyncio.Event().wait()  # the third start stays up

    async def sibling() -> None:
        nonlocal sibling_ticks
        while True:
            sibling_ticks += 1
            await asyncio.sleep(0.005)

    parts = [asyncio.create_task(restarting("flaky", flaky, first_s=0.01, max_s=0.02)),
             asyncio.create_task(restarting("sibling", sibling))]
    await asyncio.sleep(0.2)
    for part in parts:
        part.cancel()
    await asyncio.gather(*parts, return_exceptions=True)
    assert runs == [0, 1, 2]
    assert sibling_ticks > 10
