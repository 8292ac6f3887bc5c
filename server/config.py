"""Settings: one object for the CLI, the worker, the HTTP service and ``TemporalEngine``.

Sources, lowest to highest precedence: defaults, ``config.yaml`` (the seed's keys under ``temporal:``),
environment variables, explicit overrides (command-line flags, constructor arguments).

Environment variables: ``TDSL_CONFIG`` (the file), ``TEMPORAL_ADDRESS``, ``TEMPORAL_NAMESPACE``,
``TEMPORAL_TASK_QUEUE``, ``TEMPORAL_API_KEY``, ``TEMPORAL_TLS`` (``true``), ``TEMPORAL_TLS_CA``,
``TEMPORAL_TLS_CERT``, ``TEMPORAL_TLS_KEY``, ``TEMPORAL_TLS_SERVER_NAME``, ``TDSL_DEFINITIONS``,
``TDSL_ACTIVITY_MODULES`` (comma-separated), ``TDSL_API_TOKENS`` or ``TDSL_HTTP_TOKENS`` (comma-separated),
and any key as ``TDSL_<SECTION>__<KEY>[__<KEY>]`` (for example ``TDSL_HTTP__PORT=8080``,
``TDSL_TEMPORAL__WORKER__MAX_CONCURRENT_ACTIVITIES=50``; ``worker`` and ``tls`` may omit the ``TEMPORAL__``).
List values are comma-separated. ``config.example.yaml`` shows every key.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .config_sources import DEFAULT_ADDRESS, ConfigError, settings_tree

__all__ = [
    "DEFAULT_ADDRESS",
    "ConfigError",
    "DevSettings",
    "HTTPSettings",
    "Settings",
    "TLSSettings",
    "TemporalSettings",
    "WorkerSettings",
    "load_settings",
]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TLSSettings(_Section):
    """TLS/mTLS towards the Temporal frontend (Temporal Cloud or a secured cluster)."""

    enabled: bool = False
    server_root_ca_cert: str | None = None  # file path
    client_cert: str | None = None  # file path (mTLS)
    client_key: str | None = None  # file path (mTLS)
    server_name: str | None = None


class WorkerSettings(_Section):
    """The worker the engine runs in-process (the seed's ``temporal.worker`` keys plus a few more)."""

    enabled: bool = True
    activities_per_second: float | None = None
    max_concurrent_activities: int = Field(default=100, ge=1)
    max_concurrent_workflows: int = Field(default=100, ge=1)
    max_cached_workflows: int = Field(default=1000, ge=0)
    graceful_shutdown_seconds: float = Field(default=5.0, ge=0)


class TemporalSettings(_Section):
    """The seed's ``temporal:`` section, plus API key and TLS/mTLS for real clusters and Temporal Cloud."""

    enabled: bool = True
    url: str = DEFAULT_ADDRESS
    namespace: str = "default"
    task_queue: str = "default"
    api_key: str | None = None
    # Keep trying to connect this long at start (a server starting alongside the application).
    connect_timeout_seconds: float = Field(default=0.0, ge=0)
    tls: TLSSettings = Field(default_factory=TLSSettings)
    worker: WorkerSettings = Field(default_factory=WorkerSettings)


class HTTPSettings(_Section):
    """The HTTP service (``tdsl serve``, ``tdsl dev``)."""

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    # Bearer tokens; when any is set every endpoint but /health requires ``Authorization: Bearer <token>``.
    tokens: list[str] = Field(default_factory=list)
    # Larger request bodies are refused with 413 before they are read.
    max_body_bytes: int = Field(default=1_000_000, ge=1)
    # Upper bound of the ``wait``/``timeout`` a request may ask for (seconds).
    max_wait_seconds: float = Field(default=300.0, gt=0)
    # Host names requests may address (the ``Host`` header; DNS rebinding). Empty: the loopback names
    # (localhost, 127.0.0.1, ::1) plus ``host``. ``*`` allows any (only behind a proxy that checks it).
    allowed_hosts: list[str] = Field(default_factory=list)
    # Origins (``https://app.example.com``) whose pages may send state-changing requests besides the
    # service's own origin. ``*`` allows any (not recommended). See docs/SECURITY.md.
    allowed_origins: list[str] = Field(default_factory=list)


class DevSettings(_Section):
    """``tdsl dev``: the embedded dev server (the HTTP API listens on ``http.host``/``http.port``)."""

    state_dir: str = ".state"
    port: int = 7233
    ui_port: int = 8233
    http: bool = True


class Settings(_Section):
    """All settings. Build with :func:`load_settings`."""

    temporal: TemporalSettings = Field(default_factory=TemporalSettings)
    definitions: str = "definitions"
    activity_modules: list[str] = Field(default_factory=lambda: ["tdsl.activities.examples"])
    http: HTTPSettings = Field(default_factory=HTTPSettings)
    dev: DevSettings = Field(default_factory=DevSettings)


def load_settings(
    config_file: str | Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Build :class:`Settings` from ``config_file`` (default ``$TDSL_CONFIG`` or ``./config.yaml`` when it
    exists), the environment and ``overrides`` (a nested mapping; ``None`` values are ignored)."""
    tree = settings_tree(config_file, overrides, environ)
    try:
        return Settings.model_validate(tree)
    except ValidationError as err:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors())
        raise ConfigError(f"invalid configuration: {problems}") from None
