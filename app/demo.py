"""The demo: the partnerships workshop's statement, its facilitator and a dozen delegates."""

from dataclasses import dataclass

from sqlmodel import Session

from app.config import Settings
from app.models.membership import Role
from app.models.statement import StatementCreate
from app.models.user import NewAccount, User
from app.services import accounts, members, statements

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
    statement = statements.create_statement(
        session=session,
        settings=settings,
        statement_in=StatementCreate(title=TITLE, context=CONTEXT, text=DRAFT),
        author=facilitator,
    )
    accounts_made = [
        DemoAccount(facilitator.email, facilitator.name, facilitator.organisation, Role.facilitator)
    ]
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
    session.commit()
    return statement.id, accounts_made
