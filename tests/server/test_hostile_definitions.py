"""A definitions folder holding hostile files: the engine starts, serves the other definitions and names each
refused file; a run whose expression passes an evaluation bound fails with ``DefinitionError``."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest
from temporalio.client import Client

from tdsl.server.engine import TemporalEngine
from tdsl.server.errors import RunDidNotComplete
from tdsl.server.http.app import create_app
from tests.server.helpers import make_settings

GROW = """
name: grow_text
steps:
  - id: grow
    set: {text: "{{ 'a' * input.n }}"}
output: "{{ vars.text | length }}"
"""


def _hostile_folder(root: Path) -> Path:
    folder = root / "definitions"
    folder.mkdir()
    (folder / "grow.yaml").write_text(GROW, encoding="utf-8")
    bomb = ['a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    bomb += [f"a{n}: &a{n} [{','.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 9)]
    (folder / "bomb.yaml").write_text("\n".join(bomb) + "\nname: bomb\nsteps: [{set: {x: 1}}]\n",
                                      encoding="utf-8")
    parens = "(" * 70 + "1" + ")" * 70
    (folder / "parens.yaml").write_text(f'name: parens\nsteps:\n  - set: {{x: "{{{{ {parens} }}}}"}}\n',
                                        encoding="utf-8")
    (root / "secret.yaml").write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    (folder / "link.yaml").symlink_to(root / "secret.yaml")
    return folder


@pytest.mark.usefixtures("temporal_address")
async def test_hostile_files_are_refused_and_the_others_served(client: Client, tmp_path: Path) -> None:
    folder = _hostile_folder(tmp_path)
    settings = make_settings(f"hostile-{uuid.uuid4().hex[:10]}", definitions=folder)
    engine = TemporalEngine(settings=settings, client=client)
    await engine.start()
    try:
        transport = httpx.ASGITransport(app=create_app(engine))
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
            body = (await http.get("/definitions")).json()
        assert [d["name"] for d in body["definitions"]] == ["grow_text"]
        refused = {Path(i["file"]).name: i["errors"][0].split(": ", 2)[1][:4] for i in body["invalid"]}
        assert refused == {"bomb.yaml": "E003", "link.yaml": "E005", "parens.yaml": "E120"}
        assert "root:" not in str(body)
        runs = engine.require_runs()
        small = await runs.start("grow_text", {"n": 3})
        assert await runs.result(small.workflow_id, timeout=60) == 3
        huge = await runs.start("grow_text", {"n": 10**10})
        with pytest.raises(RunDidNotComplete) as failed:
            await runs.result(huge.workflow_id, timeout=60)
        assert failed.value.error is not None
        assert failed.value.error["type"] == "DefinitionError"
        assert failed.value.error["step"] == "grow"
    finally:
        await engine.stop()
