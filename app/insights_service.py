"""Wires the insights package to this process's shared resources.

The encoder is the packaged model the retriever already holds (`Curbside.files`), and
"closest cards" come from the same hybrid search clinicians use, so insights load no
model of their own. One `Insights` per `Curbside`, built on first use.
"""

from __future__ import annotations

from sqlmodel import Session, select

from app.accounts import User
from app.services import Curbside
from insights.service import Insights


def insights_of(curbside: Curbside) -> Insights:
    cached = curbside.__dict__.get("_insights")
    if cached is None:
        cached = Insights(
            curbside.engine, settings=curbside.settings.insights,
            encoder=curbside.files.embedder, nearest=lambda text: _nearest(curbside, text),
            profiles=lambda ids: _profiles(curbside, ids),
        )
        curbside.__dict__["_insights"] = cached
    return cached


def _profiles(curbside: Curbside, ids: set[str]) -> dict[str, tuple[str | None, str | None]]:
    """Specialty and profession of clinician ids (only ever counted in a theme's mix)."""
    if not ids:
        return {}
    with Session(curbside.engine) as session:
        query = select(User.id, User.specialty, User.profession)
        return {uid: (specialty, profession) for uid, specialty, profession
                in session.exec(query) if uid in ids}


def _nearest(curbside: Curbside, text: str) -> list[dict]:
    if not curbside.files.exists():
        return []
    found: dict[str, dict] = {}
    for passage in curbside.searcher().search(text, k=8).passages:
        if passage.kind == "card" and passage.doc_id not in found:
            found[passage.doc_id] = {"doc_id": passage.doc_id, "title": passage.title,
                                     "score": round(passage.score, 3)}
    return list(found.values())
