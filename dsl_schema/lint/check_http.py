"""Checks of ``http`` steps: the URL, the method, the body, ``expect`` and ``auth``.

The schema only says the shapes (a text, a list); what makes a request sendable is said here, with a code of
its own. A URL written with expressions is checked as far as its literal start goes (``{{ input.base }}/x``
renders to whatever the input says; ``ftp://{{ host }}`` never works). Secrets belong in ``auth`` (names of
the worker's environment variables, read when the request is sent): an ``Authorization`` header written in
``headers`` is in the definition, or rendered from the run's data, and so in its history.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from ..diagnostics import Diagnostic
from ..expressions import is_template
from ..kinds.http import HTTP_METHODS, STATUS_PATTERN
from ..loader import JsonPath
from .context import LintContext, did_you_mean

ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
STATUS = re.compile(STATUS_PATTERN)
CREDENTIAL_HEADERS = ("authorization", "proxy-authorization")


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    """Check every ``http`` step."""
    for info in ctx.outline.steps:
        request = info.data.get("http")
        if info.kind == "http" and isinstance(request, dict):
            path = (*info.path, "http")
            yield from _url(ctx, request.get("url"), (*path, "url"))
            yield from _method(ctx, request.get("method"), (*path, "method"))
            if "json" in request and "body" in request:
                yield ctx.at((*path, "body"), "E332", "give `json` or `body`, not both: a request has one "
                                                      "body", key=True)
            yield from _expect(ctx, request.get("expect"), (*path, "expect"))
            yield from _auth(ctx, request.get("auth"), (*path, "auth"))
            yield from _headers(ctx, request.get("headers"), (*path, "headers"))


def _url(ctx: LintContext, url: Any, path: JsonPath) -> Iterator[Diagnostic]:
    if not isinstance(url, str):
        return
    if not url.strip():
        yield ctx.at(path, "E330", "the url is empty")
        return
    literal = url.split("{{", 1)[0] if is_template(url) else url
    if not literal:
        return  # the whole start is computed: checked when it renders
    scheme, _, rest = literal.partition("://")
    if not rest and "://" not in literal:
        if "http://".startswith(literal) or "https://".startswith(literal):
            return  # ``http{{ ... }}``: cannot tell
        yield ctx.at(path, "E330", f"url {url!r} is not an absolute http:// or https:// URL")
        return
    if scheme.lower() not in ("http", "https"):
        yield ctx.at(path, "E330", f"url {url!r} uses {scheme!r}: only http:// and https:// are sent")
    elif not is_template(url) and not urlsplit(url).hostname:
        yield ctx.at(path, "E330", f"url {url!r} names no host")


def _method(ctx: LintContext, method: Any, path: JsonPath) -> Iterator[Diagnostic]:
    if isinstance(method, str) and method not in HTTP_METHODS:
        upper = method.upper()
        hint = f"; did you mean {upper!r}?" if upper in HTTP_METHODS else did_you_mean(upper, HTTP_METHODS)
        methods = ", ".join(HTTP_METHODS)
        yield ctx.at(path, "E331", f"{method!r} is not an HTTP method (one of {methods}){hint}")


def valid_status(pattern: Any) -> bool:
    """Whether ``pattern`` is a status (100 to 599) or a pattern such as ``2xx`` or ``20x``."""
    if isinstance(pattern, bool):
        return False
    if isinstance(pattern, int):
        return 100 <= pattern <= 599
    return isinstance(pattern, str) and STATUS.match(pattern.lower()) is not None


def _expect(ctx: LintContext, expect: Any, path: JsonPath) -> Iterator[Diagnostic]:
    for index, pattern in enumerate(expect if isinstance(expect, list) else []):
        if not valid_status(pattern):
            yield ctx.at((*path, index), "E333", f"{pattern!r} is not a status (100 to 599) nor a pattern "
                                                 "such as 2xx or 40x")


def _auth(ctx: LintContext, auth: Any, path: JsonPath) -> Iterator[Diagnostic]:
    if not isinstance(auth, dict):
        return
    names: list[tuple[JsonPath, Any]] = []
    for key in ("bearer_from_env", "api_key_from_env"):
        if key in auth:
            names.append(((*path, key), auth[key]))
    basic = auth.get("basic_from_env")
    if isinstance(basic, dict):
        names += [((*path, "basic_from_env", key), basic[key]) for key in ("username", "password")
                  if key in basic]
    for where, name in names:
        if isinstance(name, str) and not ENV_NAME.match(name):
            yield ctx.at(where, "E334", f"{name!r} is not an environment variable name (letters, digits and "
                                        "underscores, not starting with a digit): auth names a secret, it "
                                        "never holds one")


def _headers(ctx: LintContext, headers: Any, path: JsonPath) -> Iterator[Diagnostic]:
    for name in headers if isinstance(headers, dict) else {}:
        if isinstance(name, str) and name.lower() in CREDENTIAL_HEADERS:
            yield ctx.at((*path, name), "W335", f"{name} header written in the definition: it ends up in the "
                                                "run's history; name the secret with `auth` "
                                                "(bearer_from_env, api_key_from_env, basic_from_env)",
                         key=True)
