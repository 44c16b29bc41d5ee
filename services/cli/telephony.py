"""Telephony commands: the dialer, the IVR webhooks and the local Twilio simulator."""

from __future__ import annotations

import click

from services.cli import main
from services.cli.common import cli_settings, store_factory
from services.metrics import serve_metrics


@main.command()
def dialer() -> None:
    """Place the requested calls through Twilio, paced, until SIGINT/SIGTERM."""
    from services.telephony.dialer import run
    from services.telephony.settings import load_settings

    serve_metrics(cli_settings())
    run(cli_settings(), load_settings())


@main.command()
def ivr() -> None:
    """Serve the IVR webhooks Twilio calls (signed requests only)."""
    import uvicorn

    from services.telephony.ivr import create_ivr_app
    from services.telephony.settings import load_settings

    telephony = load_settings()
    app = create_ivr_app(telephony, store_factory())
    serve_metrics(cli_settings())
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


@main.group()
def consent() -> None:
    """Consent to automated calls: record it, or its withdrawal (an opt-out)."""


@consent.command("set")
@click.argument("person_id")
@click.argument("answer", type=click.Choice(["given", "withdrawn"]))
@click.option("--by", required=True, help="Who records it (staff id)")
@click.option(
    "--how",
    default="recorded by staff",
    show_default=True,
    help="How the person said so, e.g. 'by phone', 'in person', 'in writing'",
)
def consent_set(person_id: str, answer: str, by: str, how: str) -> None:
    """Record consent given, or withdrawn: a withdrawn person gets no campaign calls."""
    from contracts.envelope import utcnow
    from services.store.db import transaction
    from services.telephony.consent import Consent, UnknownPerson, record

    try:
        with transaction(store_factory()) as session:
            record(session, person_id, Consent(answer), by, how, utcnow())
    except UnknownPerson:
        raise click.ClickException(f"no person {person_id}") from None
    click.echo(f"{person_id}: consent to automated calls {answer} (by {by}, {how})")


@consent.command("show")
@click.argument("person_id")
def consent_show(person_id: str) -> None:
    """Every consent given or withdrawn for a person, oldest first."""
    from services.store.db import transaction
    from services.telephony.consent import history

    with transaction(store_factory()) as session:
        records = history(session, person_id)
    if not records:
        click.echo(f"{person_id}: no consent recorded")
    for entry in records:
        click.echo(
            f"{entry.recorded_at:%Y-%m-%d %H:%M} UTC  {entry.consent:<9}  "
            f"by {entry.recorded_by}  ({entry.how})"
        )
