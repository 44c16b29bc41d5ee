"""SCAIP (CLC/TS 50134-9) `<mrq>` parsing and `<mrs>` rendering: pure functions.

Validated field by field, not against the standard's XML schema, which contradicts its
own tables and what devices send (protocols.md). Codes are integers because devices pad
them differently; element order is free and unknown elements (e.g. `<cha>`) are ignored."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from contracts.codes import ScaipMessageType, ScaipSnu
from contracts.devices import AlarmEvent, GeoPoint
from contracts.envelope import deterministic_id
from contracts.errors import TecflowError

MAX_BODY_BYTES = 16 * 1024
# Only the standard's root: a non-standard `<scaip>` (one proxy's) is refused, snu 2.
ROOT = "mrq"
TIME_TEXT = re.compile(r"^[0-9A-Za-z:.+\- ]{1,40}$")
REF = re.compile(r"^[0-9a-zA-Z]{1,16}$")
CID = re.compile(r"^[0-9]{1,16}$")
TEXT_FIELDS = {
    "did": "device_id",
    "dco": "device_component",
    "dte": "device_text",
    "stt": "status_text",
    "lte": "location_text",
    "ite": "info_text",
    "crd": "voice_route",
}
CODE_FIELDS = {
    "stc": ("status_code", 9999),
    "pri": ("priority", 9),
    "lco": ("location_code", 9999),
    "ico": ("info_code", 9999),
}


class ScaipRejected(TecflowError, ValueError):
    """The `<mrq>` cannot be taken; `snu` is what the device is told, `ref` echoed if known."""

    def __init__(self, snu: ScaipSnu, reason: str, ref: str | None = None) -> None:
        super().__init__(reason)
        self.snu = snu
        self.reason = reason
        self.ref = ref


@dataclass(frozen=True)
class ScaipRequest:
    """An `<mrq>` whose every field passed validation; not yet tied to a person."""

    reference: str
    controller_id: str
    device_type: int
    message_type: ScaipMessageType
    fields: dict[str, object]

    @property
    def event_id_parts(self) -> tuple[str, ...]:
        # A device resends the same ref until it hears an <mrs>; a reset reuses the
        # alarm's ref with another mty. Same (cid, ref, mty): same event, written once.
        return ("scaip", self.controller_id, self.reference, str(self.message_type))

    def to_event(self, person_id: str, received_at: datetime) -> AlarmEvent:
        return AlarmEvent(
            event_id=deterministic_id(*self.event_id_parts),
            person_id=person_id,
            occurred_at=received_at,
            received_at=received_at,
            source="gateway.scaip",
            reference=self.reference,
            message_type=self.message_type,
            controller_id=self.controller_id,
            device_type=self.device_type,
            **self.fields,
        )


def parse_mrq(body: bytes) -> ScaipRequest:
    """The request, or ScaipRejected with the `snu` the standard gives for the fault."""
    if len(body) > MAX_BODY_BYTES:
        raise ScaipRejected(ScaipSnu.TOO_LONG, f"body longer than {MAX_BODY_BYTES} bytes")
    root = _parse_xml(body)
    values = _element_texts(root)
    ref = values.get("ref")
    if not ref:
        raise ScaipRejected(ScaipSnu.REFERENCE_MISSING, "<ref> missing")
    if not REF.match(ref):
        raise ScaipRejected(ScaipSnu.WRONG_DATA, "<ref> is not 1-16 letters or digits")
    return ScaipRequest(
        reference=ref,
        controller_id=_controller_id(values.get("cid"), ref),
        device_type=_code(values, "dty", 9999, ref, required=True),  # type: ignore[arg-type]
        message_type=_message_type(values.get("mty"), ref),
        fields=_optional_fields(values, root, ref),
    )


def render_mrs(snu: ScaipSnu, ref: str | None, status_text: str | None = None) -> bytes:
    """The `<mrs>` answer; `ste` only when it explains a refusal."""
    parts = ["<mrs>"]
    if ref is not None:
        parts.append(f"<ref>{escape(ref)}</ref>")
    parts.append(f"<snu>{int(snu)}</snu>")
    if status_text:
        parts.append(f"<ste>{escape(status_text[:60])}</ste>")
    parts.append("</mrs>")
    return "".join(parts).encode()


def _parse_xml(body: bytes) -> Element:
    try:
        root: Element = fromstring(body, forbid_dtd=True)
    except DefusedXmlException as error:
        # Entity expansion (billion laughs), external entities and DTDs are refused
        # before any expansion happens.
        raise ScaipRejected(
            ScaipSnu.INVALID_FORMAT, f"forbidden XML construct: {type(error).__name__}"
        ) from error
    except (ParseError, ValueError) as error:
        raise ScaipRejected(ScaipSnu.INVALID_FORMAT, "not well-formed XML") from error
    if root.tag != ROOT:
        raise ScaipRejected(ScaipSnu.INVALID_FORMAT, f"root element <{root.tag}> is not <mrq>")
    return root


def _element_texts(root: Element) -> dict[str, str]:
    """Child element texts by tag, stripped; the first of a repeated tag wins."""
    values: dict[str, str] = {}
    for child in root:
        if isinstance(child.tag, str) and child.tag not in values:
            values[child.tag] = (child.text or "").strip()
    return values


def _controller_id(raw: str | None, ref: str) -> str:
    if not raw:
        raise ScaipRejected(ScaipSnu.MANDATORY_TAG_MISSING, "<cid> missing", ref)
    # One proxy writes the cid as +digits; the leading space of another is stripped above.
    cid = raw.removeprefix("+")
    if not CID.match(cid):
        raise ScaipRejected(ScaipSnu.WRONG_DATA, "<cid> is not 1-16 digits", ref)
    return cid


def _message_type(raw: str | None, ref: str) -> ScaipMessageType:
    if not raw:
        return ScaipMessageType.ALARM  # devices often leave <mty> out of an alarm
    try:
        return ScaipMessageType(raw.upper())
    except ValueError:
        raise ScaipRejected(ScaipSnu.WRONG_DATA, "<mty> is not ME, RE, IN or PI", ref) from None


def _code(
    values: dict[str, str], tag: str, maximum: int, ref: str, required: bool = False
) -> int | None:
    raw = values.get(tag)
    if not raw:
        if required:
            raise ScaipRejected(ScaipSnu.MANDATORY_TAG_MISSING, f"<{tag}> missing", ref)
        return None
    if not raw.isdigit() or int(raw) > maximum:
        raise ScaipRejected(ScaipSnu.WRONG_DATA, f"<{tag}> is not a code 0-{maximum}", ref)
    return int(raw)


def _geo(raw: str | None, ref: str) -> GeoPoint | None:
    """`<lge><geo>lat,lon</geo>...</lge>`; the minus sign the schema forgets is allowed."""
    if not raw or not raw.strip():
        return None
    try:
        lat, lon = (float(part) for part in raw.strip().split(","))
        return GeoPoint(lat=lat, lon=lon)
    except ValueError:  # also pydantic's range check
        raise ScaipRejected(ScaipSnu.WRONG_DATA, '<lge><geo> is not "lat,lon"', ref) from None


def _location_time(raw: str | None, ref: str) -> str | None:
    """`<lge><tim>`: when the fix was taken, as the device wrote it (formats vary)."""
    if not raw or not raw.strip():
        return None
    if not TIME_TEXT.match(raw.strip()):
        raise ScaipRejected(ScaipSnu.WRONG_DATA, "<lge><tim> is not a time", ref)
    return raw.strip()


def _optional_fields(values: dict[str, str], root: Element, ref: str) -> dict[str, object]:
    fields: dict[str, object] = {
        name: values[tag] for tag, name in TEXT_FIELDS.items() if values.get(tag)
    }
    for tag, (name, maximum) in CODE_FIELDS.items():
        if (code := _code(values, tag, maximum, ref)) is not None:
            fields[name] = code
    if (geo := _geo(root.findtext("lge/geo"), ref)) is not None:
        fields["geo"] = geo
    if (at := _location_time(root.findtext("lge/tim"), ref)) is not None:
        fields["location_time"] = at
    return fields
