"""A published version's address is permanent: renaming the statement keeps every address its
publications were shown at, and no other statement can ever take one."""

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.models.statement import Statement
from app.models.user import User
from tests.factories import make_statement, make_user

SignedIn = Callable[[User], TestClient]
KEPT = (
    "The address /s/joint-statement keeps showing another statement's publication; "
    "choose another address."
)


def _publish(me: TestClient, statement_id: int, text: str) -> None:
    """Save `text` as the next version, approve it in a round of one, and publish it."""
    base = f"/api/statements/{statement_id}"
    rev = me.get(f"{base}/text").json()["rev"]
    assert me.post(f"{base}/text", json={"base_rev": rev, "text": text}).is_success
    number = me.post(f"{base}/versions", json={"name": "Final"}).json()["number"]
    rid = me.post(f"{base}/rounds", json={"version": number}).json()["id"]
    me.post(f"{base}/rounds/{rid}/stances", json={"kind": "approve"})
    assert me.post(f"{base}/rounds/{rid}/close").json()["approved"]
    published = me.post(f"{base}/publications", json={"version": number})
    assert published.status_code == 201, published.text


def _addresses(slug: str) -> list[str]:
    return [
        f"/s/{slug}",
        f"/s/{slug}/v/1",
        f"/api/public/{slug}",
        f"/api/public/{slug}/v/1",
        f"/api/public/{slug}/v/1/export?format=md",
        f"/api/public/{slug}/v/1/export?format=html",
    ]


def _joint(session: Session, settings: Settings, name: str) -> tuple[User, Statement]:
    person = make_user(session, name=name)
    return person, make_statement(session, settings, facilitator=person, title="Joint statement")


def test_renamed_statement_keeps_its_published_address(
    client: TestClient, signed_in: SignedIn, session: Session, settings: Settings
) -> None:
    fatima, ours = _joint(session, settings, "Fatima")
    assert ours.slug == "joint-statement"
    me = signed_in(fatima)
    _publish(me, ours.id, "We, the partners, agree.")

    renamed = me.patch(f"/api/statements/{ours.id}", json={"slug": "partnerships-2017"})

    assert renamed.status_code == 200, renamed.text
    for path in _addresses("joint-statement") + _addresses("partnerships-2017"):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert "We, the partners, agree." in answer.text, path
    # The JSON names the address the statement has now.
    assert client.get("/api/public/joint-statement/v/1").json()["slug"] == "partnerships-2017"

    # Someone else's statement with the same title gets another address ...
    ben, theirs = _joint(session, settings, "Ben")
    assert theirs.slug == "joint-statement-2"
    them = signed_in(ben)
    # ... and cannot take the one that was published at.
    taken = them.patch(f"/api/statements/{theirs.id}", json={"slug": "joint-statement"})
    assert taken.status_code == 409
    assert taken.json()["detail"] == KEPT
    _publish(them, theirs.id, "Something else entirely.")
    for path in _addresses("joint-statement"):
        assert "We, the partners, agree." in client.get(path).text, path
    assert "Something else" in client.get("/s/joint-statement-2/v/1").text

    # The statement that published there may take its old address back.
    back = me.patch(f"/api/statements/{ours.id}", json={"slug": "joint-statement"})
    assert back.status_code == 200, back.text
    assert client.get("/api/public/partnerships-2017").json()["slug"] == "joint-statement"


def test_every_address_a_publication_showed_at_is_kept(
    client: TestClient, signed_in: SignedIn, session: Session, settings: Settings
) -> None:
    fatima, ours = _joint(session, settings, "Fatima")
    me = signed_in(fatima)
    _publish(me, ours.id, "First words.")
    # Renamed after publishing: the publication shows at the new address, which is kept too.
    me.patch(f"/api/statements/{ours.id}", json={"slug": "second-address"})
    me.patch(f"/api/statements/{ours.id}", json={"slug": "third-address"})
    _publish(me, ours.id, "Second words.")

    for slug in ("joint-statement", "second-address", "third-address"):
        assert "First words." in client.get(f"/s/{slug}/v/1").text, slug
        assert "Second words." in client.get(f"/s/{slug}").text, slug
    ben, theirs = _joint(session, settings, "Ben")
    them = signed_in(ben)
    refused = them.patch(f"/api/statements/{theirs.id}", json={"slug": "second-address"})
    assert refused.status_code == 409
    assert "keeps showing another statement's publication" in refused.json()["detail"]


def test_unpublished_statement_leaves_its_old_address_free(
    client: TestClient, signed_in: SignedIn, session: Session, settings: Settings
) -> None:
    fatima, ours = _joint(session, settings, "Fatima")
    assert signed_in(fatima).patch(f"/api/statements/{ours.id}", json={"slug": "draft"}).is_success
    ben, theirs = _joint(session, settings, "Ben")
    assert theirs.slug == "joint-statement"  # never published at: free again
    taken = signed_in(ben).patch(f"/api/statements/{theirs.id}", json={"slug": "draft"})
    assert taken.status_code == 409
    assert taken.json()["detail"] == "The address /s/draft is taken by another statement."
    assert client.get("/s/draft").status_code == 404
