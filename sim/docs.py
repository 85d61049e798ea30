"""Generated parts of the documentation, so tables cannot drift from the code.

``python -m sim.docs`` rewrites the blocks between ``<!-- generated:NAME -->`` and
``<!-- /generated:NAME -->`` markers in docs/*.md; a test checks they are current.

docs/calibration.md takes the baseline's values (``parameters``, ``regions``,
``work_types``). docs/ODD.md takes the schema itself (``schema_SECTION``: type,
default, allowed range, unit and meaning of every field), the state variables of
the engine's tables (``state_TABLE``), the event kinds, the metrics, the bundled
scenarios and where the baseline departs from the schema's defaults. Where the
code has no words of its own (what an event's magnitude means, what a metric or a
table column measures) the words live here, and the generator refuses to write a
table with a row it cannot explain: adding an event kind, a metric or a column
without saying what it is fails ``python -m sim.docs`` and the docs test.
"""

from __future__ import annotations

import re
import sys
import types
import typing
from pathlib import Path

from pydantic import BaseModel

from .glossary import EVENT_MEANINGS, METRIC_MEANINGS, STATE_MEANINGS
from .scenario import SCENARIO_DIR, Scenario, load_scenario

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
    star = lambda flag: "*" if flag else ""
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


# ---------------------------------------------------------------------------- ODD: the schema
def _schema_sections() -> dict[str, type[BaseModel]]:
    """Every model a scenario file is made of, by the block name that documents it."""
    from .scenario import Event, RegionOverride, ScenarioInfo, WorkTypeOverride

    sections = {"scenario": ScenarioInfo}
    for name, field in Scenario.model_fields.items():
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel) and name != "scenario":
            sections[name] = field.annotation
    sections.update(region_override=RegionOverride, work_type_override=WorkTypeOverride, event=Event)
    return sections


# where a nested model sits in a scenario file (its fields' dotted keys)
_NESTED_PREFIX = {"region_override": "regions.overrides.REGION", "work_type_override": "catalogue.overrides.WORK_TYPE",
                  "event": "[[events]]"}


def _type_name(annotation) -> str:
    """A field's type as a reader of a TOML file would say it."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Literal:
        return "str (one of a list)"
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return " or ".join(_type_name(a) for a in inner) + (" (optional)" if len(inner) < len(args) else "")
    if origin in (list, dict):
        return f"{origin.__name__}[{', '.join(_type_name(a) for a in args)}]"
    return getattr(annotation, "__name__", str(annotation))


def _allowed(field) -> str:
    """The allowed range from the field's constraints (ge/gt/le/lt), or the list of a Literal."""
    args = typing.get_args(field.annotation)
    if typing.get_origin(field.annotation) is typing.Literal:
        return ", ".join(args)
    lo = hi = ""
    for meta in field.metadata:
        for attr, text in (("ge", "≥ {}"), ("gt", "> {}")):
            if getattr(meta, attr, None) is not None:
                lo = text.format(_fmt(getattr(meta, attr)))
        for attr, text in (("le", "≤ {}"), ("lt", "< {}")):
            if getattr(meta, attr, None) is not None:
                hi = text.format(_fmt(getattr(meta, attr)))
    if lo.startswith("≥") and hi.startswith("≤"):
        return f"{lo[2:]} … {hi[2:]}"
    return ", ".join(t for t in (lo, hi) if t)


def _default(field) -> str:
    if field.is_required():
        return "required"
    value = field.get_default(call_default_factory=True)
    if value is None:
        return "unset"
    if value == "" or value == [] or value == {}:
        return "—"
    return _fmt(value)


def _cell(text: str) -> str:
    """Table cells must not break the Markdown table."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def schema_table(section: str) -> str:
    """One row per field of a scenario section: dotted key, type, default, allowed, unit, meaning."""
    sections = _schema_sections()
    if section not in sections:
        raise ValueError(f"no scenario section {section!r}; sections: {', '.join(sections)}")
    model = sections[section]
    prefix = _NESTED_PREFIX.get(section, section)
    rows = ["| parameter | type | default | allowed | unit | meaning |", "|---|---|---|---|---|---|"]
    for key, f in model.model_fields.items():
        if f.exclude:
            continue
        unit = (f.json_schema_extra or {}).get("unit", "") if isinstance(f.json_schema_extra, dict) else ""
        meaning = f.description or "*(the schema gives no description)*"
        rows.append(f"| `{prefix}.{key}` | {_cell(_type_name(f.annotation))} | {_cell(_default(f))} "
                    f"| {_cell(_allowed(f))} | {_cell(unit)} | {_cell(meaning)} |")
    return "\n".join(rows) + "\n"


def _leaves(data, prefix="", depth=0):
    """Dotted keys of a dumped scenario: sections and per-id overrides are opened, a table of
    numbers (shares by region, say) is one value."""
    if isinstance(data, dict) and (depth < 2 or data and all(isinstance(v, dict) for v in data.values())):
        for key, value in data.items():
            yield from _leaves(value, f"{prefix}{key}.", depth + 1)
    else:
        yield prefix.rstrip("."), data


def baseline_differences() -> str:
    """Where scenarios/baseline.toml departs from the schema's defaults (everything else is the default)."""
    dump = lambda sc: dict(_leaves(sc.model_dump(mode="json", exclude={"scenario", "events"}, exclude_none=True)))
    base, default = dump(load_scenario("baseline")), dump(Scenario())
    rows = ["| parameter | schema default | baseline |", "|---|---|---|"]
    for key in sorted(set(base) | set(default)):
        was, now = _fmt(default.get(key, "—")), _fmt(base.get(key, "—"))
        if was != now:   # an empty table and a missing one read the same
            rows.append(f"| `{key}` | {_cell(was)} | {_cell(now)} |")
    return "\n".join(rows) + "\n"


def scenario_table() -> str:
    """The bundled scenarios: what each changes (its events) and the question it answers."""
    rows = ["| scenario | extends | events (month: kind target magnitude, duration) | question |", "|---|---|---|---|"]
    for path in sorted(SCENARIO_DIR.glob("*.toml")):
        sc = load_scenario(path.stem)
        events = "; ".join(
            f"{e.month}: {e.kind} {e.target or 'all'} {e.magnitude:+g}" + (f", {e.duration} months" if e.duration else "")
            for e in sc.events) or "—"
        rows.append(f"| `{path.stem}` | {sc.extends or '—'} | {_cell(events)} | {_cell(sc.scenario.description)} |")
    return "\n".join(rows) + "\n"


def _described(names, meanings: dict, where: str, header: str) -> str:
    """A Markdown table of ``names`` with their meanings; a name without one is an error, not a blank row."""
    missing = [n for n in names if n not in meanings]
    if missing:
        raise ValueError(f"{where} without a description in sim/glossary.py: {missing}")
    columns = header.count("|") - 1
    rows = [header, "|" + "---|" * columns]
    for name in names:
        cells = meanings[name] if isinstance(meanings[name], tuple) else (meanings[name],)
        rows.append(f"| `{name}` | {' | '.join(_cell(c) for c in cells)} |")
    return "\n".join(rows) + "\n"


def event_kind_table() -> str:
    from .scenario import EVENT_KINDS

    return _described(EVENT_KINDS, EVENT_MEANINGS, "event kinds (EVENT_MEANINGS)",
                      "| kind | target | magnitude | duration (months, 0 = permanent) |")


def metric_table() -> str:
    from .metrics import METRICS

    return _described(METRICS, METRIC_MEANINGS, "metrics (METRIC_MEANINGS)", "| metric | what it measures [dimensions] |")


# ---------------------------------------------------------------------------- ODD: state variables
def _state_columns(table: str) -> list[tuple[str, str]]:
    """(column, type) of one of the engine's tables, as the code creates it."""
    from .demand import PACKAGE_FIELDS
    from .world import centre_table, firm_table, link_table
    from .world import region_table as regions_of

    if table == "packages":
        return [(name, "array") for name in PACKAGE_FIELDS]
    made = {"regions": lambda: regions_of(load_scenario("baseline"))[0], "firms": lambda: firm_table(1),
            "centres": lambda: centre_table(1), "links": lambda: link_table(1)}
    if table not in made:
        raise ValueError(f"no state table {table!r}; tables: {', '.join([*made, 'packages'])}")
    out = []
    for name, arr in made[table]().snapshot().items():
        kind = {"f": "float", "i": "int", "b": "bool"}.get(arr.dtype.kind, str(arr.dtype))
        out.append((name, f"{arr.shape[1]} × {kind}" if arr.ndim == 2 else kind))   # one per band or family
    return out


def state_table(table: str) -> str:
    columns = _state_columns(table)
    meanings = STATE_MEANINGS.get(table, {})
    missing = [name for name, _ in columns if name not in meanings]
    if missing:
        raise ValueError(f"columns of {table} without a description in sim/glossary.py STATE_MEANINGS: {missing}")
    rows = ["| variable | type | meaning |", "|---|---|---|"]
    rows += [f"| `{name}` | {kind} | {_cell(meanings[name])} |" for name, kind in columns]
    return "\n".join(rows) + "\n"


BLOCKS = {"parameters": parameter_tables, "regions": region_table, "work_types": work_type_table,
          "baseline_differences": baseline_differences, "scenarios": scenario_table,
          "event_kinds": event_kind_table, "metrics": metric_table}
FAMILIES_OF_BLOCKS = {"schema_": schema_table, "state_": state_table}   # schema_world, state_links, …


def block(name: str) -> str:
    """The generated text of one named block."""
    if name in BLOCKS:
        return BLOCKS[name]()
    for prefix, make in FAMILIES_OF_BLOCKS.items():
        if name.startswith(prefix):
            return make(name[len(prefix):])
    raise ValueError(f"unknown generated block {name!r}: known are {', '.join(BLOCKS)} and "
                     + ", ".join(f"{p}NAME" for p in FAMILIES_OF_BLOCKS))


def render(text: str) -> str:
    def fill(match):
        name = match.group(1)
        return f"<!-- generated:{name} -->\n{block(name)}\n<!-- /generated:{name} -->"

    return re.sub(r"<!-- generated:(\w+) -->.*?<!-- /generated:\1 -->", fill, text, flags=re.DOTALL)


# ---------------------------------------------------------------------------- reading the docs
ODD = DOCS / "ODD.md"


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading (lower case, punctuation dropped, spaces to hyphens),
    so that links inside the document work on GitHub and in the dashboard alike."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def sections(text: str, deepest: int = 3) -> list[dict]:
    """The document cut at its headings (down to ``deepest`` #'s): level, title, anchor and the
    Markdown of the part, heading included. Text before the first heading is a part of level 0.
    Fenced code is not searched for headings."""
    parts, current, fenced, seen = [], {"level": 0, "title": "", "anchor": "", "lines": []}, False, {}
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        heading = None if fenced else re.match(rf"^(#{{1,{deepest}}}) (.+?)\s*$", line)
        if heading:
            parts.append(current)
            anchor = slug(heading.group(2))
            seen[anchor] = seen.get(anchor, -1) + 1
            anchor = anchor if seen[anchor] == 0 else f"{anchor}-{seen[anchor]}"
            current = {"level": len(heading.group(1)), "title": heading.group(2), "anchor": anchor, "lines": []}
        current["lines"].append(line)
    parts.append(current)
    out = []
    for part in parts:
        body = "\n".join(part.pop("lines")).strip("\n")
        if body or part["level"]:
            out.append({**part, "markdown": body + "\n"})
    return out


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
