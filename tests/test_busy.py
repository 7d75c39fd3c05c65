"""A crowd at once: slow work holds no lock, writers take turns in order, and a wait that
cannot end in time is a 503 with Retry-After that changed nothing."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from app import security
from app.config import Settings
from app.main import create_app
from app.models.user import User
from app.security import HASHES_AT_ONCE
from app.services import accounts
from app.write_turns import WriteTurns
from tests.factories import ORIGIN, client_for, make_user

WAIT = 10.0  # seconds a test waits for something that should happen at once


def test_write_turns_are_given_in_the_order_asked() -> None:
    turns = WriteTurns()
    assert turns.acquire(timeout=WAIT)
    order: list[int] = []

    def writer(number: int) -> None:
        assert turns.acquire(timeout=WAIT)
        order.append(number)
        turns.release()

    threads = []
    for number in range(5):
        thread = threading.Thread(target=writer, args=(number,))
        thread.start()
        threads.append(thread)
        while len(turns._waiting) < number + 1:  # this one is queued before the next comes
            threading.Event().wait(0.001)
    turns.release()
    for thread in threads:
        thread.join(WAIT)
    assert order == [0, 1, 2, 3, 4]


def test_write_turn_not_given_in_time_is_refused() -> None:
    turns = WriteTurns()
    assert turns.acquire(timeout=WAIT)
    assert not turns.acquire(timeout=0.05)
    turns.release()
    assert turns.acquire(timeout=WAIT)  # the one that gave up left no turn behind


def test_sign_in_checks_the_password_without_holding_the_write_lock(
    app: FastAPI,
    client: TestClient,
    session: Session,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ada = make_user(session, email="ada@example.org", password="a long enough password")
    bob = make_user(session, email="bob@example.org")
    bob_client = client_for(app, session, settings, bob)
    hashing = threading.Event()
    finish_hashing = threading.Event()
    real_verify = security.verify_password

    def slow_verify(password_hash: str | None, password: str) -> bool:
        hashing.set()
        finish_hashing.wait(WAIT)
        return real_verify(password_hash, password)

    monkeypatch.setattr(accounts, "verify_password", slow_verify)
    with ThreadPoolExecutor(max_workers=1) as pool:
        signing_in = pool.submit(
            client.post, "/api/session", json={"email": ada.email, "password": "wrong password"}
        )
        assert hashing.wait(WAIT)
        # While Ada's password is being checked, Bob's write goes through at once.
        made = bob_client.post("/api/tokens", json={"name": "script"})
        finish_hashing.set()
        assert made.status_code == 201
        assert signing_in.result(WAIT).status_code == 401


def _hold_the_write_turn(engine: Engine) -> Callable[[], None]:
    """Start a write transaction on the app's own engine, as a slow writer would; return what
    ends it."""
    connection = engine.connect()
    connection.execute(text("UPDATE user SET name = name WHERE id = 0"))

    def end() -> None:
        connection.rollback()
        connection.close()

    return end


def test_a_write_that_cannot_have_its_turn_in_time_gets_503(
    session: Session, settings: Settings
) -> None:
    if settings.database_url:
        pytest.skip("SQLite's turns to write (PostgreSQL locks rows, not the database)")
    user = make_user(session)
    app = create_app(settings.model_copy(update={"queue_wait_seconds": 0.2}))
    with TestClient(app, base_url=ORIGIN, headers={"Origin": ORIGIN}) as browser:
        signed_in = client_for(app, session, settings, user)
        end = _hold_the_write_turn(app.state.engine)
        try:
            refused = signed_in.post("/api/tokens", json={"name": "script"})
        finally:
            end()
        assert refused.status_code == 503
        assert refused.headers["Retry-After"].isdigit()
        assert "try again" in refused.json()["detail"]
        assert signed_in.get("/api/tokens").json()["count"] == 0  # nothing was made
        assert signed_in.post("/api/tokens", json={"name": "script"}).status_code == 201
        assert browser.get("/api/health").status_code == 200


def test_requests_past_the_limit_wait_their_turn_and_then_are_answered_503(
    session: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = make_user(session)
    app = create_app(
        settings.model_copy(update={"max_concurrent_requests": 1, "queue_wait_seconds": 0.2})
    )
    entered = threading.Event()
    leave = threading.Event()
    real_list = accounts.list_accounts

    def held(*, session: Session) -> list[User]:
        entered.set()
        leave.wait(WAIT)
        return real_list(session=session)

    monkeypatch.setattr(accounts, "list_accounts", held)
    user.admin = True
    session.add(user)
    session.commit()
    # One client, entered, serves every request on one event loop, as a server does.
    with client_for(app, session, settings, user) as admin:
        with ThreadPoolExecutor(max_workers=1) as pool:
            first = pool.submit(admin.get, "/api/users")
            assert entered.wait(WAIT)
            waited = admin.get("/api/me")  # the one place is taken for longer than it waits
            leave.set()
            assert first.result(WAIT).status_code == 200
        assert waited.status_code == 503
        assert waited.headers["Retry-After"].isdigit()
        assert waited.json()["detail"]
        assert admin.get("/api/me").status_code == 200  # served once the place is free


def test_what_a_savepoint_wrote_first_rolls_back_with_its_transaction(engine: Engine) -> None:
    # Joining by invitation creates the account in a savepoint, then uses the link: if the
    # link turns out to be used up, the account must not stay behind.
    with Session(engine) as session:
        with session.begin_nested():
            session.add(User(email="left@example.org", name="Left", password_hash="x"))
        session.rollback()
    with Session(engine) as session:
        assert session.exec(select(User).where(User.email == "left@example.org")).first() is None


def test_people_signing_in_do_not_hold_up_those_already_in(
    session: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    waiting = [make_user(session) for _ in range(HASHES_AT_ONCE)]
    reader = make_user(session)
    app = create_app(
        settings.model_copy(update={"max_concurrent_requests": 1, "queue_wait_seconds": 0.2})
    )
    hashing = threading.Semaphore(0)
    finish = threading.Event()

    def slow_verify(password_hash: str | None, password: str) -> bool:
        hashing.release()
        finish.wait(WAIT)
        return True

    monkeypatch.setattr(accounts, "verify_password", slow_verify)
    with client_for(app, session, settings, reader) as browser:
        with ThreadPoolExecutor(max_workers=len(waiting)) as pool:
            signing_in = [
                pool.submit(
                    browser.post, "/api/session", json={"email": u.email, "password": "x" * 10}
                )
                for u in waiting
            ]
            for _ in waiting:
                assert hashing.acquire(timeout=WAIT)  # every password place is taken
            read = browser.get("/api/me")  # served at once, beside them
            finish.set()
            assert [s.result(WAIT).status_code for s in signing_in] == [200] * len(waiting)
        assert read.status_code == 200
