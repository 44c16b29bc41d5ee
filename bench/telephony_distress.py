"""How fast is a person in distress put through? The real IVR app (signed requests, as
Twilio sends them) on a real store: for every step of every script, in English and
Polish, a <Gather> answer with distress words is posted and the time until the TwiML
with the <Dial> to the SCRS line comes back is measured. The Dial is the very answer to
that webhook (the safety tests check that); this measures how long that answer takes.
Also the distress matcher on its own, per utterance.

    .venv/bin/python bench/telephony_distress.py [--url URL] [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from twilio.request_validator import RequestValidator

from contracts.calls import CallRequested
from contracts.codes import ScriptName
from services.store.db import make_engine, make_session_factory, transaction
from services.store.migrate import upgrade
from services.telephony import calls_store, distress
from services.telephony.ivr import create_ivr_app, gather_url
from services.telephony.script import library
from services.telephony.settings import TelephonySettings

PUBLIC = "https://ivr.bench.example"
TOKEN = "bench-token"
SAYS = {
    "en-GB": [
        "I have fallen and I cannot get up",
        "help me",
        "I can't breathe",
        "I'm not coping",
        "no, I'm in a lot of pain",
    ],
    "pl-PL": ["upadłem i nie mogę wstać", "pomocy", "nie mogę oddychać", "bardzo boli"],
}


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    return (
        f"median {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, "
        f"max {ordered[-1] * 1000:.1f} ms over {len(ordered)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", help="SQLAlchemy URL (default: a fresh SQLite file)")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    url = args.url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    upgrade(url)
    factory = make_session_factory(make_engine(url))
    settings = TelephonySettings(
        TECFLOW_TWILIO_ACCOUNT_SID="AC" + "3" * 32,
        TECFLOW_TWILIO_AUTH_TOKEN=TOKEN,
        TECFLOW_TWILIO_FROM_NUMBER="+441382000100",
        public_base_url=PUBLIC,
        scrs_number="+441382000999",
        scrs_fallback_number="+441382000998",
    )
    validator = RequestValidator(TOKEN)
    webhook: list[float] = []
    with TestClient(create_ivr_app(settings, factory)) as client:
        for _ in range(args.rounds):
            for name, script in sorted(library().items()):
                for language, phrases in SAYS.items():
                    now = datetime.now(UTC)
                    request = CallRequested(
                        person_id="BENCH",
                        occurred_at=now,
                        source="bench",
                        script=ScriptName(name),
                        reason="bench",
                        due_at=now,
                        window_end=now + timedelta(hours=1),
                        language=language,
                    )
                    with transaction(factory) as session:
                        calls_store.accept_request(session, request)
                    for step in script.steps:
                        for said in phrases:
                            target = gather_url(PUBLIC, request.event_id, step.id, 1)
                            form = {"SpeechResult": said, "Confidence": "0.9"}
                            headers = {
                                "X-Twilio-Signature": validator.compute_signature(target, form)
                            }
                            started = time.perf_counter()
                            answer = client.post(
                                target.removeprefix(PUBLIC), data=form, headers=headers
                            )
                            webhook.append(time.perf_counter() - started)
                            assert "<Dial" in answer.text, (name, step.id, said)
    vocabulary = next(iter(library().values())).common.vocabulary
    utterances = [s for says in SAYS.values() for s in says] * 200
    started = time.perf_counter()
    for said in utterances:
        assert distress.check(None, said, vocabulary) is not None
    matcher = (time.perf_counter() - started) / len(utterances)
    print(f"store: {url.split(':')[0]}")
    print(f"distress words -> <Dial> to the SCRS line (webhook): {percentiles(webhook)}")
    print(f"distress matcher alone: {matcher * 1e6:.0f} us per utterance")


if __name__ == "__main__":
    main()
