"""A retry waiting in the store survives a dialer restart and is placed by the next one."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from contracts.codes import CallStatus, ScriptName
from tests.e2e.telephony.conftest import Telephony, phone_of, running_telephony

pytestmark = [pytest.mark.slow, pytest.mark.broker]


@pytest.fixture
def telephony(
    kafka_bootstrap: str, sqlite_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Telephony]:
    with running_telephony(kafka_bootstrap, sqlite_url, tmp_path_factory.mktemp("restart")) as t:
        yield t


def test_a_scheduled_retry_is_kept_across_a_dialer_restart(telephony: Telephony) -> None:
    who = telephony.person([{"behaviour": "no-answer"}, {"says": ["1", "2", "2"]}])
    telephony.request(who, ScriptName.WELFARE_CHECK, max_attempts=2, retry_after_s=8)
    [first] = telephony.outcomes.wait(who)
    assert (first.status, first.final_attempt) == (CallStatus.NO_ANSWER, False)

    telephony.stop("dialer")  # the retry is due in 8 s; this dialer will not place it
    telephony.start("dialer")

    first, second = telephony.outcomes.wait(who, count=2)
    assert (second.status, second.attempt) == (CallStatus.COMPLETED, 2)
    assert second.occurred_at - first.occurred_at >= timedelta(seconds=8)
    assert len(telephony.sim_calls(phone_of(telephony.factory, who))) == 2
