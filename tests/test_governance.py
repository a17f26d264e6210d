"""Content governance: reviews change what is served and keep history; versions and pages."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from app.cli import main
from app.main import create_app
from app.services import Curbside
from app.settings import Settings
from retrieval.governance import coverage, review_history
from tests.factories import write_card

HOSTILE_BODY = """## Bottom line
Zorblax fever responds to quinaprofen 250 mg [1]. <script>alert('x')</script>
<img src=x onerror="alert(1)"> [click me](javascript:alert(2))
"""


def _setup(tmp_path, monkeypatch):
    content = tmp_path / "content"
    monkeypatch.setenv("CURBSIDE_CONTENT_DIR", str(content))
    monkeypatch.setenv("CURBSIDE_HOME", str(tmp_path / "home"))
    settings = Settings(home=tmp_path / "home", content_dir=content,
                        database_url=f"sqlite:///{tmp_path / 'db.sqlite'}")
    return content, settings


def test_retire_stops_serving_but_keeps_the_card_and_history(tmp_path, monkeypatch, capsys):
    content, settings = _setup(tmp_path, monkeypatch)
    write_card(content, "zorblax", condition="zorblax fever")
    Curbside(settings).ingest_cards()
    assert not Curbside(settings).answer("zorblax fever quinaprofen").abstained

    assert main(["content", "review", "zorblax", "--retire", "--reviewer", "Dr Ada",
                 "--note", "superseded"]) == 0
    assert "retired by Dr Ada" in capsys.readouterr().out
    curbside = Curbside(settings)
    assert curbside.answer("zorblax fever quinaprofen").abstained
    assert [c.status for c in curbside.content_cards()] == ["retired"]
    versions = curbside.content_versions("zorblax")
    assert [v[2].status for v in versions] == ["demo", "retired"]
    log = review_history(content, "zorblax")
    assert log[0].reviewer == "Dr Ada" and log[0].note == "superseded"
    assert log[0].version_before != log[0].version_after


def test_approve_records_reviewer_and_extends_review_date(tmp_path, monkeypatch, capsys):
    content, settings = _setup(tmp_path, monkeypatch)
    write_card(content, "zorblax")
    assert main(["content", "review", "zorblax", "--approve", "--reviewer", "Dr Bo"]) == 0
    main(["content", "review", "zorblax", "--approve", "--reviewer", "Dr Cy"])
    lines = (content / "reviews.jsonl").read_text().splitlines()
    assert [json.loads(line)["reviewer"] for line in lines] == ["Dr Bo", "Dr Cy"]
    text = (content / "zorblax.md").read_text()
    assert "status: approved" in text and "reviewed_by: Dr Cy" in text
    assert main(["content", "review", "nope", "--approve", "--reviewer", "X"]) == 2
    assert "no card with id 'nope'" in capsys.readouterr().err


def test_coverage_lists_missing_topics_and_past_due(tmp_path):
    content = tmp_path / "content"
    (content / "topics.yaml").parent.mkdir(parents=True)
    (content / "topics.yaml").write_text("1: Blood pressure\n13: Outpatient CAP\n")
    write_card(content, "cap", topics=[13])
    write_card(content, "old", topics=[13], review_due="2020-01-01")
    report = coverage(content)
    assert report["topics_missing"] == {1: "Blood pressure"}
    assert report["past_due"] == ["old"]
    assert report["per_specialty"] == {"infectious-disease": 2}


def test_card_pages_render_safely_and_show_versions(tmp_path, monkeypatch):
    content, settings = _setup(tmp_path, monkeypatch)
    write_card(content, "hostile", body=HOSTILE_BODY)
    curbside = Curbside(settings)
    curbside.ingest_cards()
    first_version = curbside.content_versions("hostile")[0][0]
    write_card(content, "hostile", body=HOSTILE_BODY.replace("250 mg", "500 mg"))
    curbside.ingest_cards()
    with TestClient(create_app(settings)) as client:
        page = client.get("/content/hostile").text
        assert "<script>alert" not in page and "<img src=x" not in page
        assert 'href="javascript:' not in page
        assert "&lt;script&gt;" in page  # shown as text, not executed
        assert "500 mg" in page and "Test Society" in page and "Self-test" in page
        old = client.get(f"/content/hostile?version={first_version}").text
        assert "250 mg" in old and "earlier version" in old
        history = client.get("/content/hostile/history").text
        assert "-Zorblax fever responds to quinaprofen 250 mg" in history
        assert "+Zorblax fever responds to quinaprofen 500 mg" in history
        assert client.get("/content/unknown").status_code == 404
        listing = client.get("/content", params={"q": "quinaprofen"}).text
        assert "/content/hostile" in listing


def test_content_list_filters_by_specialty(client):
    page = client.get("/content", params={"specialty": "dermatology"}).text
    assert "acne-first-line-treatment" in page
    assert "cap-outpatient-empiric-antibiotics" not in page
