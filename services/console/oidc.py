"""OpenID Connect sign-in (authorization-code flow) with the council's identity provider.

Authlib does the protocol: discovery, state and nonce, the code exchange, and the ID
token's checks (signature against the provider's JWKS, issuer, audience, expiry, nonce).
The console then signs in the local account the token names; roles stay local."""

from __future__ import annotations

from typing import Any

from authlib.integrations.starlette_client import OAuth, OAuthError
from joserfc.errors import JoseError
from starlette.requests import Request
from starlette.responses import Response

from contracts.errors import TecflowError
from services.console.settings import ConsoleSettings


class OidcRefused(TecflowError):
    """The provider's answer could not be trusted or did not name an account."""


class OidcClient:
    def __init__(self, settings: ConsoleSettings) -> None:
        assert settings.oidc_issuer and settings.oidc_client_id
        self.username_claim = settings.oidc_username_claim
        secret = settings.oidc_client_secret
        oauth = OAuth()
        oauth.register(
            "council",
            client_id=settings.oidc_client_id,
            client_secret=secret.get_secret_value() if secret else None,
            server_metadata_url=settings.oidc_issuer.rstrip("/")
            + "/.well-known/openid-configuration",
            client_kwargs={"scope": "openid profile email", "code_challenge_method": "S256"},
        )
        self._client: Any = oauth.create_client("council")

    async def redirect(self, request: Request, callback_url: str) -> Response:
        response: Response = await self._client.authorize_redirect(request, callback_url)
        return response

    async def claims(self, request: Request) -> tuple[str, str]:
        """(username, subject) from the verified ID token of the provider's callback."""
        try:
            token = await self._client.authorize_access_token(request)
        except OAuthError as error:
            raise OidcRefused(error.error) from error
        except JoseError as error:  # bad signature, issuer, audience, expiry or nonce
            raise OidcRefused(error.error) from error
        claims = token.get("userinfo") or {}
        username = claims.get(self.username_claim)
        subject = claims.get("sub")
        if not isinstance(username, str) or not isinstance(subject, str):
            raise OidcRefused(f"the ID token has no {self.username_claim!r} or 'sub' claim")
        return username, subject
