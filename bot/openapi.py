"""The trigger API's OpenAPI 3.1 document, generated from its pydantic models.

Nothing here is written by hand but the statuses and their meaning, so the document cannot
drift from what the endpoint validates; `tests/bot/test_openapi.py` runs schemathesis on it.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

REF = "#/components/schemas/{model}"
REFUSALS = {
    "401": "Missing or wrong bearer token.",
    "413": "Body over 64 KiB (or over 1 MiB, refused before the route reads it).",
    "404": "No workspace of that platform (or of that name) exists yet.",
    "409": "Several workspaces of that platform exist; name one with `workspace`.",
    "422": "The body does not match TriggerRequest; `field` names the first bad field.",
    "503": "The API is disabled: NPSBOT_API_TOKEN is not set.",
}


def document_for(
    *, path: str, request: type[BaseModel], accepted: type[BaseModel], error: type[BaseModel]
) -> dict[str, Any]:
    """OpenAPI for `POST path`: `request` in, `accepted` (202) or `error` out."""
    _, definitions = models_json_schema(
        [(request, "validation"), (accepted, "serialization"), (error, "serialization")],
        ref_template=REF,
    )

    def body(model: type[BaseModel], description: str) -> dict[str, Any]:
        schema = {"$ref": REF.format(model=model.__name__)}
        return {"description": description, "content": {"application/json": {"schema": schema}}}

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "npsbot trigger API",
            "version": _version(),
            "description": "Ask for an NPS survey after an event in another system.",
        },
        "paths": {
            path: {
                "post": {
                    "operationId": "createTrigger",
                    "summary": "Schedule a survey after an event, if the fatigue policy allows",
                    "security": [{"bearer": []}],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": REF.format(model=request.__name__)}
                            }
                        },
                    },
                    "responses": {
                        "202": body(accepted, accepted.__doc__ or "Accepted."),
                        **{status: body(error, text) for status, text in REFUSALS.items()},
                    },
                }
            }
        },
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def _version() -> str:
    try:
        return version("npsbot")
    except PackageNotFoundError:
        return "0"
