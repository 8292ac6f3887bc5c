"""Linter throughput: our full lint against schema-only ``check-jsonschema`` on the same files.

    /work/venv/bin/python bench/lint_bench.py [--definitions 1000] [--steps 30] [--rounds 3]

Generates definitions of about ``--steps`` steps each (every step kind, nested lists, expressions that refer
to earlier steps, variables, signals, compensations; all lint-clean) into a temporary folder, then times,
in the same run and on the same files:

* ``lint``: :func:`tdsl.dsl_schema.lint.lint_paths` in-process (read, YAML with positions, JSON Schema,
models, every semantic check), expression caches cleared before each round;
* ``tdsl lint``: the command line, as a user runs it (process start and imports included);
* ``check-jsonschema --schemafile dsl_schema/workflow.schema.json <files>``: schema-only validation.

Each figure is the best of ``--rounds`` rounds. The goal: the full lint takes at most 1.5 times as long as
check-jsonschema.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tdsl.activities import ActivityRegistry, load_modules  # noqa: E402
from tdsl.dsl_schema.lint import lint_paths  # noqa: E402
from tdsl.dsl_schema.lint.exprs import analyze  # noqa: E402
from tdsl.dsl_schema.lint.outline import outline  # noqa: E402
from tdsl.dsl_schema.validate import SCHEMA_FILE  # noqa: E402

SCHEMA_PATH = ROOT / "dsl_schema" / SCHEMA_FILE
BIN = Path(sys.executable).parent


class Generator:
    """Builds one lint-clean definition of about ``size`` steps as YAML text."""

    def __init__(self, rng: random.Random, number: int, size: int) -> None:
        self.rng = rng
        self.number = number
        self.size = size
        self.count = 0
        self.ids: list[str] = []

    def new_id(self) -> str:
        self.count += 1
        return f"s{self.number}_{self.count}"

    def ref(self) -> str:
        """An expression reading input or an earlier step."""
        if self.ids and self.rng.random() < 0.6:
            return f"{{{{ steps.{self.rng.choice(self.ids)}.transaction_id | default('none') }}}}"
        return f"{{{{ input.user_{self.rng.randrange(50)} }}}}"

    def activity(self, visible: bool = True) -> dict[str, Any]:
        step_id = self.new_id()
        kind = self.rng.randrange(4)
        step: dict[str, Any]
        if kind == 0:
            step = {"id": step_id, "activity": "charge_payment",
                    "args": [self.ref(), self.rng.randrange(1, 500)],
                    "timeout": f"{self.rng.randrange(5, 90)}s",
                    "retry": {"maximum_attempts": 3, "initial_interval": "1s", "maximum_interval": "30s"},
                    "compensate": {"activity": "refund_payment",
                                   "args": [f"{{{{ steps.{step_id}.transaction_id }}}}"]}}
        elif kind == 1:
            step = {"id": step_id, "activity": "send_email",
                    "args": ["{{ input.email }}", f"Subject {step_id}",
                             f"Hello {{{{ input.name }}}}, step {step_id}: {self.ref()}"],
                    "timeout": "10s", "compensate": {"activity": "send_email",
                                                     "args": ["{{ input.email }}", "Sorry", "{{ result }}"]}}
        elif kind == 2:
            step = {"id": step_id, "activity": "reserve_inventory", "args": ["{{ input.items }}"],
                    "heartbeat": "2s", "compensate": {"activity": "release_inventory",
                                                      "args": [f"{{{{ steps.{step_id}.reservation_id }}}}"]}}
        else:
            step = {"id": step_id, "activity": "reserve_hotel", "kwargs": {"hotel_id": self.ref()},
                    "compensate": {"activity": "cancel_hotel", "args": ["{{ result.reservation_id }}"]}}
        if self.rng.random() < 0.2:
            step["if"] = f"{{{{ input.total > {self.rng.randrange(100)} }}}}"
        if visible:
            self.ids.append(step_id)
        return step

    def assign(self) -> dict[str, Any]:
        name = f"v{self.count % 5}"
        return {"id": self.new_id(), "set": {name: f"{{{{ (vars.{name} | default(0)) + 1 }}}}",
                                             "last": self.ref()}}

    def nested(self) -> dict[str, Any]:
        choice = self.rng.randrange(6)
        if choice == 0:
            return {"id": self.new_id(), "switch": {
                "cases": [{"if": "{{ input.total > 100 }}", "steps": [self.activity(), self.assign()]}],
                "default": [self.assign()]}}
        if choice == 1:
            return {"id": self.new_id(), "parallel": {"branches": {
                "left": [self.activity()], "right": [self.activity(), self.assign()]}}}
        if choice == 2:
            return {"id": self.new_id(), "foreach": {
                "items": "{{ input.items }}", "concurrency": 4,
                "steps": [{"id": self.new_id(), "set": {"seen": "{{ item.sku }} at {{ index }}"}}],
                "result": "{{ item.quantity }}"}}
        if choice == 3:
            return {"id": self.new_id(), "try": [self.activity()],
                    "catch": [{"errors": ["PaymentDeclined"],
                               "steps": [{"set": {"error": "{{ error.message }}"}}]}],
                    "finally": [self.assign()]}
        if choice == 4:
            return self.decision()
        return {"id": self.new_id(), "while": {
            "condition": "{{ loop.index < 3 and vars.v0 is defined }}", "max_iterations": 10,
            "steps": [self.assign(), {"wait": "1s"}]}}

    def decision(self) -> dict[str, Any]:
        return {"id": self.new_id(), "wait_for": {
                "signals": {"approve": [{"set": {"approved_by": "{{ signal.payload }}"}}],
                            "reject": [{"return": {"status": "rejected", "reason": "{{ signal.payload }}"}}]},
                "timeout": "{{ input.timeout | default('1h') }}",
                "on_timeout": [{"set": {"approved_by": None}}]}}

    def definition(self) -> dict[str, Any]:
        steps: list[dict[str, Any]] = [{"set": {f"v{i}": i for i in range(5)}}]
        final = self.decision()
        # Add steps until the definition holds about ``size`` steps, nested ones included.
        while len(outline({"steps": [*steps, final]}).steps) < self.size:
            roll = self.rng.random()
            steps.append(self.activity() if roll < 0.5 else self.assign() if roll < 0.7 else self.nested())
        steps.append(final)
        return {
            "name": f"bench_{self.number}",
            "version": 1,
            "id": f"bench-{self.number}-{{{{ input.order_id }}}}",
            "input": {"type": "object", "required": ["order_id", "email", "items", "total"],
                      "properties": {"order_id": {"type": "string"}, "email": {"type": "string"},
                                     "items": {"type": "array"}, "total": {"type": "number"}}},
            "defaults": {"timeout": "30s", "retry": {"maximum_attempts": 3, "initial_interval": "1s"}},
            "vars": {"approved_by": None, "last": None},
            "signals": {"approve": {"schema": {"type": ["string", "null"]}},
                        "reject": {"schema": {"type": "string"}}},
            "queries": {"approved_by": {"value": "{{ vars.approved_by }}"}},
            "steps": steps,
            "output": {"status": "done", "last": "{{ vars.last }}", "approved_by": "{{ vars.approved_by }}"},
            "failure_output": {"status": "failed", "error": "{{ error.message }}",
                               "undone": "{{ compensations | length }}"},
        }


def to_yaml(value: Any, indent: int = 0) -> str:
    """Block-style YAML (scalars as JSON, which YAML reads), as people write definitions."""
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            return "{}"
        lines = []
        for key, item in value.items():
            if isinstance(item, dict | list) and item:
                lines.append(f"{pad}{key}:\n{to_yaml(item, indent + 2)}")
            else:
                lines.append(f"{pad}{key}: {to_yaml(item, indent + 2)}")
        return "\n".join(lines)
    if isinstance(value, list):
        if not value:
            return "[]"
        lines = []
        for item in value:
            text = to_yaml(item, indent + 2)
            nested = isinstance(item, dict | list) and item
            lines.append(f"{pad}- {text.lstrip()}" if nested else f"{pad}- {text}")
        return "\n".join(lines)
    return json.dumps(value)


def generate(folder: Path, count: int, size: int, seed: int = 7) -> tuple[list[Path], int]:
    """Write ``count`` definitions; return the files and how many steps they hold in all."""
    rng = random.Random(seed)
    files = []
    steps = 0
    for number in range(count):
        definition = Generator(rng, number, size).definition()
        steps += len(outline(definition).steps)
        text = "# yaml-language-server: $schema=../dsl_schema/workflow.schema.json\n"
        text += to_yaml(definition) + "\n"
        path = folder / f"bench_{number:04d}.yaml"
        path.write_text(text, encoding="utf-8")
        files.append(path)
    return files, steps


def best(rounds: int, run: Any) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--definitions", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="lint-bench-"))
    try:
        files, steps = generate(folder, args.definitions, args.steps)
        registry = load_modules(["tdsl.activities.examples"], into=ActivityRegistry())
        first = lint_paths([folder], registry)
        assert not first.diagnostics, [d.format() for d in first.diagnostics[:5]]

        def ours() -> None:
            analyze.cache_clear()
            report = lint_paths([folder], registry)
            assert not report.errors

        def cli() -> None:
            done = subprocess.run([str(BIN / "tdsl"), "lint", str(folder)], capture_output=True, text=True,
                                  cwd=ROOT, check=False)
            assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]

        def schema_only() -> None:
            done = subprocess.run([str(BIN / "check-jsonschema"), "--schemafile", str(SCHEMA_PATH),
                                   *map(str, files)], capture_output=True, text=True, check=False)
            assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]

        timings = {
            "lint (in-process)": best(args.rounds, ours),
            "tdsl lint (command)": best(args.rounds, cli),
            "check-jsonschema (schema only)": best(args.rounds, schema_only),
        }
        reference = timings["check-jsonschema (schema only)"]
        print(f"{len(files)} definitions, {steps / len(files):.1f} steps each on average (nested included), "
              f"best of {args.rounds} rounds")
        print(f"| {'run':32} | {'seconds':>8} | {'definitions/s':>13} | {'time / check-jsonschema':>23} |")
        print(f"|{'-' * 34}|{'-' * 9}:|{'-' * 14}:|{'-' * 24}:|")
        for name, seconds in timings.items():
            rate = len(files) / seconds
            print(f"| {name:32} | {seconds:8.2f} | {rate:13.1f} | {seconds / reference:22.2f}x |")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
