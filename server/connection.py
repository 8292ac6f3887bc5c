"""Connect to Temporal as the settings say (plain, TLS, mTLS, API key)."""

from __future__ import annotations

from pathlib import Path

from temporalio.client import Client
from temporalio.service import TLSConfig

from .config import TemporalSettings


def tls_config(settings: TemporalSettings) -> TLSConfig | bool:
    tls = settings.tls
    if not tls.enabled and not (tls.client_cert or tls.server_root_ca_cert):
        # Temporal Cloud API keys require TLS.
        return bool(settings.api_key)

    def read(path: str | None) -> bytes | None:
        return Path(path).expanduser().read_bytes() if path else None

    return TLSConfig(
        server_root_ca_cert=read(tls.server_root_ca_cert),
        client_cert=read(tls.client_cert),
        client_private_key=read(tls.client_key),
        domain=tls.server_name,
    )


async def connect(settings: TemporalSettings) -> Client:
    """A client for ``settings.url`` / ``settings.namespace``."""
    return await Client.connect(
        settings.url,
        namespace=settings.namespace,
        api_key=settings.api_key,
        tls=tls_config(settings),
    )
