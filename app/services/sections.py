"""The sections of the live draft and of each version, named from text to text
(app/sections/identity.py) and kept, so that a section's id lasts.

The live draft's sections are named after the ones last seen in it (its layout, kept with the
revision it is of); a version's after the draft's when it is saved, and a version from before
sections were kept after the version before it. Reading the draft at a new revision renames
its sections and keeps the result with a conditional update: of two readers at once, one
writes, and the other reads what it wrote and names its own text after that, so both give the
same ids.
"""

from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.collab import log
from app.errors import NotFound
from app.models.section import DRAFT, SectionLayout
from app.models.version import Version
from app.sections import identity, outline

ATTEMPTS = 5  # readers that find the layout rewritten under them name their text again


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    heading: str
    level: int
    start: int
    body: int
    end: int
    split_from: str | None = None
    merged_from: tuple[str, ...] = field(default=())

    def text(self, text: str) -> str:
        """The section's words in `text`, without the white space after them."""
        return text[self.start : self.end].rstrip()


def name(text: str, known: list[identity.Known]) -> list[Section]:
    """The sections of `text`, named after those `known`."""
    parts = outline.split(text)
    named = identity.name(known, [(p.heading, text[p.body : p.end]) for p in parts])
    return [
        Section(n.key, p.heading, p.level, p.start, p.body, p.end, n.split_from, n.merged_from)
        for p, n in zip(parts, named, strict=True)
    ]


def draft(*, session: Session, statement_id: int) -> tuple[int, str, list[Section]]:
    """The live draft's head revision, its text and its sections (what each was split or
    merged from since the latest version)."""
    rev, text, found = _draft(session, statement_id)
    latest = _latest_version(session, statement_id)
    return rev, text, _relate(found, text, _known_in(session, latest) if latest else [])


def _draft(session: Session, statement_id: int) -> tuple[int, str, list[Section]]:
    for _ in range(ATTEMPTS):
        rev = log.head_revision(session=session, statement_id=statement_id)
        text = log.read_text(session=session, statement_id=statement_id, rev=rev)
        kept = _layout(session, statement_id, DRAFT)
        if kept is not None and kept.rev == rev:
            return rev, text, _sections(kept.sections)
        if kept is not None:
            known = _known(kept.sections)
        else:
            latest = _latest_version(session, statement_id)
            known = [] if latest is None else _known_in(session, latest)
        found = name(text, known)
        if _keep_draft(session, statement_id, kept, rev, found, text):
            return rev, text, found
        session.rollback()  # another reader kept a layout first: name the text after it
    raise RuntimeError("the draft's sections kept changing while being read")


def of_version(*, session: Session, version: Version) -> list[Section]:
    """A version's sections (named and kept the first time they are asked for)."""
    kept = _layout(session, version.statement_id, version.number)
    if kept is not None:
        return _sections(kept.sections)
    if version.number > 1:
        before = _version(session, version.statement_id, version.number - 1)
        known = _known_in(session, before) if before is not None else []
    else:
        known = []
    return keep_version(session=session, version=version, known=known)


def keep_version(
    *, session: Session, version: Version, known: list[identity.Known] | None = None
) -> list[Section]:
    """Name a version's sections (after the draft's, unless `known` says otherwise) and keep
    them; a version's sections, once kept, never change."""
    if known is None:
        kept = _layout(session, version.statement_id, DRAFT)
        known = _known(kept.sections) if kept is not None else []
    before = _version(session, version.statement_id, version.number - 1)
    found = _relate(
        name(version.text, known), version.text, _known_in(session, before) if before else []
    )
    row = SectionLayout(
        statement_id=version.statement_id,
        version_number=version.number,
        rev=version.rev,
        sections=[_stored(section) for section in found],
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        # Named at the same moment by another request: theirs is kept, and is the same.
        existing = _layout(session, version.statement_id, version.number)
        assert existing is not None
        return _sections(existing.sections)
    return found


def find(sections: list[Section], key: str) -> Section:
    for section in sections:
        if section.key == key:
            return section
    raise NotFound("This statement has no such section.")


def _keep_draft(
    session: Session,
    statement_id: int,
    kept: SectionLayout | None,
    rev: int,
    found: list[Section],
    text: str,
) -> bool:
    """Keep the draft's layout at `rev`, unless another reader changed it first."""
    stored = [{**_stored(section), "words": text[section.body : section.end]} for section in found]
    if kept is None:
        try:
            with session.begin_nested():
                session.add(
                    SectionLayout(
                        statement_id=statement_id, version_number=DRAFT, rev=rev, sections=stored
                    )
                )
        except IntegrityError:
            return False
        session.commit()
        return True
    if kept.rev > rev:
        return False  # a newer layout: read the head again
    changed = session.execute(
        update(SectionLayout)
        .where(col(SectionLayout.id) == kept.id, col(SectionLayout.rev) == kept.rev)
        .values(rev=rev, sections=stored)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.commit()
    return True


def _relate(found: list[Section], text: str, before: list[identity.Known]) -> list[Section]:
    """The sections, each with what it was split or merged from among those `before`."""
    relations = identity.related(before, [(s.key, text[s.body : s.end]) for s in found])
    return [
        replace(section, split_from=relation.split_from, merged_from=relation.merged_from)
        for section, relation in zip(found, relations, strict=True)
    ]


def _layout(session: Session, statement_id: int, number: int) -> SectionLayout | None:
    session.expire_all()
    return session.exec(
        select(SectionLayout).where(
            SectionLayout.statement_id == statement_id, SectionLayout.version_number == number
        )
    ).first()


def _latest_version(session: Session, statement_id: int) -> Version | None:
    return session.exec(
        select(Version)
        .where(Version.statement_id == statement_id)
        .order_by(col(Version.number).desc())
    ).first()


def _version(session: Session, statement_id: int, number: int) -> Version | None:
    return session.exec(
        select(Version).where(Version.statement_id == statement_id, Version.number == number)
    ).first()


def _known_in(session: Session, version: Version) -> list[identity.Known]:
    found = of_version(session=session, version=version)
    return [identity.Known(s.key, s.heading, version.text[s.body : s.end]) for s in found]


def _known(stored: list[dict[str, Any]]) -> list[identity.Known]:
    return [identity.Known(s["key"], s["heading"], s.get("words", "")) for s in stored]


def _stored(section: Section) -> dict[str, Any]:
    return {
        "key": section.key,
        "heading": section.heading,
        "level": section.level,
        "start": section.start,
        "body": section.body,
        "end": section.end,
        "split_from": section.split_from,
        "merged_from": list(section.merged_from),
    }


def _sections(stored: list[dict[str, Any]]) -> list[Section]:
    return [
        Section(
            s["key"],
            s["heading"],
            s["level"],
            s["start"],
            s["body"],
            s["end"],
            s.get("split_from"),
            tuple(s.get("merged_from", ())),
        )
        for s in stored
    ]
