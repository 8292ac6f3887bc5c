"""Hypothesis strategies for the linter: valid definitions built step by step, and mutations of YAML text.

:func:`definitions` draws definitions that are valid by construction: every step kind, nested lists,
activity calls with the example activities' real signatures, expressions that only read what is visible
where they run (earlier steps of the same or an enclosing list, variables of ``vars:``, the contextual
names of the enclosing constructs). :func:`mutated` changes YAML text the way people break it: a deleted,
duplicated or swapped line, a changed scalar, a renamed key, broken indentation, stray characters.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field, replace
from typing import Any

from hypothesis import strategies as st
from ruamel.yaml import YAML

from tdsl.dsl_schema.kinds import KINDS

# name -> (positional argument kinds, optional keyword names)
ACTIVITIES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "charge_payment": (("text", "number"), ("simulate",)),
    "refund_payment": (("text",), ("simulate",)),
    "send_email": (("text", "text", "text"), ("simulate",)),
    "send_reminder": (("text", "text"), ("simulate",)),
    "reserve_inventory": (("list",), ("simulate",)),
    "reserve_hotel": (("text",), ("simulate",)),
    "cancel_hotel": (("text",), ("simulate",)),
    "get_record_count": (("text",), ()),
    "process_batch": (("text",), ("start", "size", "simulate")),
}
COMPENSATIONS = {"charge_payment": "refund_payment", "reserve_hotel": "cancel_hotel"}
DURATIONS = st.sampled_from(
    ["30s", "5m", "1h30m", "PT45S", "500ms", 10, 0.5, "{{ input.timeout | default('1m') }}"]
)
VARIABLES = ("total", "status", "count")
SIGNALS = ("approve", "reject")


@dataclass(frozen=True)
class Where:
    """What an expression may read at one point: visible step ids and contextual names."""

    steps: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    depth: int = 0


@dataclass
class Builder:
    """Draws steps; gives every step a unique id."""

    draw: Any
    name: str
    counter: int = 0
    used_signals: set[str] = field(default_factory=set)

    def new_id(self) -> str:
        self.counter += 1
        return f"step_{self.counter}"

    # ------------------------------------------------------------------ expressions
    def expression(self, where: Where) -> str:
        variable = self.draw(st.sampled_from(VARIABLES))
        options = ["{{ input.value }}", f"{{{{ vars.{variable} }}}}",
                   "{{ workflow.now }}", "{{ (input.items | default([])) | length }}"]
        options += [f"{{{{ steps.{s} }}}}" for s in where.steps]
        options += [f"{{{{ steps.{s}.status | default('none') }}}}" for s in where.steps]
        for name in where.names:
            options.append({"item": "{{ item }}", "index": "{{ index + 1 }}", "loop": "{{ loop.index }}",
                            "signal": "{{ signal.payload }}", "error": "{{ error.message }}",
                            "result": "{{ result }}"}[name])
        text = self.draw(st.sampled_from(options))
        if self.draw(st.booleans()):
            text = f"value: {text}!"
        return text

    def argument(self, kind: str, where: Where) -> Any:
        if kind == "number":
            return self.draw(st.one_of(st.integers(0, 1000), st.just("{{ input.total | default(1) }}")))
        if kind == "list":
            return self.draw(st.sampled_from([["a", "b"], "{{ input.items | default([]) }}"]))
        return self.draw(st.one_of(st.just("plain text"), st.builds(lambda: self.expression(where))))

    def condition(self, where: Where) -> Any:
        return self.draw(st.sampled_from([True, False, "{{ input.flag }}", "{{ vars.count > 2 }}",
                                          f"{{{{ {len(where.steps)} > 1 }}}}"]))

    # ------------------------------------------------------------------ steps
    def steps(self, where: Where, size: int) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        visible = list(where.steps)
        count = self.draw(st.integers(1, size))
        for index in range(count):
            last = index == count - 1
            step = self.step(replace(where, steps=tuple(visible)), last)
            found.append(step)
            if "id" in step:
                visible.append(step["id"])
        return found

    @staticmethod
    def inside(kind: str, label: str, where: Where) -> Where:
        """Where the steps of a nested list of ``kind`` run: with the names its declaration gives them."""
        [spec] = {spec for spec in KINDS[kind].nested if spec.label == label}
        names = [name if isinstance(name, str) else name.default for name in spec.names]
        return replace(where, names=(*where.names, *names))

    def body(self, kind: str, label: str, where: Where, size: int) -> list[dict[str, Any]]:
        """A nested step list of ``kind`` (``label`` names it in the kind's declaration)."""
        return self.steps(self.inside(kind, label, where), size)

    def step(self, where: Where, last: bool) -> dict[str, Any]:
        # The kinds come from the declarations: a new kind is drawn at once, and fails loudly below until
        # it has a builder.
        kinds = [key for key, kind in KINDS.items() if not kind.nested and not kind.terminal]
        kinds.append("activity")  # the most common step, drawn twice as often
        if where.depth < 2:
            kinds += [key for key, kind in KINDS.items() if kind.nested]
        if last:
            # raise only where a caught error is (a catch clause's steps see it as ``error``)
            kinds += [key for key, kind in KINDS.items()
                      if kind.terminal and (key != "raise" or "error" in where.names)]
        kind = self.draw(st.sampled_from(kinds))
        step: dict[str, Any] = {"id": self.new_id()} if self.draw(st.booleans()) or kind == "activity" else {}
        if self.draw(st.integers(0, 4)) == 0:
            step["if"] = self.condition(where)
        inner = replace(where, depth=where.depth + 1)
        if kind == "activity":
            name = self.draw(st.sampled_from(sorted(ACTIVITIES)))
            positional, optional = ACTIVITIES[name]
            step["activity"] = name
            step["args"] = [self.argument(k, where) for k in positional]
            if optional and self.draw(st.booleans()):
                step["kwargs"] = {self.draw(st.sampled_from(optional)): None}
            if self.draw(st.booleans()):
                step["timeout"] = self.draw(DURATIONS)
                step["retry"] = {"maximum_attempts": 3, "initial_interval": "1s", "maximum_interval": "1m"}
            if name in COMPENSATIONS:
                after = replace(where, steps=(*where.steps, step["id"]), names=(*where.names, "result"))
                step["compensate"] = {"activity": COMPENSATIONS[name], "args": [self.expression(after)]}
        elif kind == "set":
            step["set"] = {self.draw(st.sampled_from(VARIABLES)): self.expression(where)}
        elif kind == "wait":
            step["wait"] = self.draw(st.one_of(DURATIONS, st.just({"until": "2030-01-01T09:00:00Z"})))
        elif kind == "child":
            step["child"] = {"definition": self.name, "input": {"value": self.expression(where)},
                             "wait": False}
        elif kind == "switch":
            case = {"if": self.condition(where), "steps": self.body(kind, "case", inner, 3)}
            step["switch"] = {"cases": [case], "default": self.body(kind, "default", inner, 2)}
        elif kind == "parallel":
            step["parallel"] = {"branches": {"left": self.body(kind, "branch", inner, 2),
                                             "right": self.body(kind, "branch", inner, 2)},
                                "mode": self.draw(st.sampled_from(["all", "first"]))}
        elif kind == "foreach":
            item = self.inside(kind, "steps", inner)
            step["foreach"] = {"items": "{{ input.items | default([]) }}", "concurrency": 2,
                               "steps": self.steps(item, 3), "result": self.expression(item)}
        elif kind == "while":
            step["while"] = {"condition": "{{ loop.index < 2 }}", "max_iterations": 5,
                             "steps": self.body(kind, "steps", inner, 2)}
        elif kind == "try":
            step["try"] = self.body(kind, "try", inner, 2)
            clause: dict[str, Any] = {"errors": ["PaymentDeclined"],
                                      "steps": self.body(kind, "catch", inner, 2)}
            if self.draw(st.booleans()):
                clause["when"] = "{{ error.details is none or error.message != '' }}"
            step["catch"] = [clause]
            step["finally"] = self.body(kind, "finally", inner, 1)
        elif kind == "wait_for":
            self.used_signals.update(SIGNALS)
            step["wait_for"] = {"signals": {s: self.body(kind, "signal", inner, 1) for s in SIGNALS},
                                "timeout": self.draw(DURATIONS),
                                "on_timeout": self.body(kind, "on_timeout", inner, 1)}
        elif kind == "return":
            step["return"] = {"status": "done", "value": self.expression(where)}
        elif kind == "fail":
            step["fail"] = {"message": self.expression(where),
                            "type": self.draw(st.sampled_from(["Rejected", "{{ 'Re' ~ 'jected' }}"]))}
        elif kind == "raise":
            step["raise"] = {}
        elif kind == "do":
            step["do"] = self.body(kind, "do", inner, 2)
        elif kind == "http":
            method = self.draw(st.sampled_from(["GET", "POST"]))
            step["http"] = {"method": method, "url": f"https://api.example.com/items/{self.expression(where)}",
                            "expect": ["2xx", 404], "auth": {"bearer_from_env": "API_TOKEN"}}
            if method == "POST":
                step["http"]["json"] = {"value": self.expression(where)}
        else:
            raise NotImplementedError(f"tests/lint/strategies.py draws no {kind!r} step yet")
        if kind in ("do", "try", "parallel", "foreach", "child") and self.draw(st.booleans()):
            step["retry"] = {"maximum_attempts": 3, "initial_interval": "1s",
                             "jitter": self.draw(st.sampled_from([0.0, 0.2, 1.0]))}
        if kind not in ("return", "fail", "raise") and self.draw(st.integers(0, 4)) == 0:
            step["result"] = "{{ result }}"
        return step


@st.composite
def definitions(draw: Any) -> dict[str, Any]:
    """A definition that the linter must accept without errors."""
    name = draw(st.sampled_from(["orders", "bookings", "reminders"]))
    builder = Builder(draw, name)
    steps = builder.steps(Where(), 6)
    definition: dict[str, Any] = {
        "name": name,
        "version": 1,
        "id": f"{name}-{{{{ input.value }}}}",
        "input": {"type": "object", "properties": {"value": {"type": "string"}}},
        "defaults": {"timeout": draw(DURATIONS), "retry": {"maximum_attempts": 3}},
        "vars": {name: 0 for name in VARIABLES},
        "steps": steps,
        "output": {"status": "done", "total": "{{ vars.total }}"},
        "queries": {"status": {"value": "{{ vars.status }}"}},
        "updates": {"add": {"schema": {"type": "integer"}, "set": {"count": "{{ vars.count + payload }}"},
                            "return": "{{ vars.count }}"}},
    }
    if builder.used_signals:
        definition["signals"] = {s: {"schema": {"type": ["string", "object", "null"]}} for s in SIGNALS}
    if draw(st.booleans()):
        definition["failure_output"] = {"error": "{{ error.message }}",
                                        "undone": "{{ compensations | length }}"}
    return definition


def to_yaml(data: Any) -> str:
    """Block-style YAML, as people write definitions."""
    stream = io.StringIO()
    yaml = YAML()
    yaml.default_flow_style = False
    yaml.width = 4096
    yaml.dump(data, stream)
    return stream.getvalue()


# ---------------------------------------------------------------------- mutations
SCALARS = ["true", "false", "null", "-1", "0", "1e400", "5 minutes", "'{{ steps.nope }}'", "'{{ oops'", "[]",
           "{}", "'{% for %}'", "'{{ random }}'", "~", "&anchor x", "*missing", "'PT'", "[1, 2", "|", ">-",
           "\"\\x\"", "'{{ vars.x | lenght }}'", "2030-13-45", "charge_paymnt", "'{{ now() }}'"]
KEYS = ["activty", "steps", "id", "if", "args", "kwargs", "while", "foreach", "signals", "compensate", "wait",
        "return", "fail", "child", "set", "timeout", "name", "<<", "? complex", "- item"]


@st.composite
def mutated(draw: Any, text: str) -> str:
    """``text`` with one to three mutations."""
    lines = text.splitlines()
    for _ in range(draw(st.integers(1, 3))):
        if not lines:
            lines = [""]
        index = draw(st.integers(0, len(lines) - 1))
        line = lines[index]
        operation = draw(st.sampled_from(
            ["delete", "duplicate", "swap", "scalar", "key", "indent", "dedent", "insert", "truncate"]
        ))
        if operation == "delete":
            del lines[index]
        elif operation == "duplicate":
            lines.insert(index, line)
        elif operation == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        elif operation == "scalar" and ": " in line:
            head = line.split(": ", 1)[0]
            lines[index] = f"{head}: {draw(st.sampled_from(SCALARS))}"
        elif operation == "key" and ":" in line:
            indent = line[: len(line) - len(line.lstrip())]
            rest = line.lstrip().split(":", 1)[1]
            prefix = "- " if line.lstrip().startswith("- ") else ""
            lines[index] = f"{indent}{prefix}{draw(st.sampled_from(KEYS))}:{rest}"
        elif operation == "indent":
            lines[index] = " " * draw(st.integers(1, 3)) + line
        elif operation == "dedent":
            lines[index] = line[draw(st.integers(1, 4)):]
        elif operation == "insert":
            at = draw(st.integers(0, len(line)))
            stray = draw(st.text(alphabet=":-{}[]#&*!|>'\"%@` \t\\x\u00e9", min_size=1, max_size=3))
            lines[index] = line[:at] + stray + line[at:]
        else:
            lines[index] = line[: draw(st.integers(0, len(line)))]
    return "\n".join(lines) + ("\n" if draw(st.booleans()) else "")
