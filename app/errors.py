"""Domain errors, raised by services and mapped once to HTTP answers with a JSON `detail`."""

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from psycopg import errors as pg_errors
from pydantic import BaseModel, Field
from sqlalchemy import exc as sa_errors
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)
NOT_FOUND_PAGE = Path(__file__).resolve().parent.parent / "frontend" / "notfound.html"


class AccordError(Exception):
    """A request Accord refuses; `detail` is one sentence the user can act on."""

    status_code = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class Unauthorized(AccordError):
    status_code = 401


class Forbidden(AccordError):
    status_code = 403


class NotFound(AccordError):
    status_code = 404


class Conflict(AccordError):
    status_code = 409


class TooLarge(AccordError):
    status_code = 413


class Invalid(AccordError):
    status_code = 422


class RateLimited(AccordError):
    status_code = 429

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class Problem(BaseModel):
    """Why a request was refused."""

    detail: str = Field(description="One sentence to act on")


class FieldProblem(BaseModel):
    loc: list[str | int] = Field(description="Where: body, query or path, then the field")
    msg: str


class InvalidRequest(Problem):
    """A request with an invalid parameter or field (422)."""

    errors: list[FieldProblem] = Field(
        default_factory=list, description="One entry per invalid field, where there are fields"
    )


_REFUSALS = {
    400: "The body is not JSON text in UTF-8",
    401: "Not signed in, or the API token is not valid",
    403: "The role does not allow it, or the request came from another site",
    404: "Nothing there, or a statement the caller is not a member of",
    409: "A conflict with the current state",
    413: "The body or the text is over the limit",
    422: "A parameter or a field of the body is invalid",
    429: "Too many failed sign-ins; try again after Retry-After seconds",
    503: "The database is busy and nothing was changed; send it again after Retry-After seconds",
}


def refusals(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI `responses` of the refusals a route may answer with, each a `Problem`."""
    return {
        code: {"model": InvalidRequest if code == 422 else Problem, "description": _REFUSALS[code]}
        for code in codes
    }


def _describe(error: Mapping[str, Any]) -> str:
    if error.get("type") == "json_invalid":
        position = error.get("loc", ("body", "?"))[-1]
        return f"The body is not valid JSON (error at character {position})."
    where = ".".join(str(part) for part in error.get("loc", ()) if part != "body")
    message = str(error.get("msg", "is invalid")).removeprefix("Value error, ")
    if error.get("type") == "extra_forbidden":
        message = "is not a field that can be set here"
    return f"{where}: {message}" if where else message


def describe_validation_errors(errors: Sequence[Mapping[str, Any]]) -> str:
    """One sentence naming each invalid field and what is wrong with it."""
    return "; ".join(_describe(error) for error in errors) or "The request is invalid."


def _page_not_found(request: Request, status_code: int) -> bool:
    """Whether a browser asked for a page (a public statement's, say) that is not there."""
    wants_page = "text/html" in request.headers.get("accept", "")
    return status_code == 404 and wants_page and not request.url.path.startswith("/api/")


async def _accord_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AccordError)
    if _page_not_found(request, exc.status_code):
        return FileResponse(NOT_FOUND_PAGE, status_code=404)
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    fields = [{"loc": list(e.get("loc", ())), "msg": _describe(e)} for e in errors]
    return JSONResponse(
        {"detail": describe_validation_errors(errors), "errors": fields}, status_code=422
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if _page_not_found(request, exc.status_code):
        return FileResponse(NOT_FOUND_PAGE, status_code=404)
    detail = exc.detail
    if exc.status_code == 404 and detail == "Not Found":
        detail = "There is nothing at this address."
    elif exc.status_code == 405:
        detail = "This address does not accept that method."
    return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)


# How long a client is asked to wait when the database could not take its request in time.
BUSY_RETRY_SECONDS = 2
BUSY = "Accord is busy with many requests at once and changed nothing; try again in a moment."
_PG_CONTENTION = (
    pg_errors.LockNotAvailable,
    pg_errors.DeadlockDetected,
    pg_errors.SerializationFailure,
    pg_errors.QueryCanceled,
    pg_errors.TooManyConnections,
)


def is_contention(exc: BaseException) -> bool:
    """Whether the database refused for being busy (the work could succeed if sent again),
    rather than for what was asked: SQLite's lock, PostgreSQL's lock and deadlock errors, or
    no free connection."""
    if isinstance(exc, sa_errors.TimeoutError):
        return True  # no connection of the pool came free in time
    if not isinstance(exc, sa_errors.DBAPIError):
        return False
    if isinstance(exc.orig, _PG_CONTENTION):
        return True
    message = str(exc.orig).lower()
    return isinstance(exc, sa_errors.OperationalError) and (
        "database is locked" in message or "database table is locked" in message
    )


async def _database_error(request: Request, exc: Exception) -> Response:
    if not is_contention(exc):
        raise exc
    log.warning("%s %s answered 503: %s", request.method, request.url.path, exc)
    return JSONResponse(
        {"detail": BUSY},
        status_code=503,
        headers={"Retry-After": str(BUSY_RETRY_SECONDS)},
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AccordError, _accord_error)
    app.add_exception_handler(sa_errors.DBAPIError, _database_error)
    app.add_exception_handler(sa_errors.TimeoutError, _database_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
