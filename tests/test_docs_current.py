"""Generated documentation tables are current (run `python -m sim.docs` after changing the schema or data)."""

from pathlib import Path

from sim.docs import DOCS, render


def test_generated_doc_blocks_are_current():
    stale = [p.name for p in sorted(Path(DOCS).glob("*.md")) if render(p.read_text(encoding="utf-8")) != p.read_text(encoding="utf-8")]
    assert not stale, f"regenerate with `python -m sim.docs`: {stale}"
