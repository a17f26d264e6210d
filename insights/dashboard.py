"""What a planner sees for one period and filter: the dashboard, a theme, the exports.

Everything here is computed from `signals` so the pages, CSV/JSON and the weekly brief
agree; example questions pass a second PHI scrub (`scrub`, injected) before display.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlmodel import Session

from credit_capture.spreadsheet import safe_cell
from insights import charts, gap_loop, mix, retention, root_cause, signals, store
from insights.service import Insights
from insights.signals import Outcomes, Period, ThemeSignal


@dataclass
class Dashboard:
    period: Period
    questions: int | None  # None when fewer than k clinicians asked in the selection
    clinicians: int | None
    themes: list[ThemeSignal]
    suppressed: int
    emerging: list[ThemeSignal]
    gaps: list[ThemeSignal]
    weeks: list[dict]
    outcomes: Outcomes
    demo_rows: bool
    k: int
    root_causes: dict[str, root_cause.Reading] = field(default_factory=dict)

    def chart_specs(self) -> dict[str, dict]:
        specs = {"volume": charts.volume(self.weeks)}
        if self.themes:
            specs["themes"] = charts.ranked_bars(
                [(t.label, t.questions) for t in self.themes[:10]], title="questions")
        if self.emerging:
            specs["emerging"] = charts.emerging(
                [(t.label, t.earlier_rate, t.recent_rate) for t in self.emerging[:8]])
        if self.gaps:
            specs["gaps"] = charts.ranked_bars(
                [(t.label, t.gaps) for t in self.gaps[:10]],
                title="unanswered or low-confidence questions", color=charts.ORANGE)
        if self.outcomes.change_types:
            specs["outcomes"] = charts.ranked_bars(
                [(k.replace("_", " "), n) for k, n in self.outcomes.change_types.items()],
                title="reflections reporting this change")
        return specs

    def charts_svg(self) -> dict[str, str]:
        return {name: charts.svg(spec) for name, spec in self.chart_specs().items()}

    def as_dict(self) -> dict:
        return {
            "period": {"start": self.period.start.isoformat(), "end": self.period.end.isoformat()},
            "min_clinicians": self.k, "questions": self.questions, "clinicians": self.clinicians,
            "suppressed_themes": self.suppressed,
            "themes": [theme_dict(t) | {"root_cause": _reading_dict(self.root_causes.get(t.id))}
                       for t in self.themes],
            "emerging": [t.id for t in self.emerging], "gaps": [t.id for t in self.gaps],
            "weeks": self.weeks, "outcomes": vars(self.outcomes),
        }

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["theme_id", "label", "questions", "clinicians", "recent_questions",
                         "earlier_per_week", "emerging", "gaps", "gap_rate",
                         "abstention_rate", "cards", "closest_cards", "specialty_mix",
                         "profession_mix",
                         *[f"cause_{c}" for c in root_cause.CAUSES], "decision",
                         "decision_reason", "decision_notes", "decided_by", "decided_at",
                         "answered_by_card", "answered_since", "abstention_before_card",
                         "abstention_since_card", "gap_verdict"])
        for t in self.themes:
            reading = self.root_causes.get(t.id)
            decided = ([*[reading.shares[c] for c in root_cause.CAUSES], reading.decision,
                        reading.reason, reading.notes, reading.by, reading.at.isoformat()]
                       if reading else [""] * (len(root_cause.CAUSES) + 5))
            writer.writerow([t.id, safe_cell(t.label), t.questions, t.clinicians, t.recent,
                             round(t.earlier_rate, 2), t.emerging, t.gaps, round(t.gap_rate, 3),
                             round(t.abstention_rate, 3),
                             " ".join(c["doc_id"] for c in t.cards),
                             " ".join(c["doc_id"] for c in t.near_cards),
                             safe_cell(mix.text(t.mix.get("specialty", []))),
                             safe_cell(mix.text(t.mix.get("profession", []))),
                             *[safe_cell(v) for v in decided], *_answered_cells(t)])
        return out.getvalue()


def _answered_cells(t: ThemeSignal) -> list:
    a = t.answered
    if a is None:
        return [""] * 5
    rate = ("" if a.before.abstention_rate is None else round(a.before.abstention_rate, 3),
            "" if a.after.abstention_rate is None else round(a.after.abstention_rate, 3))
    return [safe_cell(a.card_id), a.since.date().isoformat(), *rate, a.verdict]


def _reading_dict(reading: root_cause.Reading | None) -> dict | None:
    return reading.as_dict() if reading else None


def theme_dict(t: ThemeSignal) -> dict:
    return {"id": t.id, "label": t.label, "terms": t.terms, "clinicians": t.clinicians,
            "questions": t.questions, "abstention_rate": round(t.abstention_rate, 3),
            "cards": t.cards, "recent": t.recent, "earlier_per_week": round(t.earlier_rate, 2),
            "emerging": t.emerging, "gaps": t.gaps, "closest_cards": t.near_cards,
            "mix": {d: [g.as_dict() for g in groups] for d, groups in t.mix.items()},
            "answered_by": t.answered.as_dict() if t.answered else None,
            "retention": t.retention.as_dict() if t.retention else None}


def _add_mix(insights: Insights, themed: list[ThemeSignal], tallies: list[store.Tally]
             ) -> None:
    """Each shown theme's specialty and profession mix (k-anonymous; needs profiles)."""
    if insights.profiles is None or not themed:
        return
    wanted = {t.id for t in themed}
    by_theme: dict[str, list[tuple[str | None, int]]] = {}
    for tally in tallies:
        if tally.theme_id in wanted:
            by_theme.setdefault(tally.theme_id, []).append((tally.clinician, tally.questions))
    profiles = insights.profiles({c for pairs in by_theme.values() for c, _ in pairs if c})
    for t in themed:
        t.mix = mix.mix_counts(by_theme.get(t.id, []), profiles,
                               insights.settings.min_clinicians)


@dataclass(frozen=True)
class _Selection:
    """What the database counted for one period, filter and (optionally) theme."""

    tallies: list[store.Tally]
    weeks: list[dict]
    outcomes: Outcomes


def _select(session: Session, insights: Insights, period: Period,
            clinicians: set[str] | None, theme_id: str | None = None) -> _Selection:
    settings, k = insights.settings, insights.settings.min_clinicians
    start, end = period.bounds()
    where = {"start": start, "end": end, "clinicians": clinicians, "theme_id": theme_id}
    tallies = store.tallies(session, **where,
                            recent_from=signals.recent_from(period, settings)[2],
                            low_confidence=settings.low_confidence_score)
    labels, edges = signals.week_edges(period)
    weekly = store.weekly(session, edges, start=start, end=end, clinicians=clinicians,
                          theme_id=theme_id)
    found = store.selection_outcomes(session, **where)
    return _Selection(tallies, signals.weeks_shown(labels, weekly, k),
                      signals.summarize_outcomes(found, k))


def dashboard(insights: Insights, period: Period, *, clinicians: set[str] | None = None,
              mixes: bool = True) -> Dashboard:
    """`mixes=False` leaves each theme's specialty and profession mix out: the dashboard
    page shows none (the exports and the API do), and a 52-week view spent ~30 ms on
    them."""
    settings, k = insights.settings, insights.settings.min_clinicians
    with Session(insights.engine) as session:
        themes = {t.id: t for t in store.active_themes(session)}
        chosen = _select(session, insights, period, clinicians)
        demo = store.has_demo(session)
        themed, suppressed = signals.signals_of(chosen.tallies, themes, period, settings)
        shown_ids = [t.id for t in themed]
        readings = root_cause.latest(session, shown_ids)
        closed = gap_loop.answered(session, shown_ids, k)
        start, end = period.bounds()
        recall = retention.by_theme(session, start=start, end=end, k=k,
                                    clinicians=clinicians)
    if mixes:
        _add_mix(insights, themed, chosen.tallies)
    for t in themed:
        t.answered = closed.get(t.id)
        t.retention = recall.get(t.id)
    people = {t.clinician for t in chosen.tallies if t.clinician}
    shown = len(people) >= k
    return Dashboard(
        period=period,
        questions=sum(t.questions for t in chosen.tallies) if shown else None,
        clinicians=len(people) if shown else None, themes=themed, suppressed=suppressed,
        emerging=[t for t in themed if t.emerging], gaps=signals.ranked_gaps(themed),
        weeks=chosen.weeks, outcomes=chosen.outcomes, demo_rows=demo, k=k,
        root_causes=readings,
    )


@dataclass
class ThemeDetail:
    signal: ThemeSignal
    examples: list[str]
    weeks: list[dict]
    outcomes: Outcomes
    history: list[root_cause.Reading] = field(default_factory=list)

    @property
    def current(self) -> root_cause.Reading | None:
        """The reading in force: the newest."""
        return self.history[0] if self.history else None


def theme_detail(insights: Insights, theme_id: str, period: Period, *,
                 scrub: Callable[[str], str], clinicians: set[str] | None = None,
                 examples: int = 8) -> ThemeDetail | None:
    """One theme in the period, or None when it is unknown or below k clinicians."""
    k = insights.settings.min_clinicians
    with Session(insights.engine) as session:
        themes = {t.id: t for t in store.active_themes(session) if t.id == theme_id}
        if not themes:
            return None
        chosen = _select(session, insights, period, clinicians, theme_id)
        found, _ = signals.signals_of(chosen.tallies, themes, period, insights.settings)
        if not found:
            return None
        start, end = period.bounds()
        texts = (store.recent_questions(session, theme_id, start=start, end=end,
                                        clinicians=clinicians, limit=10 * examples)
                 if examples else [])
        readings = root_cause.history(session, theme_id)
        found[0].answered = gap_loop.answered(session, [theme_id], k).get(theme_id)
        found[0].retention = retention.by_theme(session, start=start, end=end, k=k,
                                                clinicians=clinicians).get(theme_id)
    _add_mix(insights, found, chosen.tallies)
    seen, shown = set(), []
    for question in texts:
        if len(shown) >= examples:
            break
        text = scrub(question).strip()
        if text.lower() not in seen:
            seen.add(text.lower())
            shown.append(text)
    return ThemeDetail(found[0], shown, chosen.weeks, chosen.outcomes, readings)
