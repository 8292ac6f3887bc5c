"""Connect to Temporal as the settings say (plain, TLS, mTLS, API key)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from temporalio.client import Client
from temporalio.service import TLSConfig

from .config import ConfigError, TemporalSettings
from .errors import EngineNotReady

__all__ = ["connect", "tls_config"]


def _read(key: str, path: str | None) -> bytes | None:
    if not path:
        return None
    file = Path(path).expanduser()
    try:
        return file.read_bytes()
    except OSError as err:
        raise ConfigError(f"temporal.tls.{key}: cannot read {file}: {err.strerror}") from None


def tls_config(settings: TemporalSettings) -> TLSConfig | bool:
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


async def connect(settings: TemporalSettings) -> Client:
    """A client for ``settings.url`` / ``settings.namespace``, retrying for ``connect_timeout_seconds``;
    :class:`EngineNotReady` when unreachable."""
    tls = tls_config(settings)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + settings.connect_timeout_seconds
    while True:
        try:
            return await Client.connect(
                settings.url,
                namespace=settings.namespace,
                api_key=settings.api_key,
                tls=tls,
            )
        except RuntimeError as err:
            if loop.time() >= deadline:
                raise EngineNotReady(f"cannot connect to Temporal at {settings.url}: {err}") from None
        # A server that is starting refuses connections, then answers "not healthy yet" for a moment.
        await asyncio.sleep(0.2)
