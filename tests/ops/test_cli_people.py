"""The command line for people: ``--version``, shell completion, a description on every verb's help, "did
you mean" for misspelt definition names and configuration keys, connection errors in a sentence."""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path

import pytest

from tdsl.server.cli import build_parser
from tdsl.server.cli.common import definitions_note
from tdsl.server.config import load_settings
from tdsl.server.config_sources import ConfigError
from tests.server.cli import ROOT, tdsl


async def test_version() -> None:
    done = await tdsl("--version")
    assert (done.code, done.out) == (0, "tdsl 0.1.0\n")


def test_every_verb_has_a_description() -> None:
    parser = build_parser()
    [verbs] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert verbs.choices
    missing = [name for name, verb in verbs.choices.items() if not verb.description]
    assert missing == []


async def test_bash_completion_completes_verbs_choices_and_definition_names() -> None:
    done = await tdsl("completion", "bash")
    assert done.code == 0
    probe = (
        f"{done.out}\n"
        "COMP_WORDS=(tdsl sta); COMP_CWORD=1; _tdsl; echo \"${COMPREPLY[*]}\"\n"
        "COMP_WORDS=(tdsl lint --format g); COMP_CWORD=3; _tdsl; echo \"${COMPREPLY[*]}\"\n"
        "COMP_WORDS=(tdsl run appr); COMP_CWORD=2; _tdsl; echo \"${COMPREPLY[*]}\"\n"
    )
    answer = subprocess.run(["bash", "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert answer.stdout.splitlines() == ["status", "github", "approval"]
    zsh = await tdsl("completion", "zsh")
    assert zsh.out.startswith("autoload -U +X bashcompinit && bashcompinit\n")


async def test_misspelt_definition_names_get_a_suggestion() -> None:
    graph = await tdsl("graph", "approvl")
    assert graph.err == (
        "tdsl: error: no definition named 'approvl' in definitions (did you mean 'approval'?)\n"
    )


async def test_listing_runs_of_a_misspelt_definition(temporal_address: str) -> None:
    done = await tdsl("list", "-d", "approvl", "--address", temporal_address)
    assert done.code == 0
    assert done.out == "no runs\n"
    assert done.err == "tdsl: no runs of 'approvl' (did you mean 'approval'?)\n"


def test_unknown_configuration_keys_get_a_suggestion() -> None:
    with pytest.raises(ConfigError) as unknown:
        load_settings(None, overrides={"temporal": {"worker": {"max_concurent_activities": 5}}}, environ={})
    assert str(unknown.value) == (
        "invalid configuration: temporal.worker.max_concurent_activities: unknown key "
        "(did you mean 'max_concurrent_activities'?)"
    )


async def test_a_refused_connection_is_said_in_a_sentence() -> None:
    done = await tdsl("status", "some-run", "--address", "127.0.0.1:1")
    assert (done.code, done.out) == (1, "")
    assert done.err == (
        "tdsl: error: cannot connect to Temporal at 127.0.0.1:1: "
        "connection refused (is the server running?)\n"
    )


def test_where_definitions_were_looked_for(tmp_path: Path) -> None:
    assert definitions_note(tmp_path / "nope", []) == (
        f"no definitions folder at {tmp_path / 'nope'} (set --definitions, TDSL_DEFINITIONS or "
        "`definitions:` in config.yaml)"
    )
    assert definitions_note(tmp_path, []) == f"no definitions in {tmp_path}"
