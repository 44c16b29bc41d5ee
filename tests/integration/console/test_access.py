"""Every route refuses the signed-out and the wrong role; every state-changing route
refuses a request without the session's CSRF token. The routes are read from the app,
so a route added later is covered without touching this file."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from services.console.app import API_ROUTERS, PAGE_ROUTERS
from services.console.roles import Role
from tests.support.console import Account, sign_in

# Routes anyone may reach: signing in and the API's description.
PUBLIC = {
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/health"),
    ("GET", "/api/openapi.json"),
    ("GET", "/auth/oidc/login"),
    ("GET", "/auth/oidc/callback"),
    ("POST", "/api/session"),
}
SAFE = {"GET", "HEAD", "OPTIONS"}


def roles_of(route: APIRoute) -> frozenset[Role] | None:
    """The role set the route's dependencies require (None: no role check at all)."""
    stack = list(route.dependant.dependencies)
    while stack:
        dependency = stack.pop()
        roles = getattr(dependency.call, "roles", None)
        if roles is not None:
            return frozenset(roles)
        stack.extend(dependency.dependencies)
    return None


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda m: str(uuid.uuid4()) if "id" in m.group(0) else "x", path)


def routes(_app: FastAPI) -> Iterator[tuple[str, str, APIRoute]]:
    mounted = [(router, "") for router in PAGE_ROUTERS] + [(r, "/api") for r in API_ROUTERS]
    for router, prefix in mounted:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            for method in sorted(route.methods or ()):
                if (method, prefix + route.path) not in PUBLIC:
                    yield method, prefix + route.path, route


def test_every_route_but_sign_in_checks_a_role(console_app: FastAPI) -> None:
    unchecked = [(m, p) for m, p, route in routes(console_app) if roles_of(route) is None]
    assert unchecked == []
    assert len(list(routes(console_app))) >= 8


def test_signed_out_requests_are_refused(console_app: FastAPI, client: TestClient) -> None:
    for method, path, _route in routes(console_app):
        response = client.request(method, concrete(path), follow_redirects=False)
        if path.startswith(("/api/", "/events/")):
            assert response.status_code == 401, (method, path, response.status_code)
            assert response.json() == {"error": "sign in first"}
        else:
            assert response.status_code == 303, (method, path, response.status_code)
            assert response.headers["location"].startswith("/login")


@pytest.mark.parametrize("role", list(Role))
def test_a_role_is_refused_where_it_does_not_belong(
    role: Role, console_app: FastAPI, client: TestClient, accounts: dict[Role, Account]
) -> None:
    csrf = sign_in(client, accounts[role])
    refused = 0
    for method, path, route in routes(console_app):
        roles = roles_of(route)
        assert roles is not None
        if role in roles:
            continue
        response = client.request(
            method, concrete(path), headers={"X-CSRF-Token": csrf}, follow_redirects=False
        )
        assert response.status_code == 403, (role, method, path, response.status_code)
        refused += 1
    if role is not Role.ADMIN:
        assert refused > 0  # every other role is kept out of something (the admin pages)


@pytest.mark.parametrize("token", [None, "", "not-the-token"])
def test_state_changes_without_the_csrf_token_are_refused(
    token: str | None, console_app: FastAPI, client: TestClient, accounts: dict[Role, Account]
) -> None:
    sign_in(client, accounts[Role.ADMIN])  # the admin may reach every route
    headers = {} if token is None else {"X-CSRF-Token": token}
    changing = [(m, p) for m, p, _ in routes(console_app) if m not in SAFE]
    assert changing
    for method, path in changing:
        response = client.request(
            method,
            concrete(path),
            headers=headers,
            data={"csrf_token": token or ""},
            follow_redirects=False,
        )
        assert response.status_code == 403, (method, path, response.status_code)
    assert client.get("/api/session").status_code == 200  # still signed in


def test_the_csrf_token_in_a_form_field_is_accepted(
    client: TestClient, accounts: dict[Role, Account]
) -> None:
    csrf = sign_in(client, accounts[Role.ADMIN])
    response = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303
    assert client.get("/api/session").status_code == 401
