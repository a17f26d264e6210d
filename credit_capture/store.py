"""Persistence of inquiries (SQLite by default, PostgreSQL through a database URL)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, SQLModel, create_engine

from credit_capture.errors import InquiryNotFound
from credit_capture.models import Inquiry


def make_engine(url: str) -> Engine:
    """Engine with the tables created; SQLite folders are made on demand."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
    else:
        engine = create_engine(url, pool_pre_ping=True)
    SQLModel.metadata.create_all(engine)
    return engine


def save_inquiry(session: Session, inquiry: Inquiry) -> Inquiry:
    session.add(inquiry)
    session.commit()
    session.refresh(inquiry)
    return inquiry


def get_inquiry(session: Session, inquiry_id: str) -> Inquiry:
    inquiry = session.get(Inquiry, inquiry_id)
    if inquiry is None:
        raise InquiryNotFound(f"No inquiry with id {inquiry_id!r}.")
    return inquiry
