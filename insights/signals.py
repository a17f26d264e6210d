"""Signals per theme and period: volume, trend, emerging themes, gaps and outcomes.

Pure functions over `store.Row`s, so pages, exports and the weekly brief compute the same
figures. Every figure that rests on fewer than k distinct clinicians is suppressed
(`None`), never shown as a small number that could point at a person.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from insights.settings import InsightsSettings
from insights.store import Row, Tally

if TYPE_CHECKING:
    from insights.gap_loop import Answered
    from insights.retention import Retention


@dataclass(frozen=True)
class Period:
    """[start, end) in whole days, UTC."""

    start: date
    end: date

    @classmethod
    def iso_week(cls, text: str) -> Period:
        """'2026-W45' -> that Monday to the next Monday; ValueError with a plain message."""
        try:
            year, week = text.upper().split("-W")
            monday = date.fromisocalendar(int(year), int(week), 1)
        except ValueError as exc:
            raise ValueError(f"{text!r} is not an ISO week like 2026-W45") from exc
        return cls(monday, monday + timedelta(days=7))

    @classmethod
    def weeks_to(cls, end: date, weeks: int) -> Period:
        monday = end - timedelta(days=end.weekday())
        return cls(monday - timedelta(weeks=weeks - 1), monday + timedelta(days=7))

    def bounds(self) -> tuple[datetime, datetime]:
        return (datetime.combine(self.start, datetime.min.time(), UTC),
                datetime.combine(self.end, datetime.min.time(), UTC))

    def label(self) -> str:
        return f"{self.start:%Y-%m-%d} to {self.end - timedelta(days=1):%Y-%m-%d}"


def week_of(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def is_gap(row: Row, settings: InsightsSettings) -> bool:
    """An abstention, or an answer the abstention rule barely accepted."""
    return row.abstained or (row.decision_score is not None
                             and row.decision_score < settings.low_confidence_score)


@dataclass
class ThemeSignal:
    id: str
    label: str
    terms: list[str]
    questions: int
    clinicians: int
    recent: int  # questions in the last `recent_weeks` weeks of the period
    earlier_rate: float  # weekly questions before that
    emerging: bool
    gaps: int
    gap_rate: float
    abstention_rate: float
    cards: list[dict] = field(default_factory=list)
    near_cards: list[dict] = field(default_factory=list)
    mix: dict = field(default_factory=dict)  # dimension -> [mix.Group], k-anonymous
    answered: Answered | None = None  # the card that answered its draft-card request
    retention: Retention | None = None  # practice-check recall, k-anonymous

    @property
    def trend(self) -> str:
        return "new" if self.earlier_rate == 0 else f"{self.recent_rate / self.earlier_rate:.1f}×"

    @property
    def recent_rate(self) -> float:
        return self.recent / max(self.recent_weeks, 1)

    recent_weeks: int = 4


def recent_from(period: Period, settings: InsightsSettings) -> tuple[int, int, datetime]:
    """(weeks in the period, weeks compared as recent, when the recent weeks start)."""
    weeks = max((period.end - period.start).days // 7, 1)
    recent_weeks = min(settings.recent_weeks, weeks)
    start = datetime.combine(period.end - timedelta(weeks=recent_weeks), datetime.min.time(),
                             UTC)
    return weeks, recent_weeks, start


def tally_rows(rows: list[Row], since: datetime, settings: InsightsSettings) -> list[Tally]:
    """What `store.tallies` counts in the database, from rows already in memory."""
    counts: dict[tuple, list[int]] = {}
    for row in rows:
        n = counts.setdefault((row.theme_id, row.clinician), [0, 0, 0, 0])
        n[0] += 1
        n[1] += row.abstained
        n[2] += is_gap(row, settings)
        n[3] += _aware(row.created_at) >= since
    return [Tally(t, c, *n) for (t, c), n in counts.items()]


def theme_signals(rows: list[Row], themes: dict, period: Period,
                  settings: InsightsSettings) -> tuple[list[ThemeSignal], int]:
    """Signals of each theme with at least k clinicians in `rows` (already filtered to the
    period), biggest first, and the number suppressed."""
    return signals_of(tally_rows(rows, recent_from(period, settings)[2], settings), themes,
                      period, settings)


def signals_of(tallies: list[Tally], themes: dict, period: Period,
               settings: InsightsSettings) -> tuple[list[ThemeSignal], int]:
    """`theme_signals` from per-(theme, clinician) tallies of the period, summed in one
    pass over them (a 52-week dashboard has 13,000)."""
    weeks, recent_weeks, _ = recent_from(period, settings)
    grouped: dict[str, list] = {}  # theme -> [clinicians, questions, recent, gaps, abstained]
    for theme_id, clinician, questions, abstained, gaps, recent in tallies:
        if theme_id not in themes:
            continue
        sums = grouped.get(theme_id)
        if sums is None:
            sums = grouped[theme_id] = [set(), 0, 0, 0, 0]
        if clinician:
            sums[0].add(clinician)
        sums[1] += questions
        sums[2] += recent
        sums[3] += gaps
        sums[4] += abstained
    signals, suppressed = [], 0
    for theme_id, (people, questions, recent, gaps, abstained) in grouped.items():
        if len(people) < settings.min_clinicians:
            suppressed += 1
            continue
        theme = themes[theme_id]
        earlier_weeks = weeks - recent_weeks
        earlier_rate = (questions - recent) / earlier_weeks if earlier_weeks else 0.0
        recent_rate = recent / recent_weeks
        signal = ThemeSignal(
            id=theme_id, label=theme.label, terms=list(theme.terms), questions=questions,
            clinicians=len(people), recent=recent, earlier_rate=earlier_rate,
            emerging=recent > 0 and (earlier_rate == 0 and earlier_weeks > 0
                                     or recent_rate >= settings.emerging_ratio * earlier_rate
                                     > 0),
            gaps=gaps, gap_rate=gaps / questions,
            abstention_rate=abstained / questions,
            cards=list(theme.cards), near_cards=list(theme.near_cards),
        )
        signal.recent_weeks = recent_weeks
        signals.append(signal)
    signals.sort(key=lambda s: (-s.questions, s.id))
    return signals, suppressed


def ranked_gaps(signals: list[ThemeSignal]) -> list[ThemeSignal]:
    """Themes with gaps, most unanswered or weakly answered questions first."""
    return sorted((s for s in signals if s.gaps), key=lambda s: (-s.gaps, -s.gap_rate, s.id))


def week_edges(period: Period) -> tuple[list[str], list[datetime]]:
    """ISO week labels of the period and the Mondays inside it that separate them."""
    labels, edges = [], []
    monday = period.start - timedelta(days=period.start.weekday())
    while monday < period.end:
        labels.append(week_of(datetime.combine(monday, datetime.min.time())))
        monday += timedelta(days=7)
        if monday < period.end:
            edges.append(datetime.combine(monday, datetime.min.time(), UTC))
    return labels, edges


def weekly_volume(rows: list[Row], period: Period, k: int) -> list[dict]:
    """Questions per ISO week of the period; weeks with fewer than k clinicians -> None."""
    labels, _ = week_edges(period)
    index = {label: n for n, label in enumerate(labels)}
    counts: dict[int, list] = {}
    for row in rows:
        n = index.get(week_of(row.created_at))
        if n is None:
            continue
        week = counts.setdefault(n, [0, 0, set()])
        week[0] += 1
        week[1] += row.abstained
        if row.clinician:
            week[2].add(row.clinician)
    return weeks_shown(labels, {n: (q, a, len(p)) for n, (q, a, p) in counts.items()}, k)


def weeks_shown(labels: list[str], counts: dict[int, tuple[int, int, int]], k: int
                ) -> list[dict]:
    """{week, questions, abstained} per week from (questions, abstained, clinicians)
    counts; a week with fewer than k clinicians shows None."""
    out = []
    for n, week in enumerate(labels):
        questions, abstained, people = counts.get(n, (0, 0, 0))
        shown = people >= k
        out.append({"week": week, "questions": questions if shown else None,
                    "abstained": abstained if shown else None})
    return out


@dataclass
class Outcomes:
    reflections: int
    clinicians: int
    changed_pct: float | None
    outcomes: dict[str, int]
    change_types: dict[str, int]
    barriers_reported: int
    suppressed: bool


def outcomes(rows: list[Row], reflections: dict, k: int) -> Outcomes:
    """What clinicians reported changing after the questions in `rows` (counts only: no
    free text leaves the reflection)."""
    return summarize_outcomes([reflections[r.inquiry_id] for r in rows
                               if r.inquiry_id in reflections], k)


def summarize_outcomes(found: list, k: int) -> Outcomes:
    """`outcomes` from the selection's reflections (`store.Outcome`s)."""
    people = {f.learner_id for f in found}
    if len(people) < k:
        return Outcomes(len(found), len(people), None, {}, {}, 0, suppressed=True)
    kinds = Counter(f.outcome for f in found)
    changes = Counter(t for f in found for t in (f.change_types or []))
    return Outcomes(
        reflections=len(found), clinicians=len(people),
        changed_pct=100 * kinds["changed"] / len(found), outcomes=dict(kinds.most_common()),
        change_types=dict(changes.most_common()),
        barriers_reported=sum(bool(f.barriers) for f in found), suppressed=False,
    )


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
