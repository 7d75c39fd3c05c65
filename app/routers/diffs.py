"""Comparing two states of a statement's text: versions, past revisions or the live draft."""

import asyncio
import re
from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy import Engine
from sqlmodel import Session

from app.deps import STATEMENT_REFUSALS, WaitingReadAccess
from app.diff import compare_off_loop
from app.errors import Invalid
from app.models.diff import TextDiffPublic
from app.services import authorship, versions
from app.services.text import text_at

router = APIRouter(
    prefix="/api/statements/{statement_id}",
    tags=["versions"],
    responses=STATEMENT_REFUSALS,
)

REF = re.compile(r"^(live|\d{1,9}|r\d{1,9})$")
REF_HELP = "A version number (`3`), a revision (`r120`), or `live` for the draft as it is now"

Runs = list[tuple[int, int | None]]


def _side(engine: Engine, statement_id: int, ref: str) -> tuple[str, str, Runs]:
    """The text a reference names, what to call it, and who wrote each passage of it."""
    with Session(engine) as session:
        if ref.isdigit():
            version = versions.find_version(
                session=session, statement_id=statement_id, number=int(ref)
            )
            name, text, rev = f"Version {version.number}: {version.name}", version.text, version.rev
        else:
            at = text_at(
                session=session,
                statement_id=statement_id,
                rev=None if ref == "live" else int(ref[1:]),
            )
            name = f"Live draft (revision {at.rev})" if ref == "live" else f"Revision {at.rev}"
            text, rev = at.text, at.rev
        runs = authorship.runs_at(session=session, statement_id=statement_id, rev=rev)
        return name, text, runs


@router.get("/diff", response_model=TextDiffPublic)
async def compare_texts(
    access: WaitingReadAccess,
    request: Request,
    from_: Annotated[str, Query(alias="from", description=REF_HELP)],
    to: Annotated[str, Query(description=REF_HELP)] = "live",
) -> TextDiffPublic:
    """What changed from one state of the text to another, word by word, with moved
    paragraphs, counts, inline and side-by-side HTML, a unified patch, and who wrote each
    addition."""
    for ref in (from_, to):
        if not REF.match(ref):
            raise Invalid(f"“{ref[:40]}” names no text: use a version number, r<revision> or live.")
    engine: Engine = request.app.state.engine
    old_name, old, _ = await asyncio.to_thread(_side, engine, access.statement_id, from_)
    new_name, new, runs = await asyncio.to_thread(_side, engine, access.statement_id, to)
    return await compare_off_loop(old, new, old_name=old_name, new_name=new_name, new_authors=runs)
