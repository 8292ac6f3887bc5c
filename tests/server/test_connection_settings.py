"""The light connection settings of the run verbs read the ``temporal`` keys exactly as the settings model."""

from __future__ import annotations

from typing import Any

import pytest

from tdsl.server.config import ConfigError, TemporalSettings, load_settings
from tdsl.server.config_sources import settings_tree
from tdsl.server.connection import ConnectionSettings, connection_settings

KEYS = ("enabled", "url", "namespace", "api_key", "connect_timeout_seconds")
TLS_KEYS = ("enabled", "server_root_ca_cert", "client_cert", "client_key", "server_name")


def same(light: ConnectionSettings, model: TemporalSettings) -> None:
    assert {k: getattr(light, k) for k in KEYS} == {k: getattr(model, k) for k in KEYS}
    assert {k: getattr(light.tls, k) for k in TLS_KEYS} == {k: getattr(model.tls, k) for k in TLS_KEYS}


def test_defaults_are_the_models() -> None:
    same(ConnectionSettings(), TemporalSettings())


@pytest.mark.parametrize(
    "temporal",
    [
        {},
        {"url": "example:7233", "namespace": "ns", "api_key": "k", "connect_timeout_seconds": "2.5"},
        {"enabled": "false", "tls": {"enabled": "true", "server_name": "x", "client_cert": "c"}},
        {"connect_timeout_seconds": 3, "tls": {"enabled": 1}, "task_queue": "q", "worker": {"enabled": 0}},
    ],
)
def test_valid_sections_read_the_same(temporal: dict[str, Any]) -> None:
    same(connection_settings({"temporal": temporal}), TemporalSettings.model_validate(temporal))


@pytest.mark.parametrize(
    "temporal",
    [
        {"url": 7233},
        {"connect_timeout_seconds": -1},
        {"connect_timeout_seconds": "soon"},
        {"enabled": "maybe"},
        {"tls": "on"},
        {"tls": {"client_key": 3}},
    ],
)
def test_invalid_sections_are_refused_by_both(temporal: dict[str, Any]) -> None:
    with pytest.raises(ConfigError):
        connection_settings({"temporal": temporal})
    with pytest.raises(ConfigError):
        load_settings(overrides={"temporal": temporal}, environ={})


def test_file_environment_and_flags_merge_as_for_the_full_settings(tmp_path: Any) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("temporal: {url: 'file:1', namespace: from-file, tls: {server_name: n}}\n")
    environ = {"TEMPORAL_NAMESPACE": "from-env", "TEMPORAL_TLS": "true"}
    overrides = {"temporal": {"url": "flag:2"}}
    light = connection_settings(settings_tree(config, overrides, environ))
    same(light, load_settings(config, overrides, environ).temporal)
    assert (light.url, light.namespace, light.tls.enabled) == ("flag:2", "from-env", True)
