"""The demo: the partnerships workshop's statement, its facilitator and a dozen delegates."""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session

from app.collab import log, ops
from app.collab.diffing import operation_between
from app.config import Settings
from app.models.comment import ThreadCreate
from app.models.membership import Role
from app.models.statement import StatementCreate
from app.models.suggestion import SuggestionCreate
from app.models.user import NewAccount, User
from app.services import accounts, comments, members, statements, suggestions
from app.services.text import text_at

DEMO_PASSWORD = "accord-demo"  # noqa: S105  (printed for anyone trying the demo)
TITLE = "Statement on Partnerships in the Wikimedia Movement"
CONTEXT = (
    "Drafted by representatives of chapters and partner organisations at the partnerships "
    "workshop, to be finalised in December and published in January."
)
DRAFT = """# Statement on Partnerships in the Wikimedia Movement

We, representatives of Wikimedia chapters and partner organisations, met to agree on how we build partnerships that serve free knowledge. This draft gathers what we said about four themes.

## Diversify and Alignment

Partnerships should widen who contributes and whose knowledge is shared, and stay aligned with the movement's strategic direction.

## Resources and Structures

Partners need to know whom to talk to, what support exists and how decisions are made.

## Collaboration, Learning and Sharing

We document what works, share it openly and learn from one another's partnerships.

## Trust and Culture

Partnerships rest on trust: clear expectations, respect for each partner's mission and honest communication when things go wrong.
"""

# (organisation, role): each delegate is named for the organisation they represent.
DELEGATES: list[tuple[str, Role]] = [
    ("Wikimedia Norway", Role.editor),
    ("Wikimedia Deutschland", Role.editor),
    ("Wikimedia UK", Role.editor),
    ("Wikimedia Sverige", Role.editor),
    ("Wikimedia Argentina", Role.editor),
    ("Wikimedia Israel", Role.editor),
    ("Wikimedia Serbia", Role.editor),
    ("Wikimedia Indonesia", Role.editor),
    ("Wikimedia Ukraine", Role.reviewer),
    ("Wiki in Africa", Role.reviewer),
    ("Creative Commons", Role.reviewer),
    ("Europeana Foundation", Role.viewer),
]


# What delegates added during the workshop, as (organisation, when, the passage it follows,
# what they wrote after it): the statement's history and authorship have something to show.
EDITS: list[tuple[str, datetime, str, str]] = [
    (
        "Wikimedia Norway",
        datetime(2017, 11, 20, 14, 10, tzinfo=UTC),
        "strategic direction.",
        " Partners should see their own goals reflected in the movement's plans.",
    ),
    (
        "Wikimedia Deutschland",
        datetime(2017, 11, 20, 14, 22, tzinfo=UTC),
        "how decisions are made.",
        " Affiliates share contacts and templates so that no partner starts from nothing.",
    ),
    (
        "Wikimedia UK",
        datetime(2017, 11, 21, 10, 5, tzinfo=UTC),
        "one another's partnerships.",
        " Case studies are published on Meta-Wiki under a free licence.",
    ),
    (
        "Wikimedia Sverige",
        datetime(2017, 11, 21, 10, 31, tzinfo=UTC),
        "when things go wrong.",
        " We credit partners' work as carefully as our own.",
    ),
]
STARTED = datetime(2017, 11, 20, 9, 30, tzinfo=UTC)


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    organisation: str
    role: Role


def _email(organisation: str) -> str:
    return organisation.lower().replace(" ", "-") + "@example.org"


def seed(*, session: Session, settings: Settings) -> tuple[int, list[DemoAccount]]:
    """Create the demo statement and its people; return its id and how to sign in as each."""
    facilitator = accounts.create_user(
        session=session,
        account=NewAccount(
            name="Facilitator",
            organisation="Workshop facilitation",
            email="facilitator@example.org",
            password=DEMO_PASSWORD,
        ),
    )
    # The facilitator runs this demo site too, so the accounts page has someone to show it.
    facilitator.admin = True
    statement = statements.create_statement(
        session=session,
        settings=settings,
        statement_in=StatementCreate(title=TITLE, context=CONTEXT, text=DRAFT),
        author=facilitator,
    )
    accounts_made = [
        DemoAccount(facilitator.email, facilitator.name, facilitator.organisation, Role.facilitator)
    ]
    people: dict[str, User] = {}
    for organisation, role in DELEGATES:
        delegate: User = accounts.create_user(
            session=session,
            account=NewAccount(
                name=f"Delegate, {organisation}",
                organisation=organisation,
                email=_email(organisation),
                password=DEMO_PASSWORD,
            ),
        )
        members.add_member(
            session=session, statement_id=statement.id, user=delegate, role=role, actor=facilitator
        )
        accounts_made.append(DemoAccount(delegate.email, delegate.name, organisation, role))
        people[organisation] = delegate
    session.flush()
    _workshop_history(session, statement.id, people)
    _conversation(session, settings, statement.id, people)
    session.commit()
    return statement.id, accounts_made


def _workshop_history(session: Session, statement_id: int, people: dict[str, User]) -> None:
    """Date the first draft to the workshop's morning and add the delegates' edits after it."""
    log.date_first(session=session, statement_id=statement_id, created_at=STARTED)
    text = DRAFT
    for rev, (organisation, when, after, addition) in enumerate(EDITS, start=2):
        at = text.index(after) + len(after)
        changed = text[:at] + addition + text[at:]
        op = operation_between(text, changed)
        log.add(
            session=session,
            statement_id=statement_id,
            rev=rev,
            op=op,
            author_id=people[organisation].id,
            created_at=when,
        )
        text = ops.apply(text, op)


def _conversation(
    session: Session, settings: Settings, statement_id: int, people: dict[str, User]
) -> None:
    """A question to the facilitator, a reply to it and a suggestion on the facilitator's
    words: the facilitator's bell has something to show."""
    head = text_at(session=session, statement_id=statement_id)
    words = "whose knowledge is shared"
    at = head.text.index(words)
    thread = comments.start_thread(
        session=session,
        settings=settings,
        statement_id=statement_id,
        thread_in=ThreadCreate(
            start=at,
            end=at + len(words),
            rev=head.rev,
            body="@Facilitator, should we name the knowledge gaps we mean?",
        ),
        author=people["Wikimedia UK"],
    )
    comments.reply(
        session=session,
        settings=settings,
        thread=thread,
        body="Yes: oral knowledge, and languages with few written sources.",
        author=people["Wiki in Africa"],
    )
    old = "respect for each partner's mission"
    at = head.text.index(old) + len(old)
    suggestions.make(
        session=session,
        settings=settings,
        statement_id=statement_id,
        author=people["Creative Commons"],
        suggestion_in=SuggestionCreate(
            base_rev=head.rev,
            op=[at, " and licences", len(head.text) - at],
            reason="Partners' content comes under their own licences.",
        ),
    )
