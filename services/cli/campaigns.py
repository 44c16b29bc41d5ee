"""The scheduler and its campaigns."""

from __future__ import annotations

import json
from datetime import time

import click

from services.cli import main
from services.cli.common import cli_settings, store_factory
from services.metrics import serve_metrics


@main.command()
def scheduler() -> None:
    """Run the call scheduler (APScheduler) until SIGINT/SIGTERM."""
    from schedules.scheduler import run

    serve_metrics(cli_settings())
    run(cli_settings())


@main.group()
def campaigns() -> None:
    """Campaigns of proactive calls (who, which script, how often, when)."""


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
@click.option(
    "--cohort",
    required=True,
    help="unmet_need, living_alone_without_care, "
    "active_falls_flag, recently_discharged, postcode_area, everyone",
)
@click.option(
    "--param", "params", multiple=True, help="cohort parameter KEY=VALUE (days=7, areas=DD1,DD2)"
)
@click.option(
    "--every",
    type=click.Choice(["day", "week", "after_event", "once"]),
    default="day",
    show_default=True,
)
@click.option("--days", default="", help="week: mon,thu; after_event: 1,3,7")
@click.option("--event", type=click.Choice(["discharge", "falls_flag"]), default=None)
@click.option("--on", "on_date", default=None, help="once: the local date, YYYY-MM-DD")
@click.option("--window", default="10:00-12:00", show_default=True, help="local HH:MM-HH:MM")
@click.option("--attempts", default=3, show_default=True, type=click.IntRange(1, 10))
@click.option("--retry-minutes", default=30, show_default=True, type=click.IntRange(0))
@click.option(
    "--escalate/--no-escalate",
    default=True,
    show_default=True,
    help="welfare-concern alert with keyholders after the last unanswered attempt",
)
@click.option("--language", default=None, help="e.g. cy-GB; default: each person's own")
@click.option(
    "--bank-holidays", type=click.Choice(["skip", "call"]), default="skip", show_default=True
)
def campaigns_add(
    campaign_id: str,
    name: str,
    script: str,
    cohort: str,
    params: tuple[str, ...],
    every: str,
    days: str,
    event: str | None,
    on_date: str | None,
    window: str,
    attempts: int,
    retry_minutes: int,
    escalate: bool,
    language: str | None,
    bank_holidays: str,
) -> None:
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
    if malformed := [p for p in params if "=" not in p]:
        raise click.BadParameter(f"expected KEY=VALUE, got {malformed[0]!r}", param_hint="--param")
    cohort_params = dict(p.split("=", 1) for p in params)
    try:
        with transaction(store_factory()) as session:
            add_campaign(
                session,
                campaign_id=campaign_id,
                name=name,
                script=script,
                cohort=cohort,
                cohort_params=cohort_params,
                frequency=frequency,
                window=_hours(window),
                max_attempts=attempts,
                retry_spacing_minutes=retry_minutes,
                escalate_unanswered=escalate,
                language=language,
            )
    except InvalidCampaign as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"campaign {campaign_id} added")


@campaigns.command("list")
def campaigns_list() -> None:
    """One line per campaign."""
    from schedules.campaigns import all_campaigns, describe
    from services.store.db import transaction

    with transaction(store_factory()) as session:
        for campaign in map(describe, all_campaigns(session)):
            state = "active" if campaign["active"] else "paused"
            click.echo(
                f"{campaign['id']:<20} {state:<7} {campaign['script']:<20} "
                f"{campaign['cohort']:<26} {campaign['window']}  "
                f"{json.dumps(campaign['frequency'])}"
            )


@campaigns.command("show")
@click.argument("campaign_id")
def campaigns_show(campaign_id: str) -> None:
    """Everything about one campaign, as JSON."""
    from schedules.campaigns import InvalidCampaign, describe, get_campaign
    from services.store.db import transaction

    try:
        with transaction(store_factory()) as session:
            click.echo(json.dumps(describe(get_campaign(session, campaign_id)), indent=2))
    except InvalidCampaign as error:
        raise click.ClickException(str(error)) from error


def _set_campaign(campaign_id: str, change: str) -> None:
    from schedules.campaigns import InvalidCampaign, get_campaign
    from services.store.db import transaction

    try:
        with transaction(store_factory()) as session:
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
