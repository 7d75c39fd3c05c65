"""A workshop's first minutes against a real server: sixty people do the same thing at the
same moment, step by step. Nobody gets a 5xx, and every write Accord answered is there once.

The backend is the suite's: SQLite in the default run, PostgreSQL (a database of the test's
own) when ACCORD_TEST_DATABASE_URL names a server.
"""

import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.collab.live import PASSWORD, ServerProcess
from tests.conftest import POSTGRES_URL, fresh_database, own_name

pytestmark = pytest.mark.slow
PEOPLE = 60


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    # Sixty password hashes at once take what they take on a busy machine: the test is that
    # everyone is served and nothing is lost, so nobody is turned away for waiting long.
    settings = {"ACCORD_QUEUE_WAIT_SECONDS": "600"}
    if POSTGRES_URL:
        database = fresh_database(POSTGRES_URL, own_name("accord_load"))
        settings["ACCORD_DATABASE_URL"] = database
    process = ServerProcess(tmp_path, settings=settings)
    process.start()
    try:
        yield process
    finally:
        process.stop()


def _browser(server: ServerProcess) -> httpx.Client:
    # A new connection for every request: a kept-alive one may be closed by the server, idle
    # between two steps, just as the next request goes out on it.
    return httpx.Client(
        base_url=server.url,
        headers={"Origin": server.url},
        trust_env=False,
        timeout=600,
        limits=httpx.Limits(max_keepalive_connections=0),
    )


def _ok(response: httpx.Response) -> Any:
    assert response.is_success, f"{response.request.url} answered {response.status_code}"
    return response.json()


def all_at_once(
    browsers: list[httpx.Client], step: Callable[[int, httpx.Client], httpx.Response]
) -> list[httpx.Response]:
    """Everyone takes `step` at the same moment; every answer must be a success (a 5xx or a
    refusal fails the test, naming how many of each there were)."""
    start = threading.Barrier(len(browsers))

    def act(number: int) -> httpx.Response:
        start.wait()
        return step(number, browsers[number])

    with ThreadPoolExecutor(max_workers=len(browsers)) as pool:
        answers = list(pool.map(act, range(len(browsers))))
    statuses = Counter(answer.status_code for answer in answers)
    failed = [a for a in answers if not a.is_success]
    assert not failed, f"answers by status: {dict(statuses)}; first refusal: {failed[0].text}"
    return answers


def test_sixty_people_act_at_once_and_every_write_is_kept(server: ServerProcess) -> None:
    email, password = server.create_account("Fatima Facilitator")
    with _browser(server) as facilitator:
        _ok(facilitator.post("/api/session", json={"email": email, "password": password}))
        statement = _ok(
            facilitator.post("/api/statements", json={"title": "Partnerships", "text": "Draft\n"})
        )
        base = f"/api/statements/{statement['id']}"
        invitation = _ok(
            facilitator.post(f"{base}/invitations", json={"role": "editor", "max_uses": PEOPLE})
        )
        _ok(facilitator.post(f"{base}/versions", json={"name": "Draft 1", "note": ""}))
        review = _ok(facilitator.post(f"{base}/rounds", json={"version": 1}))

        browsers = [_browser(server) for _ in range(PEOPLE)]
        emails = [f"delegate-{n}-{uuid.uuid4().hex[:8]}@example.org" for n in range(PEOPLE)]
        try:
            # Everyone opens the invitation link and joins with a new account.
            all_at_once(
                browsers,
                lambda n, b: b.post(
                    f"/api/invitations/{invitation['token']}/accept",
                    json={
                        "name": f"Delegate {n}",
                        "organisation": f"Chapter {n}",
                        "email": emails[n],
                        "password": PASSWORD,
                    },
                ),
            )
            # Everyone signs in again, on a fresh browser.
            for browser in browsers:
                browser.cookies.clear()
            all_at_once(
                browsers,
                lambda n, b: b.post(
                    "/api/session", json={"email": emails[n], "password": PASSWORD}
                ),
            )
            tokens = all_at_once(
                browsers, lambda n, b: b.post("/api/tokens", json={"name": f"script {n}"})
            )
            assert len({answer.json()["token"] for answer in tokens}) == PEOPLE

            # Everyone saves the whole text at once, each having added a line to what they saw.
            seen = _ok(browsers[0].get(f"{base}/text"))
            all_at_once(
                browsers,
                lambda n, b: b.post(
                    f"{base}/text",
                    json={"base_rev": seen["rev"], "text": seen["text"] + f"Line of {n}.\n"},
                ),
            )
            all_at_once(
                browsers,
                lambda n, b: b.post(
                    f"{base}/threads", json={"start": 0, "end": 5, "body": f"Comment {n}."}
                ),
            )
            all_at_once(
                browsers,
                lambda n, b: b.post(
                    f"{base}/rounds/{review['id']}/stances",
                    json={"kind": "approve", "reason": f"Reason {n}."},
                ),
            )
            all_at_once(
                browsers,
                lambda n, b: b.post(f"{base}/versions", json={"name": f"Save {n}", "note": ""}),
            )

            members = _ok(facilitator.get(f"{base}/members"))["data"]
            final = _ok(facilitator.get(f"{base}/text"))["text"]
            threads = _ok(facilitator.get(f"{base}/threads"))["data"]
            stances = _ok(facilitator.get(f"{base}/rounds/{review['id']}"))["stances"]
            versions = _ok(facilitator.get(f"{base}/versions"))["data"]
        finally:
            for browser in browsers:
                browser.close()

    joined = Counter(m["name"] for m in members if m["role"] == "editor")
    assert joined == Counter(f"Delegate {n}" for n in range(PEOPLE))
    for n in range(PEOPLE):
        assert final.count(f"Line of {n}.\n") == 1, f"line {n} is not in the text once"
    bodies = Counter(t["comments"][0]["body"] for t in threads)
    assert bodies == Counter(f"Comment {n}." for n in range(PEOPLE))
    reasons = Counter(s["reason"] for s in stances if s["superseded_at"] is None)
    assert reasons == Counter(f"Reason {n}." for n in range(PEOPLE))
    names = [v["name"] for v in versions]
    assert Counter(names) == Counter(["Draft 1"] + [f"Save {n}" for n in range(PEOPLE)])
    assert sorted(v["number"] for v in versions) == list(range(1, PEOPLE + 2))
    assert "Traceback" not in server.log_text()
