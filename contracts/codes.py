"""Code lists: SCAIP (CLC/TS 50134-9) codes, call outcomes, care words.

SCAIP values are the ones in the public reference implementations; devices pad
them differently ("2", "02", "0002"), so they are compared as integers."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class ScaipMessageType(StrEnum):
    ALARM = "ME"
    RESET = "RE"
    INFO = "IN"
    HEARTBEAT = "PI"


class ScaipDeviceType(IntEnum):
    LOCAL_UNIT = 2
    PERSONAL_TRIGGER = 3
    FIXED_TRIGGER = 4
    FALL_DETECTOR = 5
    ACTIVITY_DETECTOR = 10
    BED_MONITOR = 12
    MAT_SENSOR = 13
    DOOR_SENSOR = 14
    WANDERING_SENSOR = 15
    OCCUPANCY = 18
    SMOKE = 23
    CARBON_MONOXIDE = 26
    FLOOD = 33
    CHAIR_MONITOR = 44
    TRACKING_DEVICE = 51


class ScaipStatus(IntEnum):
    AUTOMATIC_ALARM = 9
    MANUAL_ALARM = 10
    BATTERY_OK = 15
    BATTERY_LOW = 16
    CANCEL = 19
    CLOSED = 21
    NORMAL = 70
    OPEN = 76
    OPEN_TOO_LONG = 77
    POWER_FAIL = 85
    POWER_RESTORED = 86
    TEST_TRANSMISSION = 102
    LYING_IN_BED = 117
    MOVEMENT = 119
    OCCUPANCY = 120
    RADIO_TEST_MISSING = 123
    TAMPER = 125


class ScaipLocation(IntEnum):
    HOME = 2
    BATHROOM = 11
    BEDROOM = 12
    KITCHEN = 21
    GPS_ATTACHED = 35
    FRONT_DOOR = 39
    LIVING_ROOM = 43


class ScaipSnu(IntEnum):
    """`<snu>` status numbers of an `<mrs>` response."""

    OK = 0
    TOO_LONG = 1
    INVALID_FORMAT = 2
    WRONG_DATA = 3
    HOLD = 4
    NOT_TREATED = 5
    BUSY = 6
    MANDATORY_TAG_MISSING = 7
    REFERENCE_MISSING = 10
    UNDEFINED_ERROR = 99


# Device types whose alarm needs a person now: they take the priority lane.
URGENT_DEVICE_TYPES = frozenset(
    {
        ScaipDeviceType.PERSONAL_TRIGGER,
        ScaipDeviceType.FIXED_TRIGGER,
        ScaipDeviceType.FALL_DETECTOR,
        ScaipDeviceType.SMOKE,
        ScaipDeviceType.CARBON_MONOXIDE,
        ScaipDeviceType.FLOOD,
        ScaipDeviceType.LOCAL_UNIT,
        ScaipDeviceType.TRACKING_DEVICE,
    }
)
ALARM_STATUSES = frozenset({ScaipStatus.AUTOMATIC_ALARM, ScaipStatus.MANUAL_ALARM})
# Statuses that are never an alarm, whatever the device type: the standard's technical
# codes (CLC/TS 50134-9 status table, as caruhome/scaip-gateway spec.py lists it): battery,
# links, errors, faults, maintenance, power, tests, interference, tamper. An unknown code
# still counts as an alarm: a person may need help, so the safe side.
TECHNICAL_STATUSES = frozenset(
    {
        14,
        15,
        16,
        17,
        20,  # battery failure/ok/low, busy, charged
        23,
        24,
        25,
        26,
        27,
        31,  # connection (IP, mobile, POTS, links) failure, disconnected
        *range(32, 41),  # error codes 1-9
        42,
        43,
        44,
        45,
        52,  # failure, frequency drift, jammed
        62,
        65,
        66,
        67,
        68,  # log, (urgent) maintenance needed, malfunction, memory full
        70,
        72,
        73,
        74,
        75,
        78,  # normal, off, offline, on, online, out of service
        85,
        86,
        91,
        95,  # power failure/restored, re-established, RF interference
        102,
        103,
        105,  # test transmissions, trouble
        *range(112, 117),  # links re-established
        122,
        123,
        124,
        125,  # radio interference, radio test missing/back, tamper
    }
)


class CallStatus(StrEnum):
    """Twilio call statuses, plus `machine` when answering-machine detection said so."""

    QUEUED = "queued"
    RINGING = "ringing"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"
    BUSY = "busy"
    FAILED = "failed"
    NO_ANSWER = "no-answer"
    CANCELED = "canceled"
    MACHINE = "machine"


class AnsweredBy(StrEnum):
    HUMAN = "human"
    MACHINE_START = "machine_start"
    MACHINE_END_BEEP = "machine_end_beep"
    MACHINE_END_SILENCE = "machine_end_silence"
    MACHINE_END_OTHER = "machine_end_other"
    FAX = "fax"
    UNKNOWN = "unknown"


class ScriptName(StrEnum):
    WELFARE_CHECK = "welfare_check"
    UNMET_NEED_CHECKIN = "unmet_need_checkin"
    FALLS_PREVENTION = "falls_prevention"
    FALLS_FOLLOW_UP = "falls_follow_up"
    POST_DISCHARGE = "post_discharge"
    ADVERSE_WEATHER = "adverse_weather"


class NeedLevel(StrEnum):
    CRITICAL = "critical"
    SUBSTANTIAL = "substantial"
    MODERATE = "moderate"
    LOW = "low"


class NeedStatus(StrEnum):
    """How a person waiting for care says they are, from the latest check-in."""

    UNKNOWN = "unknown"
    MANAGING_OK = "managing_ok"
    STRUGGLING = "struggling"
    IN_CRISIS = "in_crisis"


class WaitingLocation(StrEnum):
    HOME = "home"
    HOSPITAL = "hospital"


class ReferralTarget(StrEnum):
    FALLS_TEAM = "falls_team"
    OCCUPATIONAL_THERAPY = "ot"
    ILRT = "ilrt"
    COMMUNITY_MEALS = "community_meals"
    FALLS_CLASSES = "falls_classes"
    STRENGTH_AND_BALANCE = "strength_and_balance"
    OTHER = "other"


class ReferralStatus(StrEnum):
    SUGGESTED = "suggested"
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    COMPLETED = "completed"


class FlagStatus(StrEnum):
    """Lifecycle of a flag; `inactive` and `entered-in-error` map onto FHIR Flag.status."""

    ACTIVE = "active"
    REVIEWED = "reviewed"
    RESOLVED = "resolved"
    ENTERED_IN_ERROR = "entered-in-error"


class AlertPriority(StrEnum):
    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


class AlertQueue(StrEnum):
    """Who works the alert: the SCRS call handlers or the technology assistants."""

    CALL_HANDLER = "call_handler"
    TECHNOLOGY_ASSISTANT = "technology_assistant"


class AlertAction(StrEnum):
    RAISE = "raise"
    UPDATE = "update"
    CLOSE = "close"


class AlertStatus(StrEnum):
    """Where an alert stands: open (nobody has it), acknowledged (a handler has it),
    closed (resolved with an outcome)."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    CLOSED = "closed"


class AlertOutcome(StrEnum):
    """How an alert was resolved (the SCRS outcome codes)."""

    NO_ACTION_NEEDED = "no_action_needed"
    RESPONDER_SENT = "responder_sent"
    AMBULANCE = "ambulance"
    FAMILY_OR_KEYHOLDER_CONTACTED = "family_or_keyholder_contacted"
    FALSE_ALARM = "false_alarm"
    FALL_WITHOUT_INJURY = "fall_without_injury"
    FALL_WITH_INJURY = "fall_with_injury"
    CALLED_BACK = "called_back"
    DEVICE_FIXED = "device_fixed"
    CLEARED_AT_DEVICE = "cleared_at_device"
    """Closed by the devices (a reset at the hub, a cancel, activity seen again) before
    anyone took it."""


class HandlerCallOutcome(StrEnum):
    """How a call a handler made (from the console) went; kept with the call, which counts
    in the measures beside the automated ones."""

    ALL_WELL = "all_well"
    CONCERN_RAISED = "concern_raised"
    CONTACT_INFORMED = "contact_informed"
    LEFT_MESSAGE = "left_message"
    NO_ANSWER = "no_answer"


HANDLER_CALL_SCRIPT = "handler_call"  # calls.script of a call a handler made by hand


class AlertKind(StrEnum):
    ALARM = "alarm"
    NO_MORNING_ACTIVITY = "no_morning_activity"
    BED_NOT_LEFT = "bed_not_left"
    CHAIR_NOT_LEFT = "chair_not_left"
    DOOR_AT_NIGHT = "door_at_night"
    NIGHT_WANDERING = "night_wandering"
    NIGHT_BATHROOM = "night_bathroom"
    DAYTIME_INACTIVITY = "daytime_inactivity"
    LEFT_SAFE_ZONE = "left_safe_zone"
    DEVICE_OFFLINE = "device_offline"
    BATTERY_LOW = "battery_low"
    TAMPER = "tamper"
    FALSE_ALARMS = "false_alarms"
    DEVICE_NOT_REGISTERED = "device_not_registered"
    WELFARE_CONCERN = "welfare_concern"
    IN_CRISIS = "in_crisis"
    CALLBACK_REQUESTED = "callback_requested"
    FALL_REPORTED = "fall_reported"
    TRANSFER_FAILED = "transfer_failed"
    CALL_DROPPED = "call_dropped"
    CALLS_STOPPED = "calls_stopped"


SNOMED_AT_RISK_OF_FALLS = "129839007"
SNOMED_FALLS = "161898004"
SNOMED_FALL_RISK_ASSESSMENT = "414191008"
