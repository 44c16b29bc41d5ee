"""Telephony on one machine against the Twilio simulator: the settings that wire the
parts together (for `tecflow up`, the benchmark and the tests)."""

from __future__ import annotations

import secrets


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
