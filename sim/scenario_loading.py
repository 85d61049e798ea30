"""Loading scenario files: TOML, ``extends``, dotted overrides, and errors that name file, field and range.

The schema lives in ``sim.scenario``; this module turns files and overrides into a
validated ``Scenario`` or one clear ``ScenarioError``. Everything here is also
importable from ``sim.scenario``.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .scenario import (
    FAMILIES, SCENARIO_DIR, Catalogue, RegionOverride, Regions, Scenario, ScenarioError, WorkTypeOverride,
)

def read_data_rows(scenario: "Scenario", field: str, relative: str) -> tuple[Path, list[dict]]:
    """Rows of a data table a scenario field points to; a read failure names the field and file."""
    import csv

    path = scenario.data_path(relative)
    try:
        with path.open(encoding="utf-8") as handle:
            return path, list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{scenario.source}: field '{field}' — cannot read {path} ({exc}).") from None


def resolve_path(name_or_path: str | Path) -> Path:
    """A bundled scenario name (``baseline``) or a path to a TOML file."""
    text = str(name_or_path)
    candidate = Path(text)
    if candidate.suffix == ".toml" or candidate.exists() or "/" in text:
        if not candidate.exists():
            raise ScenarioError(f"{text}: scenario file not found.")
        return candidate
    bundled = SCENARIO_DIR / f"{text}.toml"
    if not bundled.exists():
        names = ", ".join(sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))) or "none"
        raise ScenarioError(f"{text}: no bundled scenario of that name and no such file (bundled: {names}).")
    return bundled


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML ({exc}).") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot be read ({exc}).") from None


def _merge(base: dict, top: dict) -> dict:
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _resolve_extends(path: Path, chain: tuple[Path, ...] = ()) -> dict:
    path = path.resolve()
    if path in chain:
        cycle = " -> ".join(p.name for p in (*chain, path))
        raise ScenarioError(f"{chain[0]}: 'extends' forms a cycle ({cycle}).")
    data = _read_toml(path)
    parent = data.get("extends")
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError(f"{path}: field 'extends' must be a scenario name or path (a string), got {parent!r}.")
    try:
        parent_path = resolve_path(parent) if not parent.endswith(".toml") else (path.parent / parent)
        if parent.endswith(".toml") and not parent_path.exists():
            raise ScenarioError(f"{parent}: scenario file not found.")
    except ScenarioError as exc:
        raise ScenarioError(f"{path}: field 'extends' names a parent that cannot be found ({exc}).") from None
    merged = _merge(_resolve_extends(parent_path, (*chain, path)), data)
    merged["extends"] = parent
    return merged


def parse_value(text: str) -> Any:
    """A CLI value as TOML would read it (``300`` → int, ``0.2`` → float, ``abc`` → str)."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def apply_overrides(data: dict, overrides: dict[str, Any], source: str) -> dict:
    data = json.loads(json.dumps(data))  # deep copy of plain TOML data
    for dotted, value in overrides.items():
        parts = [p for p in str(dotted).split(".") if p]
        if not parts:
            raise ScenarioError(f"{source}: override key {dotted!r} is empty; use a dotted key like world.clients=300.")
        _check_override_key(parts, source)
        node = data
        for part in parts[:-1]:
            nxt = node.get(part)
            if not isinstance(nxt, dict):
                nxt = {}
                node[part] = nxt
            node = nxt
        node[parts[-1]] = parse_value(value) if isinstance(value, str) else value
    return data


def _check_override_key(parts: list[str], source: str) -> None:
    """Unknown dotted keys are named with the keys that would be allowed."""
    model: type[BaseModel] | None = Scenario
    for i, part in enumerate(parts):
        if model is None:
            return
        fields = model.model_fields
        if part not in fields or part in ("source", "base_dir"):
            where = ".".join(parts[:i]) or "top level"
            allowed = ", ".join(k for k in fields if k not in ("source", "base_dir"))
            raise ScenarioError(
                f"{source}: unknown override key '{'.'.join(parts)}' — '{part}' is not a field of {where} "
                f"(allowed: {allowed})."
            )
        annotation = fields[part].annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
        elif part == "overrides" and model in (Regions, Catalogue):
            # regions.overrides.<ID>.<field>, catalogue.overrides.<work type>.<field>
            rest = parts[i + 1 :]
            if len(rest) >= 2:
                inner = RegionOverride if model is Regions else WorkTypeOverride
                _check_override_key_in(inner, rest[1:], ".".join(parts[: i + 2]), source)
            return
        else:
            return


def _check_override_key_in(model: type[BaseModel], parts: list[str], prefix: str, source: str) -> None:
    if parts and parts[0] not in model.model_fields:
        allowed = ", ".join(model.model_fields)
        raise ScenarioError(f"{source}: unknown override key '{prefix}.{'.'.join(parts)}' (allowed: {allowed}).")


def _field_info(loc: tuple) -> tuple[str, str]:
    """Description and allowed range of the field at a pydantic error location."""
    model: Any = Scenario
    info = None
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        fields = getattr(model, "model_fields", {})
        if part in fields:
            info = fields[part]
            ann = info.annotation
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                model = ann
            elif getattr(ann, "__origin__", None) in (list,) and ann.__args__ and issubclass(ann.__args__[0], BaseModel):
                model = ann.__args__[0]
            elif getattr(ann, "__origin__", None) is dict and issubclass(getattr(ann, "__args__", (None, object))[1], BaseModel):
                model = ann.__args__[1]
            else:
                model = None
        elif model is Regions or (isinstance(model, type) and model is RegionOverride):
            continue
    if info is None:
        return "", ""
    lo = hi = None
    for meta in info.metadata:
        lo = getattr(meta, "ge", lo) if getattr(meta, "ge", None) is not None else lo
        hi = getattr(meta, "le", hi) if getattr(meta, "le", None) is not None else hi
    unit = (info.json_schema_extra or {}).get("unit", "") if isinstance(info.json_schema_extra, dict) else ""
    rng = ""
    if lo is not None or hi is not None:
        rng = f"allowed range {lo if lo is not None else '-inf'} to {hi if hi is not None else 'inf'}"
        rng += f" {unit}" if unit and unit != "0-1" else ""
    return info.description or "", rng


def format_validation_error(exc: ValidationError, source: str) -> str:
    lines = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if p not in ("function-after",))
        field = ".".join(str(p) for p in loc) or "(top level)"
        desc, rng = _field_info(loc)
        value = err.get("input")
        shown = "" if isinstance(value, dict) else f" (got {value!r})"
        if err["type"] == "extra_forbidden":
            msg = f"unknown key '{field}'"
        elif err["type"] == "missing":
            msg = f"field '{field}' is required"
        else:
            msg = f"field '{field}'{shown}: {err['msg']}"
        extra = "; ".join(x for x in (desc, rng) if x)
        lines.append(msg + (f" [{extra}]" if extra else ""))
    return f"{source}: invalid scenario — " + "; ".join(lines) + "."


def build(data: dict, source: str, base_dir: Path) -> Scenario:
    try:
        scenario = Scenario.model_validate({**data, "source": source, "base_dir": str(base_dir)})
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(exc, source)) from None
    _check_references(scenario)
    return scenario


def _check_references(scenario: Scenario) -> None:
    from .world_data import load_regions  # late import: world_data depends on this module

    table = load_regions(scenario)  # raises ScenarioError on a bad file
    ids = set(table["region_id"])
    for key in scenario.demand.home_shares:
        if key not in ids:
            raise ScenarioError(
                f"{scenario.source}: field 'demand.home_shares.{key}' names an unknown region (known: {', '.join(sorted(ids))})."
            )
    from .catalogue import load_catalogue

    catalogue = load_catalogue(scenario)
    targets = ids | set(FAMILIES) | set(catalogue.names) | {""}
    for i, event in enumerate(scenario.events):
        if event.target not in targets:
            raise ScenarioError(
                f"{scenario.source}: field 'events.{i}.target' = {event.target!r} is not a region id, family or work type "
                f"(regions: {', '.join(sorted(ids))}; families: {', '.join(FAMILIES)})."
            )
        if event.month > scenario.world.months:
            pass  # allowed: an event after the horizon simply never fires


def load_scenario(name_or_path: str | Path = "baseline", overrides: dict[str, Any] | None = None) -> Scenario:
    """Load a bundled scenario by name or a TOML file by path, apply dotted overrides, validate.

    Raises ``ScenarioError`` with a one-paragraph message naming the file,
    the field and its allowed range.
    """
    path = resolve_path(name_or_path)
    data = _resolve_extends(path)
    source = str(path)
    if overrides:
        data = apply_overrides(data, overrides, source)
    return build(data, source, SCENARIO_DIR if path.resolve().parent == SCENARIO_DIR.resolve() else path.resolve().parent)


def default_scenario(**sections) -> Scenario:
    """A scenario from defaults plus the given sections (for tests and notebooks)."""
    return build(sections, "<python>", SCENARIO_DIR)
