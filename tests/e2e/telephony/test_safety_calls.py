"""Clinical safety end to end (docs/safety/hazard-log.md): the real dialer, the real
twilio client, the Twilio simulator's scripted callers and the IVR as processes. The
simulator plays Twilio's <Dial timeout action>: it rings the dialled line, then posts
DialCallStatus to the action URL, including a line that does not answer."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from contracts.care import Alert
from contracts.codes import AlertKind, AlertPriority, CallStatus, ScriptName
from services.store.db import transaction
from services.store.models import OutboxRecord
from services.telephony.calls_store import TRANSFER_FAILED
from tests.e2e.telephony.conftest import SCRS_NUMBER, SCRS_SECOND_NUMBER, Telephony, phone_of
from tests.support.waiting import eventually

pytestmark = [pytest.mark.slow, pytest.mark.broker, pytest.mark.postgres]


def transcript(telephony: Telephony, who: str) -> list[str]:
    [call] = telephony.sim_calls(phone_of(telephony.factory, who))
    return call["transcript"]  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("script", "says", "language"),
    [
        (ScriptName.WELFARE_CHECK, ["I have fallen and I cannot get up"], "en-GB"),
        (ScriptName.UNMET_NEED_CHECKIN, ["2", "1", "no", "help me"], "en-GB"),
        (ScriptName.FALLS_PREVENTION, ["2", "1", "I can't breathe"], "en-GB"),
        (ScriptName.POST_DISCHARGE, ["tak", "pomocy"], "pl-PL"),
        (ScriptName.UNMET_NEED_CHECKIN, ["upadłam i nie mogę wstać"], "pl-PL"),
    ],
)
def test_distress_mid_script_reaches_a_handler_at_once(
    telephony: Telephony, script: ScriptName, says: list[str], language: str
) -> None:
    who = telephony.person([{"says": says}])
    telephony.request(who, script, language=language)

    [outcome] = telephony.outcomes.wait(who)

    assert outcome.transferred_to_handler and not outcome.script_completed
    said = transcript(telephony, who)
    # The words are followed by the transfer and the Dial, no other question between.
    words_at = said.index(f"caller: {says[-1]}")
    assert said[words_at + 2 :] == [
        f"dial: {SCRS_NUMBER} (timeout 20 s)",
        f"dial {SCRS_NUMBER}: completed",
    ]


def test_silence_after_answering_reaches_a_handler(telephony: Telephony) -> None:
    who = telephony.person([{"says": ["1"]}])  # then says nothing
    telephony.request(who, ScriptName.WELFARE_CHECK)

    [outcome] = telephony.outcomes.wait(who)

    assert outcome.transferred_to_handler
    assert transcript(telephony, who)[-1] == f"dial {SCRS_NUMBER}: completed"


@pytest.fixture
def lines_down(telephony: Telephony) -> Iterator[None]:
    """Nobody answers the SCRS line and the second line is busy (for this test only)."""
    for number, behaviour in ((SCRS_NUMBER, "no-answer"), (SCRS_SECOND_NUMBER, "busy")):
        httpx.put(
            f"{telephony.sim_url}/sim/callers/{number}", json=[{"behaviour": behaviour}]
        ).raise_for_status()
    yield
    for number in (SCRS_NUMBER, SCRS_SECOND_NUMBER):
        httpx.put(
            f"{telephony.sim_url}/sim/callers/{number}", json=[{"behaviour": "answer"}]
        ).raise_for_status()


def test_an_unanswered_transfer_raises_an_urgent_alert_with_the_time(
    telephony: Telephony, lines_down: None
) -> None:
    who = telephony.person([{"says": ["help"]}])
    telephony.request(who, ScriptName.WELFARE_CHECK)

    [outcome] = telephony.outcomes.wait(who)

    assert outcome.status is CallStatus.COMPLETED
    assert not outcome.transferred_to_handler
    assert outcome.end_reason == TRANSFER_FAILED
    said = transcript(telephony, who)
    assert [line for line in said if line.startswith("dial")] == [
        f"dial: {SCRS_NUMBER} (timeout 20 s)",
        f"dial {SCRS_NUMBER}: no-answer",
        f"dial: {SCRS_SECOND_NUMBER} (timeout 20 s)",
        f"dial {SCRS_SECOND_NUMBER}: busy",
    ]
    assert "raised an urgent alert" in said[-1] and "999" in said[-1]

    def published() -> Alert | None:
        with transaction(telephony.factory) as session:
            rows = session.scalars(
                select(OutboxRecord).where(
                    OutboxRecord.topic == "alerts", OutboxRecord.published_at.is_not(None)
                )
            ).all()
        alerts = [Alert.model_validate(r.payload) for r in rows if r.payload["person_id"] == who]
        return alerts[0] if alerts else None

    alert = eventually(published, timeout_s=30)
    assert (alert.alert_kind, alert.priority) == (AlertKind.TRANSFER_FAILED, AlertPriority.URGENT)
    assert alert.occurred_at <= outcome.occurred_at
