"""Host regions from the calibration table, with documented imputation.

Turns ``scenarios/data/regions.csv`` (sources in ``SOURCES-regions.md``)
into the model's region inputs. Empty cells mean "not found", never zero;
they are filled by a rule and flagged in ``imputed``:

- skill: World Bank Human Capital Index; missing → median of the macro
  region, else of all regions.
- english: EF EPI score mapped by (EPI − 400) / 250 into 0–1; native
  English-speaking countries (USA, GBR, IRL, AUS) are 1.0; missing → macro
  median.
- wages (USD per FTE-month) by band: band 1 = developer median (Stack
  Overflow 2022); band 0 = contact-centre pay where observed (monthly, or the
  hourly base range mid-point × 173 hours), else band 1 × ``cost.band_ratio_low``;
  band 2 = band 1 × ``cost.band_ratio_high``.
- infrastructure = WGI government-effectiveness percentile / 100;
  risk = 1 − WGI rule-of-law percentile / 100.
- talent pool share: services workforce estimate; missing → the region's
  Stack Overflow 2022 respondent count (a measured, if biased, signal of
  developer population size) × the median workforce-per-respondent ratio of
  the regions that have both; then normalised to shares.
"""

from __future__ import annotations

import numpy as np

from .scenario import Scenario, ScenarioError, read_data_rows

NATIVE_ENGLISH = {"USA", "GBR", "IRL", "AUS"}
HOURS_PER_MONTH = 173.3


def _num(text: str) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        return np.nan


def _impute(values: np.ndarray, macro: list[str]) -> tuple[np.ndarray, np.ndarray]:
    out = values.copy()
    missing = np.isnan(out)
    for i in np.flatnonzero(missing):
        peers = [v for v, m in zip(values, macro) if m == macro[i] and not np.isnan(v)]
        out[i] = np.median(peers) if peers else np.nanmedian(values)
    return out, missing


def load_regions(scenario: Scenario) -> dict:
    path, rows = read_data_rows(scenario, "regions.data", scenario.regions.data)
    known = [r["region_id"] for r in rows]
    include = scenario.regions.include or known
    for rid in include:
        if rid not in known:
            raise ScenarioError(
                f"{scenario.source}: field 'regions.include' names unknown region {rid!r} (known: {', '.join(known)})."
            )
    for rid in scenario.regions.overrides:
        if rid not in include:
            raise ScenarioError(
                f"{scenario.source}: field 'regions.overrides.{rid}' names a region not in the world (regions: {', '.join(include)})."
            )
    rows = [r for r in rows if r["region_id"] in include]
    rows.sort(key=lambda r: include.index(r["region_id"]))
    ids = [r["region_id"] for r in rows]
    macro = [r["macro_region"] for r in rows]
    col = lambda key: np.array([_num(r.get(key, "")) for r in rows])  # noqa: E731

    skill, skill_imp = _impute(col("human_capital_index"), macro)
    epi = col("english_proficiency")
    english_raw = np.clip((epi - 400.0) / 250.0, 0, 1)
    native = np.array([rid in NATIVE_ENGLISH for rid in ids])
    english_raw[native] = 1.0
    english, english_imp = _impute(english_raw, macro)

    dev = col("it_dev_monthly_salary_usd")
    if np.isnan(dev).any():
        bad = [ids[i] for i in np.flatnonzero(np.isnan(dev))]
        raise ScenarioError(f"{path}: field 'it_dev_monthly_salary_usd' is empty for {bad}; every region needs a developer wage.")
    cc = col("contact_centre_monthly_salary_usd")
    hourly = (col("cc_agent_base_wage_usd_hr_low") + col("cc_agent_base_wage_usd_hr_high")) / 2 * HOURS_PER_MONTH
    cc = np.where(np.isnan(cc), hourly, cc)
    cc_imp = np.isnan(cc)
    cc = np.where(cc_imp, dev * scenario.cost.band_ratio_low, cc)
    wage = np.stack([cc, dev, dev * scenario.cost.band_ratio_high], axis=1)

    infra, infra_imp = _impute(col("wgi_ge_pctrank_2023") / 100.0, macro)
    rule, risk_imp = _impute(col("wgi_rl_pctrank_2023") / 100.0, macro)
    data_regime, regime_imp = _impute(col("data_regime_strength"), macro)
    pool = col("services_workforce_estimate")
    respondents = col("it_dev_so2022_n")
    both = ~np.isnan(pool) & ~np.isnan(respondents) & (respondents > 0)
    ratio = np.median(pool[both] / respondents[both]) if both.any() else 1.0
    pool_imp = np.isnan(pool)
    pool = np.where(pool_imp, respondents * ratio, pool)
    pool, _ = _impute(pool, macro)
    tax = col("corporate_tax_rate")
    if np.isnan(tax).any():
        bad = [ids[i] for i in np.flatnonzero(np.isnan(tax))]
        raise ScenarioError(f"{path}: field 'corporate_tax_rate' is empty for {bad}.")

    table = {
        "region_id": ids,
        "name": [r["name"] for r in rows],
        "macro_region": macro,
        "utc": col("utc_offset"),
        "tax_rate": tax,
        "tax_incentive": np.zeros(len(ids)),
        "wage": wage,
        "skill": skill,
        "english": english,
        "infrastructure": infra,
        "risk": 1.0 - rule,
        "data_regime": data_regime,
        "adequate": np.array([r["gdpr_adequacy"] in ("eu", "adequate") for r in rows]),
        "eu": np.array([r["gdpr_adequacy"] == "eu" for r in rows]),
        "talent_pool_share": pool / pool.sum(),
        "imputed": {
            "skill": skill_imp, "english": english_imp & ~native, "wage_band0": cc_imp,
            "infrastructure": infra_imp, "risk": risk_imp, "data_regime": regime_imp, "talent_pool": pool_imp,
        },
    }
    index = {rid: i for i, rid in enumerate(ids)}
    for rid, ov in scenario.regions.overrides.items():
        i = index[rid]
        for key, value in ov.model_dump(exclude_none=True).items():
            if key == "wage_multiplier":
                table["wage"][i] *= value
            elif key == "talent_pool_share":
                table["talent_pool_share"][i] = value
            else:
                table[key][i] = value
    share = table["talent_pool_share"]
    table["talent_pool_share"] = share / share.sum() if share.sum() > 0 else np.full(len(ids), 1 / len(ids))
    return table
