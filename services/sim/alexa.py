"""The community's Echo devices: Alexa skill requests to the gateway's `/alexa`, signed
with the demo's own key as Amazon signs them with its own (the gateway is told to take
the demo's chain for the certificate URL, and to trust the demo's root). An Alexa
request must be stamped within 150 s of the receiver's clock, so these are live."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from services.sim.alexa_keys import Authority, Signer

APPLICATION_ID = "amzn1.ask.skill.tecflow-demo"
CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-tecflow-demo.pem"


@dataclass(frozen=True)
class DemoSkill:
    """Where the demo's key and certificates are, in the data directory."""

    directory: Path

    @property
    def root(self) -> Path:
        return self.directory / "alexa-demo-root.pem"

    @property
    def chain(self) -> Path:
        return self.directory / "alexa-demo-chain.pem"

    @property
    def key(self) -> Path:
        return self.directory / "alexa-demo-key.pem"

    def create(self) -> dict[str, str]:
        """A fresh key and chain; returns the gateway's settings that accept them."""
        signer = Authority.create().issue()
        self.root.write_bytes(signer.root_pem)
        self.chain.write_bytes(signer.chain_pem)
        self.key.touch(mode=0o600)
        self.key.write_bytes(
            signer.key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        return {
            "TECFLOW_GATEWAY_ALEXA_APPLICATION_ID": APPLICATION_ID,
            "TECFLOW_GATEWAY_ALEXA_TRUST_ROOTS": str(self.root),
            "TECFLOW_GATEWAY_ALEXA_CERT_CHAIN": str(self.chain),
        }

    def signer(self) -> Signer:
        key = serialization.load_pem_private_key(self.key.read_bytes(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey)
        leaf, issuer = x509.load_pem_x509_certificates(self.chain.read_bytes())
        return Signer(key, leaf, issuer)


def envelope(device_id: str, intent: str, at: datetime) -> bytes:
    """A custom skill's IntentRequest as Alexa sends it."""
    return json.dumps(
        {
            "version": "1.0",
            "session": {
                "new": True,
                "sessionId": f"amzn1.echo-api.session.{uuid.uuid4()}",
                "application": {"applicationId": APPLICATION_ID},
                "user": {"userId": f"amzn1.ask.account.{device_id[-12:]}"},
            },
            "context": {
                "System": {
                    "application": {"applicationId": APPLICATION_ID},
                    "device": {"deviceId": device_id},
                }
            },
            "request": {
                "type": "IntentRequest",
                "requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
                "timestamp": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "locale": "en-GB",
                "intent": {"name": intent, "slots": {}},
            },
        }
    ).encode()


async def ask(
    http: httpx.AsyncClient, url: str, signer: Signer, device_id: str, intent: str
) -> int:
    """Send one request now; returns the HTTP status the skill endpoint answered."""
    body = envelope(device_id, intent, datetime.now(UTC))
    answer = await http.post(
        url,
        content=body,
        headers={
            "Content-Type": "application/json",
            "SignatureCertChainUrl": CERT_URL,
            "Signature-256": signer.sign(body),
        },
    )
    return answer.status_code
