"""Small things a learner or admin trips on: the profile keeps what was typed when it is
refused, consent to board reporting needs what PARS needs, and the due list names people."""

from __future__ import annotations

from sqlmodel import Session, select

from app.accounts import User
from app.cli import main
from tests.factories import make_user, sign_in
from tests.test_cli import cli_env  # noqa: F401  (fixture)
from tests.test_credit_pages import _ask

TYPED = {"first_name": "Kim", "last_name": "Park", "profession": "physician",
         "specialty": "Hospital medicine", "board": "abim", "board_id": "777111",
         "birth_month": "2", "birth_day": "9", "board_consent": "yes"}


def test_a_refused_profile_keeps_everything_that_was_typed(client):
    make_user(client.app.state.curbside, "kim@example.org", first_name="", last_name="",
              profession="")
    sign_in(client, "kim@example.org")
    for change, message in (({"birth_day": "30"}, "birth day must be 1-29 for month 2"),
                            ({"birth_month": "feb"}, "must be numbers"),
                            ({"profession": "wizard"}, "choose a profession"),
                            ({"board_id": ""}, "board reporting needs your board ID"),
                            ({"board": "XYZ"}, "board must be one of"),
                            ({"board_id": "77 71;"}, "board ID: letters, digits")):
        refused = client.post("/profile", data={**TYPED, **change})
        assert refused.status_code == 422 and message in refused.text, change
        page = refused.text
        assert 'value="Kim"' in page and 'value="Park"' in page
        assert 'value="Hospital medicine"' in page
        assert f'value="{change.get("birth_day", "9")}"' in page
        assert "checked" in page.split('name="board_consent"')[1][:40]  # consent kept
        with Session(client.app.state.curbside.engine) as session:  # nothing was saved
            assert session.get(User, _user_id(client)).first_name == ""
    saved = client.post("/profile", data=TYPED, follow_redirects=True)
    assert "Saved." in saved.text
    with Session(client.app.state.curbside.engine) as session:
        kim = session.get(User, _user_id(client))
        assert (kim.first_name, kim.board, kim.birth_month, kim.birth_day) == (
            "Kim", "ABIM", 2, 9)


def _user_id(client) -> str:
    with Session(client.app.state.curbside.engine) as session:
        return session.exec(select(User).where(User.email == "kim@example.org")).one().id


def test_reflections_due_lists_people_by_name(cli_env, client, capsys):  # noqa: F811
    ada = make_user(client.app.state.curbside, "ada@example.org")
    sign_in(client, "ada@example.org")
    _ask(client, "croup dexamethasone dose")
    assert main(["credits", "due", "--days", "31"]) == 0
    out = capsys.readouterr().out
    assert "Ada Lovelace" in out and "croup dexamethasone dose" in out
    assert ada.id not in out.split("\t")[1]  # the name column is a name, not an id


def test_the_claim_link_names_the_credit_the_learners_profession_is_offered(client):
    """A nurse is never promised AMA PRA Category 1 Credit™ under an answer; before the
    profession is known the link names no credit type."""
    for email, profession, named, never in (
        ("rn@example.org", "nurse", "Claim 0.5 ANCC nursing contact hours", "AMA PRA"),
        ("md@example.org", "physician", "Claim 0.5 AMA PRA Category 1 Credit™", "ANCC"),
        ("new@example.org", "", "Claim credit for this question", "AMA PRA Category 1 Credit™ for"),
    ):
        make_user(client.app.state.curbside, email, profession=profession)
        sign_in(client, email)
        page = client.post("/", data={"question": "croup dexamethasone dose"}).text
        link = page.split('class="claim-link"')[1].split("</a>")[0]
        assert named in link and never not in link, (profession, link)
        home = client.get("/").text  # the script's link uses the same words
        assert f'data-claim-prompt="{named}' in home.replace("&#8482;", "™")
        client.post("/logout")
