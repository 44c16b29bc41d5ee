"""One failing gateway part is started again with back-off; the others keep running; and
the HTTP part does not start beyond loopback without OwnTracks credentials."""

from __future__ import annotations

import asyncio

import pytest

from services.gateway.runner import restarting
from services.gateway.settings import GatewaySettings


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

    parts = [
        asyncio.create_task(restarting("flaky", flaky, first_s=0.01, max_s=0.02)),
        asyncio.create_task(restarting("sibling", sibling)),
    ]
    await asyncio.sleep(0.2)
    for part in parts:
        part.cancel()
    await asyncio.gather(*parts, return_exceptions=True)
    assert runs == [0, 1, 2]
    assert sibling_ticks > 10


@pytest.mark.parametrize(
    ("host", "credentials", "refused"),
    [
        ("127.0.0.1", False, False),
        ("::1", False, False),
        ("localhost", False, False),
        ("0.0.0.0", False, True),
        ("10.1.2.3", False, True),
        ("0.0.0.0", True, False),
    ],
)
def test_http_beyond_loopback_needs_owntracks_credentials(
    host: str, credentials: bool, refused: bool
) -> None:
    auth = {"owntracks_http_username": "u", "owntracks_http_password": "p"} if credentials else {}
    settings = GatewaySettings(http_host=host, **auth)  # type: ignore[arg-type]
    assert (settings.http_refusal() is not None) is refused
