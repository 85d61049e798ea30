"""Space: where a buyer sits relative to where work is delivered.

Location class (onshore / nearshore / offshore), time-zone and language
distance, and the data rules that forbid some flows. These feed cost
(coordination), scoring (location multipliers, data security), delivery
(communication quality) and metrics.
"""

from __future__ import annotations

import numpy as np

ONSHORE, NEARSHORE, OFFSHORE, INHOUSE = 0, 1, 2, 3
NEARSHORE_HOURS = 3.0
SENSITIVE = 0.6  # data sensitivity from which localisation rules apply


def timezone_distance(utc_a: np.ndarray, utc_b: np.ndarray) -> np.ndarray:
    """Hours apart on the clock face, scaled to 0–1 (12 hours = 1)."""
    diff = np.abs(utc_a - utc_b) % 24
    return np.minimum(diff, 24 - diff) / 12.0


def language_distance(english_a: np.ndarray, english_b: np.ndarray, same: np.ndarray) -> np.ndarray:
    """0 within a region; otherwise the chance two people lack a common working language."""
    return np.where(same, 0.0, 1.0 - english_a * english_b)


class Geography:
    """Region-pair matrices, recomputed only when a scenario event changes a region."""

    def __init__(self, regions):
        self.regions = regions
        self.refresh()

    def refresh(self) -> None:
        r = self.regions
        n = len(r)
        same = np.eye(n, dtype=bool)
        self.tz = timezone_distance(r.utc[:, None], r.utc[None, :])
        self.lang = language_distance(r.english[:, None], r.english[None, :], same)
        macro = r.macro[:, None] == r.macro[None, :]
        near = (macro | (self.tz * 12 <= NEARSHORE_HOURS)) & ~same
        self.location = np.where(same, ONSHORE, np.where(near, NEARSHORE, OFFSHORE)).astype(np.int8)
        self._weighted = {}   # (tz_weight, lang_weight) → the two matrices times their weights

    def _weighted_distances(self, tz_weight, lang_weight):
        """``tz_weight × tz`` and ``lang_weight × lang`` per region pair, kept until the next refresh:
        gathering a weighted cell is the same float as weighting the gathered cell."""
        key = (tz_weight, lang_weight)
        pair = self._weighted.get(key)
        if pair is None:
            pair = self._weighted[key] = (tz_weight * self.tz, lang_weight * self.lang)
        return pair

    def communication_distance(self, home, region, tz_sens, lang_sens, tz_weight, lang_weight):
        """0–1 distance a piece of work feels: time-zone and language gaps weighted by its sensitivity."""
        total = tz_weight + lang_weight
        if total == 0:
            return np.zeros(np.broadcast(home, region).shape)
        # region-pair cells by one flat ``take`` each (same elements, several times cheaper than a[home, region])
        pair = np.asarray(home, dtype=np.int64) * self.tz.shape[1] + region
        wtz, wlang = self._weighted_distances(tz_weight, lang_weight)
        return (wtz.reshape(-1).take(pair) * tz_sens + wlang.reshape(-1).take(pair) * lang_sens) / total

    def data_allowed(self, home, region, sensitivity) -> np.ndarray:
        """False where the home region's localisation rule forbids sensitive work leaving adequate regions."""
        r = self.regions
        rule = r.localised[home] & (sensitivity >= SENSITIVE)   # per package: usually no rule applies at all
        if not rule.any():
            return np.ones(np.broadcast(home, region, sensitivity).shape, dtype=bool)
        blocked = rule & ~r.adequate[region] & (home != region)
        return ~blocked
