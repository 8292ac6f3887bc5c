"""``engine.activities.register`` (sync and async) and ``engine.workers.register_workflow``: code-defined
workflows and YAML definitions run in the same worker and share the engine's activities."""

from __future__ import annotations

import asyncio
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
from temporalio.client import Client

from tdsl.server.devserver import DevServer
from tdsl.server.engine import TemporalEngine
from tests.engine.registered import AnyName, Impostor, Megaphone, Plain, shout, whisper
from tests.server.cli import ROOT, environment
from tests.server.helpers import make_settings

MEGAPHONE_YAML = """
name: megaphone_yaml
input: {type: string}
steps:
  - id: loud
    activity: shout
    args: ["{{ input }}"]
    timeout: 10s
  - id: soft
    activity: whisper
    args: ["{{ input }}"]
    timeout: 10s
  - id: mail
    activity: send_email
    args: ["ops@example.com", "said", "{{ input }}"]
    timeout: 10s
output: {loud: "{{ steps.loud }}", soft: "{{ steps.soft }}", mail: "{{ steps.mail }}"}
"""


async def test_code_and_yaml_workflows_share_registered_activities(client: Client, tmp_path: Path) -> None:
    (tmp_path / "megaphone.yaml").write_text(MEGAPHONE_YAML)
    engine = TemporalEngine(
        settings=make_settings(f"reg-{uuid.uuid4().hex[:8]}", definitions=tmp_path), client=client
    )
    assert engine.activities.register(shout) is shout  # returned unchanged
    engine.activities.register(whisper)

    @engine.activities.register(name="send_email")
    async def queue_email(to: str, subject: str, body: str) -> str:
        return f"queued for {to}: {body}"

    assert engine.workers.register_workflow(Megaphone) is Megaphone
    async with engine:
        code = await engine.workflows.execute("Megaphone", args="Hello", timeout_seconds=30)
        yaml = await engine.workflows.execute("megaphone_yaml", args="Hello", timeout_seconds=30)
    assert code == {"loud": "HELLO!", "soft": "hello..."}
    # The engine's own send_email wins over the example module's activity of that name.
    assert yaml == {"loud": "HELLO!", "soft": "hello...", "mail": "queued for ops@example.com: Hello"}
    assert shout("still callable") == "STILL CALLABLE!"


def test_register_workflow_refuses_what_cannot_run() -> None:
    engine = TemporalEngine(settings=make_settings("unused"))
    with pytest.raises(TypeError) as plain:
        engine.workers.register_workflow(Plain)
    assert str(plain.value) == (
        "Plain is not a @workflow.defn class; decorate it with @workflow.defn below "
        "@engine.workers.register_workflow"
    )
    with pytest.raises(TypeError) as dynamic:
        engine.workers.register_workflow(AnyName)
    assert str(dynamic.value) == (
        "AnyName is a dynamic workflow; only named workflows can be registered beside the DSL workflow"
    )
    engine.workers.register_workflow(Megaphone)
    engine.workers.register_workflow(Megaphone)  # the same class again is fine
    with pytest.raises(ValueError) as twice:
        engine.workers.register_workflow(Impostor)
    assert str(twice.value) == (
        "a workflow named 'Megaphone' is already registered (tests.engine.registered.Megaphone)"
    )


SCRIPT = """
import asyncio, os, sys
from datetime import timedelta
from pathlib import Path

from temporalio import workflow

from tdsl.server.engine import TemporalEngine

Path(".").exists()  # module-level code the workflow sandbox would refuse: the script is passed through
engine = TemporalEngine(address=sys.argv[1], task_queue=sys.argv[2], definitions=sys.argv[3])


@engine.activities.register
def double(n: int) -> int:
    return n * 2


@engine.workers.register_workflow
@workflow.defn
class Doubler:
    @workflow.run
    async def run(self, n: int) -> int:
        return await workflow.execute_activity(double, args=[n], start_to_close_timeout=timedelta(seconds=10))


async def main() -> None:
    async with engine:
        print(await engine.workflows.execute("Doubler", args=21, timeout_seconds=30), flush=True)
    os._exit(0)


if __name__ == "__main__":
    asyncio.run(main())
"""


async def test_workflows_defined_in_the_main_script(temporal_address: str, tmp_path: Path) -> None:
    script = tmp_path / "app.py"
    script.write_text(textwrap.dedent(SCRIPT))
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(script),
        temporal_address,
        f"main-{uuid.uuid4().hex[:8]}",
        str(tmp_path),
        cwd=ROOT,
        env=environment(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert (process.returncode, out.decode()) == (0, "42\n"), err.decode()


async def test_health_reports_a_server_that_went_away() -> None:
    server = DevServer().start()
    try:
        settings = make_settings(f"gone-{uuid.uuid4().hex[:8]}")
        settings.temporal.url = server.address
        settings.temporal.connect_timeout_seconds = 20  # the fresh server's frontend needs a moment
        engine = TemporalEngine(settings=settings)
        await engine.start()
        assert (await engine.check_health())["server"]["reachable"] is True
        assert engine.is_ready
    finally:
        server.stop()
    health = await engine.check_health(timeout=1)
    assert health["server"]["reachable"] is False
    assert health["server"]["error"]
    assert not engine.is_ready
    assert engine.health_check() == health  # the plain call reports what the last probe found
    await engine.stop()
