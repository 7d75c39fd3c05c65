"""Sections of the live draft and of versions, and locking agreed ones (facilitators)."""

from anyio import from_thread
from fastapi import APIRouter, Request
from sqlmodel import Session

from app.collab.hub import Hub
from app.collab.locks import Lock
from app.deps import STATEMENT_REFUSALS, ManageAccess, PathId, ReadAccess, SessionDep
from app.errors import Conflict, refusals
from app.models.section import SectionList, SectionLock, SectionPublic
from app.models.user import User
from app.routers.events import announce
from app.services import consent, section_guard, section_locks, sections, versions

router = APIRouter(prefix="/api/statements/{statement_id}", tags=["sections"])
SectionId = str


@router.get("/sections", response_model=SectionList, responses=STATEMENT_REFUSALS)
def draft_sections(access: ReadAccess, session: SessionDep) -> SectionList:
    """The live draft's sections, where its headings divide it, with their ids and states."""
    rev, text, found = sections.draft(session=session, statement_id=access.statement_id)
    listing = _listing(session, access.statement_id, rev, text, found)
    session.commit()  # a version's sections named for the first time are kept
    return listing


@router.get("/versions/{number}/sections", response_model=SectionList, responses=STATEMENT_REFUSALS)
def version_sections(number: PathId, access: ReadAccess, session: SessionDep) -> SectionList:
    """A version's sections, with the same ids as the draft's where they are the same."""
    version = versions.find_version(
        session=session, statement_id=access.statement_id, number=number
    )
    found = sections.of_version(session=session, version=version)
    session.commit()
    return _listing(session, access.statement_id, version.rev, version.text, found)


@router.post(
    "/sections/{section}/lock",
    response_model=SectionPublic,
    responses={**STATEMENT_REFUSALS, **refusals(409)},
)
def lock_section(
    section: SectionId, access: ManageAccess, session: SessionDep, request: Request
) -> SectionPublic:
    """Lock a section as agreed (facilitators): from now on no edit may change its words;
    suggestions on it remain possible, the way to reopen it."""
    statement_id = access.statement_id
    rev, text, found = sections.draft(session=session, statement_id=statement_id)
    target = sections.find(found, section)
    section_locks.refuse_if_locked(session=session, statement_id=statement_id, key=section)
    words = target.text(text)
    lock = Lock(target.key, words, target.start, preamble=target.level == 0)
    hub: Hub = request.app.state.hub
    if not from_thread.run_sync(section_guard.install, hub, statement_id, lock, rev):
        raise Conflict(section_locks.CHANGED)
    try:
        section_locks.lock(
            session=session,
            statement_id=statement_id,
            section=target,
            words=words,
            actor=access.user,
        )
        session.commit()
    except Exception:
        from_thread.run_sync(section_guard.uninstall, hub, statement_id, section)
        raise
    announce(request, statement_id, "section.locked", section=section)
    return _one(session, statement_id, section)


@router.post(
    "/sections/{section}/unlock",
    response_model=SectionPublic,
    responses={**STATEMENT_REFUSALS, **refusals(409)},
)
def unlock_section(
    section: SectionId, access: ManageAccess, session: SessionDep, request: Request
) -> SectionPublic:
    """Unlock a section (facilitators): it can be edited again. The act is audited."""
    statement_id = access.statement_id
    _, _, found = sections.draft(session=session, statement_id=statement_id)
    known = any(item.key == section for item in found)
    section_locks.unlock(
        session=session, statement_id=statement_id, key=section, known=known, actor=access.user
    )
    session.commit()
    hub: Hub = request.app.state.hub
    from_thread.run_sync(section_guard.uninstall, hub, statement_id, section)
    announce(request, statement_id, "section.unlocked", section=section)
    return _one(session, statement_id, section)


def _one(session: Session, statement_id: int, key: str) -> SectionPublic:
    rev, text, found = sections.draft(session=session, statement_id=statement_id)
    listing = _listing(session, statement_id, rev, text, found)
    session.commit()
    for item in listing.data:
        if item.id == key:
            return item
    raise Conflict("The section is no longer in the draft.")


def _listing(
    session: Session, statement_id: int, rev: int, text: str, found: list[sections.Section]
) -> SectionList:
    locks = section_locks.active(session=session, statement_id=statement_id)
    states = consent.states(session=session, statement_id=statement_id, text=text, found=found)
    names = _names(session, locks)
    items = [
        SectionPublic(
            id=s.key,
            heading=s.heading,
            level=s.level,
            start=s.start,
            end=s.end,
            locked=s.key in locks,
            state=states[s.key],
            split_from=s.split_from,
            merged_from=list(s.merged_from),
            locked_by=names.get(s.key),
            locked_at=locks[s.key].locked_at if s.key in locks else None,
        )
        for s in found
    ]
    return SectionList(data=items, count=len(items), rev=rev)


def _names(session: Session, locks: dict[str, SectionLock]) -> dict[str, str]:
    names = {}
    for key, row in locks.items():
        user = session.get(User, row.locked_by) if row.locked_by else None
        names[key] = user.name if user else "a former member"
    return names
