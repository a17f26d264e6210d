"""The OpenAPI document describes the error bodies the app really sends.

Every error here is `{"detail": "<one plain sentence>"}` (see `app.main._explain`): a
clinician's script or an EHR integration shows the sentence as it is. FastAPI documents
422 as its own `HTTPValidationError` (a list of pydantic error objects), so a generated
client or a schema check (schemathesis) found every 422 body in breach of the schema.
The schema is corrected here, once, where the document is built.
"""

from __future__ import annotations

from fastapi import FastAPI
from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    """What every 4xx/5xx answer of the API carries."""

    detail: str = Field(description="What was wrong, in one sentence a person can act on.")


def install(app: FastAPI) -> None:
    """Make the documented 422 body (`HTTPValidationError`) the one sent: `ErrorBody`."""
    build = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = build()
            schemas = schema.get("components", {}).get("schemas", {})
            if "HTTPValidationError" in schemas:
                body = ErrorBody.model_json_schema()
                body["title"] = "HTTPValidationError"
                schemas["HTTPValidationError"] = body
                schemas.pop("ValidationError", None)  # only the replaced schema used it
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi
