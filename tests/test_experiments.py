"""Experiments: deterministic replicates, identical results serial or pooled, an atomic and resumable
store, and effect sizes whose intervals shrink with more replicates."""

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.experiments import ResultsStore, compare_design, compare_runs, execute, replicate_seeds, run_spec

TINY = {"world.clients": 200, "world.primes": 30, "world.subcontractors": 60}


def test_replicate_seeds_are_reproducible_and_distinct():
    a, b = replicate_seeds(7, 20), replicate_seeds(7, 20)
    assert a == b and len(set(a)) == 20
    assert replicate_seeds(8, 20) != a
    assert replicate_seeds(7, 25)[:20] == a  # more replicates extend, never reshuffle


def test_serial_and_pool_give_bit_identical_results():
    _, specs = compare_design(["india_wage_shock"], "baseline", 2, 3, months=12, overrides=TINY)
    serial = {o["spec"].run_id: o["metrics"] for o in execute(specs, workers=1)}
    pooled = {o["spec"].run_id: o["metrics"] for o in execute(specs, workers=2)}
    assert serial.keys() == pooled.keys()
    for run_id in serial:
        pd.testing.assert_frame_equal(serial[run_id], pooled[run_id])


def test_store_keeps_provenance_and_resumes_without_repeating_runs(tmp_path):
    design, specs = compare_design(["us_backlash_tax"], "baseline", 2, 5, months=12, overrides=TINY)
    path = tmp_path / "r.duckdb"
    calls = []

    def counted(spec):
        calls.append(spec.run_id)
        return run_spec(spec)

    with ResultsStore(path) as store:
        store.add_experiment(design)
        first = specs[:2]                       # "interrupted" after two runs
        for out in execute(first, fn=counted):
            store.commit_run(out, design["experiment_id"])
    with ResultsStore(path) as store:
        todo = [s for s in specs if s.run_id not in store.finished_run_ids(s.run_id for s in specs)]
        for out in execute(todo, fn=counted):
            store.commit_run(out, design["experiment_id"])
        runs = store.runs(design["experiment_id"])
        assert sorted(calls) == sorted(s.run_id for s in specs)   # each run computed exactly once
        assert len(runs) == 4 and (runs.status == "finished").all()
        for col in ("scenario_hash", "code_version", "overrides"):
            assert runs[col].astype(str).str.len().gt(0).all(), col
        assert runs.started.notna().all() and runs.finished.notna().all() and (runs.seconds > 0).all()
        assert set(runs.seed) == set(s.seed for s in specs)
        assert store.design(design["experiment_id"])["replicates"] == 2
        assert len(store.metrics(runs.run_id)) > 0


def test_a_run_that_fails_while_being_stored_is_never_visible(tmp_path):
    _, specs = compare_design([], "baseline", 1, 5, months=6, overrides=TINY)
    out = run_spec(specs[0])
    broken = dict(out, events=out["events"].drop(columns=["detail"]).assign(kind=None, step="not a number"))
    with ResultsStore(tmp_path / "r.duckdb") as store:
        with pytest.raises(Exception):
            store.commit_run(broken)
        assert store.finished_run_ids() == set()
        assert store.con.execute("SELECT count(*) FROM metrics").fetchone()[0] == 0
        store.commit_run(out)   # the same run stored properly afterwards
        assert store.finished_run_ids() == {specs[0].run_id}


def _synthetic(n, rng):
    """Tidy metrics of n paired runs whose 'jobs' outcome differs by 1 ± 1 between scenarios."""
    rows, runs = [], []
    for i in range(n):
        base = rng.normal(100, 5)
        for scenario, value in (("baseline", base), ("policy", base + rng.normal(1, 1))):
            run_id = f"{scenario}-{i}"
            runs.append({"run_id": run_id, "scenario": scenario, "seed": i})
            rows += [{"run_id": run_id, "step": s, "metric": "employment_direct", "region": "IND", "family": "",
                      "mode": "", "location": "", "value": value} for s in (1, 2, 3)]
    return pd.DataFrame(rows), pd.DataFrame(runs)


def test_intervals_shrink_with_more_replicates():
    rng = np.random.default_rng(0)
    widths = {}
    for n in (6, 60):
        metrics, runs = _synthetic(n, rng)
        row = compare_runs(metrics, runs, "baseline", ["jobs"], horizon=3, window=3).iloc[0]
        assert row.ci_low <= row.effect <= row.ci_high
        widths[n] = row.ci_high - row.ci_low
    assert widths[60] < 0.6 * widths[6], widths   # about sqrt(6/60) = 0.32 expected


def test_model_effects_come_with_intervals_around_them():
    design, specs = compare_design(["india_wage_shock"], "baseline", 6, 11, months=18, overrides=TINY)
    outs = list(execute(specs, workers=2))
    runs = pd.DataFrame([{"run_id": o["spec"].run_id, "scenario": o["spec"].scenario, "seed": o["spec"].seed} for o in outs])
    metrics = pd.concat([o["metrics"].assign(run_id=o["spec"].run_id, metric=o["metrics"].metric.astype(str)) for o in outs])
    effects = compare_runs(metrics, runs, "baseline", ["share:IND", "jobs", "savings"], horizon=18)
    assert len(effects) == 3 and (effects.replicates == 6).all()
    assert ((effects.ci_low <= effects.effect) & (effects.effect <= effects.ci_high)).all()
    assert effects.set_index("outcome").loc["share:IND", "effect"] < 0   # dearer Indian wages: smaller share


def test_cli_compare_writes_effects_and_rejects_bad_input(tmp_path):
    runner = CliRunner()
    store, csv = tmp_path / "r.duckdb", tmp_path / "effects.csv"
    sets = sum((["--set", f"{k}={v}"] for k, v in TINY.items()), [])
    result = runner.invoke(app, ["compare", "us_backlash_tax", "-r", "2", "-m", "8", "-w", "1", "--store", str(store),
                                 "--csv", str(csv), "-o", "jobs", "-o", "share:USA", *sets])
    assert result.exit_code == 0, result.output
    effects = pd.read_csv(csv)
    assert set(effects.outcome) == {"jobs", "share:USA"} and {"ci_low", "ci_high", "effect"} <= set(effects.columns)
    listing = runner.invoke(app, ["results", "list", "--store", str(store)])
    assert listing.exit_code == 0 and "compare" in listing.output
    # a second comparison on the same store reuses the baseline runs the first one stored
    again = runner.invoke(app, ["compare", "cluster_park", "-r", "2", "-m", "8", "-w", "1", "--store", str(store),
                                "--csv", str(csv), "-o", "jobs", *sets])
    assert again.exit_code == 0, again.output
    assert "2 of 4 runs already" in again.output and set(pd.read_csv(csv).scenario) == {"cluster_park"}
    with ResultsStore(store, read_only=True) as results:
        assert list(results.experiments().finished_runs) == [4, 4]      # the reused baseline runs count for both
    for bad in (["compare", "no_such_scenario", "--store", str(store)],
                ["compare", "us_backlash_tax", "-o", "nonsense", "--store", str(store)],
                ["compare", "us_backlash_tax", "-r", "1", "--store", str(store)],
                ["results", "list", "--store", str(tmp_path / "missing.duckdb")]):
        assert runner.invoke(app, bad).exit_code == 2, bad


# --------------------------------------------------------------------------- sweeps and sensitivity

def test_designs_have_the_expected_number_of_points():
    from sim.experiments.sweep import Parameter, sample

    p = [Parameter("world.clients", 100, 300, True), Parameter("scoring.price", 0.1, 0.3)]
    assert sample(p, "grid", 3, 1).shape == (9, 2)
    assert sample(p, "lhs", 10, 1).shape == (10, 2)
    assert sample(p, "sobol", 8, 1).shape == (8 * (2 + 2), 2)
    assert sample(p, "morris", 4, 1).shape == (4 * (2 + 1), 2)
    X = sample(p, "lhs", 10, 1)
    assert (X[:, 0] == np.round(X[:, 0])).all() and X[:, 0].min() >= 100 and X[:, 0].max() <= 300
    assert np.array_equal(sample(p, "lhs", 10, 1), X)   # seeded


@pytest.mark.parametrize("bad", [
    "world.clientz=1:2", "world.clients=800:200", "world.clients=5:5", "world.clients=-5:10",
    "scoring.price=0.1:7", "world.clients", "world.clients=a:b", "regions.overrides.IND.bogus=0:1",
])
def test_bad_parameters_are_named(bad):
    from sim.experiments.sweep import DesignError, parse_parameter

    with pytest.raises(DesignError) as err:
        parse_parameter(bad, "baseline")
    assert bad.split("=")[0] in str(err.value)


def test_too_few_samples_and_wrong_methods_are_refused():
    from sim.experiments.sweep import DesignError, Parameter, sample

    p = [Parameter("world.clients", 100, 300, True), Parameter("scoring.price", 0.1, 0.3)]
    for method, n in (("sobol", 6), ("sobol", 1), ("lhs", 1), ("morris", 1), ("nonsense", 8)):
        with pytest.raises(DesignError):
            sample(p, method, n, 1)
    with pytest.raises(DesignError):
        sample(p[:1], "sobol", 8, 1)


def test_sobol_recovers_a_known_ranking():
    """IND's wage multiplier drives IND's wage outcome; the data-incident rate cannot."""
    from sim.experiments.compare import outcome_values
    from sim.experiments.sweep import parse_parameter, sensitivity, sweep_design

    params = [parse_parameter("delivery.incident_rate=0:0.01", "baseline"),
              parse_parameter("regions.overrides.IND.wage_multiplier=0.5:1.5", "baseline")]
    design, specs = sweep_design("baseline", params, "sobol", 8, 3, months=12, overrides=TINY)
    outs = list(execute(specs, workers=2))
    metrics = pd.concat([o["metrics"].assign(run_id=o["spec"].run_id, metric=o["metrics"].metric.astype(str)) for o in outs])
    indices = {row["parameter"]: row for row in sensitivity(design, outcome_values(metrics, "wages:IND", 12, 6).to_dict())}
    strong, weak = indices["regions.overrides.IND.wage_multiplier"], indices["delivery.incident_rate"]
    assert strong["ST"] > 0.5 and weak["ST"] < 0.05
    assert strong["ST"] > weak["ST"] + 0.3


def test_cli_sweep_runs_and_refuses_bad_designs(tmp_path):
    runner = CliRunner()
    store, csv = tmp_path / "s.duckdb", tmp_path / "points.csv"
    sets = sum((["--set", f"{k}={v}"] for k, v in TINY.items()), [])
    ok = runner.invoke(app, ["sweep", "-p", "scoring.price=0.1:0.3", "--method", "lhs", "-n", "3", "-m", "6", "-w", "1",
                             "--store", str(store), "--csv", str(csv), "-o", "savings", *sets])
    assert ok.exit_code == 0, ok.output
    points = pd.read_csv(csv)
    assert len(points) == 3 and {"scoring.price", "savings"} <= set(points.columns)
    for bad in (["sweep", "-p", "world.clients=800:200", "--store", str(store)],
                ["sweep", "-p", "world.clients=200:800", "-p", "scoring.price=0.1:0.3", "--method", "sobol", "-n", "6", "--store", str(store)],
                ["sensitivity", "-p", "world.clients=200:800", "--method", "lhs", "--store", str(store)],
                ["sweep", "-p", "world.nope=1:2", "--store", str(store)]):
        assert runner.invoke(app, bad).exit_code == 2, bad


# --------------------------------------------------------------------------- Dask, and kill-and-resume

def test_dask_local_cluster_gives_the_same_numbers():
    from sim.experiments.execute import close_client, dask_client

    _, specs = compare_design(["india_wage_shock"], "baseline", 2, 3, months=8, overrides=TINY)
    serial = {o["spec"].run_id: o["metrics"] for o in execute(specs)}
    client = dask_client(local_workers=2)
    try:
        dask = {o["spec"].run_id: o["metrics"] for o in execute(specs, client=client)}
    finally:
        close_client(client)
    assert serial.keys() == dask.keys()
    for run_id in serial:
        pd.testing.assert_frame_equal(serial[run_id], dask[run_id])


def test_an_unreachable_scheduler_is_a_clear_error_within_seconds():
    import time

    from sim.experiments.execute import ExecutorError, dask_client

    t0 = time.monotonic()
    with pytest.raises(ExecutorError) as err:
        dask_client("tcp://127.0.0.1:9", timeout=2)
    assert time.monotonic() - t0 < 10
    assert "tcp://127.0.0.1:9" in str(err.value) and "dask scheduler" in str(err.value)


def test_killing_a_comparison_and_rerunning_gives_exactly_the_uninterrupted_results(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    args = ["compare", "us_backlash_tax", "-r", "5", "-m", "36", "-w", "1", "-o", "jobs"]
    args += sum((["--set", f"{k}={v}"] for k, v in TINY.items()), [])
    cli = [sys.executable, "-c", "from sim.cli import app; app()"]
    killed_store, clean_store = tmp_path / "killed.duckdb", tmp_path / "clean.duckdb"
    proc = subprocess.Popen(cli + args + ["--store", str(killed_store)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    time.sleep(2.0)          # part-way through its ten runs (the whole takes ~4 s here)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    if killed_store.exists():
        with ResultsStore(killed_store, read_only=True) as store:
            finished_before = len(store.finished_run_ids())
    else:
        finished_before = 0
    assert finished_before < 10, "the kill came too late to interrupt anything"
    rerun = subprocess.run(cli + args + ["--store", str(killed_store)], capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    clean = subprocess.run(cli + args + ["--store", str(clean_store)], capture_output=True, text=True)
    assert clean.returncode == 0, clean.stderr

    def contents(path):
        with ResultsStore(path, read_only=True) as store:
            runs = store.runs().sort_values("run_id").reset_index(drop=True)
            metrics = store.metrics(runs.run_id).sort_values(["run_id", "step", "metric", "region", "family", "mode", "location"]).reset_index(drop=True)
        return runs, metrics

    runs_a, metrics_a = contents(killed_store)
    runs_b, metrics_b = contents(clean_store)
    assert len(runs_a) == 10 and (runs_a.status == "finished").all()
    assert runs_a.run_id.tolist() == runs_b.run_id.tolist()          # nothing lost, nothing twice
    pd.testing.assert_frame_equal(metrics_a, metrics_b)


# --------------------------------------------------------------------------- scenario discovery

def test_prim_finds_a_known_box():
    from sim.experiments.discover import discover

    rng = np.random.default_rng(1)
    table = pd.DataFrame({"a": rng.random(400), "b": rng.random(400), "c": rng.random(400)})
    table["outcome"] = np.where((table.a > 0.6) & (table.b < 0.3), 0.0, 1.0) + rng.normal(0, 0.01, 400)
    result = discover(table, below=0.5)
    limits = result["limits"]
    assert set(limits.index) == {"a", "b"}                    # c does not matter
    assert 0.5 < limits.loc["a", "min"] < 0.7 and 0.2 < limits.loc["b", "max"] < 0.4
    assert result["density"] > 0.8 and result["coverage"] > 0.8


def test_cli_discover_on_a_stored_sweep_and_its_errors(tmp_path):
    runner = CliRunner()
    store = tmp_path / "d.duckdb"
    sets = sum((["--set", f"{k}={v}"] for k, v in TINY.items()), [])
    swept = runner.invoke(app, ["sweep", "-p", "regions.overrides.IND.wage_multiplier=0.5:1.5", "-p", "scoring.choice_noise=0:0.05",
                                "--method", "lhs", "-n", "16", "-m", "12", "-o", "share:IND", "-w", "2", "--store", str(store), *sets])
    assert swept.exit_code == 0, swept.output
    with ResultsStore(store, read_only=True) as results:
        experiment = results.experiments().experiment_id.iloc[0]
        runs = results.runs(experiment)
        from sim.experiments.compare import outcome_values

        values = outcome_values(results.metrics(runs.run_id, ["delivered_fte"]), "share:IND", 12, 12)
    middle = float(values.median())
    found = runner.invoke(app, ["discover", experiment, "-o", "share:IND", "--below", str(middle), "--store", str(store)],
                          env={"COLUMNS": "200"})
    assert found.exit_code == 0, found.output
    assert "wage_multiplier" in found.output            # dearer Indian wages are where India's share is low
    for bad in (["discover", experiment, "-o", "share:IND", "--below", "-1", "--store", str(store)],
                ["discover", experiment, "-o", "share:IND", "--store", str(store)],
                ["discover", "nosuchexperiment", "-o", "jobs", "--below", "1", "--store", str(store)]):
        assert runner.invoke(app, bad).exit_code == 2, bad
