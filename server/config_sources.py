"""Where settings come from, without validating them: ``config.yaml``, the environment and explicit overrides
merged into one plain tree (see :mod:`tdsl.server.config` for the keys and their precedence).

Light on purpose (no pydantic): :func:`tdsl.server.connection.connection_settings` reads the connection keys
from this tree for the CLI verbs that only talk to Temporal.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tdsl.errors import SetupError

__all__ = ["DEFAULT_ADDRESS", "ConfigError", "settings_tree"]

DEFAULT_ADDRESS = "localhost:7233"


class ConfigError(SetupError, ValueError):
    """The configuration is invalid; the message says which key and why."""


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


def settings_tree(
    config_file: str | Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The merged, unvalidated settings: ``config_file`` (default ``$TDSL_CONFIG`` or ``./config.yaml`` if
    it exists), then the environment, then ``overrides`` (a nested mapping; ``None`` values are ignored)."""
    environ = os.environ if environ is None else environ
    tree: dict[str, Any] = {}
    path = Path(config_file) if config_file else Path(environ.get("TDSL_CONFIG", "config.yaml"))
    if path.exists():
        tree = _read_file(path)
    elif config_file:
        raise ConfigError(f"configuration file {path} does not exist")
    tree = _merge(tree, _env_overrides(environ))
    return _merge(tree, overrides or {})
