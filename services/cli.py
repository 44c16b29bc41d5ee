"""The `tecflow` command: `up` runs the platform on one machine; the other commands run
one part each, as production does."""

from __future__ import annotations

import json
import logging
import signal
import sys
from datetime import date, datetime, time
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import click

from services.logs import configure_logging
from services.settings import Settings, get_settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger("tecflow")


def _settings() -> Settings:
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return settings


def _raise_keyboard_interrupt(_signum: int, _frame: FrameType | None) -> None:
    # SIGTERM (docker stop, systemd, the test harness) takes the same clean path as Ctrl-C.
    raise KeyboardInterrupt


@click.group()
def main() -> None:
    """tecflow: proactive technology-enabled care for a Social Care Response Service."""
    configure_logging(get_settings().log_level)


@main.group()
def db() -> None:
    """The store's schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every Alembic migration to TECFLOW_DATABASE_URL (a SQLite file by default)."""
    from services.store.migrate import upgrade

    upgrade(_settings().sqlalchemy_url)
    click.echo("database is up to date")


@main.group()
def topics() -> None:
    """The bus's topics."""


@topics.command("create")
def topics_create() -> None:
    """Create the catalogue's topics on KAFKA_BOOTSTRAP_SERVERS (existing ones are kept)."""
    from services.broker.admin import create_topics

    settings = _settings()
    if not settings.kafka_bootstrap_servers:
        raise click.UsageError("set KAFKA_BOOTSTRAP_SERVERS (or use `tecflow up`)")
    created = create_topics(
        settings.kafka_bootstrap_servers,
        partitions=settings.topic_partitions,
        replication_factor=settings.replication_factor,
    )
    click.echo(f"created: {', '.join(created) or 'none (all exist)'}")


@main.group()
def schema() -> None:
    """The contracts as JSON Schema and AsyncAPI."""


@schema.command("export")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default="schema-out")
def schema_export(out: Path) -> None:
    """Write one JSON Schema per topic message and asyncapi.json into OUT."""
    from importlib.metadata import version

    from contracts.asyncapi import asyncapi_document, json_schemas

    out.mkdir(parents=True, exist_ok=True)
    for topic, document in json_schemas().items():
        (out / f"{topic}.schema.json").write_text(json.dumps(document, indent=2) + "\n")
    asyncapi = asyncapi_document(version("tecflow"))
    (out / "asyncapi.json").write_text(json.dumps(asyncapi, indent=2) + "\n")
    click.echo(f"wrote {len(asyncapi['channels'])} schemas and asyncapi.json to {out}")


@main.command()
@click.option("--port", type=int, default=None, help="Listen port (default: a free one)")
def broker(port: int | None) -> None:
    """Run the embedded Kafka-protocol broker (Tansu) until Ctrl-C."""
    from services.broker.admin import create_topics
    from services.broker.embedded import EmbeddedBroker

    settings = _settings()
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    with EmbeddedBroker(port=port, log_path=settings.data_dir / "broker.log") as embedded:
        create_topics(embedded.bootstrap_servers, partitions=settings.topic_partitions)
        click.echo(f"KAFKA_BOOTSTRAP_SERVERS={embedded.bootstrap_servers}", nl=True)
        try:
            signal.pause()
        except KeyboardInterrupt:
            click.echo("stopping broker")


@main.command()
@click.option(
    "--lane",
    type=click.Choice(["all", "alarms"]),
    default="all",
    show_default=True,
    help="all: every processor and sink; alarms: the alarm fast lane, a worker of its own",
)
def worker(lane: str) -> None:
    """Run the stream processors (a Faust worker) until SIGINT/SIGTERM."""
    if lane == "alarms":
        from streams.alarm_lane import run as run_lane

        run_lane(_settings())
        return
    from streams.worker import run

    run(_settings())


@main.command()
@click.option("--simulate/--no-simulate", default=True, help="Run the synthetic community")
@click.option("--people", default=3, show_default=True, help="Size of the synthetic cohort")
@click.option("--exit-after-demo", is_flag=True, help="Stop once the demo has run")
def up(simulate: bool, people: int, exit_after_demo: bool) -> None:
    """Run the whole platform on one machine until Ctrl-C."""
    from services.up import run_platform

    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    try:
        run_platform(_settings(), simulate=simulate, people=people, exit_after_demo=exit_after_demo)
    except KeyboardInterrupt:
        click.echo("stopped cleanly")
    except RuntimeError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)


# --- issue 7: telephony --------------------------------------------------------------


@main.command()
def dialer() -> None:
    """Place the requested calls through Twilio, paced, until SIGINT/SIGTERM."""
    from services.telephony.dialer import run
    from services.telephony.settings import load_settings

    run(_settings(), load_settings())


@main.command()
def ivr() -> None:
    """Serve the IVR webhooks Twilio calls (signed requests only)."""
    import uvicorn

    from services.store.db import make_engine, make_session_factory
    from services.telephony.ivr import create_ivr_app
    from services.telephony.settings import load_settings

    telephony = load_settings()
    factory = make_session_factory(make_engine(_settings().sqlalchemy_url))
    app = create_ivr_app(telephony, factory)
    uvicorn.run(app, host=telephony.ivr_host, port=telephony.ivr_port, log_level="warning")


@main.command("twilio-sim")
def twilio_sim() -> None:
    """Run the local Twilio simulator (REST API and signed webhooks) for demos and tests."""
    import uvicorn

    from services.telephony.settings import load_settings
    from services.telephony.simulator.api import create_sim_app

    telephony = load_settings()
    app = create_sim_app(telephony)
    uvicorn.run(app, host=telephony.sim_host, port=telephony.sim_port, log_level="warning")


@main.command()
def scheduler() -> None:
    """Run the call scheduler (APScheduler) until SIGINT/SIGTERM."""
    from schedules.scheduler import run

    run(_settings())


@main.group()
def campaigns() -> None:
    """Campaigns of proactive calls (who, which script, how often, when)."""


def _campaign_factory() -> sessionmaker[Session]:
    from services.store.db import make_engine, make_session_factory

    return make_session_factory(make_engine(_settings().sqlalchemy_url))


def _hours(value: str) -> tuple[time, time]:
    try:
        start, end = (time.fromisoformat(part.strip()) for part in value.split("-"))
    except ValueError as error:
        raise click.BadParameter(f"expected HH:MM-HH:MM, got {value!r}") from error
    return start, end


@campaigns.command("add")
@click.argument("campaign_id")
@click.option("--name", required=True)
@click.option("--script", required=True, help="welfare_check, unmet_need_checkin, ...")
@click.option("--cohort", required=True, help="unmet_need, living_alone_without_care, "
              "active_falls_flag, recently_discharged, postcode_area, everyone")
@click.option("--param", "params", multiple=True, help="cohort parameter KEY=VALUE "
              "(days=7, areas=DD1,DD2)")
@click.option("--every", type=click.Choice(["day", "week", "after_event", "once"]),
              default="day", show_default=True)
@click.option("--days", default="", help="week: mon,thu; after_event: 1,3,7")
@click.option("--event", type=click.Choice(["discharge", "falls_flag"]), default=None)
@click.option("--on", "on_date", default=None, help="once: the local date, YYYY-MM-DD")
@click.option("--window", default="10:00-12:00", show_default=True, help="local HH:MM-HH:MM")
@click.option("--attempts", default=3, show_default=True, type=click.IntRange(1, 10))
@click.option("--retry-minutes", default=30, show_default=True, type=click.IntRange(0))
@click.option("--escalate/--no-escalate", default=True, show_default=True,
              help="welfare-concern alert with keyholders after the last unanswered attempt")
@click.option("--language", default=None, help="e.g. cy-GB; default: each person's own")
@click.option("--bank-holidays", type=click.Choice(["skip", "call"]), default="skip",
              show_default=True)
def campaigns_add(campaign_id: str, name: str, script: str, cohort: str,
                  params: tuple[str, ...], every: str, days: str, event: str | None,
                  on_date: str | None, window: str, attempts: int, retry_minutes: int,
                  escalate: bool, language: str | None, bank_holidays: str) -> None:
    """Add a campaign (active at once)."""
    from schedules.campaigns import InvalidCampaign, add_campaign
    from services.store.db import transaction

    frequency: dict[str, object] = {"every": every, "bank_holidays": bank_holidays}
    if days:
        frequency["days"] = [d.strip() for d in days.split(",") if d.strip()]
    if event:
        frequency["event"] = event
    if on_date:
        frequency["on"] = on_date
    cohort_params = dict(p.split("=", 1) for p in params if "=" in p)
    try:
        with transaction(_campaign_factory()) as session:
            add_campaign(session, campaign_id=campaign_id, name=name, script=script,
                         cohort=cohort, cohort_params=cohort_params, frequency=frequency,
                         window=_hours(window), max_attempts=attempts,
                         retry_spacing_minutes=retry_minutes, escalate_unanswered=escalate,
                         language=language)
    except InvalidCampaign as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"campaign {campaign_id} added")


@campaigns.command("list")
def campaigns_list() -> None:
    """One line per campaign."""
    from schedules.campaigns import all_campaigns, describe
    from services.store.db import transaction

    with transaction(_campaign_factory()) as session:
        for campaign in map(describe, all_campaigns(session)):
            state = "active" if campaign["active"] else "paused"
            click.echo(f"{campaign['id']:<20} {state:<7} {campaign['script']:<20} "
                       f"{campaign['cohort']:<26} {campaign['window']}  "
                       f"{json.dumps(campaign['frequency'])}")


@campaigns.command("show")
@click.argument("campaign_id")
def campaigns_show(campaign_id: str) -> None:
    """Everything about one campaign, as JSON."""
    from schedules.campaigns import InvalidCampaign, describe, get_campaign
    from services.store.db import transaction

    try:
        with transaction(_campaign_factory()) as session:
            click.echo(json.dumps(describe(get_campaign(session, campaign_id)), indent=2))
    except InvalidCampaign as error:
        raise click.ClickException(str(error)) from error


def _set_campaign(campaign_id: str, change: str) -> None:
    from schedules.campaigns import InvalidCampaign, get_campaign
    from services.store.db import transaction

    try:
        with transaction(_campaign_factory()) as session:
            campaign = get_campaign(session, campaign_id)
            if change == "remove":
                session.delete(campaign)
            else:
                campaign.active = change == "resume"
    except InvalidCampaign as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"campaign {campaign_id}: {change}d")


@campaigns.command("pause")
@click.argument("campaign_id")
def campaigns_pause(campaign_id: str) -> None:
    """Stop planning calls for a campaign (planned calls stand)."""
    _set_campaign(campaign_id, "pause")


@campaigns.command("resume")
@click.argument("campaign_id")
def campaigns_resume(campaign_id: str) -> None:
    """Plan calls for a paused campaign again."""
    _set_campaign(campaign_id, "resume")


@campaigns.command("remove")
@click.argument("campaign_id")
def campaigns_remove(campaign_id: str) -> None:
    """Delete a campaign (the ledger keeps the calls it planned)."""
    _set_campaign(campaign_id, "remove")


# --- issue 8: the unmet-need list and falls flags ----------------------------------


def _store_and_today() -> tuple[Any, date]:
    """The store's session factory and today's date in the service's local time."""
    from zoneinfo import ZoneInfo

    from services.store.db import make_engine, make_session_factory

    settings = _settings()
    factory = make_session_factory(make_engine(settings.sqlalchemy_url))
    return factory, datetime.now(ZoneInfo(settings.timezone)).date()


@main.group()
def needs() -> None:
    """The RMU unmet-need list: import, triaged export, weekly figures."""


@needs.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--by", default="import", show_default=True, help="Who imports (kept in history)")
@click.option("--all-or-nothing", is_flag=True, help="Import nothing if any row is bad")
def needs_import(file: Path, by: str, all_or_nothing: bool) -> None:
    """Add or update entries from a CSV list; bad rows are reported with line and reason
    (exit status 1). Importing the same file again changes nothing."""
    from services.store.db import transaction
    from services.store.needs import import_csv

    factory, today = _store_and_today()
    with transaction(factory) as session:
        result = import_csv(session, file.read_text(encoding="utf-8-sig"), today, by,
                            all_or_nothing)
    click.echo(f"added {result.added}, updated {result.updated}, unchanged "
               f"{result.unchanged}, rejected {len(result.errors)} row(s)"
               + (" - nothing imported" if all_or_nothing and result.errors else ""))
    for error in result.errors:
        click.echo(f"{file.name}: {error}", err=True)
    if result.errors:
        sys.exit(1)


@needs.command("export")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (default: standard output)")
def needs_export(out: Path | None) -> None:
    """The triaged list as CSV, highest priority first."""
    from services.needs.csvfile import write_rows
    from services.needs.triage import triage
    from services.store.db import transaction
    from services.store.needs import list_entries

    factory, today = _store_and_today()
    with transaction(factory) as session:
        text = write_rows(triage(list_entries(session), today))
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text)


@needs.command("figures")
@click.option("--on", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The reporting date (default: today)")
def needs_figures(on: datetime | None) -> None:
    """People waiting, hours awaited, home vs hospital, waits, change since last week."""
    from datetime import timedelta

    from services.needs.figures import render, weekly_figures
    from services.store.db import transaction
    from services.store.needs import list_entries

    factory, today = _store_and_today()
    day = on.date() if on else today
    with transaction(factory) as session:
        entries = list_entries(session, ended_since=day - timedelta(days=7))
    click.echo(render(weekly_figures(entries, day)))


@main.group()
def flags() -> None:
    """Falls-risk flags: lifecycle and FHIR export."""


@flags.command("status")
@click.argument("flag_id", type=click.UUID)
@click.argument("status", type=click.Choice(["reviewed", "resolved", "entered-in-error"]))
@click.option("--by", required=True, help="Staff id of the person making the change")
@click.option("--reason", required=True, help="Why (kept in the flag's history)")
def flags_status(flag_id: Any, status: str, by: str, reason: str) -> None:
    """Review, resolve or mark a flag entered in error."""
    from contracts.codes import FlagStatus
    from contracts.envelope import utcnow
    from services.flags.lifecycle import FlagTransitionRefused
    from services.store.db import transaction
    from services.store.flags import change_status

    factory, _ = _store_and_today()
    try:
        with transaction(factory) as session:
            change_status(session, flag_id, FlagStatus(status), by, reason, utcnow())
    except (FlagTransitionRefused, LookupError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"flag {flag_id} is {status}")


@flags.command("fhir")
@click.option("--person", default=None, help="Only this person's flags")
def flags_fhir(person: str | None) -> None:
    """Every flag as FHIR R4 Flag and RiskAssessment resources in a collection Bundle."""
    from sqlalchemy import select

    from services.flags.fhir import bundle
    from services.store.db import transaction
    from services.store.models import Flag

    factory, _ = _store_and_today()
    query = select(Flag).order_by(Flag.raised_at)
    if person:
        query = query.where(Flag.person_id == person)
    with transaction(factory) as session:
        document = bundle(list(session.scalars(query)))
    click.echo(json.dumps(document, indent=2))


@main.command()
def gateway() -> None:
    """Run the device gateways (SCAIP over SIP, MQTT bridge, OwnTracks HTTP, Alexa)."""
    import asyncio

    from services.gateway.runner import run_gateways
    from services.gateway.settings import GatewaySettings

    try:
        asyncio.run(run_gateways(_settings(), GatewaySettings()))
    except RuntimeError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)


@main.command("replay-week")
@click.option("--last-day", type=click.DateTime(["%Y-%m-%d"]), default="2026-03-29",
              show_default=True, help="The last (local) day of the synthetic week")
@click.option("--seed", default=2026, show_default=True)
def replay_week(last_day: datetime, seed: int) -> None:
    """Replay the synthetic week of routines through the processors; print what they say."""
    from datetime import timedelta

    from contracts.care import Alert
    from services.sim.routines import TZ, synthetic_week
    from streams.processors.replay import Replay

    week = synthetic_week(last_day.date(), seed)
    for output in Replay(week.context_for).run(week.events, timedelta(minutes=15), week.end):
        at = output.occurred_at.astimezone(TZ).strftime("%a %d %b %H:%M")
        if isinstance(output, Alert):
            what = f"{output.action.value} {output.alert_kind.value}: {output.summary}"
        else:
            what = f"signal {output.script.value}: {output.reason}"
        click.echo(f"{at}  {output.person_id:<12} {what}")


if __name__ == "__main__":
    main()
