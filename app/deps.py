"""Typed dependency aliases for routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.services import Curbside
from app.settings import Settings


def _curbside(request: Request) -> Curbside:
    return request.app.state.curbside


def _settings(request: Request) -> Settings:
    return request.app.state.curbside.settings


CurbsideDep = Annotated[Curbside, Depends(_curbside)]
SettingsDep = Annotated[Settings, Depends(_settings)]
