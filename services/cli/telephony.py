"""Telephony commands: the dialer, the IVR webhooks and the local Twilio simulator."""

from __future__ import annotations

from services.cli import main
from services.cli.common import cli_settings, store_factory


@main.command()
def dialer() -> None:
    """Place the requested calls through Twilio, paced, until SIGINT/SIGTERM."""
    from services.telephony.dialer import run
    from services.telephony.settings import load_settings

    run(cli_settings(), load_settings())


@main.command()
def ivr() -> None:
    """Serve the IVR webhooks Twilio calls (signed requests only)."""
    import uvicorn

    from services.telephony.ivr import create_ivr_app
    from services.telephony.settings import load_settings

    telephony = load_settings()
    app = create_ivr_app(telephony, store_factory())
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
