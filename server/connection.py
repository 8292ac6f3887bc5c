"""Connect to Temporal as the settings say (plain, TLS, mTLS, API key).

:func:`connect` takes the ``temporal`` settings (:class:`~tdsl.server.config.TemporalSettings`) or the light
:class:`ConnectionSettings` that :func:`connection_settings` reads from the unvalidated settings tree: the CLI
verbs that only talk to Temporal use the latter and so never import the settings models (pydantic).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol

from temporalio.client import Client
from temporalio.service import TLSConfig

from .config_sources import DEFAULT_ADDRESS, ConfigError
from .connection_errors import explain

__all__ = [
    "ConnectionSettings",
    "TLSOptions",
    "check_namespace",
    "connect",
    "connection_settings",
    "tls_config",
]


class _TLS(Protocol):
    @property
    def enabled(self) -> bool: ...
    @property
    def server_root_ca_cert(self) -> str | None: ...
    @property
    def client_cert(self) -> str | None: ...
    @property
    def client_key(self) -> str | None: ...
    @property
    def server_name(self) -> str | None: ...


class _Connection(Protocol):
    """What connecting needs: met by ``TemporalSettings`` and :class:`ConnectionSettings`."""

    @property
    def url(self) -> str: ...
    @property
    def namespace(self) -> str: ...
    @property
    def api_key(self) -> str | None: ...
    @property
    def connect_timeout_seconds(self) -> float: ...
    @property
    def tls(self) -> _TLS: ...


@dataclass(frozen=True)
class TLSOptions:
    """``temporal.tls`` as :func:`connection_settings` reads it."""

    enabled: bool = False
    server_root_ca_cert: str | None = None
    client_cert: str | None = None
    client_key: str | None = None
    server_name: str | None = None


@dataclass(frozen=True)
class ConnectionSettings:
    """The connection keys of the ``temporal`` section (same names and defaults as ``TemporalSettings``)."""

    enabled: bool = True
    url: str = DEFAULT_ADDRESS
    namespace: str = "default"
    api_key: str | None = None
    connect_timeout_seconds: float = 0.0
    tls: TLSOptions = field(default_factory=TLSOptions)


_TRUE = {"1", "true", "t", "yes", "y", "on"}
_FALSE = {"0", "false", "f", "no", "n", "off"}


def _bool(value: Any, key: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ConfigError(f"invalid configuration: {key}: {value!r} is not a boolean")


def _text(value: Any, key: str, *, optional: bool) -> str | None:
    if value is None and optional:
        return None
    if isinstance(value, str):
        return value
    raise ConfigError(f"invalid configuration: {key}: {value!r} is not a string")


def _seconds(value: Any, key: str) -> float:
    try:
        if isinstance(value, bool):
            raise ValueError
        seconds = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"invalid configuration: {key}: {value!r} is not a number") from None
    if seconds < 0:
        raise ConfigError(f"invalid configuration: {key}: {value!r} is negative")
    return seconds


def _section(tree: Mapping[str, Any], key: str, name: str) -> Mapping[str, Any]:
    found = tree.get(key)
    if found is None:
        return {}
    if not isinstance(found, Mapping):
        raise ConfigError(f"invalid configuration: {name}: must be a mapping")
    return found


def connection_settings(tree: Mapping[str, Any]) -> ConnectionSettings:
    """The connection keys of a settings tree (:func:`tdsl.server.config_sources.settings_tree`), checked as
    the settings model checks them; the other keys are left to the commands that use them."""
    temporal = _section(tree, "temporal", "temporal")
    tls = _section(temporal, "tls", "temporal.tls")
    default = ConnectionSettings()

    def text(key: str, fallback: str | None, *, optional: bool = False) -> Any:
        value = temporal.get(key, fallback)
        return _text(value, f"temporal.{key}", optional=optional)

    def tls_text(key: str) -> str | None:
        return _text(tls.get(key), f"temporal.tls.{key}", optional=True)

    return ConnectionSettings(
        enabled=_bool(temporal.get("enabled", True), "temporal.enabled"),
        url=text("url", default.url),
        namespace=text("namespace", default.namespace),
        api_key=text("api_key", None, optional=True),
        connect_timeout_seconds=_seconds(temporal.get("connect_timeout_seconds", 0.0),
                                         "temporal.connect_timeout_seconds"),
        tls=TLSOptions(
            enabled=_bool(tls.get("enabled", False), "temporal.tls.enabled"),
            server_root_ca_cert=tls_text("server_root_ca_cert"),
            client_cert=tls_text("client_cert"),
            client_key=tls_text("client_key"),
            server_name=tls_text("server_name"),
        ),
    )


def _read(key: str, path: str | None) -> bytes | None:
    if not path:
        return None
    file = Path(path).expanduser()
    try:
        return file.read_bytes()
    except OSError as err:
        raise ConfigError(f"temporal.tls.{key}: cannot read {file}: {err.strerror}") from None


def tls_config(settings: _Connection) -> TLSConfig | bool:
    """TLS options for the client: ``False`` (plain), ``True`` (system roots) or a :class:`TLSConfig`."""
    tls = settings.tls
    if not tls.enabled and not (tls.client_cert or tls.client_key or tls.server_root_ca_cert):
        # Temporal Cloud API keys require TLS.
        return bool(settings.api_key)
    if bool(tls.client_cert) != bool(tls.client_key):
        raise ConfigError("temporal.tls: mTLS needs both client_cert and client_key")
    return TLSConfig(
        server_root_ca_cert=_read("server_root_ca_cert", tls.server_root_ca_cert),
        client_cert=_read("client_cert", tls.client_cert),
        client_private_key=_read("client_key", tls.client_key),
        domain=tls.server_name,
    )


async def check_namespace(client: Client) -> None:
    """:class:`EngineNotReady` saying "namespace 'x' not found" when the client's namespace does not exist
    (otherwise every later call would report a missing run, or a worker would die some time after start).
    Other answers (a key that may not describe namespaces, for one) are left to the calls that follow."""
    from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
    from temporalio.service import RPCError, RPCStatusCode

    from .errors import EngineNotReady

    try:
        await client.workflow_service.describe_namespace(
            DescribeNamespaceRequest(namespace=client.namespace), timeout=timedelta(seconds=10)
        )
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            target = client.service_client.config.target_host
            raise EngineNotReady(f"namespace {client.namespace!r} not found at {target}") from None


async def connect(settings: _Connection) -> Client:
    """A client for ``settings.url`` / ``settings.namespace``, retrying for ``connect_timeout_seconds``;
    :class:`EngineNotReady` when unreachable or when the namespace does not exist."""
    from .errors import EngineNotReady

    tls = tls_config(settings)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + settings.connect_timeout_seconds
    while True:
        try:
            client = await Client.connect(
                settings.url,
                namespace=settings.namespace,
                api_key=settings.api_key,
                tls=tls,
            )
            break
        except RuntimeError as err:
            said, permanent = explain(str(err), settings)
            if permanent or loop.time() >= deadline:
                raise EngineNotReady(f"cannot connect to Temporal at {settings.url}: {said}") from None
        # A server that is starting refuses connections, then answers "not healthy yet" for a moment.
        await asyncio.sleep(0.2)
    await check_namespace(client)
    return client
