"""API fuzzing from an app's OpenAPI document (issue 18): every operation gets requests
whose query, headers and body are generated from its schema, plus bodies of any bytes or
JSON; the answer may refuse (4xx) but is never a server error."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

Sign = Callable[[str, str, dict[str, str]], dict[str, str]]  # (path, query, form) -> headers
ANY_JSON = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def operations(openapi: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method.upper(), operation)
        for path, item in openapi["paths"].items()
        for method, operation in item.items()
        if method in ("get", "post", "put")
    ]


@st.composite
def requests(
    draw: st.DrawFn,
    openapi: dict[str, Any],
    sign: Sign | None = None,
    forms: st.SearchStrategy[dict[str, str]] | None = None,
    known: dict[str, str] | None = None,
) -> httpx.Request:
    """`known`: parameter values that reach past lookups (an existing call), drawn half
    the time."""
    path, method, operation = draw(st.sampled_from(operations(openapi)))
    query: dict[str, str] = {}
    headers: dict[str, str] = {}
    for parameter in operation.get("parameters", []):
        if parameter["in"] not in ("query", "header"):
            continue
        if not parameter.get("required") and draw(st.booleans()):
            continue
        # The document's components ride along, so a parameter typed by an enum ($ref)
        # resolves.
        schema = {**parameter.get("schema", {}), "components": openapi.get("components", {})}
        value = draw(st.one_of(from_schema(schema), st.text(max_size=20)))
        if known and parameter["name"] in known and draw(st.booleans()):
            value = known[parameter["name"]]
        text = value if isinstance(value, str) else json.dumps(value)
        if parameter["in"] == "header":
            if not text.isascii() or not text.isprintable():
                continue  # not sendable as an HTTP header at all
            headers[parameter["name"]] = text
        else:
            query[parameter["name"]] = text
    form = draw(forms) if forms is not None else None
    if form is not None:
        body = httpx.QueryParams(form).__str__().encode()
        headers["content-type"] = "application/x-www-form-urlencoded"
    else:
        body = draw(
            st.one_of(st.binary(max_size=200), ANY_JSON.map(lambda v: json.dumps(v).encode()))
        )
        headers["content-type"] = "application/json"
    query_string = str(httpx.QueryParams(query))
    if sign is not None:
        headers |= sign(path, query_string, form or {})
    return httpx.Request(method, f"http://test{path}", params=query, headers=headers, content=body)
