"""Builders for test data: small, valid content cards with overridable fields."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import yaml

DEFAULT_BODY = """## Bottom line
Give {drug} {dose} for {condition} [1].

## Key points
- {condition} in adults responds to {drug} {dose} given once daily [1].
- {condition} does not require imaging before treatment [1].

## Pitfalls
- Do not give {drug} to people with a known {drug} allergy [1].
"""


def card_front(card_id: str, **overrides) -> dict:
    front = {
        "id": card_id,
        "title": f"Treatment of {overrides.pop('condition', 'zorblax fever')}",
        "specialty": ["infectious-disease"],
        "topics": [13],
        "learning_objective": "Choose the first-line drug.",
        "sources": [
            {"org": "Test Society", "title": "Test guideline", "year": 2024,
             "url": "https://example.org/guideline"}
        ],
        "status": "demo",
        "reviewed_by": None,
        "last_reviewed": "2026-11-25",
        "review_due": "2099-01-01",
        "disclosures": "none",
        "review_questions": [
            {"q": "First-line drug?", "choices": ["Quinaprofen", "Nothing"], "answer": 0,
             "why": "Guideline [1]."}
        ],
    }
    front.update(overrides)
    return front


def write_card(
    folder: Path,
    card_id: str,
    *,
    condition: str = "zorblax fever",
    drug: str = "quinaprofen",
    dose: str = "250 mg",
    body: str | None = None,
    **overrides,
) -> Path:
    """Write a card file `<folder>/<card_id>.md` and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    front = card_front(card_id, condition=condition, **overrides)
    text = body if body is not None else DEFAULT_BODY.format(
        drug=drug, dose=dose, condition=condition.capitalize()
    )
    path = folder / f"{card_id}.md"
    path.write_text(f"---\n{yaml.safe_dump(front, sort_keys=False)}---\n{text}", encoding="utf-8")
    return path


def make_user(curbside, email: str, role: str = "learner", password: str = "correct-horse-9",
              **profile):
    """A user in the test database (learners get a name so certificates have one)."""
    from sqlmodel import Session

    from app.accounts import create_user

    profile.setdefault("first_name", "Ada")
    profile.setdefault("last_name", "Lovelace")
    profile.setdefault("profession", "physician")  # decides the credit types offered
    with Session(curbside.engine, expire_on_commit=False) as session:
        return create_user(session, email=email, password=password, role=role, **profile)


def sign_in(client, email: str, password: str = "correct-horse-9") -> None:
    response = client.post("/login", data={"email": email, "password": password},
                           follow_redirects=False)
    assert response.status_code == 303, response.text


@contextmanager
def database_at(url: str, revision: str):
    """A connection, in one transaction, to a database migrated only to `revision`: the
    schema of an earlier release, to fill with its rows before an upgrade is tested."""
    from alembic import command
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    from app.db import alembic_config

    config = alembic_config()
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            yield connection
    finally:
        engine.dispose()
