"""Which git commit really holds a definition file.

A run's memo names the commit of its definition so that "which YAML did this run execute?" has an answer in
the repository. That is only true when the file is tracked and unchanged since HEAD: a file edited since, or
never committed, is in no commit at all. So the file's blob hash (``git hash-object``, with the repository's
filters) is compared with the blob HEAD records for the path (``git ls-tree HEAD``); the run's sha256 of the
text is kept in every case.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

__all__ = ["GitSource", "SourceState", "git_sources"]

SourceState = Literal["committed", "modified", "untracked"]


@dataclass(frozen=True)
class GitSource:
    """Where a file stands in git: ``committed`` (``commit`` holds it as it is on disk), ``modified`` (HEAD
    has another version of it), ``untracked`` (HEAD does not have it), or ``state`` ``None`` when the file
    is not in a git work tree (or git is not installed)."""

    commit: str | None = None
    state: SourceState | None = None


_OUTSIDE = GitSource()


def _git(cwd: Path, *args: str, stdin: str | None = None) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(cwd), *args], input=stdin, capture_output=True, text=True, timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def git_sources(files: Sequence[Path]) -> dict[Path, GitSource]:
    """The git standing of each of ``files`` (resolved paths as keys): one git call per folder, then three per
    repository whatever the number of files."""
    by_top: dict[Path, list[Path]] = {}
    found: dict[Path, GitSource] = {}
    tops: dict[Path, str | None] = {}
    for file in (f.resolve() for f in files):
        if file.parent not in tops:
            tops[file.parent] = _git(file.parent, "rev-parse", "--show-toplevel")
        top = tops[file.parent]
        if top is None:
            found[file] = _OUTSIDE
        else:
            by_top.setdefault(Path(top.strip()).resolve(), []).append(file)
    for root, members in by_top.items():
        found.update(_in_repository(root, members))
    return found


def _in_repository(top: Path, files: list[Path]) -> dict[Path, GitSource]:
    relative = [f.relative_to(top).as_posix() for f in files]
    head = _git(top, "rev-parse", "--verify", "--quiet", "HEAD")
    if head is None:  # a repository without commits yet
        return {f: GitSource(None, "untracked") for f in files}
    commit = head.strip()
    listing = _git(top, "ls-tree", "-r", "-z", "HEAD", "--", *relative) or ""
    committed: dict[str, str] = {}
    for entry in filter(None, listing.split("\0")):
        meta, _, path = entry.partition("\t")
        committed[path] = meta.split()[2]
    hashes = (_git(top, "hash-object", "--stdin-paths", stdin="\n".join(relative) + "\n") or "").split()
    result: dict[Path, GitSource] = {}
    for index, (file, path) in enumerate(zip(files, relative, strict=True)):
        blob = hashes[index] if index < len(hashes) else None
        if path not in committed:
            result[file] = GitSource(None, "untracked")
        elif blob is not None and blob == committed[path]:
            result[file] = GitSource(commit, "committed")
        else:
            result[file] = GitSource(None, "modified")
    return result
