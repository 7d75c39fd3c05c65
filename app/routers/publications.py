"""Publishing approved versions, the permanent public pages, and exports."""

import asyncio
from typing import Any, Literal

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Engine
from sqlmodel import Session

from app.deps import STATEMENT_REFUSALS, ManageAccess, PathId, ReadAccess, SessionDep
from app.diff import compare_off_loop
from app.errors import refusals
from app.models.publication import PublicationCreate, PublicationPublic, Signatory
from app.routers.events import announce
from app.services import exports, public_page, publications, versions

router = APIRouter(tags=["publications"])

Format = Literal["md", "html", "txt", "wikitext"]
EXTENSIONS = {"md": "md", "html": "html", "txt": "txt", "wikitext": "wiki"}
A_FILE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The file, named in Content-Disposition",
        "content": {
            media.split(";")[0]: {"schema": {"type": "string"}}
            for media in exports.FORMATS.values()
        },
    }
}


def _download(
    title: str,
    suffix: str,
    text: str,
    fmt: Format,
    note: str = "",
    endorsements: exports.Endorsements | None = None,
) -> Response:
    body = exports.export(title, text, fmt, note=note, endorsements=endorsements)
    disposition = exports.content_disposition(title, suffix, EXTENSIONS[fmt])
    return Response(
        body, media_type=exports.FORMATS[fmt], headers={"Content-Disposition": disposition}
    )


@router.post(
    "/api/statements/{statement_id}/publications",
    response_model=PublicationPublic,
    status_code=status.HTTP_201_CREATED,
    responses={**STATEMENT_REFUSALS, **refusals(400, 409, 413)},
)
def publish(
    body: PublicationCreate, access: ManageAccess, session: SessionDep, request: Request
) -> PublicationPublic:
    """Publish an approved version (facilitators) at the statement's permanent address."""
    publication = publications.publish(
        session=session, statement=access.statement, number=body.version, actor=access.user
    )
    session.commit()
    announce(request, access.statement_id, "statement.published", publication=publication.number)
    return publications.to_public(
        session=session, statement=access.statement, publication=publication
    )


@router.get(
    "/api/statements/{statement_id}/versions/{number}/export",
    response_class=Response,
    responses={**A_FILE, **STATEMENT_REFUSALS},
)
def export_version(
    number: PathId, access: ReadAccess, session: SessionDep, format: Format = "md"
) -> Response:
    """A version as a file: Markdown, standalone HTML, plain text or MediaWiki wikitext."""
    version = versions.find_version(
        session=session, statement_id=access.statement_id, number=number
    )
    note = f"Version {version.number}, {version.name}"
    return _download(access.statement.title, f"v{number}", version.text, format, note)


@router.get("/api/public/{slug}", response_model=PublicationPublic, responses=refusals(404, 422))
def latest_publication(slug: str, session: SessionDep) -> PublicationPublic:
    """The latest publication at an address (anyone)."""
    statement = publications.find_statement(session=session, slug=slug)
    found = publications.find(session=session, statement=statement, number=None)
    return publications.to_public(session=session, statement=statement, publication=found)


@router.get(
    "/api/public/{slug}/v/{number}", response_model=PublicationPublic, responses=refusals(404, 422)
)
def publication(slug: str, number: PathId, session: SessionDep) -> PublicationPublic:
    """One publication, forever (anyone)."""
    statement = publications.find_statement(session=session, slug=slug)
    found = publications.find(session=session, statement=statement, number=number)
    return publications.to_public(session=session, statement=statement, publication=found)


@router.get(
    "/api/public/{slug}/v/{number}/export",
    response_class=Response,
    responses={**A_FILE, **refusals(404, 422)},
)
def export_publication(
    slug: str, number: PathId, session: SessionDep, format: Format = "md"
) -> Response:
    """A publication as a file (anyone), naming after its text who endorsed it and who
    abstained."""
    statement = publications.find_statement(session=session, slug=slug)
    found = publications.find(session=session, statement=statement, number=number)
    note = f"Published {found.published_at:%Y-%m-%d}"
    endorsements = exports.Endorsements(
        published=f"{note}, publication {found.number}.",
        signatories=[Signatory(**person) for person in found.signatories],
        abstentions=[Signatory(**person) for person in found.abstentions],
    )
    suffix = f"publication-{number}"
    return _download(found.title, suffix, found.text, format, note, endorsements)


pages = APIRouter(include_in_schema=False)


@pages.get("/s/{slug}", response_class=HTMLResponse)
async def public_page_latest(slug: str, request: Request) -> HTMLResponse:
    return await _page(request, slug, None)


@pages.get("/s/{slug}/v/{number}", response_class=HTMLResponse)
async def public_page_numbered(slug: str, number: PathId, request: Request) -> HTMLResponse:
    return await _page(request, slug, number)


async def _page(request: Request, slug: str, number: int | None) -> HTMLResponse:
    engine: Engine = request.app.state.engine

    def load() -> tuple[PublicationPublic, str | None]:
        with Session(engine) as session:
            statement = publications.find_statement(session=session, slug=slug)
            found = publications.find(session=session, statement=statement, number=number)
            public = publications.to_public(session=session, statement=statement, publication=found)
            previous = (
                publications.find(session=session, statement=statement, number=public.previous)
                if public.previous is not None
                else None
            )
            return public, previous.text if previous else None

    public, previous_text = await asyncio.to_thread(load)
    changes = None
    if previous_text is not None:
        diff = await compare_off_loop(
            previous_text, public.text, old_name="previous", new_name="this"
        )
        changes = diff.html
    return HTMLResponse(public_page.render(public, changes), headers={"Cache-Control": "no-cache"})
