"""Every error the care record raises, under one root, so a caller (the console, the CLI,
a stream sink) can catch `CareRecordError` and show its message:

    CareRecordError
     +-- NotFound                 the alert, flag, referral or need entry does not exist
     +-- ChangeRefused            the rules do not allow this change
     |    +-- AlertChangeRefused      e.g. resolving a closed alert, reopening behind a newer one
     |    +-- FlagChangeRefused       e.g. reopening a resolved flag
     |    +-- ReferralChangeRefused   e.g. a step backwards (sent -> suggested)
     |    +-- NeedChangeRefused       e.g. an automated call lowering an in-crisis status
     +-- ReasonRequired           a change that needs a why was given none

Messages name ids and states, never personal details (they may reach logs)."""

from __future__ import annotations


class CareRecordError(Exception):
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
