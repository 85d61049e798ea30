"""Generated documentation is current and the model description (docs/ODD.md) cannot drift from the code.

Run `python -m sim.docs` after changing the schema, the engine's tables, the metrics, the event
kinds, the bundled scenarios or the data files.
"""

import importlib
import re
from pathlib import Path

import pytest

from sim import docs, glossary
from sim.docs import DOCS, render
from sim.metrics import METRICS
from sim.scenario import EVENT_KINDS

ODD_TEXT = docs.ODD.read_text(encoding="utf-8")


def test_generated_doc_blocks_are_current():
    stale = [p.name for p in sorted(Path(DOCS).glob("*.md")) if render(p.read_text(encoding="utf-8")) != p.read_text(encoding="utf-8")]
    assert not stale, f"regenerate with `python -m sim.docs`: {stale}"


def test_odd_has_the_seven_elements_of_the_protocol():
    titles = [part["title"] for part in docs.sections(ODD_TEXT) if part["level"] == 2]
    for element in ("Purpose and patterns", "Entities, state variables and scales", "Process overview and scheduling",
                    "Design concepts", "Initialization", "Input data", "Submodels"):
        assert any(element in title for title in titles), f"ODD lacks the element {element!r}"


def test_every_scenario_section_and_field_is_in_the_odd():
    for section, model in docs._schema_sections().items():
        assert f"<!-- generated:schema_{section} -->" in ODD_TEXT, f"no parameter table for [{section}] in docs/ODD.md"
        for key, field in model.model_fields.items():
            if not field.exclude:
                assert f".{key}` |" in ODD_TEXT, f"{section}.{key} missing from docs/ODD.md"


def test_every_engine_table_event_kind_and_metric_is_described():
    for table in ("regions", "firms", "centres", "links", "packages"):
        assert f"<!-- generated:state_{table} -->" in ODD_TEXT
        for column, _ in docs._state_columns(table):
            assert f"| `{column}` |" in docs.state_table(table)
    assert all(f"| `{kind}` |" in ODD_TEXT for kind in EVENT_KINDS)
    assert all(f"| `{metric}` |" in ODD_TEXT for metric in METRICS)


def _resolve(dotted: str):
    """Import the longest module prefix of a dotted name and walk the rest as attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name)
        return obj
    raise ModuleNotFoundError(dotted)


def test_every_function_the_odd_cites_exists():
    cited = sorted(set(re.findall(r"`(sim(?:\.\w+)+)`", ODD_TEXT)) | set(re.findall(r"\((sim(?:\.\w+)+)[,)]", ODD_TEXT)))
    assert len(cited) > 40, "the submodels should cite their code"
    missing = []
    for name in cited:
        try:
            _resolve(name)
        except (ModuleNotFoundError, AttributeError):
            missing.append(name)
    assert not missing, f"docs/ODD.md cites code that does not exist: {missing}"


def test_links_inside_the_odd_point_somewhere():
    anchors = {part["anchor"] for part in docs.sections(ODD_TEXT)}
    for target in re.findall(r"\]\(([^)]+)\)", ODD_TEXT):
        if target.startswith("#"):
            assert target[1:] in anchors, f"docs/ODD.md links to a missing heading {target}"
        else:
            assert (DOCS / target).exists(), f"docs/ODD.md links to a missing file {target}"


def test_a_stale_block_is_rewritten_and_the_rest_left_alone():
    text = "intro\n<!-- generated:schema_subcontracting -->\n| stale |\n<!-- /generated:schema_subcontracting -->\noutro\n"
    fresh = render(text)
    assert "| stale |" not in fresh and "`subcontracting.max_module_share` | float | 0.6 | 0 … 1 | share |" in fresh
    assert fresh.startswith("intro\n") and fresh.endswith("outro\n")
    assert render(fresh) == fresh


def test_schema_cells_say_type_default_and_range_as_the_schema_does():
    event = docs.schema_table("event")
    assert "| `[[events]].month` | int | required | 1 … 1200 | month |" in event
    override = docs.schema_table("work_type_override")
    assert "| `catalogue.overrides.WORK_TYPE.effort_fte_months` | float (optional) | unset | > 0, ≤ 100000 | FTE-months |" in override
    assert "| `demand.family_shares` | dict[str, float] | ITO 0.5, BPO 0.32, KPO 0.18 |" in docs.schema_table("demand")
    assert "| `world.seed` | 1 | 20261123 |" in docs.baseline_differences()


def test_the_generator_refuses_what_it_cannot_explain(monkeypatch):
    with pytest.raises(ValueError, match="unknown generated block"):
        render("<!-- generated:nonsense -->\n<!-- /generated:nonsense -->")
    with pytest.raises(ValueError, match="no scenario section"):
        docs.schema_table("nonsense")
    monkeypatch.delitem(glossary.EVENT_MEANINGS, "backlash_tax")
    with pytest.raises(ValueError, match="backlash_tax"):
        docs.event_kind_table()
    monkeypatch.delitem(glossary.STATE_MEANINGS["links"], "pair")
    with pytest.raises(ValueError, match="pair"):
        docs.state_table("links")


def test_sections_cut_at_headings_outside_code_and_anchor_like_github():
    text = "lead\n# Title\nA\n```text\n# not a heading\n```\n## 7.1 Scenario events (timeline)\nB\n## Title\n"
    parts = docs.sections(text)
    assert [(p["level"], p["anchor"]) for p in parts] == [
        (0, ""), (1, "title"), (2, "71-scenario-events-timeline"), (2, "title-1")]
    assert "# not a heading" in parts[1]["markdown"]
