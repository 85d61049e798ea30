"""Hypothesis: malformed scenarios always give a ScenarioError naming the file and the field — never a traceback.

Kinds generated: wrong types, out-of-range values, unknown keys (top level and in sections), broken
TOML, a missing or cyclic ``extends``, events with unknown kinds, bad months or unknown targets,
and bad dotted overrides.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from sim.scenario import EVENT_KINDS, RegionOverride, Scenario, ScenarioError, load_scenario

SECTIONS = {
    name: field.annotation
    for name, field in Scenario.model_fields.items()
    if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel) and name != "scenario"
}
WORK = Path(tempfile.mkdtemp(prefix="chainsim-malformed-"))
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(value)


def bounded_fields():
    out = []
    for section, model in SECTIONS.items():
        for name, field in model.model_fields.items():
            lo = hi = None
            for meta in field.metadata:
                lo = getattr(meta, "ge", lo) if getattr(meta, "ge", None) is not None else lo
                hi = getattr(meta, "le", hi) if getattr(meta, "le", None) is not None else hi
            if lo is not None or hi is not None:
                out.append((section, name, field.annotation, lo, hi))
    return out


BOUNDED = bounded_fields()
ALL_FIELDS = [(s, n) for s, m in SECTIONS.items() for n in m.model_fields]


def write(text: str, name: str) -> Path:
    path = WORK / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def check(path: Path, *fragments: str, overrides=None) -> str:
    try:
        load_scenario(path, overrides)
    except ScenarioError as exc:
        message = str(exc)
    else:
        raise AssertionError(f"{path.name} loaded although it is malformed:\n{path.read_text()}")
    assert str(path) in message or path.name in message, message
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    assert "\n" not in message.strip(), "one paragraph"
    assert "Traceback" not in message
    return message


@SETTINGS
@given(field=st.sampled_from(BOUNDED), data=st.data())
def test_out_of_range_values_name_the_field_and_range(field, data):
    section, name, annotation, lo, hi = field
    is_int = annotation is int or annotation == (int | None)
    sides = [s for s, b in (("low", lo), ("high", hi)) if b is not None]
    side = data.draw(st.sampled_from(sides))
    step = data.draw(st.integers(1, 10**6) if is_int else st.floats(1e-3, 1e6))
    value = (lo - step) if side == "low" else (hi + step)
    value = int(value) if is_int else float(value)
    path = write(f"[{section}]\n{name} = {toml_value(value)}\n", "range")
    check(path, f"{section}.{name}", "allowed range")


WRONG = st.one_of(
    st.text(alphabet="abcxyz", min_size=1, max_size=6).map(lambda s: "x" + s),
    st.lists(st.integers(-3, 3), min_size=1, max_size=3),
    st.dictionaries(st.sampled_from(["a", "b"]), st.integers(0, 3), min_size=1, max_size=2),
)


@SETTINGS
@given(field=st.sampled_from([f for f in ALL_FIELDS if f[1] not in ("data",)]), value=WRONG)
def test_wrong_types_name_the_field(field, value):
    section, name = field
    annotation = SECTIONS[section].model_fields[name].annotation
    if annotation in (str,) or (isinstance(value, dict) and "dict" in str(annotation)) or (isinstance(value, list) and "list" in str(annotation)):
        return  # that value has the right type for this field
    path = write(f"[{section}]\n{name} = {toml_value(value)}\n", "type")
    check(path, f"{section}.{name}")


KEY = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=3, max_size=12)


@SETTINGS
@given(section=st.sampled_from(list(SECTIONS)), key=KEY, top=st.booleans())
def test_unknown_keys_are_named(section, key, top):
    known = set(Scenario.model_fields) if top else set(SECTIONS[section].model_fields)
    if key in known:
        return
    text = f"{key} = 1\n" if top else f"[{section}]\n{key} = 1\n"
    path = write(text, "unknown")
    check(path, key)


@SETTINGS
@given(text=st.text(alphabet='[]="=\n abc.1{},', min_size=1, max_size=30))
def test_broken_toml_is_reported_not_raised(text):
    import tomllib

    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        path = write(text, "broken")
        check(path, "not valid TOML")


@SETTINGS
@given(parent=st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12), as_path=st.booleans())
def test_missing_parent_is_named(parent, as_path):
    target = f"{parent}_missing.toml" if as_path else f"no_such_{parent}"
    path = write(f'extends = "{target}"\n', "orphan")
    check(path, "extends")


@SETTINGS
@given(length=st.integers(1, 4), data=st.data())
def test_extends_cycles_are_named(length, data):
    names = [f"cycle_{i}_{data.draw(st.integers(0, 10**6))}" for i in range(length)]
    for i, name in enumerate(names):
        nxt = names[(i + 1) % length]
        write(f'extends = "{WORK / (nxt + ".toml")}"\n', name)
    check(WORK / f"{names[0]}.toml", "cycle")


REGION = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=4)


def valid_targets() -> set[str]:
    from sim.catalogue import load_catalogue
    from sim.scenario import FAMILIES
    from sim.world_data import load_regions

    base = load_scenario("baseline")
    return {"", *FAMILIES, *load_catalogue(base).names, *load_regions(base)["region_id"]}


TARGETS = valid_targets()


@SETTINGS
@given(
    kind=st.one_of(st.sampled_from(EVENT_KINDS), KEY),
    month=st.one_of(st.integers(1, 1200), st.integers(-50, 0), st.integers(1201, 10**6)),
    target=st.one_of(REGION, st.just("IND")),
    magnitude=st.floats(-200, 200),
)
def test_bad_events_are_named(kind, month, target, magnitude):
    bad = kind not in EVENT_KINDS or not 1 <= month <= 1200 or target not in TARGETS or not -100 <= magnitude <= 100
    if not bad:
        return
    text = f'[[events]]\nmonth = {month}\nkind = "{kind}"\ntarget = "{target}"\nmagnitude = {magnitude!r}\n'
    path = write(text, "event")
    check(path, "events.0")


@SETTINGS
@given(
    key=st.one_of(
        st.tuples(st.sampled_from(list(SECTIONS)), KEY).map(lambda t: f"{t[0]}.{t[1]}"),
        KEY.map(lambda k: f"{k}.{k}"),
        st.tuples(REGION, st.sampled_from(list(RegionOverride.model_fields) + ["bogus"])).map(lambda t: f"regions.overrides.{t[0]}.{t[1]}"),
    ),
    value=st.one_of(st.just("abc"), st.integers(-10**6, 10**6).map(str), st.just("[1, 2]")),
)
def test_bad_overrides_are_named(key, value):
    parts = key.split(".")
    section = SECTIONS.get(parts[0])
    if section is not None and len(parts) == 2 and parts[1] in section.model_fields:
        return  # a real key; the value may be fine
    path = write("", "override_base")
    try:
        load_scenario(path, {key: value})
    except ScenarioError as exc:
        message = str(exc)
        assert str(path) in message, message
        assert parts[-1] in message or parts[0] in message or parts[-2] in message, message
    else:
        # regions.overrides.<ID>.<field> with a valid field may name a region that exists and a fine value
        assert key.startswith("regions.overrides.") and parts[-1] != "bogus", key
