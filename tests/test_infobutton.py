"""HL7 Infobutton: coded and named requests in every response type, steering, clear 400s."""

from __future__ import annotations

import json
from datetime import date

import feedparser
import pytest
from sqlmodel import Session, select

from app import ehr_routes
from credit_capture.models import Inquiry

ICD10, RXNORM, SNOMED = "2.16.840.1.113883.6.90", "2.16.840.1.113883.6.88", "2.16.840.1.113883.6.96"
CAP = {"mainSearchCriteria.v.c": "J18.9", "mainSearchCriteria.v.cs": ICD10,
       "mainSearchCriteria.v.dn": "Pneumonia, unspecified organism",
       "taskContext.c.c": "PROBLISTREV", "age.v.v": "54", "age.v.u": "a",
       "patientPerson.administrativeGenderCode.c": "F"}
UNCOVERED = {"mainSearchCriteria.v.c": "T86.11", "mainSearchCriteria.v.cs": ICD10,
             "mainSearchCriteria.v.dn": "Kidney transplant rejection"}


@pytest.fixture
def ehr_client(client):
    client.app.dependency_overrides[ehr_routes.today] = lambda: date(2026, 12, 10)
    return client


def _ids_atom(response) -> list[str]:
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception  # a well-formed Atom feed
    assert feed.version == "atom10"
    return [entry.link.rsplit("/", 1)[-1] for entry in feed.entries]


def _ids_json(payload: dict) -> list[str]:
    feed = payload["feed"]
    assert {"title", "id", "updated", "author", "entry"} <= feed.keys()
    for entry in feed["entry"]:
        assert entry["title"]["_value"] and entry["summary"]["_value"]
        assert entry["link"][0]["rel"] == "alternate"
    return [entry["link"][0]["href"].rsplit("/", 1)[-1] for entry in feed["entry"]]


def _ids(client, params: dict, kind: str) -> list[str]:
    response = client.get("/infobutton", params={**params, "knowledgeResponseType": kind,
                                                 **({"callback": "ehr.show"} if "javascript"
                                                    in kind else {})})
    assert response.status_code == 200, response.text
    if kind == "text/xml":
        assert response.headers["content-type"].startswith("application/atom+xml")
        return _ids_atom(response)
    if kind == "application/json":
        return _ids_json(response.json())
    if kind == "application/javascript":
        body = response.text
        assert body.startswith("ehr.show(") and body.endswith(");")
        return _ids_json(json.loads(body[len("ehr.show("):-2]))
    assert response.headers["content-type"].startswith("text/html")
    return [line.split('/content/')[1].split('"')[0] for line in response.text.splitlines()
            if 'href="http' in line and "/content/" in line]


@pytest.mark.parametrize("kind", ["text/xml", "application/json", "application/javascript",
                                  "text/html"])
def test_coded_request_returns_the_coded_card_first_in_every_format(ehr_client, kind):
    ids = _ids(ehr_client, CAP, kind)
    assert ids[0].startswith("cap-") and set(ids) <= {
        "cap-outpatient-empiric-antibiotics", "cap-inpatient-empiric-antibiotics"}
    # An uncovered concept gets an empty feed, not the nearest neighbour.
    assert _ids(ehr_client, UNCOVERED, kind) == []


def test_atom_is_the_default_and_echoes_the_request_context(ehr_client):
    response = ehr_client.get("/infobutton", params=CAP)
    feed = feedparser.parse(response.content)
    assert feed.version == "atom10"
    terms = {(tag.scheme, tag.term) for tag in feed.feed.tags}
    assert ("taskContext.c.c", "PROBLISTREV") in terms
    assert feed.entries[0].summary  # the card's learning objective


def test_code_without_a_card_and_without_a_name_is_empty(ehr_client):
    params = {"mainSearchCriteria.v.c": "Z99.89", "mainSearchCriteria.v.cs": ICD10,
              "knowledgeResponseType": "application/json"}
    assert ehr_client.get("/infobutton", params=params).json()["feed"]["entry"] == []


def test_age_and_sex_choose_between_paediatric_and_adult_cards(ehr_client):
    drug = {"mainSearchCriteria.v.c": "161", "mainSearchCriteria.v.cs": RXNORM,
            "mainSearchCriteria.v.dn": "acetaminophen"}
    child = _ids(ehr_client, {**drug, "age.v.v": "4", "age.v.u": "a"}, "application/json")
    adult = _ids(ehr_client, {**drug, "age.v.v": "31", "age.v.u": "a",
                              "patientPerson.administrativeGenderCode.c": "F"},
                 "application/json")
    assert child[0] == "pediatric-acetaminophen-ibuprofen-dosing"
    assert adult[0] == "pregnancy-analgesics-acetaminophen-nsaids"
    infant = _ids(ehr_client, {**drug, "ageGroup.v.c": "D007223"}, "application/json")
    assert infant[0] == "pediatric-acetaminophen-ibuprofen-dosing"


def test_a_name_only_request_goes_through_the_normal_search(ehr_client):
    named = {"mainSearchCriteria.v.dn": "croup", "subTopic.v.dn": "dexamethasone dose"}
    assert _ids(ehr_client, named, "application/json")[0] == "croup-dexamethasone-dosing"
    uncovered = {"mainSearchCriteria.v.dn": "tacrolimus trough target after kidney transplant"}
    assert _ids(ehr_client, uncovered, "application/json") == []


def test_each_request_is_logged_as_a_scrubbed_inquiry_without_patient_details(
    ehr_client, curbside
):
    ehr_client.get("/infobutton", params=CAP)
    ehr_client.get("/infobutton", params=UNCOVERED)
    with Session(curbside.engine) as session:
        logged = session.exec(select(Inquiry)).all()
    questions = [inquiry.question for inquiry in logged]
    assert questions == ["Pneumonia, unspecified organism", "Kidney transplant rejection"]
    assert logged[1].abstained  # an uncovered concept is a content gap


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"mainSearchCriteria.v.c": "J18.9"}, "needs its code system"),
        ({"mainSearchCriteria.v.c": "J18.9", "mainSearchCriteria.v.cs": "icd10"},
         "OID"),
        ({"mainSearchCriteria.v.dn": "croup", "age.v.v": "four"}, "age.v.v"),
        ({"mainSearchCriteria.v.dn": "croup", "age.v.v": "4", "age.v.u": "years"}, "UCUM"),
        ({"mainSearchCriteria.v.dn": "croup",
          "patientPerson.administrativeGenderCode.c": "X"}, "F, M or UN"),
        ({"mainSearchCriteria.v.dn": "croup", "mainSearchCriterion.v.c": "x"},
         "Unknown parameter 'mainSearchCriterion.v.c'"),
        ({"taskContext.c.c": "PROBLISTREV"}, "mainSearchCriteria"),
        ({"mainSearchCriteria.v.dn": "croup", "ageGroup.v.c": "D999"}, "MeSH"),
    ],
)
@pytest.mark.parametrize("kind", ["text/xml", "application/json", "application/javascript",
                                  "text/html"])
def test_malformed_requests_get_a_clear_400_in_the_requested_format(ehr_client, params,
                                                                     message, kind):
    extra = {"callback": "cb"} if "javascript" in kind else {}
    response = ehr_client.get("/infobutton",
                              params={**params, "knowledgeResponseType": kind, **extra})
    assert response.status_code == 400
    if kind == "text/xml":
        feed = feedparser.parse(response.content)
        assert message in feed.feed.subtitle
    elif kind == "application/json":
        assert message in response.json()["error"]
    elif kind == "application/javascript":
        assert response.text.startswith("cb(") and message in response.text
    else:
        assert response.headers["content-type"].startswith("text/html")
        assert message.replace("'", "&#39;") in response.text


def test_bad_response_type_and_missing_callback_are_refused(ehr_client):
    response = ehr_client.get("/infobutton", params={"mainSearchCriteria.v.dn": "croup",
                                                    "knowledgeResponseType": "text/csv"})
    assert response.status_code == 400 and "not supported" in response.json()["error"]
    response = ehr_client.get("/infobutton", params={
        "mainSearchCriteria.v.dn": "croup", "knowledgeResponseType": "application/javascript"})
    assert response.status_code == 400 and "callback" in response.json()["error"]
    response = ehr_client.get("/infobutton", params={
        "mainSearchCriteria.v.dn": "croup", "knowledgeResponseType": "application/javascript",
        "callback": "alert(1)//"})
    assert response.status_code == 400 and "function name" in response.json()["error"]
