"""Every error the care record raises, under `CareRecordError` (itself under the project's
root, `contracts.errors.TecflowError`, where the whole tree is drawn), so a caller (the
console, the CLI, a stream sink) can catch it and show its message. Messages name ids
and states, never personal details (they may reach logs)."""

from __future__ import annotations

from contracts.errors import TecflowError


class CareRecordError(TecflowError):
    """The root: anything the care record refuses or cannot find."""


class NotFound(CareRecordError, LookupError):
    pass


class ChangeRefused(CareRecordError, ValueError):
    pass


class AlertChangeRefused(ChangeRefused):
    pass


class FlagChangeRefused(ChangeRefused):
    pass


class ReferralChangeRefused(ChangeRefused):
    pass


class NeedChangeRefused(ChangeRefused):
    pass


class ReasonRequired(CareRecordError, ValueError):
    pass
