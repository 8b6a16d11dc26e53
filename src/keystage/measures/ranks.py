"""Where an LA stands among all LAs: its rank and quartile band on each headline measure, and its
statistical neighbours by name with the date of the list.

Ranks follow DfE's LAIT: 1 is the best value, LAs with equal values share the better rank, and the
quartile band is A (best quarter) to D, band = ceil(4 * rank / number of LAs ranked). "Best" follows the
measure's polarity: higher is better for every attainment and progress measure (LAIT's dictionary says
"High" for each), lower for the disadvantage gap (standards.yaml `lower_is_better`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from keystage.standards import Standards

# The headline measures an LA is ranked on (LAIT's "Polarity" is "High" for all but the derived gap).
# Context measures such as the share of pupils eligible for free school meals have no better or worse.
RANKED = (
    "headline", "higher",
    "read", "writ", "mat", "gps", "read_higher", "writ_higher", "mat_higher", "gps_higher",
    "read_prog", "writ_prog", "mat_prog",
    "headline_disadv", "gap",
)  # fmt: skip
QUARTILES = np.array(["A", "B", "C", "D"])
QUARTER_WORDS = {"A": "the top quarter", "B": "the second quarter", "C": "the third quarter", "D": "the bottom quarter"}


def la_ranks(la_values: pd.DataFrame, standards: Standards) -> pd.DataFrame:
    """Add rank, n_las and quartile to one value per la_code, year and measure; measures not in RANKED
    and missing values get no rank (rank, n_las and quartile missing)."""
    ranked = la_values["measure"].isin(RANKED) & la_values["value"].notna()
    sign = la_values["measure"].map(standards.polarity).to_numpy()
    scores = pd.Series(-sign * la_values["value"].to_numpy(dtype=float), index=la_values.index).where(ranked)
    keys = [la_values["year"], la_values["measure"]]
    rank = scores.groupby(keys, sort=False).rank(method="min")
    n = scores.groupby(keys, sort=False).transform("count")
    band = np.ceil(4 * rank / n).clip(1, 4)
    quartile = pd.Series(None, index=la_values.index, dtype=object)
    quartile[ranked] = QUARTILES[band[ranked].astype(int).to_numpy() - 1]
    return la_values.assign(
        rank=rank.astype("Int64"), n_las=n.where(ranked).astype("Int64"), quartile=quartile
    )


def named_neighbours(neighbours: pd.DataFrame, la_codes: pd.DataFrame, la_code: int) -> pd.DataFrame:
    """An LA's statistical neighbours, closest first: rank, neighbour_code, name (DfE's LA name, else "LA <code>")
    and list_date (when the list was made)."""
    mine = neighbours[neighbours["la_code"] == int(la_code)].sort_values("rank")
    names = la_codes.set_index("la_code")["la_name"] if len(la_codes) else pd.Series(dtype=str)
    named = mine["neighbour_code"].map(lambda c: str(names.get(c, f"LA {c}")))
    return pd.DataFrame(
        {"rank": mine["rank"].to_numpy(), "neighbour_code": mine["neighbour_code"].to_numpy(), "name": named.to_numpy(),
         "list_date": mine["list_date"].to_numpy()}
    )
