"""Who may send the SCAIP receiver an `<mrq>`: a source allow-list, and per-hub SIP digest
authentication (RFC 2617/7616 with MD5, what alarm hubs implement) from a provisioning
file. Unknown hubs and wrong passwords get the same challenge, so the answer tells
nobody which hub ids exist.

Provisioning file (JSON), one entry per hub; `ha1` is MD5("cid:realm:password") so the
file need not hold the password itself; `sources` optionally narrows where it may send:
    {"hubs": [{"cid": "10149471", "ha1": "5f4d...", "sources": ["203.0.113.0/24"]}]}"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import re
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from services.gateway.sip import SipMessage, response

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
DIGEST_PARAM = re.compile(r'(\w+)\s*=\s*(?:"([^"]*)"|([^\s,]+))')


def md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def ha1_of(cid: str, realm: str, password: str) -> str:
    return md5(f"{cid}:{realm}:{password}")


@dataclass(frozen=True)
class ProvisionedHub:
    cid: str
    ha1: str
    sources: tuple[Network, ...] = ()


def networks(values: Sequence[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(value.strip(), strict=False) for value in values)


def load_hubs(path: Path) -> dict[str, ProvisionedHub]:
    """The provisioning file; a malformed one stops the gateway at start, loudly."""
    document = json.loads(path.read_text(encoding="utf-8"))
    hubs = {}
    for entry in document["hubs"]:
        cid = str(entry["cid"])
        ha1 = str(entry["ha1"]).lower()
        if not re.fullmatch(r"[0-9]{1,16}", cid) or not re.fullmatch(r"[0-9a-f]{32}", ha1):
            raise ValueError(f"{path}: hub entry with a bad cid or ha1")
        hubs[cid] = ProvisionedHub(cid, ha1, networks(entry.get("sources", [])))
    return hubs


def in_any(source: str, allowed: Sequence[Network]) -> bool:
    try:
        address = ipaddress.ip_address(source)
    except ValueError:
        return False
    return any(address in network for network in allowed)


class HubAuthenticator:
    """`check(request, source)`: None when the request may be taken, else the SIP answer."""

    def __init__(
        self,
        hubs: dict[str, ProvisionedHub] | None,
        allowed_sources: Sequence[Network] = (),
        realm: str = "tecflow",
        nonce_ttl_s: float = 300.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._hubs = hubs
        self._allowed = tuple(allowed_sources)
        self._realm = realm
        self._nonce_ttl_s = nonce_ttl_s
        self._clock = clock
        self._secret = secrets.token_bytes(32)
        # An unknown user is checked against this, so it costs what a known one costs.
        self._dummy = ha1_of("0", realm, secrets.token_hex(16))
        self._used: dict[tuple[str, str, str], float] = {}

    @property
    def authenticates_hubs(self) -> bool:
        return self._hubs is not None

    def check(self, request: SipMessage, source: str) -> bytes | None:
        if self._allowed and not in_any(source, self._allowed):
            return response(request, 403, "Forbidden")
        if self._hubs is None:
            return None  # allow-list only
        params = parse_digest(request.header("authorization"))
        if params is None:
            return self._challenge(request)
        user = params.get("username", "")
        hub = self._hubs.get(user)
        nonce = params.get("nonce", "")
        expected = digest_response(hub.ha1 if hub else self._dummy, request.method, params)
        if not hmac.compare_digest(expected, params.get("response", "").lower()):
            return self._challenge(request)
        if not self._nonce_fresh(nonce):
            return self._challenge(request, stale=True)
        used = (nonce, params.get("nc", ""), params.get("cnonce", ""))
        if used in self._used:
            return self._challenge(request, stale=True)  # a replayed authorization
        self._remember(used)
        if hub is None:
            return self._challenge(request)
        sender = request.from_uri
        if sender is None or (sender.user or "").removeprefix("+") != hub.cid:
            return response(request, 403, "Forbidden")
        if hub.sources and not in_any(source, hub.sources):
            return response(request, 403, "Forbidden")
        return None

    def _nonce(self) -> str:
        stamp = str(int(self._clock()))
        mac = hmac.new(self._secret, stamp.encode(), "sha256").hexdigest()[:32]
        return f"{stamp}.{mac}"

    def _nonce_fresh(self, nonce: str) -> bool:
        stamp, _, mac = nonce.partition(".")
        good = hmac.new(self._secret, stamp.encode(), "sha256").hexdigest()[:32]
        if not stamp.isdigit() or not hmac.compare_digest(mac, good):
            return False
        return 0 <= self._clock() - int(stamp) <= self._nonce_ttl_s

    def _remember(self, used: tuple[str, str, str]) -> None:
        now = self._clock()
        if len(self._used) > 100_000:
            self._used = {k: t for k, t in self._used.items() if now - t < self._nonce_ttl_s}
        self._used[used] = now

    def _challenge(self, request: SipMessage, stale: bool = False) -> bytes:
        header = (
            f'WWW-Authenticate: Digest realm="{self._realm}", nonce="{self._nonce()}", '
            f'algorithm=MD5, qop="auth"{", stale=TRUE" if stale else ""}'
        )
        return response(request, 401, "Unauthorized", (header,))


def parse_digest(header: str | None) -> dict[str, str] | None:
    if not header or not header.lower().startswith("digest "):
        return None
    return {
        m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3)
        for m in DIGEST_PARAM.finditer(header[7:])
    }


def digest_response(ha1: str, method: str, params: dict[str, str]) -> str:
    ha2 = md5(f"{method}:{params.get('uri', '')}")
    nonce = params.get("nonce", "")
    if params.get("qop"):
        return md5(
            f"{ha1}:{nonce}:{params.get('nc', '')}:{params.get('cnonce', '')}:{params['qop']}:{ha2}"
        )
    return md5(f"{ha1}:{nonce}:{ha2}")
