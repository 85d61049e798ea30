"""Scenario files: one validated Scenario out, or one clear ScenarioError naming file, field and range."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim import Scenario, ScenarioError, load_scenario
from sim.scenario import SCENARIO_DIR

BASELINE = str(SCENARIO_DIR / "baseline.toml")


def test_baseline_loads():
    s = load_scenario("baseline")
    assert isinstance(s, Scenario)
    assert s.scenario.name == "baseline"
    assert Path(s.source).resolve() == Path(BASELINE).resolve()
    assert s.world.clients > 0 and s.world.months > 0
    assert s.regions.overrides["PHL"].tax_incentive == pytest.approx(0.6)
    assert sum(s.demand.home_shares.values()) > 0
    # loading twice gives the same resolved values
    assert load_scenario("baseline").content_hash() == s.content_hash()


def test_overrides_apply_and_change_the_hash():
    base = load_scenario("baseline")
    s = load_scenario("baseline", {"world.clients": 300, "delivery.sla_target": 0.8,
                                   "regions.overrides.IND.wage_multiplier": 0.5, "world.months": "24"})
    assert s.world.clients == 300 and s.world.months == 24
    assert s.delivery.sla_target == pytest.approx(0.8)
    assert s.regions.overrides["IND"].wage_multiplier == pytest.approx(0.5)
    assert s.regions.overrides["IND"].tax_incentive == pytest.approx(0.3)  # the file's value for IND survives
    assert s.content_hash() != base.content_hash()


def raises(overrides=None, path=None) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path or "baseline", overrides)
    return str(info.value)


def test_unknown_override_key_names_file_and_field():
    msg = raises({"world.clientz": 3})
    assert BASELINE in msg
    assert "world.clientz" in msg and "clients" in msg  # and says what is allowed


def test_unknown_section_and_region_field_are_named():
    msg = raises({"nosuch.field": 1})
    assert BASELINE in msg and "nosuch" in msg
    msg = raises({"regions.overrides.IND.salary": 1})
    assert BASELINE in msg and "regions.overrides.IND.salary" in msg and "wage_multiplier" in msg


def test_unknown_region_in_overrides_is_named():
    msg = raises({"regions.overrides.ATLANTIS.tax_rate": 0.1})
    assert BASELINE in msg and "regions.overrides.ATLANTIS" in msg


@pytest.mark.parametrize("key,value", [("world.clients", "many"), ("world.clients", 3.5), ("delivery.sla_target", "high")])
def test_wrong_type_names_file_and_field(key, value):
    msg = raises({key: value})
    assert BASELINE in msg
    assert key in msg
    assert repr(value) in msg


@pytest.mark.parametrize("key,value,lo,hi", [
    ("world.clients", 0, "1", "1000000"),
    ("delivery.sla_target", 1.5, "0", "1"),
    ("world.months", 5000, "1", "1200"),
    ("regions.overrides.IND.tax_rate", 2.0, "0", "0.9"),
])
def test_out_of_range_names_file_field_and_allowed_range(key, value, lo, hi):
    msg = raises({key: value})
    assert BASELINE in msg
    assert key in msg
    assert re.search(rf"allowed range {re.escape(lo)} to {re.escape(hi)}\b", msg), msg


def test_out_of_range_in_a_file_names_that_file(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('extends = "baseline"\n[world]\nmonths = 5000\n')
    msg = raises(path=str(path))
    assert str(path) in msg and "world.months" in msg and "allowed range 1 to 1200" in msg


def test_wrong_type_in_a_file_names_that_file(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[world]\nclients = "lots"\n')
    msg = raises(path=str(path))
    assert str(path) in msg and "world.clients" in msg


def test_unknown_key_in_a_file_is_rejected(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('extends = "baseline"\n[world]\nclientz = 5\n')
    msg = raises(path=str(path))
    assert str(path) in msg and "clientz" in msg


def test_missing_scenario_file_is_named(tmp_path):
    missing = tmp_path / "nope.toml"
    msg = raises(path=str(missing))
    assert str(missing) in msg and "not found" in msg
    msg = raises(path="no_such_bundled_scenario")
    assert "no_such_bundled_scenario" in msg and "baseline" in msg  # lists what is bundled


@pytest.mark.parametrize("field,value", [("regions.data", "data/nope.csv"), ("catalogue.data", "nope.csv")])
def test_missing_data_file_names_scenario_and_field(field, value):
    msg = raises({field: value})
    assert BASELINE in msg and field in msg and "nope.csv" in msg


def test_invalid_toml_is_named(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("[world\nclients = 3\n")
    msg = raises(path=str(path))
    assert str(path) in msg and "TOML" in msg


def test_extends_inherits_and_overrides(tmp_path):
    path = tmp_path / "child.toml"
    path.write_text('extends = "baseline"\n[scenario]\nname = "child"\n[world]\nclients = 123\n'
                    '[regions.overrides.IND]\nwage_multiplier = 0.7\n')
    child, base = load_scenario(str(path)), load_scenario("baseline")
    assert child.scenario.name == "child" and child.extends == "baseline"
    assert child.world.clients == 123
    assert child.world.primes == base.world.primes                 # inherited
    assert child.demand.home_shares == base.demand.home_shares     # inherited table
    assert child.regions.overrides["IND"].wage_multiplier == pytest.approx(0.7)
    assert child.regions.overrides["IND"].tax_incentive == pytest.approx(0.3)   # merged key by key
    assert child.regions.overrides["PHL"].tax_incentive == pytest.approx(0.6)
    assert child.source == str(path)
    # overrides still apply on top of the chain
    assert load_scenario(str(path), {"world.clients": 77}).world.clients == 77


def test_extends_a_relative_toml_path(tmp_path):
    (tmp_path / "parent.toml").write_text('extends = "baseline"\n[world]\nprimes = 42\n')
    (tmp_path / "child.toml").write_text('extends = "parent.toml"\n[world]\nclients = 99\n')
    s = load_scenario(str(tmp_path / "child.toml"))
    assert (s.world.primes, s.world.clients) == (42, 99)


def test_extends_cycle_raises(tmp_path):
    (tmp_path / "a.toml").write_text('extends = "b.toml"\n')
    (tmp_path / "b.toml").write_text('extends = "a.toml"\n')
    msg = raises(path=str(tmp_path / "a.toml"))
    assert "cycle" in msg and "a.toml" in msg and "b.toml" in msg
    (tmp_path / "self.toml").write_text('extends = "self.toml"\n')
    assert "cycle" in raises(path=str(tmp_path / "self.toml"))


def test_extends_missing_parent_is_named(tmp_path):
    path = tmp_path / "orphan.toml"
    path.write_text('extends = "no_such_parent"\n')
    msg = raises(path=str(path))
    assert str(path) in msg and "extends" in msg and "no_such_parent" in msg


def test_event_with_unknown_target_is_named():
    msg = raises({"events": [{"month": 2, "kind": "tax_rate", "target": "ATLANTIS", "magnitude": 0.1}]})
    assert BASELINE in msg and "events.0.target" in msg and "ATLANTIS" in msg


def test_event_with_unknown_kind_is_rejected():
    msg = raises({"events": [{"month": 2, "kind": "meteor", "target": "", "magnitude": 0.1}]})
    assert BASELINE in msg and "events.0.kind" in msg


def test_cli_lists_every_field_with_unit_and_range():
    from typer.testing import CliRunner

    from sim.cli import app

    result = CliRunner().invoke(app, ["scenarios", "fields", "world"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "world.clients" in result.output and "1 .. 1000000" in result.output and "firms" in result.output
    bad = CliRunner().invoke(app, ["scenarios", "fields", "nope"])
    assert bad.exit_code == 2
