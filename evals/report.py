"""Human-readable outputs of a run: a self-contained HTML report and JUnit XML for CI."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from jinja2 import Environment, select_autoescape

from evals.harness import Run

_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Curbside eval {{ run.id }}</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;margin:1rem;color:#1b2430;max-width:70rem}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #dde;padding:.25rem .5rem;
text-align:left;vertical-align:top}.bad{background:#fde2e2}.case{border:1px solid #dde;
border-radius:.5rem;padding:.5rem;margin:.5rem 0}.meta{color:#5b6775;font-size:.85rem}
blockquote{margin:.25rem 0;padding-left:.5rem;border-left:3px solid #0b6e4f;color:#5b6775}
</style></head><body>
<h1>Eval run {{ run.id }}</h1>
<p class="meta">{{ run.created_at }} · suites {{ run.suites|join(", ") }} · content
{{ run.content_version }} · {{ run.seconds }} s{% set way = run.settings.answering %}{% if way
%} · answers {% if way.mode == "llm" %}by model {{ way.model }}, prompt {{ way.prompt.id }}
v{{ way.prompt.version }}{% else %}extractive{% endif %}{% endif %}</p>
<h2>Metrics</h2>
<table><tr><th>metric</th><th>all</th>{% for s in run.per_suite %}<th>{{ s }}</th>{% endfor %}</tr>
{% for key in keys %}<tr><td>{{ key }}</td><td>{{ fmt(run.metrics.get(key)) }}</td>
{% for s, m in run.per_suite.items() %}<td>{{ fmt(m.get(key)) }}</td>{% endfor %}</tr>{% endfor %}
</table>
{% if model.drafts %}<h2>Model drafts</h2>
<table><tr><th>answers drafted</th><th>claims kept</th><th>claims dropped</th>
<th>fallbacks to the quoted answer</th></tr><tr><td>{{ model.drafts }}</td>
<td>{{ model.kept }}</td><td>{{ model.dropped }}</td><td>{{ model.fallbacks }}</td></tr></table>
{% for r in run.cases if r.output.synthesis %}{% for d in r.output.synthesis.decisions
if not d.kept and d.label != "unchecked" %}<p class="meta">{{ r.suite }} / {{ r.id }}: dropped
({{ d.label }}) — {{ d.claim }} {{ d.reasons|join("; ") }}</p>{% endfor %}{% endfor %}
{% endif %}
<h2>Failing cases ({{ failing|length }})</h2>
{% for r in failing %}
<div class="case"><strong>{{ r.suite }} / {{ r.id }}</strong>
<p>{{ r.case.question or r.case.claim }}</p>
{% if r.output.abstained %}<p><em>Abstained:</em> {{ r.output.abstain_reason }}</p>
{% else %}<pre>{{ r.output.answer or r.output.label }}</pre>{% endif %}
<p class="meta">scores: {% for k, v in r.scores.items() if v is not none -%}
{{ k }}={{ fmt(v) }} {% endfor %}</p>
<p class="meta">expected: {{ r.case.expected_doc_ids or r.case.label or
("abstain" if r.case.expect_abstain else "") }}</p>
{% for c in r.output.citations or [] %}<p class="meta">[{{ loop.index }}] {{ c.doc_id }}</p>
<blockquote>{{ c.snippet }}</blockquote>{% endfor %}
{% for v in r.output.verdicts or [] %}<p class="meta">verifier: {{ v.label }} ({{ v.score }})
— {{ v.claim }} {{ v.reasons|join("; ") }}</p>{% endfor %}
{% if r.output.synthesis %}{% set s = r.output.synthesis %}<p class="meta">model draft
({{ s.model }}, prompt {{ s.prompt.id }} v{{ s.prompt.version }}){% if s.fallback %}: fallback,
{{ s.fallback }}{% endif %}</p>
{% for d in s.decisions %}<p class="meta {{ 'kept' if d.kept else 'dropped' }}">{{ "kept" if d.kept
else "dropped" }} ({{ d.label }}{% if d.repointed %}, re-pointed to {{ d.passage }}{% endif %})
— {{ d.claim }} {{ d.reasons|join("; ") }}</p>{% endfor %}{% endif %}
</div>
{% else %}<p>None.</p>{% endfor %}
</body></html>
"""


def _fmt(value) -> str:
    if value is None:
        return "–"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def render_html(run: Run) -> str:
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    keys = sorted({k for m in [run.metrics, *run.per_suite.values()] for k in m})
    return env.from_string(_TEMPLATE).render(
        run=run, keys=keys, failing=run.failing(), fmt=_fmt, model=model_drafts(run)
    )


def model_drafts(run: Run) -> dict:
    """Claims kept and dropped by the guard, and fallbacks, over a run's model drafts."""
    drafts = [r.output["synthesis"] for r in run.cases if r.output.get("synthesis")]
    decisions = [d for s in drafts for d in s.get("decisions") or []]
    return {"drafts": len(drafts), "kept": sum(d["kept"] for d in decisions),
            "dropped": sum(not d["kept"] and d["label"] != "unchecked" for d in decisions),
            "fallbacks": sum(bool(s.get("fallback")) for s in drafts)}


def render_junit(run: Run) -> str:
    """One testcase per eval case; a failure when any metric is at its bad end."""
    failing = {(r.suite, r.id) for r in run.failing()}
    root = ET.Element("testsuites", name="curbside-eval")
    for suite in run.suites:
        cases = [r for r in run.cases if r.suite == suite]
        element = ET.SubElement(
            root, "testsuite", name=suite, tests=str(len(cases)),
            failures=str(sum((r.suite, r.id) in failing for r in cases)),
        )
        for result in cases:
            case = ET.SubElement(element, "testcase", classname=suite, name=result.id)
            if (result.suite, result.id) in failing:
                scores = {k: v for k, v in result.scores.items() if v is not None}
                ET.SubElement(case, "failure", message=str(scores))
    return ET.tostring(root, encoding="unicode")
