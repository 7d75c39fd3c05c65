"""Domain errors, raised by services and mapped once to HTTP answers with a JSON `detail`."""

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

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
    503: "The change could not be saved; send it again",
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


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AccordError, _accord_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
