"""The work catalogue: what kinds of work packages exist and how they behave.

After table 1-2 of seed 002 (ITO / BPO / KPO). Each work type's attributes
(skill band, complexity, codifiability, sensitivities, automation exposure)
drive cost, governance, subcontracting and risk; the values and a one-line
rationale each live in ``scenarios/data/work_types.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .scenario import FAMILIES, Scenario, ScenarioError, read_data_rows

NUMERIC = (
    "skill_band", "skill_required", "complexity", "codifiability", "data_sensitivity",
    "timezone_sensitivity", "language_sensitivity", "automation_exposure",
    "effort_fte_months", "term_months", "demand_share",
)
UNIT_RANGE = {
    "skill_required", "complexity", "codifiability", "data_sensitivity",
    "timezone_sensitivity", "language_sensitivity", "automation_exposure",
}


@dataclass
class Catalogue:
    """Work types as columns (index = work type id)."""

    names: list[str]
    family: np.ndarray          # int, index into FAMILIES
    front_office: np.ndarray    # bool
    skill_band: np.ndarray      # int 0 low (contact centre), 1 mid (developer), 2 high (knowledge)
    skill_required: np.ndarray
    complexity: np.ndarray
    codifiability: np.ndarray
    data_sensitivity: np.ndarray
    timezone_sensitivity: np.ndarray
    language_sensitivity: np.ndarray
    automation_exposure: np.ndarray
    effort: np.ndarray          # mean FTE-months per package
    term: np.ndarray            # months
    demand_share: np.ndarray    # share within its family
    rationale: list[str]

    def __len__(self) -> int:
        return len(self.names)


def load_catalogue(scenario: Scenario) -> Catalogue:
    path, rows = read_data_rows(scenario, "catalogue.data", scenario.catalogue.data)
    if not rows:
        raise ScenarioError(f"{path}: the work catalogue is empty.")
    values: dict[str, list[float]] = {k: [] for k in NUMERIC}
    family, front = [], []
    for line, row in enumerate(rows, start=2):
        if row.get("family") not in FAMILIES:
            raise ScenarioError(f"{path}, line {line}: field 'family' = {row.get('family')!r}; allowed {list(FAMILIES)}.")
        family.append(FAMILIES.index(row["family"]))
        front.append(row.get("office", "back") == "front")
        for key in NUMERIC:
            try:
                value = float(row[key])
            except (KeyError, TypeError, ValueError):
                raise ScenarioError(f"{path}, line {line}: field '{key}' must be a number, got {row.get(key)!r}.") from None
            if key in UNIT_RANGE and not 0 <= value <= 1:
                raise ScenarioError(f"{path}, line {line}: field '{key}' = {value}; allowed range 0 to 1.")
            if key == "skill_band" and value not in (0, 1, 2):
                raise ScenarioError(f"{path}, line {line}: field 'skill_band' = {value}; allowed 0, 1 or 2.")
            if key in ("effort_fte_months", "term_months") and not value > 0:
                raise ScenarioError(f"{path}, line {line}: field '{key}' = {value}; must be above 0.")
            values[key].append(value)
    names = [r["work_type"] for r in rows]
    for name, override in scenario.catalogue.overrides.items():
        if name not in names:
            raise ScenarioError(
                f"{scenario.source}: field 'catalogue.overrides.{name}' names an unknown work type (known: {', '.join(names)})."
            )
        for key, value in override.model_dump(exclude_none=True).items():
            values[key][names.index(name)] = value
    arr = {k: np.asarray(v, dtype=float) for k, v in values.items()}
    return Catalogue(
        names=names,
        family=np.asarray(family, dtype=np.int64),
        front_office=np.asarray(front, dtype=bool),
        skill_band=arr["skill_band"].astype(np.int64),
        skill_required=arr["skill_required"],
        complexity=arr["complexity"],
        codifiability=arr["codifiability"],
        data_sensitivity=arr["data_sensitivity"],
        timezone_sensitivity=arr["timezone_sensitivity"],
        language_sensitivity=arr["language_sensitivity"],
        automation_exposure=arr["automation_exposure"],
        effort=arr["effort_fte_months"],
        term=arr["term_months"],
        demand_share=arr["demand_share"],
        rationale=[r.get("rationale", "") for r in rows],
    )
