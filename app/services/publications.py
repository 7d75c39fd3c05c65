"""Publishing: an approved version made public under the statement's address, for good."""

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.errors import Conflict, NotFound
from app.models.publication import (
    Publication,
    PublicationPublic,
    PublishedAddress,
    Signatory,
)
from app.models.review import ReviewRound, Stance, StanceKind
from app.models.statement import Statement, StatementState
from app.models.user import User
from app.services import audit, markdown, news, statements, versions


def publish(*, session: Session, statement: Statement, number: int, actor: User) -> Publication:
    """Publish version `number`, which a closed review round approved, at the statement's
    address, which becomes its own for good. Two publishes at once: one wins, the other gets
    409."""
    version = versions.find_version(session=session, statement_id=statement.id, number=number)
    review = _approving_round(session, statement.id, number)
    # Publishes and changes of address of one statement take turns: its title, address and
    # publications, read from here on, stay as read until this one commits.
    statements.hold_statement(session=session, statement_id=statement.id)
    session.refresh(statement)
    if session.exec(
        select(Publication.id).where(
            Publication.statement_id == statement.id, Publication.version_number == number
        )
    ).first():
        raise Conflict(f"Version {number} is already published.")
    people = _people_by_stance(session, review)
    last = session.exec(
        select(func.max(Publication.number)).where(Publication.statement_id == statement.id)
    ).one()
    publication = Publication(
        statement_id=statement.id,
        number=(last or 0) + 1,
        version_number=number,
        round_id=review.id,
        title=statement.title,
        text=version.text,
        signatories=people.get(StanceKind.approve, []),
        abstentions=people.get(StanceKind.abstain, []),
        published_by=actor.id,
    )
    try:
        with session.begin_nested():
            session.add(publication)
    except IntegrityError:
        raise Conflict("This version has just been published, or another one at once.") from None
    _keep_address(session, statement_id=statement.id, slug=statement.slug)
    statement.state = StatementState.published
    session.add(statement)
    audit.record(
        session=session,
        statement_id=statement.id,
        actor=actor,
        kind="statement.published",
        number=publication.number,
        version=number,
    )
    news.published(session, statement=statement, number=number, actor=actor)
    return publication


def _approving_round(session: Session, statement_id: int, number: int) -> ReviewRound:
    """The latest closed round that approved version `number`; 409 if none did."""
    review = session.exec(
        select(ReviewRound)
        .where(
            ReviewRound.statement_id == statement_id,
            ReviewRound.version_number == number,
            col(ReviewRound.approved).is_(True),
        )
        .order_by(col(ReviewRound.closed_at).desc())
    ).first()
    if review is None:
        raise Conflict(f"Version {number} has not been approved in a review round.")
    return review


def _people_by_stance(
    session: Session, review: ReviewRound
) -> dict[StanceKind, list[dict[str, str]]]:
    """Who took each stance on the whole version in the round, as the publication names them
    (stances on one section are not signatures)."""
    found: dict[StanceKind, list[dict[str, str]]] = {}
    for stance, user in session.exec(
        select(Stance, User)
        .join(User, col(User.id) == Stance.user_id)
        .where(
            Stance.round_id == review.id,
            Stance.section == "",
            col(Stance.superseded_at).is_(None),
        )
        .order_by(col(Stance.organisation), col(User.name))
    ):
        person = {"name": user.name, "organisation": stance.organisation}
        found.setdefault(StanceKind(stance.kind), []).append(person)
    return found


def _keep_address(session: Session, *, statement_id: int, slug: str) -> None:
    """Make `slug` the statement's address for good, unless it already is."""
    taken = Conflict(
        f"The address /s/{slug} keeps showing another statement's publication; "
        "choose another address in the settings, then publish."
    )
    owner = session.get(PublishedAddress, slug)
    if owner is None:
        try:
            with session.begin_nested():
                session.add(PublishedAddress(slug=slug, statement_id=statement_id))
        except IntegrityError:
            raise taken from None
    elif owner.statement_id != statement_id:
        raise taken


def find_statement(*, session: Session, slug: str) -> Statement:
    """The statement whose publications show at `slug`: now, or ever before."""
    statement = session.exec(
        select(Statement)
        .join(PublishedAddress, col(PublishedAddress.statement_id) == col(Statement.id))
        .where(PublishedAddress.slug == slug)
    ).first()
    if statement is None:
        raise NotFound("Nothing has been published at this address.")
    return statement


def find(*, session: Session, statement: Statement, number: int | None) -> Publication:
    """Publication `number`, or the latest."""
    query = select(Publication).where(Publication.statement_id == statement.id)
    if number is not None:
        query = query.where(Publication.number == number)
    found = session.exec(query.order_by(col(Publication.number).desc())).first()
    if found is None:
        raise NotFound(f"This statement has no publication {number}.")
    return found


def to_public(
    *, session: Session, statement: Statement, publication: Publication
) -> PublicationPublic:
    numbers = session.exec(
        select(Publication.number).where(Publication.statement_id == statement.id)
    ).all()
    later = [n for n in numbers if n > publication.number]
    earlier = [n for n in numbers if n < publication.number]
    return PublicationPublic(
        slug=statement.slug,
        number=publication.number,
        version=publication.version_number,
        title=publication.title,
        text=publication.text,
        html=markdown.render(publication.text),
        published_at=publication.published_at,
        signatories=[Signatory(**s) for s in publication.signatories],
        abstentions=[Signatory(**s) for s in publication.abstentions],
        superseded_by=min(later) if later else None,
        previous=max(earlier) if earlier else None,
    )
