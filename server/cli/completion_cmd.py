"""``tdsl completion bash|zsh``: a shell completion script, generated from the parser itself (verbs, their
options, option choices; definition names for ``run`` and ``graph`` from the definitions folder).

Install: ``eval "$(tdsl completion bash)"`` in ``~/.bashrc`` (or ``zsh`` in ``~/.zshrc``).
"""

from __future__ import annotations

import argparse

from .common import EXIT_OK

# Verbs whose first argument is a definition name.
_NAMED = ("run", "graph")


def _verbs(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _options(parser: argparse.ArgumentParser) -> tuple[list[str], dict[str, list[str]]]:
    options: list[str] = []
    choices: dict[str, list[str]] = {}
    for action in parser._actions:
        if action.help == argparse.SUPPRESS:
            continue
        strings = action.option_strings
        options.extend(o for o in strings if o.startswith("--") or len(strings) == 1)
        if action.choices and action.option_strings:
            for option in action.option_strings:
                choices[option] = [str(c) for c in action.choices]
    return options, choices


def bash_script(parser: argparse.ArgumentParser) -> str:
    """The bash completion function of ``parser`` (zsh loads it through ``bashcompinit``)."""
    verbs = _verbs(parser)
    cases: list[str] = []
    choice_cases: list[str] = []
    for name, verb in sorted(verbs.items()):
        options, choices = _options(verb)
        cases.append(f'    {name}) opts="{" ".join(options)}" ;;')
        for option, values in sorted(choices.items()):
            words = " ".join(values)
            choice_cases.append(
                f'    {name}:{option}) COMPREPLY=($(compgen -W "{words}" -- "$cur")); return ;;'
            )
    named = "|".join(_NAMED)
    return "\n".join([
        "# tdsl shell completion: eval \"$(tdsl completion bash)\"",
        "_tdsl() {",
        '  local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" verb="${COMP_WORDS[1]}"',
        '  local opts=""',
        "  if [ \"$COMP_CWORD\" -eq 1 ]; then",
        f'    COMPREPLY=($(compgen -W "{" ".join(sorted(verbs))} --help --version" -- "$cur")); return',
        "  fi",
        '  case "$verb:$prev" in',
        *choice_cases,
        "  esac",
        '  case "$verb" in',
        *cases,
        "  esac",
        '  if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "$opts" -- "$cur")); return; fi',
        f'  case "$COMP_CWORD:$verb" in 2:{named.replace("|", "|2:")})',
        '    local dir="${TDSL_DEFINITIONS:-definitions}" names=""',
        '    if [ -d "$dir" ]; then',
        '      names=$(find "$dir" -name "*.yaml" ! -name "*.test.yaml" \\',
        '              -exec basename {} .yaml \\; 2>/dev/null)',
        "    fi",
        '    COMPREPLY=($(compgen -W "$names" -- "$cur") $(compgen -f -- "$cur")); return ;;',
        "  esac",
        '  COMPREPLY=($(compgen -f -- "$cur"))',
        "}",
        "complete -o default -F _tdsl tdsl",
        "",
    ])


def run(args: argparse.Namespace) -> int:
    from . import build_parser

    script = bash_script(build_parser())
    if args.shell == "zsh":
        script = "autoload -U +X bashcompinit && bashcompinit\n" + script
    print(script, end="")
    return EXIT_OK
