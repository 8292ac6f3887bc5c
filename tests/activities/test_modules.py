"""Activity modules: the registry registers nothing by itself, the examples are one module among others, and
the linter, the engine and workers see exactly the activities of the modules they are given."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tdsl.activities import EXAMPLES, ActivityModuleError, load_modules
from tdsl.server.cli import build_parser
from tdsl.server.engine import TemporalEngine

USER_HOTELS = """\
from tdsl.activities import register

@register
async def cancel_hotel(reservation: str, reason: str) -> str:
    return f"cancelled {reservation}: {reason}"
"""
APP_MODULE = """\
from tdsl.server.engine import TemporalEngine

engine = TemporalEngine()

@engine.activities.register
async def send_sms(phone: str, text: str) -> dict:
    return {"to": phone}
"""
SMS = """\
name: sms
steps:
  - {id: sent, activity: send_sms, args: ["{{ input.phone }}", hi]}
"""
CHARGE = """\
name: charge
steps:
  - {id: paid, activity: charge_payment, args: ["{{ input.user }}", 10]}
"""


@pytest.fixture
def modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder on ``sys.path`` (and the working folder, without configuration) for user modules."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ("TDSL_CONFIG", "TDSL_DEFINITIONS", "TDSL_ACTIVITY_MODULES"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def lint(*argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    args = build_parser().parse_args(["lint", *argv])
    code = int(args.func(args))
    return code, capsys.readouterr().out


def test_importing_the_registry_registers_nothing() -> None:
    # A fresh interpreter: this test process has imported the examples long ago.
    probe = textwrap.dedent("""\
        import sys
        import tdsl.activities
        from tdsl.activities import load_modules, module_activities
        assert not [m for m in sys.modules if m.startswith("tdsl.activities.examples")], "examples imported"
        assert module_activities.of("tdsl") == [], "something registered"
        assert "charge_payment" in load_modules(["tdsl.activities.examples"])
        print("ok")
        """)
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60,
                          check=False)
    assert (done.returncode, done.stdout, done.stderr) == (0, "ok\n", "")


def test_a_user_module_registers_cancel_hotel_when_the_examples_are_not_loaded(modules: Path) -> None:
    (modules / "user_hotels.py").write_text(USER_HOTELS)
    load_modules([EXAMPLES])  # imported in this process, yet not loaded below
    mine = load_modules(["user_hotels"])
    assert mine.names() == ["cancel_hotel"]
    function = mine.function("cancel_hotel")
    assert function is not None and function.__module__ == "user_hotels"
    with pytest.raises(ActivityModuleError) as caught:
        load_modules([EXAMPLES, "user_hotels"])
    assert str(caught.value) == (
        "activity modules 'tdsl.activities.examples' and 'user_hotels' both register 'cancel_hotel'"
    )


def test_the_registry_package_is_not_an_activity_module() -> None:
    with pytest.raises(ActivityModuleError) as caught:
        load_modules(["tdsl.activities"])
    assert "the example activities are the module 'tdsl.activities.examples'" in str(caught.value)


def test_engine_activities_of_an_app_module_lint_clean_when_it_is_named(
    modules: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (modules / "sms_app.py").write_text(APP_MODULE)
    (modules / "sms.yaml").write_text(SMS)
    assert lint("sms.yaml", "--activity-module", "sms_app", capsys=capsys) == (
        0, "1 file checked: no problems\n"
    )
    code, out = lint("sms.yaml", "--activity-module", EXAMPLES, capsys=capsys)
    assert code == 1 and "E400 unknown activity 'send_sms'" in out
    # a worker or engine naming the module runs the same activities
    engine = TemporalEngine(definitions=str(modules), activity_modules=["sms_app"])
    assert engine.load_catalog().names() == ["sms"]
    assert engine.activities.names() == ["send_sms"]


def test_an_example_activity_fails_lint_when_the_examples_are_not_loaded(
    modules: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (modules / "sms_app.py").write_text(APP_MODULE)
    (modules / "charge.yaml").write_text(CHARGE)
    load_modules([EXAMPLES])  # imported in this process: only naming the module loads it
    code, out = lint("charge.yaml", "--activity-module", "sms_app", capsys=capsys)
    assert code == 1
    assert out.startswith(
        "charge.yaml:3:26: E400 unknown activity 'charge_payment' (no activity module registers it)"
    ), out
    assert lint("charge.yaml", "--activity-module", EXAMPLES, capsys=capsys) == (
        0, "1 file checked: no problems\n"
    )
    engine = TemporalEngine(definitions=str(modules), activity_modules=["sms_app"])
    refused = engine.load_catalog().invalid[str(modules / "charge.yaml")]
    assert [d.code for d in refused.diagnostics] == ["E400"]


def test_engines_of_one_module_register_the_same_name_and_the_later_wins(modules: Path) -> None:
    (modules / "two_engines.py").write_text(textwrap.dedent("""\
        from tdsl.server.engine import TemporalEngine

        first, second = TemporalEngine(), TemporalEngine()

        @first.activities.register(name="notify")
        def notify_by_mail(to: str) -> str:
            return f"mail {to}"

        @second.activities.register(name="notify")
        def notify_by_sms(to: str) -> str:
            return f"sms {to}"
        """))
    loaded = load_modules(["two_engines"])
    function = loaded.function("notify")
    assert function is not None and function("ada") == "sms ada"
