"""The small part of SIP (RFC 3261, RFC 3428) a SCAIP receiver needs: parse a request,
answer it, and build the new MESSAGE that carries `<mrs>`. Pure functions over bytes.

No maintained Python SIP library fits an asyncio MESSAGE-only endpoint (the candidates are
unmaintained or full user agents), so this handles exactly MESSAGE and OPTIONS."""

from __future__ import annotations

import itertools
import re
import secrets
from dataclasses import dataclass, field

from contracts.errors import TecflowError

# RFC 3261 section 7.3.3 compact header forms.
COMPACT = {
    "v": "via",
    "f": "from",
    "t": "to",
    "i": "call-id",
    "l": "content-length",
    "c": "content-type",
    "m": "contact",
}
SIP_URI = re.compile(
    r"<?sips?:(?:(?P<user>[^@;>:]+)(?::[^@;>]*)?@)?(?P<host>[^;>:]+)"
    r"(?::(?P<port>\d+))?(?P<params>;[^>]*)?>?"
)
MAX_MESSAGE_BYTES = 64 * 1024
# An <mrq> is a few hundred bytes; SCAIP's own limit (snu 1) is checked on what is left.
MAX_BODY_BYTES = 32 * 1024


# Tags, branches and Call-IDs must be unique, not secret: a random prefix per process and
# a counter (a uuid4 each was a system call per header, four per alarm).
_PREFIX = secrets.token_hex(4)
_COUNTER = itertools.count(1)


def unique() -> str:
    return f"{_PREFIX}{next(_COUNTER):x}"


class SipError(TecflowError, ValueError):
    """Not a SIP message we can use. `head` is the request when its start line and headers
    could be read (so it can still be answered), `status` the answer it deserves."""

    def __init__(self, reason: str, head: SipMessage | None = None, status: int = 400) -> None:
        super().__init__(reason)
        self.head = head
        self.status = status

    @property
    def phrase(self) -> str:
        return "Message Too Large" if self.status == 513 else "Bad Request"


@dataclass(frozen=True)
class SipUri:
    user: str | None
    host: str
    port: int | None
    transport: str | None = None

    def __str__(self) -> str:
        user = f"{self.user}@" if self.user else ""
        port = f":{self.port}" if self.port else ""
        return f"sip:{user}{self.host}{port}"


@dataclass(frozen=True)
class SipMessage:
    start_line: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    @property
    def is_request(self) -> bool:
        return not self.start_line.startswith("SIP/2.0")

    @property
    def method(self) -> str:
        return self.start_line.split(" ", 1)[0].upper() if self.is_request else ""

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers if key == wanted), None)

    def all(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key == name.lower()]

    @property
    def from_uri(self) -> SipUri | None:
        return parse_uri(self.header("from"))

    @property
    def transaction_key(self) -> tuple[str, ...]:
        """RFC 3261 17.2.3: a retransmission has the same top Via branch, From tag,
        Call-ID and CSeq as the request it repeats."""
        via = self.header("via") or ""
        branch = re.search(r";\s*branch=([^;,\s]+)", via)
        tag = re.search(r";\s*tag=([^;,\s]+)", self.header("from") or "")
        return (
            branch.group(1) if branch else via,
            tag.group(1) if tag else "",
            self.header("call-id") or "",
            self.header("cseq") or "",
        )


def parse_uri(value: str | None) -> SipUri | None:
    if not value:
        return None
    # A display name may precede the <uri>; the name-addr form is what devices send.
    match = SIP_URI.search(value)
    if not match:
        return None
    params = dict(p.partition("=")[::2] for p in (match.group("params") or "").split(";") if p)
    port = int(match.group("port")) if match.group("port") else None
    if port is not None and not 0 < port < 65536:
        return None  # no such port (a Contact with port 99999 once stopped the receiver)
    return SipUri(match.group("user"), match.group("host"), port, params.get("transport"))


def parse_message(data: bytes) -> SipMessage:
    """One complete SIP message (the body cut to Content-Length when it is given)."""
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = data.partition(b"\n\n")  # tolerate bare LF line ends
    if not sep:
        raise SipError("no blank line after the headers")
    lines = head.decode("utf-8", errors="replace").replace("\r\n", "\n").split("\n")
    start = lines[0].strip()
    if not (start.startswith("SIP/2.0 ") or start.endswith(" SIP/2.0")):
        raise SipError("not a SIP start line")
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and headers:  # folded continuation line
            name, value = headers[-1]
            headers[-1] = (name, f"{value} {line.strip()}")
            continue
        name, colon, value = line.partition(":")
        if not colon:
            raise SipError("header line without a colon")
        key = name.strip().lower()
        headers.append((COMPACT.get(key, key), value.strip()))
    message = SipMessage(start, headers, body)
    length = message.header("content-length")
    if length is not None:
        if not length.isdigit() or int(length) > len(body):
            raise SipError("Content-Length does not match the body", message)
        message = SipMessage(start, headers, body[: int(length)])
    if len(message.body) > MAX_BODY_BYTES:
        raise SipError(f"body longer than {MAX_BODY_BYTES} bytes", message, 513)
    return message


def frame_length(buffer: bytes) -> int | None:
    """For a stream transport: the size of the first complete message in `buffer`, or
    None while more bytes are needed (RFC 3261 18.3: Content-Length is mandatory)."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        if len(buffer) > MAX_MESSAGE_BYTES:
            raise SipError("headers too long")
        return None
    head = buffer[:end].decode("utf-8", errors="replace")
    match = re.search(r"^(?:content-length|l)\s*:\s*(\d+)\s*$", head, re.I | re.M)
    if not match:
        raise SipError("no Content-Length on a stream transport", _head(buffer[: end + 4]))
    total = end + 4 + int(match.group(1))
    if total > MAX_MESSAGE_BYTES:
        raise SipError(f"message of {total} bytes is too long", _head(buffer[: end + 4]), 513)
    return total if len(buffer) >= total else None


def _head(data: bytes) -> SipMessage | None:
    """The start line and headers alone, when they can be read (to answer an error)."""
    try:
        return parse_message(re.sub(rb"(?im)^(content-length|l)\s*:.*\r?\n", b"", data))
    except SipError:
        return None


def response(request: SipMessage, status: int, reason: str, extra: tuple[str, ...] = ()) -> bytes:
    """The answer to `request`: Via, From, Call-ID and CSeq copied, a To tag added."""
    lines = [f"SIP/2.0 {status} {reason}"]
    lines += [f"Via: {via}" for via in request.all("via")]
    to = request.header("to") or ""
    if ";tag=" not in to:
        to += f";tag={unique()}"
    lines += [
        f"From: {request.header('from') or ''}",
        f"To: {to}",
        f"Call-ID: {request.header('call-id') or ''}",
        f"CSeq: {request.header('cseq') or ''}",
        "Server: tecflow-gateway",
        *extra,
        "Content-Length: 0",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def message_request(
    target: SipUri,
    local_host: str,
    local_port: int,
    transport: str,
    content_type: str,
    body: bytes,
    from_user: str = "tecflow",
) -> bytes:
    """A new out-of-dialog MESSAGE (new Call-ID, as SIS-TR 91102 7.5 asks for `<mrs>`)."""
    lines = [
        f"MESSAGE {target} SIP/2.0",
        f"Via: SIP/2.0/{transport.upper()} {local_host}:{local_port};"
        f"branch=z9hG4bK{unique()};rport",
        "Max-Forwards: 70",
        f"From: <sip:{from_user}@{local_host}:{local_port}>;tag={unique()}",
        f"To: <{target}>",
        f"Call-ID: {unique()}@{local_host}",
        "CSeq: 1 MESSAGE",
        f"Content-Type: {content_type}",
        f"Content-Length: {len(body)}",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body
