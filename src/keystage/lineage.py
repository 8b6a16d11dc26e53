"""Give each URN one time series across academy conversions and re-registrations, from the GIAS links.

A URN's series is its latest successor. Links are followed in the direction they state ("Successor*" from
URN to LinkURN, "Predecessor*" the other way); whatever makes a chain unusual is flagged, never guessed:
merge (several predecessors into one successor), split (one predecessor, several successors: the
predecessor keeps its own series), cycle (broken at its largest URN), ambiguous (a link with no direction,
such as "Merged - ..." or "Result of Amalgamation", which is not followed).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from keystage.schema import Lineage, validate

IGNORED_PREFIXES = ("Sixth Form Centre", "Expansion", "Closure", "Other")  # not about a school's identity
PRIORITY = ("cycle", "split", "merge", "ambiguous")  # a URN with several issues shows the first
ISSUE_COLUMNS = ["urn", "issue", "related", "detail"]


def resolve_lineage(links: pd.DataFrame, urns: Iterable[int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(Lineage for each of `urns`, issues met on their chains: urn, issue, related URNs, detail).

    `links` is a UrnLinks table; URNs without links are their own series.
    """
    kind = links["link_type"].map(_direction)
    succ = links.loc[kind.eq("successor"), ["urn", "link_urn"]].set_axis(["pred", "succ"], axis=1)
    pred = links.loc[kind.eq("predecessor"), ["link_urn", "urn"]].set_axis(["pred", "succ"], axis=1)
    edges = pd.concat([succ, pred]).astype("int64").drop_duplicates()
    edges = edges.loc[edges["pred"].ne(edges["succ"])]
    issues: list[tuple[int, str, str, str]] = []
    flags: dict[int, set[str]] = {}

    def flag(urn: int, issue: str, related: Iterable[int], detail: str) -> None:
        flags.setdefault(urn, set()).add(issue)
        issues.append((urn, issue, " ".join(str(u) for u in sorted(related)), detail))

    successors = edges.groupby("pred")["succ"].apply(sorted).to_dict()
    nxt: dict[int, int] = {}
    for urn, after in successors.items():
        if len(after) == 1:
            nxt[urn] = after[0]
            continue
        flag(urn, "split", after, f"{len(after)} successors; the URN keeps its own series")
        for other in after:
            flag(other, "split", [urn], f"one of {len(after)} successors of {urn}")
    for cycle in _cycles(nxt):
        top = max(cycle)
        del nxt[top]
        for urn in cycle:
            flag(urn, "cycle", [u for u in cycle if u != urn], f"links form a cycle; broken at {top}, the series of all its URNs")
    before: dict[int, list[int]] = {}
    for urn, after in sorted(nxt.items()):
        before.setdefault(after, []).append(urn)
    for urn, earlier in before.items():
        if len(earlier) > 1:
            flag(urn, "merge", earlier, f"successor of {len(earlier)} URNs")
            for other in earlier:
                flag(other, "merge", [urn], f"merged into {urn} with {len(earlier) - 1} other URN(s)")
    for row in links.loc[kind.eq("undirected")].itertuples():
        flag(int(row.urn), "ambiguous", [int(row.link_urn)], f"link type {row.link_type!r} has no direction; not followed")
    wanted = list(dict.fromkeys(int(u) for u in urns))
    lineage = pd.DataFrame([_series(urn, nxt, before, flags) for urn in wanted], columns=["urn", "series_urn", "chain", "issue"])
    involved = {int(u) for chain in lineage["chain"] for u in chain.split(" > ")}
    report = pd.DataFrame(issues, columns=ISSUE_COLUMNS)
    ignored = links.loc[kind.eq("ignored") & (links["urn"].isin(involved) | links["link_urn"].isin(involved))]
    report = pd.concat(
        [
            report.loc[report["urn"].isin(involved)],
            pd.DataFrame(
                {
                    "urn": ignored["urn"],
                    "issue": "ignored",
                    "related": ignored["link_urn"].astype(str),
                    "detail": "link type " + ignored["link_type"],
                }
            ),
        ],
        ignore_index=True,
    )
    if lineage.empty:
        lineage = lineage.astype({"urn": "int64", "series_urn": "int64", "chain": str, "issue": str})
    return validate(Lineage, lineage, "GIAS links"), report.sort_values(
        ["urn", "issue", "related"], kind="stable", ignore_index=True
    )


def _direction(link_type: str) -> str:
    """Whether a GIAS link type points to a successor, a predecessor, has no direction, or is not about identity."""
    if link_type.startswith("Successor"):
        return "successor"
    if link_type.startswith("Predecessor"):
        return "predecessor"
    if link_type.startswith(IGNORED_PREFIXES):
        return "ignored"
    return "undirected"


def _cycles(nxt: dict[int, int]) -> list[list[int]]:
    """Every cycle in the successor map (each URN has at most one successor), each listed once."""
    state: dict[int, int] = {}  # 1 = on the current walk, 2 = done
    found = []
    for start in sorted(nxt):
        walk, urn = [], start
        while urn in nxt and urn not in state:
            state[urn] = 1
            walk.append(urn)
            urn = nxt[urn]
        if state.get(urn) == 1:
            found.append(walk[walk.index(urn) :])
        for seen in walk:
            state[seen] = 2
    return found


def _series(urn: int, nxt: dict[int, int], before: dict[int, list[int]], flags: dict[int, set[str]]) -> tuple[int, int, str, str]:
    """(urn, series_urn, chain from earliest to latest, issue) for one URN of the acyclic successor map."""
    forward = [urn]
    while forward[-1] in nxt:
        forward.append(nxt[forward[-1]])
    back: list[int] = []
    while len(before.get(back[0] if back else urn, [])) == 1:
        back.insert(0, before[back[0] if back else urn][0])
    met = set().union(*(flags.get(u, set()) for u in forward))
    issue = next((name for name in PRIORITY if name in met), "")
    return urn, forward[-1], " > ".join(str(u) for u in back + forward), issue
