"""The root of every error tecflow raises on purpose, and the whole tree in one place.
Catch `TecflowError` to handle any of them; each message says what was refused and why,
naming ids and states, never personal details (messages may reach logs).

    TecflowError
     +-- CareRecordError            care/errors.py: the care record refused a command
     |    +-- NotFound                  the alert, flag, referral or need entry does not exist
     |    +-- ChangeRefused             the rules do not allow this change
     |    |    +-- AlertChangeRefused, FlagChangeRefused, ReferralChangeRefused,
     |    |        NeedChangeRefused
     |    +-- ReasonRequired            a change that needs a why was given none
     +-- refused input: a clear error (and a dead letter where a device sent it)
     |    +-- ScaipRejected, SipError     services/gateway/scaip.py, sip.py
     |    +-- ZigbeeRejected              services/gateway/zigbee.py
     |    +-- OwnTracksRejected           services/gateway/owntracks.py
     |    +-- AlexaRejected               services/gateway/alexa.py
     |    +-- SignatureInvalid            services/gateway/alexa_signature.py
     |    +-- LogRejected                 services/evaluate/logs.py: an unreadable log line
     |    +-- InvalidCampaign             schedules/campaigns.py: cannot be planned as given
     |    +-- InvalidFrequency            schedules/frequency.py: names no schedule we keep
     |    +-- InvalidCohortParams         schedules/cohorts.py: a rule cannot use them
     |    +-- UnknownCohortRule           schedules/cohorts.py
     |    +-- AccountError                services/console/accounts.py
     +-- not found
     |    +-- PersonNotFound              services/store/people.py
     |    +-- UnknownPerson               services/telephony/consent.py
     +-- access: NotSignedIn, Forbidden   services/console/deps.py; OidcRefused (oidc.py)
     +-- a part is unavailable
          +-- BrokerNotConfigured         streams/app.py
          +-- RegisterUnavailable         services/gateway/register.py
          +-- Undeliverable, NotKept      services/gateway/sender.py, mqtt_bridge.py: spool

The lower-case lines group classes by kind; they are not classes themselves. Errors that
are also a kind of ValueError or LookupError say so as well, so code that
catches the built-in kinds keeps working."""

from __future__ import annotations


class TecflowError(Exception):
    """The root: anything tecflow refuses or cannot find, on purpose."""
