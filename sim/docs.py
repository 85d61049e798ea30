"""Generated parts of the documentation, so tables cannot drift from the code.

``python -m sim.docs`` rewrites the blocks between ``<!-- generated:NAME -->`` and
``<!-- /generated:NAME -->`` markers in docs/*.md; a test checks they are current.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from pydantic import BaseModel

from .scenario import Scenario, load_scenario

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _limits(field):
    lo = hi = None
    for meta in field.metadata:
        lo = getattr(meta, "ge", lo) if getattr(meta, "ge", None) is not None else lo
        hi = getattr(meta, "le", hi) if getattr(meta, "le", None) is not None else hi
    return lo, hi


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict):
        return ", ".join(f"{k} {_fmt(v)}" for k, v in value.items()) or "—"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "—"
    return str(value)


def parameter_tables(scenario: Scenario | None = None) -> str:
    """One table per scenario section: parameter, baseline value, unit, allowed range, meaning."""
    scenario = scenario or load_scenario("baseline")
    out = []
    for name, field in Scenario.model_fields.items():
        model = field.annotation
        if not (isinstance(model, type) and issubclass(model, BaseModel)) or name in ("scenario",):
            continue
        section = getattr(scenario, name)
        out.append(f"### [{name}]\n")
        out.append("| parameter | baseline | unit | allowed | meaning |")
        out.append("|---|---|---|---|---|")
        for key, f in model.model_fields.items():
            lo, hi = _limits(f)
            allowed = "" if lo is None and hi is None else f"{_fmt(lo) if lo is not None else '−∞'} … {_fmt(hi) if hi is not None else '∞'}"
            unit = (f.json_schema_extra or {}).get("unit", "") if isinstance(f.json_schema_extra, dict) else ""
            value = getattr(section, key)
            if isinstance(value, dict) and value and isinstance(next(iter(value.values())), BaseModel):
                value = {k: ", ".join(f"{a} {_fmt(b)}" for a, b in v.model_dump(exclude_none=True).items()) for k, v in value.items()}
                value = "; ".join(f"{k}: {v}" for k, v in value.items())
            out.append(f"| `{name}.{key}` | {_fmt(value)} | {unit} | {allowed} | {f.description or ''} |")
        out.append("")
    return "\n".join(out)


def region_table(scenario: Scenario | None = None) -> str:
    """The model's region inputs as loaded for the baseline; imputed cells marked with *."""
    from .world_data import load_regions

    scenario = scenario or load_scenario("baseline")
    t = load_regions(scenario)
    imp = t["imputed"]
    star = lambda flag: "*" if flag else ""  # noqa: E731
    rows = [
        "| region | wage band 0 / 1 / 2 (USD per FTE-month) | skill | English | infrastructure | risk | data regime | tax | incentive | talent share |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for i, rid in enumerate(t["region_id"]):
        w = t["wage"][i]
        rows.append(
            f"| {rid} | {w[0]:,.0f}{star(imp['wage_band0'][i])} / {w[1]:,.0f} / {w[2]:,.0f} "
            f"| {t['skill'][i]:.2f}{star(imp['skill'][i])} | {t['english'][i]:.2f}{star(imp['english'][i])} "
            f"| {t['infrastructure'][i]:.2f}{star(imp['infrastructure'][i])} | {t['risk'][i]:.2f}{star(imp['risk'][i])} "
            f"| {t['data_regime'][i]:.2f}{star(imp['data_regime'][i])} | {t['tax_rate'][i]:.3f} | {t['tax_incentive'][i]:.2f} "
            f"| {t['talent_pool_share'][i]:.3f}{star(imp['talent_pool'][i])} |"
        )
    return "\n".join(rows) + "\n"


def work_type_table(scenario: Scenario | None = None) -> str:
    from .catalogue import load_catalogue
    from .scenario import FAMILIES

    cat = load_catalogue(scenario or load_scenario("baseline"))
    rows = [
        "| work type | family | band | skill | complexity | codifiability | data sens. | tz / lang sens. | automation | effort (FTE-months) | term | rationale |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for i, name in enumerate(cat.names):
        rows.append(
            f"| {name} | {FAMILIES[cat.family[i]]}{' (front)' if cat.front_office[i] else ''} | {cat.skill_band[i]} "
            f"| {cat.skill_required[i]:.2f} | {cat.complexity[i]:.2f} | {cat.codifiability[i]:.2f} | {cat.data_sensitivity[i]:.2f} "
            f"| {cat.timezone_sensitivity[i]:.2f} / {cat.language_sensitivity[i]:.2f} | {cat.automation_exposure[i]:.2f} "
            f"| {cat.effort[i]:g} | {cat.term[i]:g} | {cat.rationale[i]} |"
        )
    return "\n".join(rows) + "\n"


BLOCKS = {"parameters": parameter_tables, "regions": region_table, "work_types": work_type_table}


def render(text: str) -> str:
    def fill(match):
        name = match.group(1)
        return f"<!-- generated:{name} -->\n{BLOCKS[name]()}\n<!-- /generated:{name} -->"

    return re.sub(r"<!-- generated:(\w+) -->.*?<!-- /generated:\1 -->", fill, text, flags=re.S)


def main(argv=None) -> int:
    changed = []
    for path in sorted(DOCS.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        new = render(text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(path.name)
    print("updated: " + (", ".join(changed) if changed else "nothing (already current)"))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
