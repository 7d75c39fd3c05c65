"""The browser pages: static shells whose ES modules talk to the API."""

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

FRONTEND = Path(__file__).resolve().parent.parent.parent / "frontend"

router = APIRouter(include_in_schema=False)


def _page(name: str) -> FileResponse:
    return FileResponse(FRONTEND / f"{name}.html", headers={"Cache-Control": "no-cache"})


@router.get("/")
def statements_page() -> FileResponse:
    return _page("index")


@router.get("/signin")
def sign_in_page() -> FileResponse:
    return _page("signin")


@router.get("/account")
def account_page() -> FileResponse:
    return _page("account")


@router.get("/users")
def accounts_page() -> FileResponse:
    return _page("users")


@router.get("/statements/{statement_id}")
def statement_page(statement_id: int) -> FileResponse:
    return _page("statement")


@router.get("/statements/{statement_id}/history")
def history_page(statement_id: int) -> FileResponse:
    return _page("history")


@router.get("/statements/{statement_id}/compare")
def compare_page(statement_id: int) -> FileResponse:
    return _page("compare")


@router.get("/statements/{statement_id}/versions/{number}")
def version_page(statement_id: int, number: int) -> FileResponse:
    return _page("version")


@router.get("/statements/{statement_id}/settings")
def settings_page(statement_id: int) -> FileResponse:
    return _page("settings")


@router.get("/invite/{token}")
def invitation_page(token: str) -> FileResponse:
    return _page("invite")


@router.get("/statements/{statement_id}/rounds/{round_id}")
def round_page(statement_id: int, round_id: int) -> FileResponse:
    return _page("round")


@router.get("/statements/{statement_id}/rounds/{round_id}/consent")
def consent_page(statement_id: int, round_id: int) -> FileResponse:
    return _page("consent")


@router.get("/statements/{statement_id}/cockpit")
def cockpit_page(statement_id: int) -> FileResponse:
    return _page("cockpit")
