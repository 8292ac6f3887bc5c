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

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

DEFAULT_ADDRESS = "localhost:7233"


class ConfigError(ValueError):
    """The configuration is invalid; the message says which key and why."""


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


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


_ENV_KEYS: dict[str, tuple[str, ...]] = {
    "TEMPORAL_ADDRESS": ("temporal", "url"),
    "TEMPORAL_NAMESPACE": ("temporal", "namespace"),
    "TEMPORAL_TASK_QUEUE": ("temporal", "task_queue"),
    "TEMPORAL_API_KEY": ("temporal", "api_key"),
    "TEMPORAL_TLS": ("temporal", "tls", "enabled"),
    "TEMPORAL_TLS_CA": ("temporal", "tls", "server_root_ca_cert"),
    "TEMPORAL_TLS_CERT": ("temporal", "tls", "client_cert"),
    "TEMPORAL_TLS_KEY": ("temporal", "tls", "client_key"),
    "TEMPORAL_TLS_SERVER_NAME": ("temporal", "tls", "server_name"),
    "TDSL_DEFINITIONS": ("definitions",),
    "TDSL_ACTIVITY_MODULES": ("activity_modules",),
    "TDSL_API_TOKENS": ("http", "tokens"),
    "TDSL_HTTP_TOKENS": ("http", "tokens"),
}
_LIST_KEYS = {("activity_modules",), ("http", "tokens")}


def _set(tree: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = tree
    for part in path[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[path[-1]] = value


def _env_overrides(environ: Mapping[str, str]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for name, value in environ.items():
        if name in _ENV_KEYS:
            path = _ENV_KEYS[name]
        elif name.startswith("TDSL_") and "__" in name:
            path = tuple(part.lower() for part in name[5:].split("__"))
            if path[0] in ("worker", "tls"):
                path = ("temporal", *path)
        else:
            continue
        _set(tree, path, _split(value) if path in _LIST_KEYS else value)
    return tree


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping):
            merged[key] = _merge(merged[key] if isinstance(merged.get(key), dict) else {}, value)
        elif value is not None:
            merged[key] = value
    return merged


def _read_file(path: Path) -> dict[str, Any]:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML: {err}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the configuration must be a mapping")
    return data


def load_settings(
    config_file: str | Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Build :class:`Settings` from ``config_file`` (default ``$TDSL_CONFIG`` or ``./config.yaml`` when it
    exists), the environment and ``overrides`` (a nested mapping; ``None`` values are ignored)."""
    environ = os.environ if environ is None else environ
    tree: dict[str, Any] = {}
    path = Path(config_file) if config_file else Path(environ.get("TDSL_CONFIG", "config.yaml"))
    if path.exists():
        tree = _read_file(path)
    elif config_file:
        raise ConfigError(f"configuration file {path} does not exist")
    tree = _merge(tree, _env_overrides(environ))
    tree = _merge(tree, overrides or {})
    try:
        return Settings.model_validate(tree)
    except ValidationError as err:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors())
        raise ConfigError(f"invalid configuration: {problems}") from None
