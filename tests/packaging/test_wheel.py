"""The built wheel installs one namespace, ``tdsl``, and an app with its own ``activities.py`` and
``server.py`` works beside it.

The wheel is built from this checkout and unpacked into a fresh folder; the app runs in a Python started
without ``site`` so the editable install of the checkout is out of sight: only the wheel's ``tdsl`` and the
third-party libraries (from this environment's site-packages) are importable, as in a user's environment.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import uuid
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOT_SOURCE = (".git", ".venv", ".state", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypo*")

DEFINITION = """\
name: shouting
input:
  type: object
  required: [text]
  properties: {text: {type: string}}
steps:
  - id: loud
    activity: shout
    args: ["{{ input.text }}"]
output:
  text: "{{ steps.loud }}"
"""

APP_ACTIVITIES = '''\
"""The app's own activities module (same name as the package's registry, which must not matter)."""


def shout(text: str) -> str:
    return text.upper() + "!"
'''

APP_SERVER = '''\
"""The app's own server module."""

import activities
from tdsl import TemporalEngine


def build(address: str, task_queue: str, definitions: str) -> TemporalEngine:
    engine = TemporalEngine(url=address, task_queue=task_queue, definitions=definitions, activity_modules=[])
    engine.activities.register(activities.shout)
    return engine
'''

APP_MAIN = '''\
import asyncio, json, os, sys

import activities
import server
import tdsl


async def main() -> None:
    engine = server.build(sys.argv[1], sys.argv[2], sys.argv[3])
    await engine.start()
    try:
        result = await engine.workflows.execute("shouting", {"text": "hello"}, timeout_seconds=60)
    finally:
        await engine.stop()
    print(json.dumps({
        "result": result,
        "tdsl": tdsl.__file__,
        "activities": activities.__file__,
        "server": server.__file__,
        "top_level": sorted(m for m in ("interpreter", "dsl_schema") if m in sys.modules),
    }))
    sys.stdout.flush()
    os._exit(0)


asyncio.run(main())
'''


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # Built from a clean copy: an in-tree build leaves build/ behind, whose stale files a later build packs.
    source = tmp_path_factory.mktemp("source") / "temporal-dsl"
    shutil.copytree(ROOT, source, symlinks=True, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("temporal_dsl-*.whl")
    return built


def test_the_wheel_holds_one_namespace(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top_level = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert top_level == {"tdsl"}
    assert "tdsl/dsl_schema/workflow.schema.json" in names
    assert "tdsl/server/engine.py" in names and "tdsl/interpreter/workflow.py" in names
    assert {"tdsl/server/ui/static/index.html", "tdsl/server/ui/static/app.js"} <= set(names)  # the inspector


async def test_an_app_with_its_own_activities_and_server_modules(
    wheel: Path, tmp_path: Path, temporal_address: str
) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    app = tmp_path / "app"
    (app / "definitions").mkdir(parents=True)
    (app / "definitions" / "shouting.yaml").write_text(DEFINITION)
    (app / "activities.py").write_text(APP_ACTIVITIES)
    (app / "server.py").write_text(APP_SERVER)
    # -S: no site processing, so the checkout's editable install is not on the path; the wheel and the
    # third-party libraries are added by hand after the app's own folder.
    bootstrap = textwrap.dedent(
        f"""
        import sys, runpy
        sys.path[:] = [{str(app)!r}, {str(site)!r}, *sys.path[1:], {sysconfig.get_paths()["purelib"]!r}]
        sys.argv = sys.argv[1:]
        runpy.run_path({str(app / "main.py")!r}, run_name="__main__")
        """
    )
    (app / "main.py").write_text(APP_MAIN)
    task_queue = f"tq-{uuid.uuid4().hex[:12]}"
    definitions = str(app / "definitions")
    done = subprocess.run(
        [sys.executable, "-S", "-c", bootstrap, "main.py", temporal_address, task_queue, definitions],
        cwd=app,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["result"] == {"text": "HELLO!"}
    assert report["tdsl"].startswith(str(site))
    assert report["activities"] == str(app / "activities.py")
    assert report["server"] == str(app / "server.py")
    assert report["top_level"] == []
