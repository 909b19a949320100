"""Docs stay in step with the code."""

from pathlib import Path

from weaklink.cli.docs import render

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_cli_reference_is_current():
    assert (DOCS / "cli.md").read_text() == render(), "run: python -m weaklink.cli.docs > docs/cli.md"


def test_readme_links_exist():
    readme = (DOCS.parent / "README.md").read_text()
    for name in ("store.md", "ingest.md", "dyads.md", "watch-file.md", "reference-data.md", "cli.md",
                 "timeline.md", "votes.md", "unsc-dprk.md", "cohesion.md",
                 "documents.md", "lexicon.md", "signposts.md", "briefing.md"):
        assert f"docs/{name}" in readme and (DOCS / name).exists()
