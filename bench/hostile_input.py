"""Hostile definition files against the linter and the expression sandbox: time, peak memory and answer.

    .venv/bin/python bench/hostile_input.py [--only NAME ...] [--timeout 120] [--memory-mb 3000]

Writes each hostile file into a temporary folder and measures, each in its own process (peak RSS from
``resource`` of the finished child, so one case never inflates another):

* ``lint``: :func:`tdsl.dsl_schema.lint.lint_paths` of the file, as ``tdsl lint`` runs it (imports
  included: about 0.5 s and 40 MB of any figure); the answer is the codes reported and the first diagnostic
  (or how the process ended);
* ``eval``: one expression evaluated with :func:`tdsl.dsl_schema.expressions.evaluate`, as a run does; the
  answer is the value's size or the error.

A child is killed after ``--timeout`` seconds and may use at most ``--memory-mb`` of address space, so a
regression shows as ``timeout``/``MemoryError`` rather than taking the machine down. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def alias_bomb() -> str:
    """Nine levels of nine aliases each (356 bytes; 9**9 nodes once expanded)."""
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    for level in range(1, 9):
        refs = ",".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return "\n".join(lines) + "\nname: bomb\nsteps: [{set: {x: 1}}]\n"


def expression_file(expression: str) -> str:
    return f"name: hostile\nsteps:\n  - id: s\n    set:\n      x: \"{{{{ {expression} }}}}\"\n"


def steps_file(count: int) -> str:
    """A lint-clean definition of ``count`` steps, each reading the one before it."""
    lines = ["name: many_steps", "steps:", "  - id: s0", "    set: {x0: \"{{ input.a }}\"}"]
    for index in range(1, count):
        lines += [f"  - id: s{index}", f"    set: {{x{index}: \"{{{{ steps.s{index - 1} }}}}\"}}"]
    return "\n".join(lines) + "\n"


DEEP_PARENS = "(" * 70 + "1" + ")" * 70
SUM_1000 = " + ".join(["1"] * 1000)
ATTRIBUTE_CHAIN = "input" + ".a" * 300_000  # 600 kB

LINT_CASES: dict[str, Callable[[], str]] = {
    "alias bomb (9 levels of 9 aliases)": alias_bomb,
    "70 nested parentheses": lambda: expression_file(DEEP_PARENS),
    "1,000-term sum": lambda: expression_file(SUM_1000),
    "600 kB attribute chain": lambda: expression_file(ATTRIBUTE_CHAIN),
    "`9 ** 999999999`": lambda: expression_file("9 ** 999999999"),
    "`'a' * 10**10`": lambda: expression_file("'a' * 10**10"),
    "1,000 steps": lambda: steps_file(1_000),
    "4,000 steps": lambda: steps_file(4_000),
    "10,000 steps": lambda: steps_file(10_000),
}

EVAL_CASES: dict[str, str] = {
    "`9 ** 999999999`": "{{ 9 ** 999999999 }}",
    "`'a' * 10**10`": "{{ 'a' * 10**10 }}",
    "600-term sum": "{{ " + " + ".join(["1"] * 600) + " }}",
    "`range(10**9) | list`": "{{ range(10**9) | list }}",
}

LINT_CHILD = """
import sys
from tdsl.dsl_schema.lint import lint_paths
report = lint_paths([sys.argv[1]])
codes = sorted({d.code for d in report.diagnostics})
first = report.diagnostics[0].format() if report.diagnostics else ""
print(" ".join(codes) or "clean", "|", first[:200])
"""

EVAL_CHILD = """
import sys
from tdsl.dsl_schema.expressions import ExpressionError, evaluate
try:
    value = evaluate(sys.argv[1], {"input": {}})
    print(f"value of {len(str(value))} characters")
except ExpressionError as err:
    print(f"ExpressionError: {err.message}"[:160])
"""


def measure(script: str, argument: str, timeout: float, memory_mb: int) -> tuple[float, float, float, str]:
    """Run ``script`` in a fresh interpreter; (wall seconds, CPU seconds, its own peak RSS in MB, answer).
    The child's rusage comes from ``os.wait4``, so each figure is that child's, not the largest of all
    children so far. CPU time (user + system) is the figure to compare on a loaded machine."""

    def limit() -> None:
        cap = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-c", script, argument], stdout=out, stderr=err,
                                   text=True, preexec_fn=limit, cwd=ROOT)
        timed_out = False
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid == process.pid:
                break
            if time.perf_counter() - start > timeout:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                timed_out = True
                break
            time.sleep(0.02)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)  # already reaped: keep Popen from waiting
        out.seek(0)
        err.seek(0)
        lines = out.read().strip() or (err.read().strip().splitlines() or ["(no output)"])[-1]
    answer = f"timeout after {timeout:.0f} s (killed)" if timed_out else lines
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=None, help="substrings of the case names to run")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--memory-mb", type=int, default=3000)
    args = parser.parse_args()
    rows: list[tuple[str, str, float, float, float, str]] = []

    def wanted(name: str) -> bool:
        return args.only is None or any(part in name for part in args.only)

    with tempfile.TemporaryDirectory() as folder:
        for index, (name, make) in enumerate(LINT_CASES.items()):
            if not wanted(name):
                continue
            path = Path(folder) / f"case{index}.yaml"
            text = make()
            path.write_text(text, encoding="utf-8")
            seconds, cpu, peak, answer = measure(LINT_CHILD, str(path), args.timeout, args.memory_mb)
            answer = answer.replace(str(path), path.name)
            rows.append((f"{name} ({len(text.encode()):,} bytes)", "lint", seconds, cpu, peak, answer))
            print(json.dumps(rows[-1]), file=sys.stderr)
        for name, template in EVAL_CASES.items():
            if not wanted(name):
                continue
            seconds, cpu, peak, answer = measure(EVAL_CHILD, template, args.timeout, args.memory_mb)
            rows.append((name, "evaluate", seconds, cpu, peak, answer))
            print(json.dumps(rows[-1]), file=sys.stderr)
    print("| file | measure | wall time | CPU time | peak memory | answer |")
    print("|---|---|---|---|---|---|")
    for name, what, seconds, cpu, peak, answer in rows:
        answer = answer.replace("|", "/")
        print(f"| {name} | {what} | {seconds:.2f} s | {cpu:.2f} s | {peak:.0f} MB | {answer} |")


if __name__ == "__main__":
    main()
