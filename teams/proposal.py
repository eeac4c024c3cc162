"""The team builder's automatic proposal: split a cohort into balanced, cross-boundary teams.

Rules, in order of priority:

1. Every candidate lands on exactly one team, and team sizes differ by at most one.
2. No team holds a *reporting pair* (a member who reports to another member) whenever a
   balanced split without one exists. This is exact for one or two teams and whenever the
   search below runs to its end, which it always does for small cohorts; for a large
   cohort, many teams and dense reporting lines, the search's work bound can stop it first.
   Reporting lines to someone outside the cohort, and from a person to themselves, are
   ignored; two people recorded as reporting to each other are one pair.
3. The mix (`mix_score`) is as high as a bounded local search finds, and the proposal is
   never worse than dealing the cohort out in id order (`round_robin`): it holds fewer
   reporting pairs, or as few and at least as much mix.
4. The same cohort in any order gives the same proposal: everything runs on the cohort
   sorted by user id and breaks ties by position in that order. Nothing is random.

How: a greedy construction places the largest unit and discipline groups first, each person
onto the open team where they meet no one they have a reporting line with and add the most
mix. If reporting pairs remain, the people with a reporting line inside the cohort are
placed first, by a depth-first search (for two teams, by an exact balancing of the two
sides of each group joined by reporting lines), and everyone else around them. A local
search of swaps and moves then improves each start, fewer reporting pairs first, then more
mix; the best result wins.

Edge cases: an empty cohort gives no teams; `team_count` below one, or above the number of
candidates, is a ValueError; so is a user id that appears twice. When every balanced split
holds a reporting pair, the proposal keeps the pairs few but does not promise the fewest.

`plan_proposal` is what the team builder shows: it never makes a team below the program's
minimum (it proposes fewer teams, or offers the people existing teams with room), and it
names, with the reason, every reporting line it leaves inside a team.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from teams.composition import MemberFacts

# Bounds on the searches; they keep 300 candidates into 50 teams well under a second.
_IMPROVE_EVALUATIONS = 250_000
_SEARCH_WORK = 300_000
_NO_UNIT = -1
_NOBODY = -1


def team_count_for(size: int, *, target_size: int) -> int:
    """How many teams bring a cohort of `size` people closest to `target_size` members each.

    Rounds half up (30 people at 6 a team: 5 teams; 33 people: 6 teams of 5 or 6) and never
    answers fewer than one team.
    """
    if target_size < 1:
        raise ValueError("The target team size must be at least 1.")
    if size < 0:
        raise ValueError("A cohort cannot have a negative size.")
    return max(1, (size + target_size // 2) // target_size)


def team_mix(members: Iterable[MemberFacts]) -> int:
    """One team's mix: distinct units + distinct disciplines − the largest same-unit headcount.

    A person without a unit adds no unit and counts in no unit's headcount. So a newcomer
    raises the mix by one for a unit the team lacks and by one for a discipline it lacks,
    and lowers it by one when they make the largest same-unit headcount grow. The three
    numbers are the builder's cross-boundary indicators (see `teams.composition`).
    """
    units = Counter(m.unit for m in members if m.unit is not None)
    disciplines = {m.discipline for m in members}
    return len(units) + len(disciplines) - max(units.values(), default=0)


def mix_score(teams: Sequence[Sequence[int]], candidates: Sequence[MemberFacts]) -> int:
    """The mix of a split: the sum of `team_mix` over its teams. Higher is better."""
    return sum(team_mix(members) for members in _members(teams, candidates))


def reporting_pairs(
    teams: Sequence[Sequence[int]], candidates: Sequence[MemberFacts]
) -> list[tuple[int, int]]:
    """Each pair of teammates joined by a reporting line, as (report id, manager id).

    Two people who are each recorded as reporting to the other are one pair.
    """
    pairs: set[tuple[int, int]] = set()
    for members in _members(teams, candidates):
        ids = {m.user_id for m in members}
        for m in members:
            manager = m.reports_to_id
            if manager in ids and manager != m.user_id and (manager, m.user_id) not in pairs:
                pairs.add((m.user_id, manager))
    return sorted(pairs)


def _members(
    teams: Sequence[Sequence[int]], candidates: Sequence[MemberFacts]
) -> list[list[MemberFacts]]:
    by_id = {c.user_id: c for c in candidates}
    try:
        return [[by_id[uid] for uid in team] for team in teams]
    except KeyError as missing:
        raise ValueError(f"User {missing} is not among the candidates.") from None


def round_robin(candidates: Sequence[MemberFacts], team_count: int) -> list[list[int]]:
    """The baseline: candidates in user id order, the i-th to team i mod `team_count`."""
    ids = [c.user_id for c in _Cohort(candidates, team_count).people]
    return [ids[t::team_count] for t in range(team_count)] if ids else []


def propose_teams(candidates: Sequence[MemberFacts], *, team_count: int) -> list[list[int]]:
    """Split the candidates into `team_count` teams; returns user ids, team by team.

    Each team's ids are ascending and the teams are ordered by their first id.
    """
    cohort = _Cohort(candidates, team_count)
    if not cohort.people:
        return []
    starts = [_Board(cohort, team_count)]
    starts[0].place(cohort.mix_order(range(cohort.size)))
    starts[0].improve()
    if starts[0].pairs > 0:
        separated = _separate(cohort, team_count)
        if separated is not None:
            separated.improve()
            starts.append(separated)
    best = min(starts, key=_Board.rank)
    baseline = _Board(cohort, team_count)
    for i in range(cohort.size):
        baseline.add(i, i % team_count)
    if baseline.rank()[:2] < best.rank()[:2]:
        baseline.improve()
        best = min(best, baseline, key=_Board.rank)
    return best.teams()


class _Cohort:
    """The candidates sorted by user id, with units, disciplines and reporting lines coded
    by position in that order."""

    def __init__(self, candidates: Sequence[MemberFacts], team_count: int) -> None:
        if team_count < 1:
            raise ValueError("Propose at least one team.")
        self.people = sorted(candidates, key=lambda c: c.user_id)
        self.size = len(self.people)
        if team_count > self.size > 0:
            raise ValueError(f"{team_count} teams cannot be filled from {self.size} people.")
        position = {c.user_id: i for i, c in enumerate(self.people)}
        if len(position) != self.size:
            raise ValueError("Each person may appear only once among the candidates.")
        unit_names = sorted({c.unit for c in self.people if c.unit is not None})
        unit_code = {name: code for code, name in enumerate(unit_names)}
        discipline_names = sorted({c.discipline for c in self.people})
        discipline_code = {name: code for code, name in enumerate(discipline_names)}
        self.unit = [_NO_UNIT if c.unit is None else unit_code[c.unit] for c in self.people]
        self.discipline = [discipline_code[c.discipline] for c in self.people]
        links: list[set[int]] = [set() for _ in self.people]
        for i, person in enumerate(self.people):
            manager = (
                position.get(person.reports_to_id) if person.reports_to_id is not None else None
            )
            if manager is not None and manager != i:
                links[i].add(manager)
                links[manager].add(i)
        self.links = [sorted(linked) for linked in links]

    def mix_order(self, people: Iterable[int]) -> list[int]:
        """Largest unit groups first (people without a unit last), within a unit the largest
        discipline groups first, then by user id."""
        units = Counter(u for u in self.unit if u != _NO_UNIT)
        disciplines = Counter(self.discipline)
        return sorted(
            people,
            key=lambda i: (
                -units.get(self.unit[i], 0),
                self.unit[i] == _NO_UNIT,
                self.unit[i],
                -disciplines[self.discipline[i]],
                self.discipline[i],
                i,
            ),
        )


class _Board:
    """A (partial) split of a cohort, with the counts that make a move's effect cheap to
    evaluate. People and teams are positions: person i is the i-th candidate by user id."""

    def __init__(self, cohort: _Cohort, team_count: int) -> None:
        self.cohort = cohort
        self.k = team_count
        self.floor, self.extra = divmod(cohort.size, team_count)
        self.team_of = [_NOBODY] * cohort.size
        self.size = [0] * team_count
        self.units: list[dict[int, int]] = [{} for _ in range(team_count)]
        self.disciplines: list[dict[int, int]] = [{} for _ in range(team_count)]
        self.largest = [0] * team_count
        self.at_largest = [0] * team_count
        self.score = [0] * team_count
        self.members: list[set[int]] = [set() for _ in range(team_count)]
        self.version = [0] * team_count  # bumped on every change to the team
        self.pairs = 0

    # Bookkeeping

    def add(self, i: int, t: int) -> None:
        self.pairs += self.linked_in(i, t)
        self.team_of[i] = t
        self.members[t].add(i)
        self.size[t] += 1
        _bump(self.units[t], self.cohort.unit[i], 1)
        _bump(self.disciplines[t], self.cohort.discipline[i], 1)
        self._rescore(t)

    def remove(self, i: int) -> None:
        t = self.team_of[i]
        self.team_of[i] = _NOBODY
        self.members[t].discard(i)
        self.pairs -= self.linked_in(i, t)
        self.size[t] -= 1
        _bump(self.units[t], self.cohort.unit[i], -1)
        _bump(self.disciplines[t], self.cohort.discipline[i], -1)
        self._rescore(t)

    def _rescore(self, t: int) -> None:
        units = self.units[t]
        largest = max(units.values(), default=0)
        self.largest[t] = largest
        self.at_largest[t] = sum(1 for count in units.values() if count == largest)
        self.score[t] = len(units) + len(self.disciplines[t]) - largest
        self.version[t] += 1

    def linked_in(self, i: int, t: int) -> int:
        """How many people on team t have a reporting line with person i."""
        team_of = self.team_of
        return sum(1 for j in self.cohort.links[i] if team_of[j] == t)

    def full_teams(self) -> int:
        return sum(1 for s in self.size if s > self.floor)

    def open_to(self, t: int, full_teams: int) -> bool:
        """Whether team t can take one more person and every team still end at floor or
        floor + 1 members, with exactly `extra` teams at floor + 1."""
        return self.size[t] < self.floor or (
            self.size[t] == self.floor and full_teams < self.extra
        )

    def score_after(self, t: int, leaving: int, joining: int) -> int:
        """Team t's mix if person `leaving` left it and person `joining` joined it; either
        may be _NOBODY."""
        unit, discipline = self.cohort.unit, self.cohort.discipline
        units = self.units[t]
        distinct_units, largest = len(units), self.largest[t]
        out_unit = unit[leaving] if leaving != _NOBODY else _NO_UNIT
        in_unit = unit[joining] if joining != _NOBODY else _NO_UNIT
        if out_unit != in_unit:
            if out_unit != _NO_UNIT:
                count = units[out_unit]
                distinct_units -= count == 1
                if count == largest and self.at_largest[t] == 1:
                    largest -= 1
            if in_unit != _NO_UNIT:
                count = units.get(in_unit, 0)
                distinct_units += count == 0
                largest = max(largest, count + 1)
        disciplines = self.disciplines[t]
        distinct_disciplines = len(disciplines)
        out_discipline = discipline[leaving] if leaving != _NOBODY else -1
        in_discipline = discipline[joining] if joining != _NOBODY else -1
        if out_discipline != in_discipline:
            if out_discipline != -1:
                distinct_disciplines -= disciplines[out_discipline] == 1
            if in_discipline != -1:
                distinct_disciplines += disciplines.get(in_discipline, 0) == 0
        return distinct_units + distinct_disciplines - largest

    def rank(self) -> tuple[int, int, list[list[int]]]:
        """Lower is better: fewer reporting pairs, then more mix, then the earlier split."""
        return (self.pairs, -sum(self.score), self.teams())

    def teams(self) -> list[list[int]]:
        ids: list[list[int]] = [[] for _ in range(self.k)]
        for i, t in enumerate(self.team_of):
            ids[t].append(self.cohort.people[i].user_id)
        return sorted(ids)

    # Construction and search

    def place(self, order: Iterable[int]) -> None:
        """Put each person, in order, on the open team where they meet the fewest people
        they have a reporting line with, then add the most mix, then the smallest team."""
        full = self.full_teams()
        for i in order:
            best_key: tuple[int, int, int, int] | None = None
            best_team = 0
            for t in range(self.k):
                if not self.open_to(t, full):
                    continue
                gain = self.score_after(t, _NOBODY, i) - self.score[t]
                key = (self.linked_in(i, t), -gain, self.size[t], t)
                if best_key is None or key < best_key:
                    best_key, best_team = key, t
            full += self.size[best_team] == self.floor
            self.add(i, best_team)

    def improve(self) -> None:
        """Swap two people on different teams, or move someone from a larger team to a
        smaller one, whenever that removes a reporting pair or, adding none, raises the mix.
        Teams are visited in pairs, people in id order, and a pair of teams is revisited
        only after one of them has changed; stops when nothing changes or the work bound is
        reached."""
        if self.k == 1:
            return
        budget = _IMPROVE_EVALUATIONS
        settled: dict[tuple[int, int], tuple[int, int]] = {}
        changed = True
        while changed and budget > 0:
            changed = False
            for a in range(self.k):
                for b in range(a + 1, self.k):
                    if settled.get((a, b)) == (self.version[a], self.version[b]):
                        continue
                    spent, swapped = self._swap_between(a, b, budget)
                    budget -= spent
                    changed |= swapped
                    settled[(a, b)] = (self.version[a], self.version[b])
                    if budget <= 0:
                        return
            if self.extra:
                spent, moved = self._move_to_smaller()
                budget -= spent
                changed |= moved

    def _swap_between(self, a: int, b: int, budget: int) -> tuple[int, bool]:
        """Swaps between teams a and b until none helps; returns the work spent and whether
        anything changed."""
        unit, discipline, links = self.cohort.unit, self.cohort.discipline, self.cohort.links
        team_of, score = self.team_of, self.score
        spent, changed, again = 0, False, True
        while again and spent < budget:
            again = False
            for i in sorted(self.members[a]):
                for j in sorted(self.members[b]):
                    if team_of[i] != a or team_of[j] != b:
                        continue
                    spent += 1
                    linked = bool(links[i] or links[j])
                    pairs_delta = 0
                    if linked and self.pairs:
                        pairs_delta = self._swap_pairs_delta(i, j)
                        if pairs_delta > 0:
                            continue
                    if pairs_delta == 0:
                        if unit[i] == unit[j] and discipline[i] == discipline[j]:
                            continue
                        gain = (
                            self.score_after(a, i, j)
                            + self.score_after(b, j, i)
                            - score[a]
                            - score[b]
                        )
                        if gain <= 0 or (linked and self._swap_pairs_delta(i, j) > 0):
                            continue
                    self.remove(i)
                    self.remove(j)
                    self.add(i, b)
                    self.add(j, a)
                    changed = again = True
        return spent, changed

    def _swap_pairs_delta(self, i: int, j: int) -> int:
        """The change in reporting pairs if persons i and j traded teams."""
        a, b = self.team_of[i], self.team_of[j]
        between = 2 * (j in self.cohort.links[i])
        return (
            self.linked_in(i, b)
            + self.linked_in(j, a)
            - between
            - self.linked_in(i, a)
            - self.linked_in(j, b)
        )

    def _move_to_smaller(self) -> tuple[int, bool]:
        """Moves from a team at floor + 1 to a team at floor; returns the work spent and
        whether anything changed."""
        spent, changed = 0, False
        for i in range(self.cohort.size):
            a = self.team_of[i]
            if self.size[a] == self.floor:
                continue
            for b in range(self.k):
                if self.size[b] != self.floor:
                    continue
                spent += 1
                pairs_delta = self.linked_in(i, b) - self.linked_in(i, a)
                if pairs_delta < 0 or (
                    pairs_delta == 0
                    and self.score_after(a, i, _NOBODY) + self.score_after(b, _NOBODY, i)
                    > self.score[a] + self.score[b]
                ):
                    self.remove(i)
                    self.add(i, b)
                    changed = True
                    break
        return spent, changed


def _fits(board: _Board, counts: Sequence[int]) -> bool:
    """Whether teams already holding `counts` people can still end balanced."""
    top = board.floor + 1
    return max(counts) <= top and sum(1 for c in counts if c == top) <= board.extra


def _bump(counts: dict[int, int], key: int, step: int) -> None:
    if key == _NO_UNIT:
        return
    counts[key] = counts.get(key, 0) + step
    if not counts[key]:
        del counts[key]


def _separate(cohort: _Cohort, team_count: int) -> _Board | None:
    """A split without reporting pairs, found by placing the people who have a reporting
    line inside the cohort first and then everyone else by mix; None when the search finds
    none (because none exists or, for large cohorts, because the search's bound ran out)."""
    linked = [i for i in range(cohort.size) if cohort.links[i]]
    board = _Board(cohort, team_count)
    # Whoever has more reporting lines than there are people outside the smallest team
    # cannot be kept apart from all of them.
    if any(len(cohort.links[i]) > cohort.size - board.floor for i in linked):
        return None
    found = _two_sides(cohort, board, linked) if team_count == 2 else _search(board, linked)
    if not found:
        return None
    free = [i for i in range(cohort.size) if not cohort.links[i]]
    board.place(cohort.mix_order(free))
    return board


def _two_sides(cohort: _Cohort, board: _Board, linked: list[int]) -> bool:
    """Two teams: each group of people joined by reporting lines must alternate between the
    teams, so it goes one way round or the other. Choose the ways so the linked people fit
    the two teams' sizes (a subset sum), which is exact."""
    side = [-1] * cohort.size
    groups: list[tuple[list[int], list[int]]] = []
    for root in linked:
        if side[root] != -1:
            continue
        side[root] = 0
        halves: tuple[list[int], list[int]] = ([root], [])
        queue = [root]
        while queue:
            i = queue.pop()
            for j in cohort.links[i]:
                if side[j] == -1:
                    side[j] = 1 - side[i]
                    halves[side[j]].append(j)
                    queue.append(j)
                elif side[j] == side[i]:
                    return False  # an odd loop of reporting lines cannot alternate
        groups.append(halves)
    # reachable[g] maps each count of linked people on team 0, after the first g groups,
    # to the way group g - 1 went (0: its first half on team 0) to reach it.
    reachable: list[dict[int, int]] = [{0: 0}]
    for first, second in groups:
        step: dict[int, int] = {}
        for total in sorted(reachable[-1]):
            step.setdefault(total + len(first), 0)
            step.setdefault(total + len(second), 1)
        reachable.append(step)
    fitting = [x for x in sorted(reachable[-1]) if _fits(board, (x, len(linked) - x))]
    if not fitting:
        return False
    total = min(fitting, key=lambda x: (abs(2 * x - len(linked)), x))
    for g in range(len(groups), 0, -1):
        way = reachable[g][total]
        first, second = groups[g - 1]
        on_team_0, on_team_1 = (first, second) if way == 0 else (second, first)
        for i in on_team_0:
            board.add(i, 0)
        for i in on_team_1:
            board.add(i, 1)
        total -= len(on_team_0)
    return True


def _search(board: _Board, linked: list[int]) -> bool:
    """Place the linked people so that no two with a reporting line share a team and every
    team can still be filled to a balanced size: a depth-first search that next places the
    person whose placed reporting lines rule out the most teams (ties: most unplaced
    reporting lines, then id), trying the teams with the fewest people first and an empty
    team only once. Exhaustive unless its work (people weighed at each step) passes
    _SEARCH_WORK."""
    if not linked:
        return True
    links, team_of = board.cohort.links, board.team_of
    # For each linked person: how many of their placed reporting lines sit on each team,
    # and how many of their reporting lines are still unplaced.
    ruled_out: dict[int, Counter[int]] = {i: Counter() for i in linked}
    loose = {i: len(links[i]) for i in linked}
    unplaced = set(linked)

    def put(i: int, t: int) -> None:
        board.add(i, t)
        for j in links[i]:
            ruled_out[j][t] += 1
            loose[j] -= 1

    def take(i: int) -> None:
        t = team_of[i]
        board.remove(i)
        for j in links[i]:
            ruled_out[j][t] -= 1
            if not ruled_out[j][t]:
                del ruled_out[j][t]
            loose[j] += 1

    def most_constrained() -> int:
        return min(unplaced, key=lambda i: (-len(ruled_out[i]), -loose[i], i))

    def teams_to_try(i: int) -> list[int]:
        full = board.full_teams()
        teams: list[int] = []
        tried_empty = False
        for t in range(board.k):
            if t in ruled_out[i] or not board.open_to(t, full):
                continue
            if board.size[t] == 0:
                if tried_empty:
                    continue
                tried_empty = True
            teams.append(t)
        gain = {t: board.score_after(t, _NOBODY, i) - board.score[t] for t in teams}
        return sorted(teams, key=lambda t: (board.size[t], -gain[t], t))

    # Each frame: the person placed at that depth, the teams to try, the next one to try.
    frames: list[tuple[int, list[int], int]] = []
    person: int | None = most_constrained()
    work = 0
    while True:
        if person is not None:
            unplaced.discard(person)
            frames.append((person, teams_to_try(person), 0))
            person = None
        if not frames:
            return False
        current, options, index = frames[-1]
        if team_of[current] != _NOBODY:
            take(current)
        if index == len(options):
            frames.pop()
            unplaced.add(current)
            continue
        work += 1 + len(unplaced)
        if work > _SEARCH_WORK:
            return False
        frames[-1] = (current, options, index + 1)
        put(current, options[index])
        if not unplaced:
            return True
        person = most_constrained()


# A whole proposal: new teams never below the minimum, leftovers offered existing teams --------


@dataclass(frozen=True)
class OpenTeam:
    """An existing team of the cohort that can take `room` more people."""

    team_id: int
    name: str
    members: tuple[MemberFacts, ...]
    room: int


@dataclass
class Plan:
    """What the builder proposes: new teams (user ids, as `propose_teams` gives them),
    people placed on existing teams (user id → team id), people it could not place, and
    notes that say in words every choice a program admin should know about."""

    groups: list[list[int]]
    placements: dict[int, int]
    unplaced: list[int]
    notes: list[str]


def plan_proposal(
    candidates: Sequence[MemberFacts],
    *,
    team_count: int,
    min_size: int,
    max_size: int,
    open_teams: Sequence[OpenTeam] = (),
) -> Plan:
    """Propose teams for `candidates` without ever making a team below `min_size`.

    When the candidates can fill at least one team of `min_size`, they make new teams: as
    many as asked, or fewer when that many would fall below the minimum (the notes say
    so). When they are fewer than `min_size`, no new team is made: each is offered the
    existing team with room where they meet no one they share a reporting line with, then
    add the most mix, then the smallest team; someone who fits nowhere stays unplaced, and
    the notes say why. Every reporting line left inside a team is named with the reason.
    """
    people = sorted(candidates, key=lambda c: c.user_id)
    plan = Plan(groups=[], placements={}, unplaced=[], notes=[])
    if not people:
        return plan
    size = len(people)
    min_size = max(1, min_size)
    most = size // min_size
    by_id = {c.user_id: c for c in people}
    if most >= 1:
        count = max(1, min(team_count, most, size))
        if count < team_count:
            plan.notes.append(
                f"{size} people make at most {most} team{'s' if most != 1 else ''} of at "
                f"least {min_size} (the program's minimum), so {count} "
                f"team{'s are' if count != 1 else ' is'} proposed instead of {team_count}."
            )
        plan.groups = propose_teams(people, team_count=count)
        for number, group in enumerate(plan.groups, start=1):
            for report, manager in reporting_pairs([group], people):
                plan.notes.append(
                    f"{by_id[report].name} reports to {by_id[manager].name}, and both are on "
                    f"proposed team {number}: no balanced split of these {size} people that "
                    "keeps every reporting line apart was found. Move one of them after "
                    "applying, or ask for another number of teams."
                )
        return plan

    plan.notes.append(
        f"{size} {'people are' if size != 1 else 'person is'} fewer than the program's "
        f"minimum team size of {min_size}, so no new team is proposed: "
        "they are offered existing teams with room instead."
    )
    room = {team.team_id: team.room for team in open_teams}
    joined: dict[int, list[MemberFacts]] = {t.team_id: list(t.members) for t in open_teams}
    # The people with the most reporting lines into the teams and among themselves choose
    # first, while there is most room to keep them apart.
    everyone = [m for t in open_teams for m in t.members] + people
    for person in sorted(people, key=lambda p: (-_lines_between(p, everyone), p.user_id)):
        options = [t for t in open_teams if room[t.team_id] > 0]
        if not options:
            plan.unplaced.append(person.user_id)
            plan.notes.append(
                f"There is no room for {person.name}: every team already has the program's "
                f"maximum of {max_size} members. Raise the maximum or place them by hand."
            )
            continue

        def key(team: OpenTeam, person: MemberFacts = person) -> tuple[int, int, int, int]:
            members = joined[team.team_id]
            lines = _lines_between(person, members)
            gain = team_mix([*members, person]) - team_mix(members)
            return (lines, -gain, len(members), team.team_id)

        best = min(options, key=key)
        members = joined[best.team_id]
        for other in members:
            if _lines_between(person, [other]):
                junior, senior = (
                    (person, other) if person.reports_to_id == other.user_id else (other, person)
                )
                plan.notes.append(
                    f"{junior.name} reports to {senior.name}, and both are on {best.name}: "
                    f"every team with room has someone {person.name} shares a reporting "
                    "line with. Place them by hand if another team can make room."
                )
        members.append(person)
        room[best.team_id] -= 1
        plan.placements[person.user_id] = best.team_id
    return plan


def _lines_between(person: MemberFacts, members: Iterable[MemberFacts]) -> int:
    """How many of `members` `person` reports to or is reported to by."""
    return sum(
        1
        for other in members
        if other.user_id != person.user_id
        and (person.reports_to_id == other.user_id or other.reports_to_id == person.user_id)
    )
