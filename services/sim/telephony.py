"""Telephony on one machine against the Twilio simulator: the settings that wire the
parts together (for `tecflow up`, the benchmark and the tests) and the demo calls."""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from contracts.calls import CallRequested
from contracts.codes import ScriptName
from contracts.envelope import deterministic_id
from contracts.topics import Topic
from services.broker.publisher import EventPublisher
from services.sim.cohort import SimPerson
from services.sim.spine_demo import wait_for
from services.store.db import transaction
from services.store.models import Call, CallAnswer, CallPlan


def local_telephony_env(
    sim_port: int,
    ivr_port: int,
    account_sid: str | None = None,
    auth_token: str | None = None,
    **extra: str,
) -> dict[str, str]:
    """Environment for `tecflow twilio-sim`, `ivr` and `dialer` wired to each other.
    Fresh credentials by default: the simulator accepts only the ones it was given."""
    return {
        "TECFLOW_TWILIO_ACCOUNT_SID": account_sid or "AC" + secrets.token_hex(16),
        "TECFLOW_TWILIO_AUTH_TOKEN": auth_token or secrets.token_hex(16),
        "TECFLOW_TWILIO_FROM_NUMBER": "+441382000100",
        "TECFLOW_TWILIO_API_BASE_URL": f"http://127.0.0.1:{sim_port}",
        "TECFLOW_TELEPHONY_PUBLIC_BASE_URL": f"http://127.0.0.1:{ivr_port}",
        "TECFLOW_TELEPHONY_SCRS_NUMBER": "+441382000999",
        "TECFLOW_TELEPHONY_IVR_PORT": str(ivr_port),
        "TECFLOW_TELEPHONY_SIM_PORT": str(sim_port),
        **extra,
    }


# What each synthetic person says when the demo calls them, by script.
DEMO_CALLS: tuple[tuple[ScriptName, tuple[str, ...]], ...] = (
    (ScriptName.WELFARE_CHECK, ("1", "no thanks", "1")),
    (ScriptName.UNMET_NEED_CHECKIN, ("2", "1", "no", "1", "yes", "3", "no", "yes please")),
    (ScriptName.FALLS_PREVENTION, ("2", "yes", "1", "2", "2", "2", "yes", "2", "1")),
)


def run_telephony_demo(
    publisher: EventPublisher,
    factory: sessionmaker[Session],
    people: list[SimPerson],
    sim_url: str,
    still_running: Callable[[], None] = lambda: None,
    timeout_s: float = 90.0,
) -> str:
    """Script a caller per person on the simulator, request a call each through the
    bus, and report what the dialer, the simulator and the IVR made of them."""
    if not wait_for(lambda: _answers(f"{sim_url}/sim/calls"), timeout_s, still_running):
        raise TimeoutError(f"the Twilio simulator at {sim_url} did not start")
    now = datetime.now(UTC)
    requests = []
    for person, (script, says) in zip(people, itertools.cycle(DEMO_CALLS), strict=False):
        httpx.put(
            f"{sim_url}/sim/callers/{person.phone}", json=[{"says": list(says)}]
        ).raise_for_status()
        request = CallRequested(
            event_id=deterministic_id("demo", person.person_id, script, now.date()),
            person_id=person.person_id, occurred_at=now, source="sim.telephony",
            script=script, reason="demo call", due_at=now,
            window_end=now + timedelta(hours=1), max_attempts=1,
        )
        publisher.publish(Topic.CALLS_REQUESTED, request)
        requests.append(request)
    ids = [request.event_id for request in requests]

    def ended() -> bool:
        with transaction(factory) as session:
            done = session.scalars(
                select(CallPlan.call_id).where(CallPlan.call_id.in_(ids), CallPlan.state == "ended")
            ).all()
        return len(done) == len(ids)

    finished = wait_for(ended, timeout_s, still_running)
    lines = [f"Telephony: {len(ids)} call(s) placed through the Twilio simulator:"]
    with transaction(factory) as session:
        for request in requests:
            call = session.get_one(Call, request.event_id)
            given = session.execute(
                select(CallAnswer.question_id, CallAnswer.value)
                .where(CallAnswer.call_id == call.id).order_by(CallAnswer.answered_at)
            ).all()
            answers = ", ".join(f"{question}={value}" for question, value in given)
            lines.append(f"  {call.person_id:<9} {call.script:<20} {call.status:<10} {answers}")
    if not finished:
        raise TimeoutError("the demo calls did not all end in time\n" + "\n".join(lines))
    return "\n".join(lines)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url).status_code == 200
    except httpx.HTTPError:
        return False
