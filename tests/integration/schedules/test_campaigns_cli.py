"""`tecflow campaigns`: add, list, show, pause, resume, remove, and refusals."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from services.cli import main
from services.settings import get_settings
from services.store.migrate import upgrade


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    upgrade(url)
    monkeypatch.setenv("TECFLOW_DATABASE_URL", url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_campaign_lifecycle(runner: CliRunner) -> None:
    added = runner.invoke(
        main,
        [
            "campaigns",
            "add",
            "falls-fu",
            "--name",
            "Falls follow-up",
            "--script",
            "falls_follow_up",
            "--cohort",
            "active_falls_flag",
            "--every",
            "after_event",
            "--event",
            "falls_flag",
            "--days",
            "1,3,7",
            "--window",
            "10:00-15:30",
            "--attempts",
            "4",
            "--retry-minutes",
            "20",
        ],
    )
    assert added.exit_code == 0, added.output
    shown = json.loads(runner.invoke(main, ["campaigns", "show", "falls-fu"]).output)
    assert shown["frequency"] == {
        "every": "after_event",
        "bank_holidays": "skip",
        "days": ["1", "3", "7"],
        "event": "falls_flag",
    }
    assert (shown["window"], shown["max_attempts"], shown["active"]) == ("10:00-15:30", 4, True)
    assert runner.invoke(main, ["campaigns", "pause", "falls-fu"]).exit_code == 0
    assert "paused" in runner.invoke(main, ["campaigns", "list"]).output
    assert runner.invoke(main, ["campaigns", "resume", "falls-fu"]).exit_code == 0
    assert "active" in runner.invoke(main, ["campaigns", "list"]).output
    assert runner.invoke(main, ["campaigns", "remove", "falls-fu"]).exit_code == 0
    assert runner.invoke(main, ["campaigns", "list"]).output == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--script", "sing_a_song", "--cohort", "everyone"], "sing_a_song"),
        (["--script", "welfare_check", "--cohort", "bobs"], "unknown cohort rule"),
        (["--script", "welfare_check", "--cohort", "everyone", "--every", "week"], "days"),
        (
            ["--script", "welfare_check", "--cohort", "everyone", "--window", "12:00-10:00"],
            "window must end",
        ),
    ],
)
def test_a_campaign_that_cannot_be_planned_is_refused(
    runner: CliRunner, args: list[str], message: str
) -> None:
    result = runner.invoke(main, ["campaigns", "add", "bad", "--name", "bad", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert runner.invoke(main, ["campaigns", "show", "bad"]).exit_code != 0


@pytest.mark.parametrize(
    ("campaign_id", "args", "message"),
    [
        ("x" * 65, [], "campaign id must be 1 to 64"),
        ("bad\x00id", [], "campaign id must be 1 to 64"),
        ("ok", ["--name", "a\x00b"], "name must be 1 to 200"),
        ("ok", ["--param", "days=abc"], "days must be a whole number"),
        ("ok", ["--param", "days"], "expected KEY=VALUE"),
        ("ok", ["--param", "colour=blue"], "takes no parameter 'colour'"),
    ],
    ids=["long-id", "nul-id", "nul-name", "days-abc", "no-equals", "unknown-param"],
)
def test_campaign_input_is_checked_before_the_store(
    runner: CliRunner, campaign_id: str, args: list[str], message: str
) -> None:
    result = runner.invoke(
        main,
        [
            "campaigns",
            "add",
            campaign_id,
            "--name",
            "n",
            "--script",
            "welfare_check",
            "--cohort",
            "recently_discharged",
            *args,
        ],
    )
    assert result.exit_code != 0
    assert message in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
