"""mTLS end to end: a TLS terminator that requires client certificates (``tls_proxy.TLSProxy``) in front of
the session dev server, and the engine, ``tdsl worker``, ``tdsl run`` and the HTTP service connecting through
it with the ``temporal.tls`` keys of config.yaml; the API key arrives as the ``authorization`` header. A
missing or foreign client certificate, an untrusted server, and TLS against a plain server each fail with a
sentence naming the key to fix."""

from __future__ import annotations

import asyncio
import json
import signal
import ssl
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import trustme

from tdsl.server.config import load_settings
from tdsl.server.connection import ConnectionSettings, TLSOptions, connect
from tdsl.server.engine import TemporalEngine
from tdsl.server.errors import EngineNotReady
from tdsl.server.http import create_app
from tests.server.cli import ROOT, TDSL, environment, tdsl
from tests.server.tls_proxy import TLSProxy

API_KEY = "test-api-key-0123"
REMINDER = {"user_id": "u-tls", "message": "certificates renewed", "delay": "0s"}


@dataclass
class PKI:
    """Files of a CA, the proxy's server certificate, a client certificate it issued, and a client
    certificate of another CA."""

    ca: str
    client_cert: str
    client_key: str
    foreign_cert: str
    foreign_key: str
    foreign_ca: str
    server_context: ssl.SSLContext


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PKI:
    folder = tmp_path_factory.mktemp("pki")
    ca, other = trustme.CA(), trustme.CA()
    client = ca.issue_cert("worker@example.com")
    foreign = other.issue_cert("intruder@example.com")

    def write(name: str, data: bytes) -> str:
        (folder / name).write_bytes(data)
        return str(folder / name)

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost", "127.0.0.1").configure_cert(context)
    ca.configure_trust(context)
    context.verify_mode = ssl.CERT_REQUIRED  # mTLS: no client certificate, no connection
    context.set_alpn_protocols(["h2"])
    return PKI(
        ca=write("ca.pem", ca.cert_pem.bytes()),
        client_cert=write("client.pem", b"".join(p.bytes() for p in client.cert_chain_pems)),
        client_key=write("client.key", client.private_key_pem.bytes()),
        foreign_cert=write("foreign.pem", b"".join(p.bytes() for p in foreign.cert_chain_pems)),
        foreign_key=write("foreign.key", foreign.private_key_pem.bytes()),
        foreign_ca=write("foreign-ca.pem", other.cert_pem.bytes()),
        server_context=context,
    )


@pytest.fixture(scope="module")
async def proxy(pki: PKI, temporal_address: str) -> AsyncIterator[TLSProxy]:
    proxy = await TLSProxy(pki.server_context, temporal_address).start()
    yield proxy
    await proxy.stop()


def _config(tmp_path: Path, proxy: TLSProxy, pki: PKI, queue: str) -> Path:
    file = tmp_path / "config.yaml"
    file.write_text(json.dumps({  # JSON is YAML
        "temporal": {
            "url": proxy.address,
            "task_queue": queue,
            "api_key": API_KEY,
            "tls": {"enabled": True, "server_root_ca_cert": pki.ca, "client_cert": pki.client_cert,
                    "client_key": pki.client_key, "server_name": "localhost"},
            "worker": {"graceful_shutdown_seconds": 0},
        },
        "definitions": str(ROOT / "definitions"),
    }), encoding="utf-8")
    return file


async def test_worker_run_engine_and_http_service_over_mtls(
    tmp_path: Path, proxy: TLSProxy, pki: PKI
) -> None:
    queue = f"mtls-{uuid.uuid4().hex[:10]}"
    config = _config(tmp_path, proxy, pki, queue)
    seen = len(proxy.headers)
    worker = await asyncio.create_subprocess_exec(
        TDSL, "worker", "--config", str(config), cwd=ROOT, env=environment(),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, stdin=asyncio.subprocess.DEVNULL,
    )
    assert worker.stdout is not None
    try:
        banner = (await asyncio.wait_for(worker.stdout.readline(), 60)).decode()
        assert f"worker on {proxy.address}" in banner and f"task_queue={queue}" in banner, banner

        # tdsl run: through the proxy; the worker process (also through it) runs the run.
        ran = await tdsl("run", "send_reminder", "--input", json.dumps(REMINDER), "--config", str(config))
        assert ran.code == 0, ran.err
        assert json.loads(ran.out)["status"] == "sent"

        # The engine and the HTTP service built on it.
        settings = load_settings(config)
        settings.temporal.worker.enabled = False
        engine = TemporalEngine(settings=settings)
        transport = httpx.ASGITransport(app=create_app(engine))
        await engine.start()
        try:
            health = await engine.check_health()
            assert health["server"]["reachable"] is True and health["address"] == proxy.address
            async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
                answer = await http.post("/definitions/send_reminder/runs",
                                         json={"input": REMINDER, "wait": True, "timeout": 30})
            assert answer.status_code == 201, answer.text
            assert answer.json()["result"]["status"] == "sent"
        finally:
            await engine.stop()
    finally:
        worker.send_signal(signal.SIGTERM)
        rest = (await asyncio.wait_for(worker.stdout.read(), 60)).decode()
        code = await asyncio.wait_for(worker.wait(), 60)
    assert code == 0 and "Traceback" not in rest, rest
    calls = proxy.headers[seen:]
    assert calls, "no gRPC call went through the proxy"
    assert all(call.get("authorization") == f"Bearer {API_KEY}" for call in calls)


def _settings(proxy: TLSProxy, pki: PKI, **tls: str | None) -> ConnectionSettings:
    options = {"server_root_ca_cert": pki.ca, "client_cert": pki.client_cert, "client_key": pki.client_key,
               "server_name": "localhost", **tls}
    return ConnectionSettings(url=proxy.address, tls=TLSOptions(enabled=True, **options))


async def test_connection_mistakes_are_explained(
    tmp_path: Path, proxy: TLSProxy, pki: PKI, temporal_address: str
) -> None:
    mistakes = [
        (_settings(proxy, pki, client_cert=None, client_key=None),
         "it requires a client certificate (mTLS): set temporal.tls.client_cert and temporal.tls.client_key"),
        (_settings(proxy, pki, client_cert=pki.foreign_cert, client_key=pki.foreign_key),
         f"it refused the client certificate {pki.foreign_cert}"),
        (_settings(proxy, pki, server_root_ca_cert=pki.foreign_ca),
         "the server's certificate is not trusted: set temporal.tls.server_root_ca_cert"),
        (ConnectionSettings(url=temporal_address, tls=_settings(proxy, pki).tls),
         f"TLS is on but {temporal_address} does not answer in TLS"),
        (ConnectionSettings(url=proxy.address),
         "the server closed the connection: it may require TLS (temporal.tls.enabled: true"),
    ]
    for settings, message in mistakes:
        with pytest.raises(EngineNotReady, match=r"cannot connect to Temporal at .*: ") as caught:
            await connect(settings)
        assert message in caught.value.message

    # The command line says the same, without a traceback.
    config = _config(tmp_path, proxy, pki, "unused")
    text = json.loads(config.read_text())
    del text["temporal"]["tls"]["client_cert"], text["temporal"]["tls"]["client_key"]
    config.write_text(json.dumps(text), encoding="utf-8")
    ran = await tdsl("run", "send_reminder", "--input", json.dumps(REMINDER), "--config", str(config))
    assert ran.code == 1
    assert "requires a client certificate (mTLS)" in ran.err and "Traceback" not in ran.err
