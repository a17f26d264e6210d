"""A site's own guidelines: a sample protocol as PDF, DOCX and HTML is split into cited pages
and sections, served only after approval, shown with provenance; bad files write nothing.

The sample protocol below is fictional, written for these tests and dedicated to the public
domain (CC0 1.0): "Hospital X" and its rules are made up, only plausible.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.cli import main
from app.main import create_app
from app.services import Curbside
from app.settings import Settings
from retrieval.site_docs import doc_id_for, parse_site_document
from tests.factories import write_card

TITLE = "Hospital X inpatient hypoglycaemia protocol"
LICENCE = ("Sample protocol written for Curbside tests. Fictional. Public domain (CC0 1.0): "
           "copy and adapt freely.")
SECTIONS = [
    ("Scope and definitions", [
        "This protocol applies to adult inpatients on all wards of Hospital X who take "
        "insulin or a sulfonylurea.",
        "Hypoglycaemia is a capillary blood glucose below 4.0 mmol/L, with or without "
        "symptoms.",
    ]),
    ("Treating a low glucose", [
        "If the patient can swallow, give 15 g of fast-acting glucose by mouth, such as one "
        "tube of glucose gel or 150 mL of fruit juice.",
        "Recheck the capillary glucose 15 minutes after each treatment and repeat the "
        "treatment up to three times while it stays below 4.0 mmol/L.",
    ]),
    ("Escalation on the ward", [
        "At Hospital X, a second capillary glucose below 4.0 mmol/L within 24 hours triggers "
        "the Red Tray call: page the Diabetes Outreach Nurse on bleep 4471 within 30 minutes.",
        "If the patient cannot swallow or is unconscious, call the medical emergency team and "
        "give glucagon 1 mg IM or 10% glucose IV as the emergency team directs.",
    ]),
    ("Documentation and follow-up", [
        "Record every episode on the hypoglycaemia chart and review the insulin dose with the "
        "ward pharmacist before the next scheduled dose.",
    ]),
]
QUESTION = "Hospital X second low glucose who do I page bleep"


def write_pdf(path: Path) -> Path:
    """One section a page: page 3 holds the Red Tray rule."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title(TITLE)

    def line(height: float, text: str) -> None:
        pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")

    for n, (heading, paragraphs) in enumerate(SECTIONS):
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 14)
        line(8, TITLE if n == 0 else heading)
        pdf.set_font("Helvetica", size=11)
        if n == 0:
            line(6, heading)
        for paragraph in paragraphs:
            line(6, paragraph)
            pdf.ln(2)
        line(5, LICENCE)
    pdf.output(str(path))
    return path


def write_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.core_properties.title = TITLE
    document.add_heading(TITLE, level=0)
    document.add_paragraph(LICENCE)
    for heading, paragraphs in SECTIONS:
        document.add_heading(heading, level=1)
        for paragraph in paragraphs:
            document.add_paragraph(paragraph)
    document.save(str(path))
    return path


def write_html(path: Path) -> Path:
    body = "".join(f"<h2>{h}</h2>" + "".join(f"<p>{p}</p>" for p in ps) for h, ps in SECTIONS)
    path.write_text(f"<html><head><title>{TITLE}</title><script>alert(1)</script></head>"
                    f"<body><nav>Home | Policies</nav><h1>{TITLE}</h1><p>{LICENCE}</p>{body}"
                    "</body></html>", encoding="utf-8")
    return path


@pytest.fixture
def site_env(tmp_path, monkeypatch):
    content = tmp_path / "content"
    write_card(content, "zorblax", condition="zorblax fever")
    monkeypatch.setenv("CURBSIDE_CONTENT_DIR", str(content))
    monkeypatch.setenv("CURBSIDE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CURBSIDE_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite'}")
    assert main(["ingest"]) == 0
    return tmp_path


def _ask(question: str = QUESTION) -> dict:
    return Curbside(Settings()).ask(question).as_dict()


def _cites(answer: dict, doc_id: str) -> list[dict]:
    return [c for c in answer["citations"] if c["doc_id"].startswith(f"{doc_id}.")]


def test_doc_id_is_the_stem_lower_cased_with_runs_of_others_as_hyphens():
    assert doc_id_for(Path("Hospital X -- Hypo_Protocol (v2).PDF")) == "hospital-x-hypo-protocol-v2"


def test_pdf_protocol_is_cited_to_its_page_only_after_approval(site_env, capsys):
    pdf = write_pdf(site_env / "Hospital X Hypoglycaemia Protocol.pdf")
    doc_id = "hospital-x-hypoglycaemia-protocol"
    assert main(["ingest", str(pdf)]) == 0
    assert doc_id in capsys.readouterr().err  # told how to approve it

    draft = _ask()
    assert draft["abstained"] or not _cites(draft, doc_id)  # drafts are never served

    assert main(["content", "review", doc_id, "--approve", "--reviewer", "Dr A. Reviewer"]) == 0
    assert f"{doc_id}: approved by Dr A. Reviewer" in capsys.readouterr().out
    answer = _ask()
    assert not answer["abstained"], answer
    citation = _cites(answer, doc_id)[0]  # the page that answers comes first
    assert citation["doc_id"] == f"{doc_id}.p3"
    assert citation["url"] == f"/site-docs/{doc_id}.pdf#page=3"
    assert citation["title"] == f"{TITLE} (p. 3: Escalation on the ward)"
    assert "bleep 4471" in answer["answer"]

    with TestClient(create_app(Settings())) as client:
        served = client.get(f"/site-docs/{doc_id}.pdf")
        assert served.status_code == 200 and served.headers["content-type"] == "application/pdf"
        assert served.content.startswith(b"%PDF")
        listing = client.get("/content").text
        assert "Site documents" in listing and "Hospital X Hypoglycaemia Protocol.pdf" in listing
        page = client.get(f"/content/{doc_id}").text
        for shown in ("Hospital X Hypoglycaemia Protocol.pdf", "Ingested", "approved",
                      "Dr A. Reviewer", 'id="page-3"', "bleep 4471"):
            assert shown in page
        passage = client.get(f"/content/{doc_id}.p3", follow_redirects=False)
        assert passage.headers["location"] == f"/content/{doc_id}#page-3"


def test_docx_and_html_protocols_are_cited_to_their_section(site_env):
    docx_file = write_docx(site_env / "hypo-protocol-word.docx")
    html_file = write_html(site_env / "hypo-protocol-web.html")
    assert main(["ingest", str(docx_file), str(html_file)]) == 0
    served = None
    for doc_id in ("hypo-protocol-word", "hypo-protocol-web"):  # one served at a time
        if served:
            assert main(["content", "review", served, "--retire", "--reviewer", "Dr B"]) == 0
        assert main(["content", "review", doc_id, "--approve", "--reviewer", "Dr B"]) == 0
        served = doc_id
        answer = _ask()
        assert not answer["abstained"], answer
        section = _cites(answer, doc_id)[0]
        assert section["title"] == f"{TITLE} (Escalation on the ward)"
        assert section["url"].startswith(f"/content/{doc_id}#s")
        assert "bleep 4471" in answer["answer"]
    parsed = parse_site_document(html_file)
    assert "alert" not in " ".join(p.text for p in parsed.passages)  # scripts never indexed
    assert "Home | Policies" not in " ".join(p.text for p in parsed.passages)
    assert [p.label for p in parsed.passages] == [TITLE] + [h for h, _ in SECTIONS]


def test_retiring_a_site_document_stops_serving_it(site_env):
    pdf = write_pdf(site_env / "hypo.pdf")
    assert main(["ingest", str(pdf)]) == 0
    assert main(["content", "review", "hypo", "--approve", "--reviewer", "Dr A"]) == 0
    assert _cites(_ask(), "hypo")
    assert main(["content", "review", "hypo", "--retire", "--reviewer", "Dr A"]) == 0
    retired = _ask()
    assert retired["abstained"] or not _cites(retired, "hypo")
    log = (site_env / "home" / "site-docs" / "reviews.jsonl").read_text().splitlines()
    assert [json.loads(line)["action"] for line in log] == ["approve", "retire"]


def test_a_changed_file_returns_to_draft(site_env):
    pdf = write_pdf(site_env / "hypo.pdf")
    assert main(["ingest", str(pdf)]) == 0
    assert main(["content", "review", "hypo", "--approve", "--reviewer", "Dr A"]) == 0
    assert main(["ingest", str(pdf)]) == 0  # same file: keeps its approval
    assert Curbside(Settings()).site_library.record("hypo").status == "approved"
    SECTIONS.append(("Audit", ["Ward audits of hypoglycaemia charts happen monthly."]))
    try:
        write_pdf(pdf)
    finally:
        SECTIONS.pop()
    assert main(["ingest", str(pdf)]) == 0
    record = Curbside(Settings()).site_library.record("hypo")
    assert record.status == "draft" and len(record.passages) == 5


def test_a_bad_file_names_file_and_reason_and_writes_nothing(site_env, capsys):
    good = write_pdf(site_env / "good.pdf")
    broken = site_env / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 this is not really a PDF")
    empty = site_env / "empty.html"
    empty.write_text("<html><body><script>x()</script></body></html>")
    home = site_env / "home"
    before = Curbside(Settings()).files.catalog().generation()
    for bad in (broken, empty):
        assert main(["ingest", str(good), str(bad)]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"curbside: error: {bad}: ") and "Traceback" not in err
    assert "no text found" in err
    assert not (home / "site-docs").exists()  # neither the good file nor a sidecar
    assert Curbside(Settings()).files.catalog().generation() == before
    assert main(["ingest", str(site_env / "missing.docx")]) == 2
    assert "does not exist" in capsys.readouterr().err
