"""Cross-boundary measures of a team, computed from its members' profiles.

Cross-boundary is measured, not assumed (DESIGN.md): how many distinct units and
disciplines the team spans, the largest share of members from one unit, and any member
who reports to another member of the same team.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class MemberFacts:
    user_id: int
    name: str
    unit: str | None
    discipline: str
    reports_to_id: int | None


@dataclass(frozen=True)
class Composition:
    size: int
    distinct_units: int
    distinct_disciplines: int
    largest_unit: str | None
    largest_unit_share: float
    reporting_pairs: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def measure(members: list[MemberFacts], *, min_size: int, max_size: int) -> Composition:
    size = len(members)
    units = Counter(m.unit for m in members if m.unit)
    disciplines = {m.discipline for m in members}
    largest_unit, largest_count = units.most_common(1)[0] if units else (None, 0)
    share = largest_count / size if size else 0.0
    names = {m.user_id: m.name for m in members}
    pairs = [
        (m.name, names[m.reports_to_id])
        for m in members
        if m.reports_to_id is not None and m.reports_to_id in names
    ]
    warnings: list[str] = []
    if size and size < min_size:
        warnings.append(f"{size} members: fewer than the program's minimum of {min_size}.")
    if size > max_size:
        warnings.append(f"{size} members: more than the program's maximum of {max_size}.")
    if size >= 2 and share > 0.5:
        warnings.append(
            f"{largest_count} of {size} members come from {largest_unit}: "
            "the team may not reach across the organisation."
        )
    if size >= 2 and len(disciplines) == 1:
        warnings.append("Every member shares one discipline.")
    warnings.extend(
        f"{report} reports to {manager}: reporting lines inside a team can silence questions."
        for report, manager in pairs
    )
    return Composition(
        size=size,
        distinct_units=len(units),
        distinct_disciplines=len(disciplines),
        largest_unit=largest_unit,
        largest_unit_share=share,
        reporting_pairs=pairs,
        warnings=warnings,
    )
