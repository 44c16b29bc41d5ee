"""Verifying that a request really comes from Alexa (Amazon's rules for a custom skill
hosted as a web service): the SignatureCertChainUrl is https://s3.amazonaws.com/echo.api/...,
its leaf certificate is valid now, names echo-api.amazon.com and chains to a trusted root,
and Signature-256 is its RSA-SHA256 signature of the raw body."""

from __future__ import annotations

import asyncio
import base64
import binascii
import posixpath
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

from contracts.errors import TecflowError

ALEXA_SAN = "echo-api.amazon.com"
CERT_HOST = "s3.amazonaws.com"
CERT_PATH = "/echo.api/"

CertFetcher = Callable[[str], Awaitable[bytes]]


class SignatureInvalid(TecflowError, ValueError):
    """The request cannot be shown to come from Alexa."""


def check_cert_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme.lower() != "https":
        raise SignatureInvalid("certificate URL is not https")
    if (parts.hostname or "").lower() != CERT_HOST:
        raise SignatureInvalid(f"certificate URL host is not {CERT_HOST}")
    if parts.port not in (None, 443):
        raise SignatureInvalid("certificate URL port is not 443")
    # Normalised first, so /echo.api/../other/ cannot pass.
    if not posixpath.normpath(parts.path).startswith(CERT_PATH):
        raise SignatureInvalid(f"certificate URL path is not under {CERT_PATH}")


def verify_signature(
    body: bytes,
    signature_b64: str,
    chain_pem: bytes,
    roots: list[x509.Certificate],
    now: datetime,
) -> None:
    """Raises SignatureInvalid saying which rule failed."""
    try:
        chain = x509.load_pem_x509_certificates(chain_pem)
        signature = base64.b64decode(signature_b64, validate=True)
    except (ValueError, binascii.Error) as error:
        raise SignatureInvalid("certificate chain or signature is not readable") from error
    leaf = chain[0]
    if not leaf.not_valid_before_utc <= now <= leaf.not_valid_after_utc:
        raise SignatureInvalid("certificate is not valid now")
    try:
        names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        raise SignatureInvalid(f"certificate does not name {ALEXA_SAN}") from None
    if ALEXA_SAN not in names.value.get_values_for_type(x509.DNSName):
        raise SignatureInvalid(f"certificate does not name {ALEXA_SAN}")
    verifier = (
        PolicyBuilder().store(Store(roots)).time(now).build_server_verifier(x509.DNSName(ALEXA_SAN))
    )
    try:
        verifier.verify(leaf, chain[1:])
    except VerificationError as error:
        raise SignatureInvalid(f"certificate chain not trusted: {error}") from error
    key = leaf.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise SignatureInvalid("certificate key is not RSA")
    try:
        key.verify(signature, body, padding.PKCS1v15(), SHA256())
    except InvalidSignature:
        raise SignatureInvalid("Signature-256 does not match the body") from None


def load_roots(path: Path | None) -> list[x509.Certificate]:
    """The PEM bundle at `path`, else certifi's (what an https client trusts)."""
    if path is None:
        import certifi

        path = Path(certifi.where())
    return x509.load_pem_x509_certificates(path.read_bytes())


class AlexaVerifier:
    """Fetches (and caches) certificate chains and verifies requests against them."""

    def __init__(self, roots: list[x509.Certificate], fetch: CertFetcher | None = None) -> None:
        self._roots = roots
        self._fetch = fetch or fetch_over_https
        self._chains: dict[str, bytes] = {}

    async def verify(
        self, body: bytes, cert_url: str | None, signature: str | None, now: datetime
    ) -> None:
        if not cert_url or not signature:
            raise SignatureInvalid("SignatureCertChainUrl or Signature-256 header missing")
        check_cert_url(cert_url)
        if cert_url not in self._chains:
            try:
                self._chains[cert_url] = await self._fetch(cert_url)
            except (httpx.HTTPError, OSError) as error:
                raise SignatureInvalid("certificate chain could not be fetched") from error
        chain = self._chains[cert_url]
        # RSA verification is CPU work: off the event loop.
        await asyncio.to_thread(verify_signature, body, signature, chain, self._roots, now)


async def fetch_over_https(url: str) -> bytes:
    async with httpx.AsyncClient(timeout=5) as client:
        answer = await client.get(url)
        answer.raise_for_status()
        return answer.content
