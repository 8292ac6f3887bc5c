"""``config.yaml`` (the usage guide's keys and ours), environment overrides, and connection settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from tdsl.server.config import ConfigError, Settings, load_settings
from tdsl.server.connection import tls_config
from tdsl.server.engine import TemporalEngine

ROOT = Path(__file__).resolve().parents[2]

SEED_CONFIG = """
temporal:
  enabled: true
  url: "temporal:7233"
  namespace: "default"
  task_queue: "default"
  worker:
    enabled: true
    activities_per_second: 10
    max_concurrent_activities: 100
    max_concurrent_workflows: 100
"""


def test_the_usage_guide_config_loads(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(SEED_CONFIG)
    settings = load_settings(path, environ={})
    assert settings.temporal.url == "temporal:7233"
    assert settings.temporal.worker.activities_per_second == 10
    assert settings.temporal.worker.max_concurrent_workflows == 100
    assert settings.definitions == "definitions"
    assert settings.http.tokens == []


def test_the_example_config_documents_every_key() -> None:
    settings = load_settings(ROOT / "config.example.yaml", environ={})
    assert settings == Settings()  # the example shows the defaults
    text = (ROOT / "config.example.yaml").read_text()

    def keys(model: BaseModel) -> list[str]:
        found = []
        for name in type(model).model_fields:
            value = getattr(model, name)
            found.append(name)
            if isinstance(value, BaseModel):
                found += keys(value)
        return found

    missing = [key for key in keys(settings) if f"{key}:" not in text]
    assert missing == []


def test_environment_overrides_every_key(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(SEED_CONFIG)
    environ = {
        "TEMPORAL_ADDRESS": "cloud.example:7233",
        "TEMPORAL_NAMESPACE": "prod.abc12",
        "TEMPORAL_API_KEY": "key-1",
        "TDSL_TEMPORAL__WORKER__MAX_CONCURRENT_ACTIVITIES": "7",
        "TDSL_WORKER__ENABLED": "false",
        "TDSL_TLS__SERVER_NAME": "frontend.example",
        "TDSL_HTTP__PORT": "9000",
        "TDSL_API_TOKENS": "one, two",
        "TDSL_ACTIVITY_MODULES": "tdsl.activities.examples,my.acts",
        "TDSL_DEFINITIONS": "flows",
        "TDSL_DEV__UI_PORT": "9233",
    }
    settings = load_settings(path, environ=environ)
    assert settings.temporal.url == "cloud.example:7233"
    assert settings.temporal.namespace == "prod.abc12"
    assert settings.temporal.api_key == "key-1"
    assert settings.temporal.worker.max_concurrent_activities == 7
    assert settings.temporal.worker.enabled is False
    assert settings.temporal.worker.activities_per_second == 10  # from the file
    assert settings.temporal.tls.server_name == "frontend.example"
    assert settings.http.port == 9000
    assert settings.http.tokens == ["one", "two"]
    assert settings.activity_modules == ["tdsl.activities.examples", "my.acts"]
    assert settings.definitions == "flows"
    assert settings.dev.ui_port == 9233
    explicit = load_settings(path, environ=environ, overrides={"http": {"port": 1234}})
    assert explicit.http.port == 1234


def test_bad_configuration_is_reported_with_its_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as bad_env:
        load_settings(None, environ={"TDSL_HTTP__PORT": "eighty"})
    assert str(bad_env.value) == (
        "invalid configuration: http.port: Input should be a valid integer, unable to "
        "parse string as an integer"
    )
    with pytest.raises(ConfigError) as unknown:
        load_settings(None, environ={"TDSL_TEMPORAL__URLL": "x"})
    assert str(unknown.value) == "invalid configuration: temporal.urll: unknown key (did you mean 'url'?)"
    with pytest.raises(ConfigError) as missing:
        load_settings(tmp_path / "nope.yaml", environ={})
    assert str(missing.value) == f"configuration file {tmp_path / 'nope.yaml'} does not exist"


def test_tls_and_api_key_settings(tmp_path: Path) -> None:
    plain = load_settings(None, environ={}).temporal
    assert tls_config(plain) is False
    cloud = load_settings(None, environ={"TEMPORAL_API_KEY": "k"}).temporal
    assert tls_config(cloud) is True
    ca, cert, key = (tmp_path / n for n in ("ca.pem", "client.pem", "client.key"))
    for file in (ca, cert, key):
        file.write_bytes(f"-- {file.name} --".encode())
    mtls = load_settings(
        None,
        environ={
            "TEMPORAL_TLS_CA": str(ca),
            "TEMPORAL_TLS_CERT": str(cert),
            "TEMPORAL_TLS_KEY": str(key),
            "TEMPORAL_TLS_SERVER_NAME": "tmprl",
        },
    ).temporal
    config = tls_config(mtls)
    assert not isinstance(config, bool)
    assert (config.server_root_ca_cert, config.client_cert, config.client_private_key, config.domain) == (
        b"-- ca.pem --",
        b"-- client.pem --",
        b"-- client.key --",
        "tmprl",
    )
    half = load_settings(None, environ={"TEMPORAL_TLS_CERT": str(cert)}).temporal
    with pytest.raises(ConfigError) as incomplete:
        tls_config(half)
    assert str(incomplete.value) == "temporal.tls: mTLS needs both client_cert and client_key"
    gone = load_settings(None, environ={"TEMPORAL_TLS_CA": str(tmp_path / "gone.pem")}).temporal
    with pytest.raises(ConfigError) as unreadable:
        tls_config(gone)
    assert str(unreadable.value) == (
        f"temporal.tls.server_root_ca_cert: cannot read {tmp_path / 'gone.pem'}: No such file or directory"
    )


def test_engine_keyword_arguments_override_the_configuration(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no config.yaml here
    monkeypatch.setenv("TEMPORAL_TASK_QUEUE", "from-env")
    monkeypatch.setenv("TEMPORAL_NAMESPACE", "ns-env")
    engine = TemporalEngine(task_queue="explicit", address="h:1", http={"port": 8123})
    assert engine.settings.temporal.task_queue == "explicit"
    assert engine.settings.temporal.url == "h:1"
    assert engine.settings.temporal.namespace == "ns-env"
    assert engine.settings.http.port == 8123
    (tmp_path / "config.yaml").write_text(SEED_CONFIG)
    assert TemporalEngine().settings.temporal.url == "temporal:7233"
