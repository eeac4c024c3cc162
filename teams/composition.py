"""Cross-boundary measures of a team, computed from its members' profiles.

Cross-boundary is measured, not assumed (DESIGN.md): how many distinct units and
disciplines the team spans, the largest share of members from one unit, and any member
who reports to another member of the same team.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from programs.models import Discipline, Profile, User


@dataclass(frozen=True)
class MemberFacts:
    """What the measures and the team proposal know of a person: their place in the
    organisation, from their profile there."""

    user_id: int
    name: str
    unit: str | None
    discipline: str
    reports_to_id: int | None

    @classmethod
    def of(cls, user: User, profile: Profile | None) -> MemberFacts:
        """The person's facts from their profile in the program's organisation (none:
        no unit, discipline "other", no manager)."""
        return cls(
            user_id=user.pk,
            name=user.display_name,
            unit=profile.unit.name if profile and profile.unit else None,
            discipline=profile.discipline if profile else Discipline.OTHER,
            reports_to_id=profile.reports_to_id if profile else None,
        )


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
