"""An unknown definition name points at the refused file that declares it: the catalog keeps, for each
refused file whose YAML parsed, the name it declares (never a guess from the diagnostics' text)."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import Client

from tdsl.activities import ActivityRegistry
from tdsl.dsl_schema.catalog import Catalog
from tdsl.server.errors import UnknownDefinition
from tdsl.server.gateway.starting import RunStarter

REFUSED = """\
name: renamed
steps:
  - id: sent
    activity: send_email
    args: ["{{ steps.bogus }}"]
"""


def unknown(starter: RunStarter, name: str) -> str:
    with pytest.raises(UnknownDefinition) as caught:
        starter.definition(name)
    return str(caught.value)


async def test_an_unknown_name_points_at_the_refused_file_declaring_it(
    client: Client, tmp_path: Path
) -> None:
    (tmp_path / "oops.yaml").write_text(REFUSED, encoding="utf-8")
    (tmp_path / "gone.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    catalog = Catalog.load(tmp_path)
    assert catalog.refused == {"renamed": str(tmp_path / "oops.yaml")}
    starter = RunStarter(client, catalog, ActivityRegistry(), "unused")
    assert unknown(starter, "renamed") == (
        "unknown definition or workflow 'renamed'; oops.yaml has errors and was not loaded"
    )
    # A file whose YAML did not parse declares no name: a definition named like the file is the guess left.
    assert unknown(starter, "gone") == (
        "unknown definition or workflow 'gone'; gone.yaml has errors and was not loaded"
    )
    # A name quoted in a diagnostic ("unknown step 'bogus'") is not a definition of that name.
    assert "'bogus'" in catalog.invalid[str(tmp_path / "oops.yaml")].render()
    assert unknown(starter, "bogus") == "unknown definition or workflow 'bogus'"
    # A file that parsed declares its name: a definition named like that file is not a guess at it, and
    # answers never show the server's absolute paths.
    assert unknown(starter, "oops") == "unknown definition or workflow 'oops'"
