"""A run's memo names the git commit of its definition only when that commit holds the file as it ran: a file
edited since, or never committed, is said to be so (``"commit": null, "source_state": ...``); the sha256 of
the text is always there."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tdsl.dsl_schema.catalog import Catalog
from tdsl.dsl_schema.git_source import GitSource, git_sources

DEFINITION = """\
name: {name}
version: 1
steps:
  - id: pause
    wait: 1s
"""


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=Test", "-c", "user.email=test@example.com",
         "-c", "commit.gpgsign=false", *args],
        capture_output=True, text=True, check=True,
    )
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with ``definitions/clean.yaml`` and ``definitions/edited.yaml`` committed, then
    ``edited.yaml`` changed and ``fresh.yaml`` added without committing."""
    if shutil.which("git") is None:
        raise AssertionError("git is needed to check the memo's commit")
    folder = tmp_path / "project" / "definitions"
    folder.mkdir(parents=True)
    git(folder.parent, "init", "-q")
    (folder / "clean.yaml").write_text(DEFINITION.format(name="clean"), encoding="utf-8")
    (folder / "edited.yaml").write_text(DEFINITION.format(name="edited"), encoding="utf-8")
    git(folder.parent, "add", ".")
    git(folder.parent, "commit", "-q", "-m", "definitions")
    (folder / "edited.yaml").write_text(DEFINITION.format(name="edited") + "description: later\n",
                                        encoding="utf-8")
    (folder / "fresh.yaml").write_text(DEFINITION.format(name="fresh"), encoding="utf-8")
    return folder


def test_the_memo_names_the_commit_only_for_a_clean_tracked_file(repo: Path) -> None:
    head = git(repo, "rev-parse", "HEAD")
    catalog = Catalog.load(repo)
    assert not catalog.invalid
    memos = {name: catalog.entries[name].memo() for name in catalog.names()}
    sha = {name: catalog.entries[name].sha256 for name in catalog.names()}
    assert memos == {
        "clean": {"definition": "clean", "version": 1, "sha256": sha["clean"], "commit": head},
        "edited": {"definition": "edited", "version": 1, "sha256": sha["edited"], "commit": None,
                   "source_state": "modified"},
        "fresh": {"definition": "fresh", "version": 1, "sha256": sha["fresh"], "commit": None,
                  "source_state": "untracked"},
    }
    # child starts carry the same, honest commit
    assert catalog.entries["edited"].pinned()["commit"] is None
    assert catalog.entries["clean"].pinned()["commit"] == head


def test_committing_the_change_makes_the_commit_hold_it(repo: Path) -> None:
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "edit")
    head = git(repo, "rev-parse", "HEAD")
    catalog = Catalog.load(repo)
    assert {name: catalog.entries[name].commit for name in catalog.names()} == {
        "clean": head, "edited": head, "fresh": head,
    }
    assert all("source_state" not in catalog.entries[n].memo() for n in catalog.names())


def test_a_staged_but_uncommitted_file_is_in_no_commit(repo: Path) -> None:
    git(repo, "add", "fresh.yaml", "edited.yaml")  # staged is not committed
    found = git_sources([repo / "fresh.yaml", repo / "edited.yaml"])
    assert found[(repo / "fresh.yaml").resolve()] == GitSource(None, "untracked")
    assert found[(repo / "edited.yaml").resolve()] == GitSource(None, "modified")


def test_a_repository_without_commits_and_a_folder_outside_git(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    git(empty, "init", "-q")
    (empty / "a.yaml").write_text(DEFINITION.format(name="a"), encoding="utf-8")
    assert git_sources([empty / "a.yaml"]) == {(empty / "a.yaml").resolve(): GitSource(None, "untracked")}

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "b.yaml").write_text(DEFINITION.format(name="b"), encoding="utf-8")
    # tmp_path is not inside a repository, so git has nothing to say; the memo says nothing either
    assert git_sources([outside / "b.yaml"])[(outside / "b.yaml").resolve()] == GitSource()
    entry = Catalog.load(outside).entries["b"]
    assert entry.memo() == {"definition": "b", "version": 1, "sha256": entry.sha256}
