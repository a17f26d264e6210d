"""Charts as Vega-Lite (altair), rendered to SVG or PNG on the server by vl-convert.

No JavaScript reaches the browser and nothing is fetched: the same chart goes into the
page (inline SVG), the HTML brief and the PDF brief (PNG). Each chart takes plain rows
that already passed k-anonymity suppression.

Building a spec through altair costs ~30 ms a chart, more than the page's queries, so
specs are cached by their data (the same figures give the same chart) and a copy is
returned; the drawing is cached by the spec as well.
"""

from __future__ import annotations

import copy
from functools import lru_cache

import altair as alt

WIDTH = 320  # fits a phone; the SVG scales down with the page (max-width: 100%)
BLUE, ORANGE, GREY = "#1f5f8b", "#d9822b", "#9aa5b1"


def _base(values: list[dict]) -> alt.Chart:
    return alt.Chart(alt.Data(values=values)).properties(width=WIDTH)


def volume(weeks: list[dict]) -> dict:
    """Questions per week, the abstained share darker."""
    return copy.deepcopy(_volume(tuple((w["week"], w["questions"], w["abstained"])
                                       for w in weeks)))


@lru_cache(maxsize=256)
def _volume(weeks: tuple[tuple[str, int | None, int | None], ...]) -> dict:
    values = []
    for week, questions, abstained in weeks:
        if questions is not None:  # suppressed weeks are left out, not zero
            values += [{"week": week, "kind": "answered", "n": questions - abstained},
                       {"week": week, "kind": "abstained", "n": abstained}]
    return _base(values).mark_bar().encode(
        x=alt.X("week:O", title=None, axis=alt.Axis(labelAngle=-45)),
        y=alt.Y("sum(n):Q", title="questions"),
        color=alt.Color("kind:N", scale=alt.Scale(domain=["answered", "abstained"],
                                                   range=[BLUE, ORANGE]),
                        legend=alt.Legend(orient="top", title=None)),
    ).properties(height=160).to_dict()


def ranked_bars(items: list[tuple[str, float]], *, title: str, color: str = BLUE) -> dict:
    """Horizontal bars, largest first (themes by volume, gaps by count, change types)."""
    return copy.deepcopy(_ranked_bars(tuple(map(tuple, items)), title, color))


@lru_cache(maxsize=256)
def _ranked_bars(items: tuple[tuple[str, float], ...], title: str, color: str) -> dict:
    values = [{"name": name[:40], "n": n, "rank": i} for i, (name, n) in enumerate(items)]
    return _base(values).mark_bar(color=color).encode(
        y=alt.Y("name:N", sort=alt.SortField("rank"), title=None),
        x=alt.X("n:Q", title=title),
    ).properties(height=max(24 * len(values), 40)).to_dict()


def emerging(items: list[tuple[str, float, float]]) -> dict:
    """Recent weekly rate against the earlier one, per emerging theme."""
    return copy.deepcopy(_emerging(tuple(map(tuple, items))))


@lru_cache(maxsize=256)
def _emerging(items: tuple[tuple[str, float, float], ...]) -> dict:
    values = [{"name": name[:40], "when": when, "rate": rate, "rank": i}
              for i, (name, earlier, recent) in enumerate(items)
              for when, rate in (("earlier", earlier), ("recent", recent))]
    return _base(values).mark_bar().encode(
        y=alt.Y("name:N", sort=alt.SortField("rank"), title=None),
        yOffset="when:N",
        x=alt.X("rate:Q", title="questions per week"),
        color=alt.Color("when:N", scale=alt.Scale(domain=["earlier", "recent"],
                                                   range=[GREY, ORANGE]),
                        legend=alt.Legend(orient="top", title=None)),
    ).properties(height=max(36 * len(items), 40)).to_dict()


def svg(spec: dict) -> str:
    return _svg(_key(spec))


def png(spec: dict) -> bytes:
    import json

    import vl_convert

    return vl_convert.vegalite_to_png(json.loads(_key(spec)), scale=2)


def _key(spec: dict) -> str:
    import json

    return json.dumps(spec, sort_keys=True)


@lru_cache(maxsize=64)
def _svg(key: str) -> str:
    """Rendering is ~25 ms a chart; the same figures (a reload) are drawn once."""
    import json

    import vl_convert

    return vl_convert.vegalite_to_svg(json.loads(key))
