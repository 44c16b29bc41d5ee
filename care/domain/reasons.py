"""Changes that need a why: a reason or note is required and kept as given (trimmed)."""

from __future__ import annotations

from care.errors import ReasonRequired


def require(text: str | None, what: str) -> str:
    if text is None or not text.strip():
        raise ReasonRequired(f"{what} is required")
    return text.strip()
