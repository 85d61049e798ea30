"""Scenario files: the schema (this module) and their loading (``scenario_loading``).

All scenario parsing lives in these two modules. A scenario is a TOML file whose sections
mirror the model's mechanisms; every field carries a description, a unit and
an allowed range, which feed the error messages (and later ``--help`` and
the dashboard's tooltips). ``extends = "baseline"`` inherits a parent file
and overrides it key by key; dotted overrides (``world.clients=300``) are
validated exactly like file values.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"

FAMILIES = ("ITO", "BPO", "KPO")
MODES = ("market", "modular", "relational", "captive", "hierarchy")
LOCATIONS = ("onshore", "nearshore", "offshore", "inhouse")
EVENT_KINDS = (
    "tax_rate", "tax_incentive", "training_subsidy", "infrastructure", "cluster_park",
    "data_localisation", "adequacy_decision", "ai_automation", "wage_shock",
    "currency_shock", "risk_shock", "backlash_tax", "communication_cost",
)


class ScenarioError(ValueError):
    """A scenario that cannot be used; the message names file, field and range."""


def F(default=None, description: str = "", unit: str = "", **limits):
    """A scenario field: default, description, unit and allowed range in one place."""
    extra = {"unit": unit} if unit else None
    if "default_factory" in limits:
        return Field(description=description, json_schema_extra=extra, **limits)
    return Field(default, description=description, json_schema_extra=extra, **limits)


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class ScenarioInfo(Section):
    name: str = F("unnamed", "Short name of the scenario")
    description: str = F("", "The question this scenario answers")


class World(Section):
    months: int = F(60, "Months to simulate", "months", ge=1, le=1200)
    seed: int = F(1, "Seed that drives all randomness", "", ge=0, le=2**63 - 1)
    clients: int = F(2000, "Number of client firms", "firms", ge=1, le=1_000_000)
    primes: int = F(200, "Number of prime providers", "firms", ge=1, le=200_000)
    subcontractors: int = F(500, "Number of subcontractors (tier 2 and deeper)", "firms", ge=0, le=500_000)
    shortlist_k: int = F(8, "Vendors invited to each tender", "vendors", ge=1, le=64)
    max_tier: int = F(3, "Deepest chain tier (1 = no subcontracting)", "tiers", ge=1, le=5)
    max_centres_per_prime: int = F(4, "Most delivery centres a prime starts with", "centres", ge=1, le=8)
    captive_share: float = F(0.10, "Share of clients that own a captive centre abroad", "share", ge=0, le=1)
    capacity_headroom: float = F(0.5, "Initial provider capacity relative to steady-state outsourced demand (providers grow by hiring as they win)", "ratio", ge=0.1, le=10)
    bid_stretch: float = F(0.2, "Capacity a provider may bid beyond its staff, hiring on award", "share", ge=0, le=5)


class RegionOverride(Section):
    tax_rate: float | None = F(None, "Statutory corporate tax rate", "share", ge=0, le=0.9)
    tax_incentive: float | None = F(None, "Share of the tax rate waived for export services (tax holidays, zones)", "share", ge=0, le=1)
    wage_multiplier: float | None = F(None, "Multiplier on all wage bands", "ratio", ge=0.05, le=20)
    skill: float | None = F(None, "Skill level of the services workforce", "0-1", ge=0, le=1)
    english: float | None = F(None, "English proficiency", "0-1", ge=0, le=1)
    infrastructure: float | None = F(None, "Infrastructure quality", "0-1", ge=0, le=1)
    risk: float | None = F(None, "Country risk", "0-1", ge=0, le=1)
    data_regime: float | None = F(None, "Strength of the data-protection regime", "0-1", ge=0, le=1)
    talent_pool_share: float | None = F(None, "Share of the world's services talent pool", "share", ge=0, le=1)


class Regions(Section):
    data: str = F("data/regions.csv", "Region table (CSV), relative to the scenarios folder")
    include: list[str] = F(default_factory=list, description="Region ids to use (empty: all in the table)")
    overrides: dict[str, RegionOverride] = F(default_factory=dict, description="Per-region overrides by region id")


class Demand(Section):
    needs_per_client_month: float = F(0.12, "Mean new work packages a client needs per month", "packages/month", ge=0, le=50)
    client_size_sigma: float = F(0.8, "Log-normal spread of client sizes", "", ge=0, le=3)
    home_shares: dict[str, float] = F(default_factory=dict, description="Share of clients headquartered in each region (normalised)")
    family_shares: dict[str, float] = F(
        default_factory=lambda: {"ITO": 0.5, "BPO": 0.32, "KPO": 0.18},
        description="Share of demand by service family (normalised)",
    )
    effort_sigma: float = F(0.5, "Log-normal spread of package effort around the catalogue mean", "", ge=0, le=3)
    industry_shares: dict[str, float] = F(
        default_factory=lambda: {"bfsi": 0.412, "hitech_telecom": 0.1765, "manufacturing": 0.1628, "other": 0.2487},
        description="Share of clients by industry (normalised); default: India's IT-BPM exports 2020-21 by client industry (Economic Survey 2021-22, NASSCOM)",
    )
    industry_sensitivity: dict[str, float] = F(
        default_factory=lambda: {"bfsi": 0.10},
        description="Extra data sensitivity of an industry's work (regulated financial data); industries not listed add nothing",
    )

    @model_validator(mode="after")
    def _shares(self):
        for name, shares in (("home_shares", self.home_shares), ("family_shares", self.family_shares)):
            for key, value in shares.items():
                if not 0 <= value <= 1e6:
                    raise ValueError(f"{name}.{key} = {value} must be a non-negative weight")
            if shares and sum(shares.values()) <= 0:
                raise ValueError(f"{name} must have a positive total")
        if not self.industry_shares or sum(self.industry_shares.values()) <= 0:
            raise ValueError("industry_shares must name at least one industry with a positive share")
        for key, value in self.industry_shares.items():
            if value < 0:
                raise ValueError(f"industry_shares.{key} = {value} must be a non-negative weight")
        for key, value in self.industry_sensitivity.items():
            if key not in self.industry_shares:
                raise ValueError(f"industry_sensitivity.{key} names an industry not in industry_shares ({', '.join(self.industry_shares)})")
            if not -1 <= value <= 1:
                raise ValueError(f"industry_sensitivity.{key} = {value}; allowed range -1 to 1")
        bad = set(self.family_shares) - set(FAMILIES)
        if bad:
            raise ValueError(f"family_shares has unknown families {sorted(bad)}; allowed {list(FAMILIES)}")
        return self


class WorkTypeOverride(Section):
    skill_required: float | None = F(None, "Skill the work needs", "0-1", ge=0, le=1)
    complexity: float | None = F(None, "Complexity of the work", "0-1", ge=0, le=1)
    codifiability: float | None = F(None, "How far the work can be specified and split into modules", "0-1", ge=0, le=1)
    data_sensitivity: float | None = F(None, "Sensitivity of the data the work handles", "0-1", ge=0, le=1)
    timezone_sensitivity: float | None = F(None, "How much the work suffers from time-zone distance", "0-1", ge=0, le=1)
    language_sensitivity: float | None = F(None, "How much the work suffers from language distance", "0-1", ge=0, le=1)
    automation_exposure: float | None = F(None, "Share of the work AI automation can take over", "0-1", ge=0, le=1)
    effort_fte_months: float | None = F(None, "Mean effort of a package", "FTE-months", gt=0, le=100_000)
    term_months: float | None = F(None, "Contract term", "months", ge=1, le=240)
    demand_share: float | None = F(None, "Weight of the type within its family's demand", "weight", ge=0, le=1000)


class Catalogue(Section):
    data: str = F("data/work_types.csv", "Work-type catalogue (CSV), relative to the scenarios folder")
    overrides: dict[str, WorkTypeOverride] = F(default_factory=dict, description="Per-work-type overrides by work-type name")


class Scoring(Section):
    technical: float = F(0.20, "Weight of technical capability (seed 003)", "weight", ge=0, le=1)
    service: float = F(0.25, "Weight of service capability and track record (seed 003)", "weight", ge=0, le=1)
    price: float = F(0.20, "Weight of price (seed 003)", "weight", ge=0, le=1)
    team_stability: float = F(0.15, "Weight of team stability (seed 003)", "weight", ge=0, le=1)
    data_security: float = F(0.20, "Weight of data security (seed 003)", "weight", ge=0, le=1)
    onshore: float = F(1.00, "Score multiplier for onshore delivery", "ratio", ge=0, le=2)
    nearshore: float = F(0.97, "Score multiplier for nearshore delivery", "ratio", ge=0, le=2)
    offshore: float = F(0.94, "Score multiplier for offshore delivery", "ratio", ge=0, le=2)
    country_risk: float = F(0.15, "Score lost per unit of country risk", "share", ge=0, le=1)
    price_sensitivity: float = F(2.0, "How steeply the price score falls with cost above the cheapest option", "", ge=0, le=20)
    choice_noise: float = F(0.02, "Gumbel noise on scores (bounded rationality)", "score", ge=0, le=1)

    @model_validator(mode="after")
    def _weights(self):
        if self.technical + self.service + self.price + self.team_stability + self.data_security <= 0:
            raise ValueError("scoring weights must not all be zero")
        return self


class Cost(Section):
    overhead: float = F(0.35, "Provider overhead on wages", "share", ge=0, le=5)
    inhouse_overhead: float = F(0.45, "Client overhead on wages for in-house work", "share", ge=0, le=5)
    inhouse_productivity: float = F(0.75, "Productivity of a client's in-house team at non-core work relative to a specialist (seed 001: specialists 2-3x as efficient in finance)", "ratio", ge=0.05, le=3)
    coordination_rate: float = F(0.12, "Coordination cost per unit of distance and complexity, as a share of home-wage cost", "share", ge=0, le=5)
    timezone_weight: float = F(1.0, "Weight of time-zone distance in communication distance", "", ge=0, le=10)
    language_weight: float = F(1.0, "Weight of language distance in communication distance", "", ge=0, le=10)
    communication_cost_factor: float = F(1.0, "Scales all coordination cost (cloud delivery lowers it)", "ratio", ge=0, le=10)
    transition_rate: float = F(0.06, "One-off transition cost of a new contract, as a share of its value", "share", ge=0, le=2)
    skill_effort_penalty: float = F(1.5, "Extra effort per unit of skill shortfall", "ratio", ge=0, le=20)
    initial_markup: float = F(0.20, "Providers' starting markup on cost", "share", ge=0, le=5)
    subcontractor_overhead: float = F(0.20, "Subcontractors' overhead on wages (lower than primes)", "share", ge=0, le=5)
    subcontractor_wage_discount: float = F(0.20, "How far below prime wages local tier-2 firms pay in the same region", "share", ge=0, le=0.9)
    bench_cost_share: float = F(0.5, "Share of the wage paid for idle capacity", "share", ge=0, le=1)
    band_ratio_high: float = F(1.4, "Knowledge-band wage relative to the developer wage", "ratio", ge=0.5, le=5)
    band_ratio_low: float = F(0.33, "Contact-centre wage relative to the developer wage where not observed", "ratio", ge=0.05, le=2)


class Governance(Section):
    noise: float = F(0.03, "Gumbel noise on expected governance cost (bounded rationality)", "share of price", ge=0, le=1)
    failure_loss: float = F(0.6, "Loss to the buyer from a failed delivery, as a share of its price", "share", ge=0, le=10)
    lockin_rate: float = F(0.15, "Switching cost from asset-specific, tacit work", "share", ge=0, le=5)
    monitoring_market: float = F(0.01, "Monitoring cost of an arm's-length market link", "share", ge=0, le=1)
    monitoring_modular: float = F(0.03, "Monitoring cost of a modular link (codified interfaces)", "share", ge=0, le=1)
    monitoring_relational: float = F(0.05, "Monitoring cost of a relational link before trust", "share", ge=0, le=1)
    monitoring_captive: float = F(0.09, "Monitoring cost of a captive link (buyer directs the supplier)", "share", ge=0, le=1)
    monitoring_hierarchy: float = F(0.06, "Management cost of doing the work inside the firm", "share", ge=0, le=1)
    relational_setup: float = F(0.04, "Cost of building a relationship (visits, joint teams)", "share", ge=0, le=1)


class Delivery(Section):
    sla_target: float = F(0.70, "Quality a contract's SLA requires", "0-1", ge=0, le=1)
    base_quality: float = F(0.95, "Quality of a perfectly matched, co-located, tier-1 delivery", "0-1", ge=0, le=1)
    skill_quality_penalty: float = F(1.0, "Quality lost per unit of skill shortfall", "", ge=0, le=10)
    governance_quality_penalty: float = F(0.4, "Quality lost per unit of the chosen mode's failure propensity", "", ge=0, le=10)
    communication_quality_penalty: float = F(0.10, "Quality lost per unit of communication distance on sensitive work", "", ge=0, le=10)
    depth_quality_penalty: float = F(0.04, "Quality lost per tier below the prime", "", ge=0, le=1)
    quality_noise: float = F(0.06, "Standard deviation of monthly quality noise", "", ge=0, le=1)
    incident_rate: float = F(0.004, "Monthly data-incident probability of a fully sensitive link in a regime of zero strength", "probability", ge=0, le=1)
    incident_depth_factor: float = F(0.5, "Relative increase of incident risk per extra tier", "", ge=0, le=10)
    indirect_multiplier: float = F(3.56, "Indirect jobs per direct outsourcing job (NASSCOM, seed 002)", "jobs/job", ge=0, le=20)


class Management(Section):
    review_months: int = F(3, "Months between performance reviews (seed 003: quarterly)", "months", ge=1, le=24)
    breach_limit: int = F(2, "SLA breaches within one review period that make the client switch", "breaches", ge=1, le=24)
    vendor_cap: float = F(0.4, "Share of a client's outsourced value above which a vendor gets no new work from it", "share", ge=0.01, le=1)
    need_continues: float = F(0.5, "Chance the work of a contract is still needed when its term ends (else it is finished)", "probability", ge=0, le=1)
    renew_probability: float = F(0.75, "Chance a well-performing contract whose work continues is renewed without a new tender", "probability", ge=0, le=1)
    insource_after_incidents: int = F(2, "Data incidents after which a client prefers bringing work home", "incidents", ge=1, le=100)
    insource_bias: float = F(0.15, "Score bonus for in-house options once a client has been burned", "score", ge=0, le=1)


class Subcontracting(Section):
    max_module_share: float = F(0.6, "Largest share of a package that can be split off as modules", "share", ge=0, le=1)
    min_codifiability: float = F(0.35, "Work less codifiable than this is never split", "0-1", ge=0, le=1)
    module_complexity: float = F(0.7, "Complexity of a module relative to its parent package", "ratio", ge=0, le=1)
    deeper_tier_factor: float = F(0.5, "Relative split share at each tier below 2", "ratio", ge=0, le=1)


class Evolution(Section):
    reputation_rate: float = F(0.05, "Monthly weight of new performance in reputation", "share", ge=0, le=1)
    trust_rate: float = F(0.06, "Trust gained per successful month of a relationship", "share", ge=0, le=1)
    trust_loss: float = F(0.25, "Trust lost per SLA breach or incident", "share", ge=0, le=1)
    experience_rate: float = F(0.02, "Experience gained per month at full utilisation", "share", ge=0, le=1)
    markup_step: float = F(0.01, "Monthly markup adjustment toward the target win rate and utilisation", "share", ge=0, le=1)
    min_markup: float = F(0.02, "Lowest markup a provider accepts", "share", ge=0, le=5)
    max_markup: float = F(0.5, "Highest markup a provider asks", "share", ge=0, le=5)
    target_utilisation: float = F(0.85, "Utilisation providers staff toward", "share", ge=0.1, le=1)
    hire_rate: float = F(0.15, "Share of a staffing shortfall hired per month", "share", ge=0, le=1)
    layoff_rate: float = F(0.4, "Share of idle staff above target let go per month (bench policies are short)", "share", ge=0, le=1)
    core_team_fte: float = F(3.0, "Smallest team a living provider keeps (and pays for) at its headquarters centre", "FTE", ge=0, le=1000)
    wage_trend: float = F(0.03, "Annual wage growth in a slack labour market", "share/year", ge=-0.5, le=1)
    wage_tightness: float = F(0.10, "Extra annual wage growth per unit of tightness above the threshold", "share/year", ge=0, le=5)
    tightness_threshold: float = F(0.6, "Employment / talent pool above which wages accelerate", "share", ge=0, le=1)
    talent_headroom: float = F(4.0, "World talent pool relative to initial provider capacity", "ratio", ge=0.5, le=100)
    talent_growth: float = F(0.02, "Annual growth of talent pools", "share/year", ge=-0.5, le=1)
    initial_cash_months: float = F(6.0, "Providers' starting cash, in months of their wage bill", "months", ge=0, le=120)
    client_cash_months: float = F(12.0, "Clients' starting reserve, in months of their expected spend", "months", ge=0, le=240)
    exit_after_loss_months: int = F(18, "Consecutive loss months after which a provider's owners close it (it also exits when its cash runs out)", "months", ge=1, le=1200)
    entry_rate: float = F(0.02, "Monthly entrants per exited-or-profitable slot, where margins are positive", "share", ge=0, le=1)
    greenfield_entry: float = F(0.1, "Monthly chance of a new firm of a kind in a region that has none of that kind", "probability", ge=0, le=10)
    attrition_ito: float = F(0.22, "Annual staff attrition in IT work (Indian IT roughly 17-28%)", "share/year", ge=0, le=2)
    attrition_bpo: float = F(0.40, "Annual staff attrition in business-process work (Indian BPO roughly 25-55%)", "share/year", ge=0, le=2)
    attrition_kpo: float = F(0.18, "Annual staff attrition in knowledge work (assumption: below IT)", "share/year", ge=0, le=2)
    attrition_tightness: float = F(0.3, "Extra annual attrition per unit of labour-market tightness above the threshold", "share/year", ge=0, le=5)
    attrition_quality_penalty: float = F(0.1, "Quality lost per unit of annual attrition at the delivering centre", "", ge=0, le=5)
    new_staff_productivity: float = F(0.5, "Productivity of a new hire relative to an experienced one", "ratio", ge=0.05, le=1)
    ramp_months: float = F(10.0, "Months for new staff to reach full productivity (8-12 in practice)", "months", ge=1, le=60)
    spillover_rate: float = F(0.01, "Annual skill growth per unit of log cluster size relative to the average region (knowledge spillover)", "share/year", ge=0, le=1)
    park_spillover: float = F(5.0, "Extra spillover per unit of cluster-park magnitude (assumption: a 0.2 park doubles it)", "ratio", ge=0, le=50)
    capability_rate: float = F(0.01, "Monthly capability gain in a family per unit share of a firm's staff working in it", "share", ge=0, le=1)
    process_upgrade_level: float = F(0.5, "Experience in the work it does at which a firm counts as having upgraded its processes", "0-1", ge=0, le=1)
    product_upgrade_level: float = F(0.6, "Knowledge-work (KPO) capability at which a provider counts as having moved up to higher-skill work", "0-1", ge=0, le=1)
    upgrade_reputation: float = F(0.8, "Reputation a subcontractor needs to become a prime (functional upgrading)", "0-1", ge=0, le=1)
    upgrade_capability: float = F(0.55, "Mean capability a subcontractor needs to become a prime", "0-1", ge=0, le=1)
    upgrade_cash_months: float = F(6.0, "Months of wage bill in cash a subcontractor needs to become a prime", "months", ge=0, le=120)
    relocation_threshold: float = F(0.25, "Cost advantage of another region that makes a prime move capacity there", "share", ge=0, le=10)
    relocation_share: float = F(0.3, "Share of a centre's capacity moved in one relocation", "share", ge=0, le=1)
    relocation_setup_months: float = F(2.0, "Set-up cost of moved capacity, in months of the new region's wages", "months", ge=0, le=60)
    relocation_lag_months: int = F(6, "Months from deciding to move capacity to the new site being ready", "months", ge=0, le=60)


class Event(Section):
    month: int = F(..., description="Month the event applies (1 = first month)", unit="month", ge=1, le=1200)
    kind: Literal[EVENT_KINDS] = F(..., description="What changes")  # type: ignore[valid-type]
    target: str = F("", description="Region id, family or work type the event targets ('' = all)")
    magnitude: float = F(0.0, description="Size of the change (meaning depends on kind)", ge=-100, le=100)
    duration: int = F(0, description="Months the change lasts (0 = permanent)", unit="months", ge=0, le=1200)


class Scenario(Section):
    """A whole scenario, validated."""

    extends: str | None = F(None, "Parent scenario this one inherits from")
    scenario: ScenarioInfo = Field(default_factory=ScenarioInfo)
    world: World = Field(default_factory=World)
    regions: Regions = Field(default_factory=Regions)
    demand: Demand = Field(default_factory=Demand)
    catalogue: Catalogue = Field(default_factory=Catalogue)
    scoring: Scoring = Field(default_factory=Scoring)
    cost: Cost = Field(default_factory=Cost)
    governance: Governance = Field(default_factory=Governance)
    delivery: Delivery = Field(default_factory=Delivery)
    management: Management = Field(default_factory=Management)
    subcontracting: Subcontracting = Field(default_factory=Subcontracting)
    evolution: Evolution = Field(default_factory=Evolution)
    events: list[Event] = Field(default_factory=list)

    # Where the file came from (not a TOML field); relative data paths resolve against it.
    source: str = Field("<defaults>", exclude=True)
    base_dir: str = Field(str(SCENARIO_DIR), exclude=True)

    def content_hash(self) -> str:
        """Hash of the resolved values: same hash, same world."""
        payload = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    def data_path(self, relative: str) -> Path:
        """A data file relative to the scenario's folder, else to the bundled scenarios."""
        path = Path(relative)
        if path.is_absolute():
            return path
        local = Path(self.base_dir) / path
        return local if local.exists() else SCENARIO_DIR / path


# Loading lives in its own module; re-exported here so ``from sim.scenario import load_scenario`` keeps working.
from .scenario_loading import (  # noqa: E402,F401  (re-exported)
    _check_override_key, _field_info, apply_overrides, build, default_scenario, format_validation_error,
    load_scenario, parse_value, read_data_rows, resolve_path,
)
