"""Running ``tdsl`` in a subprocess from tests."""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TDSL = str(Path(sys.executable).parent / "tdsl")


@dataclass
class Done:
    code: int
    out: str
    err: str


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TDSL_", "TEMPORAL_"))}
    env["PYTHONPATH"] = str(ROOT)
    return env


async def tdsl(*args: str, timeout: float = 60.0) -> Done:
    """Run ``tdsl ARGS`` to completion."""
    process = await asyncio.create_subprocess_exec(
        TDSL,
        *args,
        cwd=ROOT,
        env=environment(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        stdin=asyncio.subprocess.DEVNULL,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout)
    assert process.returncode is not None
    return Done(process.returncode, out.decode(), err.decode())
