"""The weekly learning brief: top and emerging themes, gaps, root-cause
decisions and outcomes, with counts and the period, as Markdown, HTML or PDF (the PDF
carries the same charts as PNG).

Built from the same `Dashboard` as the pages, so it inherits k-anonymity: no theme or
figure from fewer than k clinicians, no identities, no example questions.
"""

from __future__ import annotations

import html
from datetime import timedelta

from insights import charts
from insights.dashboard import Dashboard, dashboard
from insights.service import Insights
from insights.signals import Period

FORMATS = ("md", "html", "pdf")
HISTORY_WEEKS = 12  # trends and emerging themes compare the week with the ones before


def brief_board(insights: Insights, week: str) -> tuple[Period, Dashboard]:
    """(the ISO week, a dashboard of the 12 weeks that end with it)."""
    period = Period.iso_week(week)
    history = Period(period.end - timedelta(weeks=HISTORY_WEEKS), period.end)
    return period, dashboard(insights, history)


def _sections(week: str, period: Period, board: Dashboard) -> list[tuple[str, list[str]]]:
    this_week = board.weeks[-1] if board.weeks else {"questions": None, "abstained": None}
    n = this_week["questions"]
    lines = [
        f"Week {week} ({period.label()}): {n if n is not None else 'fewer than k'} "
        f"questions; {HISTORY_WEEKS} weeks to date: "
        f"{board.questions if board.questions is not None else 'fewer than k'} questions "
        f"from {board.clinicians if board.clinicians is not None else 'fewer than k'} "
        f"clinicians.",
        f"Themes and figures from fewer than {board.k} clinicians are not shown "
        f"({board.suppressed} themes withheld).",
    ]
    if board.demo_rows:
        lines.append("Includes demonstration data.")
    sections = [("Summary", lines)]
    sections.append(("Top themes", [
        f"{t.label}: {t.questions} questions, {t.clinicians} clinicians, "
        f"{100 * t.abstention_rate:.0f}% not covered" for t in board.themes[:10]
    ] or ["No theme reaches k clinicians yet."]))
    sections.append(("Emerging themes", [
        f"{t.label}: {t.recent} questions in the last {t.recent_weeks} weeks "
        f"(trend {t.trend})" for t in board.emerging[:8]
    ] or ["None."]))
    sections.append(("Content gaps", [
        f"{t.label}: {t.gaps} of {t.questions} unanswered or low-confidence; closest cards: "
        + (", ".join(c["doc_id"] for c in t.near_cards) or "none")
        + (f"; answered by card {t.answered.card_id} since {t.answered.since:%Y-%m-%d}"
           if t.answered else "")
        for t in board.gaps[:10]
    ] or ["None."]))
    sections.append(("Gaps answered by new cards", [
        f"{t.label}: {t.answered.text()}" for t in board.themes if t.answered
    ] or ["None yet."]))
    sections.append(("Root-cause decisions", [
        _decision_line(t.label, board.root_causes[t.id])
        for t in board.themes if t.id in board.root_causes
    ] or ["No root-cause template recorded for these themes yet."]))
    o = board.outcomes
    sections.append(("Outcomes", [f"Fewer than {board.k} clinicians reflected."]
                     if o.suppressed else [
        f"{o.reflections} reflections from {o.clinicians} clinicians; "
        f"{o.changed_pct:.0f}% changed management; {o.barriers_reported} reported barriers.",
        *[f"{kind.replace('_', ' ')}: {count}" for kind, count in o.change_types.items()],
    ]))
    return sections


def _decision_line(label: str, reading) -> str:
    reason = f" ({reading.reason})" if reading.reason else ""
    return (f"{label}: {reading.decision_label}{reason}; causes: {reading.share_text()}; "
            f"recorded {reading.at:%Y-%m-%d}")


def render(insights: Insights, week: str, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)} (got {fmt!r})")
    period, board = brief_board(insights, week)
    sections = _sections(week, period, board)
    title = f"Curbside learning brief, {week}"
    if fmt == "md":
        body = [f"# {title}", ""]
        for heading, lines in sections:
            body += [f"## {heading}", "", *[f"- {line}" for line in lines], ""]
        return "\n".join(body).encode()
    if fmt == "html":
        parts = [f"<!doctype html><html lang=en><meta charset=utf-8><title>{html.escape(title)}"
                 f"</title><body style='font-family:sans-serif;max-width:44rem;margin:auto'>"
                 f"<h1>{html.escape(title)}</h1>"]
        svgs = board.charts_svg()
        for heading, lines in sections:
            parts.append(f"<h2>{html.escape(heading)}</h2><ul>"
                         + "".join(f"<li>{html.escape(line)}</li>" for line in lines) + "</ul>")
            chart = _CHART_OF.get(heading)
            if chart in svgs:
                parts.append(f"<figure>{svgs[chart]}</figure>")
        return ("".join(parts) + "</body></html>").encode()
    return _pdf(title, sections, board)


_CHART_OF = {"Summary": "volume", "Top themes": "themes", "Emerging themes": "emerging",
             "Content gaps": "gaps", "Outcomes": "outcomes"}


def _latin(text: str) -> str:
    """The PDF's core font is Latin-1: anything else becomes a close ASCII form."""
    return text.replace("–", "-").replace("→", "->").encode("latin-1", "replace").decode(
        "latin-1")


def _pdf(title: str, sections, board: Dashboard) -> bytes:
    import io

    from fpdf import FPDF

    specs = board.chart_specs()
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 9, _latin(title), new_x="LMARGIN", new_y="NEXT")
    for heading, lines in sections:
        pdf.set_font("Helvetica", "B", 13)
        pdf.ln(2)
        pdf.multi_cell(0, 7, _latin(heading), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)
        for line in lines:
            pdf.multi_cell(0, 5, _latin(f"- {line}"), new_x="LMARGIN", new_y="NEXT")
        chart = _CHART_OF.get(heading)
        if chart in specs:
            pdf.image(io.BytesIO(charts.png(specs[chart])), w=120)
    return bytes(pdf.output())
