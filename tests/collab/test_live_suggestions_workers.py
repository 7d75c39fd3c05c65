"""Suggestions across two server processes on one PostgreSQL database: made on one worker and
heard on the other, outdated on both by an edit on one, accepted through one while the
other's sockets type, voted on across both, and an acceptance racing an edit of its characters
made on the other worker ends with one of them applied, never the suggestion onto characters
that changed."""

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import pytest

from app.collab import ops
from app.services.suggestions import acceptance_client
from tests.collab.live import ServerProcess, replay
from tests.collab.suggesting import (
    Cast,
    Person,
    Tab,
    acall,
    at_head,
    head,
    listed,
    make_cast,
    replace,
    start_statement,
)
from tests.conftest import fresh_database, own_name

pytestmark = pytest.mark.postgres
TEXT = "alpha bravo charlie delta echo foxtrot golf hotel india juliett"


@pytest.fixture(scope="module")
def workers_database(postgres_url: str) -> str:
    """The workers' database, made afresh for this module alone: another run of the worker
    tests against the same PostgreSQL server never drops it from under these."""
    return fresh_database(postgres_url, own_name("accord_suggestion_workers"))


@pytest.fixture(scope="module")
def pair(
    workers_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    """Two `accord serve` processes sharing the database, for the module's tests, each on a
    statement of its own."""
    servers = [
        ServerProcess(
            tmp_path_factory.mktemp(name), settings={"ACCORD_DATABASE_URL": workers_database}
        )
        for name in ("first", "second")
    ]
    try:
        for server in servers:
            server.start()
        yield servers[0], servers[1]
    finally:
        for server in servers:
            server.stop()


@pytest.fixture(scope="module")
def cast(pair: tuple[ServerProcess, ServerProcess]) -> Cast:
    return make_cast(pair[0])


@asynccontextmanager
async def opened(*where: tuple[ServerProcess, Person, int]) -> AsyncIterator[list[Tab]]:
    """A tab for each (worker, person, statement)."""
    tabs = [Tab(server.ws_url, sid, person.token, person.name) for server, person, sid in where]
    try:
        await asyncio.gather(*(tab.connect() for tab in tabs))
        yield tabs
    finally:
        await asyncio.gather(*(tab.close() for tab in tabs))


def test_suggestions_made_and_decided_on_one_worker_reach_the_other(
    pair: tuple[ServerProcess, ServerProcess], cast: Cast
) -> None:
    first, second = pair
    sid = start_statement(first, cast, TEXT)

    async def run() -> None:
        async with opened((first, cast.rosa, sid), (second, cast.ben, sid)) as (rosa, ben):
            await rosa.suggest(1, replace(TEXT, "bravo", "BRAVO"), reason="Louder.")
            made = (await rosa.answer(1))["suggestion"]
            assert (await ben.event("suggestion.created", made["id"]))["suggestion"] == made
            await rosa.suggest(2, replace(TEXT, "bravo", "BRAVO!"), replaces=made["id"])
            longer = await ben.event("suggestion.updated", made["id"])
            assert longer["suggestion"]["insert"] == "BRAVO!"
            path = f"{sid}/suggestions/{made['id']}/reject"
            rejected = await acall(second, cast.ben, "POST", path, {"reason": "Too loud."})
            assert rejected.status_code == 200, rejected.text
            heard = await rosa.event("suggestion.updated", made["id"], "rejected")
            assert heard["suggestion"]["decision_reason"] == "Too loud."
            # Ben, on the second worker, deletes a letter of another suggested word: Rosa's
            # page on the first hears at once that it is outdated.
            await rosa.suggest(3, replace(TEXT, "delta", "Delta"))
            other = (await rosa.answer(3))["suggestion"]
            await ben.event("suggestion.created", other["id"])
            at = ben.text.index("delta")
            ben.edit([at + 2, -1, len(ben.text) - at - 3])
            for tab in (rosa, ben):
                outdated = await tab.event("suggestion.updated", other["id"], "outdated")
                assert outdated["suggestion"]["delete"] == "delta"
            assert await at_head([rosa, ben], first, cast.fatima, sid) == TEXT.replace(
                "delta", "deta"
            )

    asyncio.run(run())


async def _type_at_the_end(tab: Tab, marks: list[str]) -> None:
    """Type each mark at the end of the text, a little after the one before."""
    for mark in marks:
        tab.edit([len(tab.text), mark] if tab.text else [mark])
        await asyncio.sleep(0.01)


def test_an_acceptance_through_one_worker_lands_amid_the_others_typing(
    pair: tuple[ServerProcess, ServerProcess], cast: Cast
) -> None:
    first, second = pair
    sid = start_statement(first, cast, TEXT)
    marks = {"Ben": [f"<b{n}>" for n in range(30)], "Fatima": [f"<f{n}>" for n in range(30)]}

    async def run() -> str:
        where = [(first, cast.rosa, sid), (first, cast.ben, sid), (first, cast.fatima, sid)]
        async with opened(*where) as tabs:
            rosa, ben, fatima = tabs
            await rosa.suggest(1, replace(TEXT, "charlie", "Charlotte"))
            made = (await rosa.answer(1))["suggestion"]
            typing = asyncio.gather(
                _type_at_the_end(ben, marks["Ben"]), _type_at_the_end(fatima, marks["Fatima"])
            )
            await ben.heard(lambda f: f["type"] == "ack", "an acknowledged change")
            path = f"{sid}/suggestions/{made['id']}/accept"
            accepted = await acall(second, cast.fatima, "POST", path)
            assert accepted.status_code == 200, accepted.text
            await typing
            for tab in tabs:
                change = await tab.op_from(acceptance_client(made["id"]))
                assert change["author"]["id"] == cast.rosa.id
            return await at_head(tabs, first, cast.ben, sid)

    text = asyncio.run(run())
    assert text.startswith(TEXT.replace("charlie", "Charlotte"))
    for mark in marks["Ben"] + marks["Fatima"]:
        assert text.count(mark) == 1, mark
    assert head(second, cast.fatima, sid)[1] == text
    assert replay(first.operation_log(sid)) == text


WORDS = ["bravo", "delta", "foxtrot", "hotel", "juliett", "charlie", "echo", "golf"]


def test_an_acceptance_racing_an_edit_of_its_words_on_the_other_worker(
    pair: tuple[ServerProcess, ServerProcess], cast: Cast
) -> None:
    """Ben, on the first worker, deletes a letter of a suggested word just as Fatima accepts
    the suggestion through the second, round after round, each a moment later. Either the
    acceptance was sequenced first (its word is in, and Ben's deletion came after it and
    found its letter gone) or Ben's edit was (his word is in, nothing of the suggestion's,
    and the suggestion is outdated)."""
    first, second = pair
    sid = start_statement(first, cast, TEXT)
    outcomes: dict[str, str] = {}
    made: dict[str, int] = {}

    async def race(ben: Tab, word: str, suggestion_id: int, delay: float) -> None:
        path = f"{sid}/suggestions/{suggestion_id}/accept"
        accepting = asyncio.create_task(acall(second, cast.fatima, "POST", path))
        await asyncio.sleep(delay)  # a different moment each round: nothing waits on it
        at = ben.text.find(word)
        if at < 0:  # the acceptance reached Ben's tab before he typed: no race this round
            answer = await accepting
            assert answer.status_code == 200, answer.text
            outcomes[word] = "accepted"
            return
        ben.edit([at + 2, -1, len(ben.text) - at - 3])
        seq = ben.seq
        answer = await accepting
        await at_head([ben], first, cast.ben, sid)
        edited_at = ben.acks[seq]
        if answer.status_code == 200:
            # Sequenced first: Ben's deletion came after it and found its letter gone.
            assert answer.json()["applied_rev"] < edited_at, (word, answer.json(), edited_at)
            outcomes[word] = "accepted"
        else:
            assert answer.status_code == 409, answer.text
            outcomes[word] = "edited"

    async def run() -> None:
        async with opened((second, cast.rosa, sid), (first, cast.ben, sid)) as (rosa, ben):
            for ref, word in enumerate(WORDS):
                await rosa.suggest(ref, replace(TEXT, word, word.upper()))
                made[word] = (await rosa.answer(ref))["suggestion"]["id"]
            for n, word in enumerate(WORDS):
                await race(ben, word, made[word], delay=0.005 * n * n)
            await at_head([rosa, ben], first, cast.ben, sid)

    asyncio.run(run())
    _, text = head(second, cast.fatima, sid)
    log = first.operation_log(sid)
    assert replay(log) == text
    statuses = {s["insert"].lower(): s["status"] for s in listed(first, cast.fatima, sid)}
    words = text.split()
    for word, outcome in outcomes.items():
        if outcome == "accepted":
            assert word.upper() in words, (word, text)
            assert statuses[word] == "accepted"
        else:
            assert word[:2] + word[3:] in words, (word, text)
            assert word.upper() not in text, (word, text)
            assert statuses[word] == "outdated"
    # An acceptance that reached the log put in its whole word, or (sequenced after Ben's
    # edit) nothing at all.
    by_client = {acceptance_client(number): word for word, number in made.items()}
    for _, op, client_id, _ in log:
        if client_id in by_client:
            word = by_client[client_id]
            put = word.upper() if outcomes[word] == "accepted" else ""
            assert ops.inserted(op) == put, (word, op)


def test_amendments_voted_on_through_one_worker_reach_the_others_sockets(
    pair: tuple[ServerProcess, ServerProcess], cast: Cast
) -> None:
    """Two of Rosa's suggestions are put to the vote through the second worker while Ben's
    page is on the first. Ben deletes a letter of one while it is voted on: the other worker's
    page hears it is outdated, and its vote can no longer close. The other is adopted, and
    Ben's page hears its change as Rosa's words."""
    first, second = pair
    sid = start_statement(first, cast, TEXT)
    path = f"{sid}/suggestions"

    async def run() -> str:
        async with opened((second, cast.rosa, sid), (first, cast.ben, sid)) as (rosa, ben):
            await rosa.suggest(1, replace(TEXT, "echo", "Echo"))
            await rosa.suggest(2, replace(TEXT, "golf", "Golf"))
            adopted, edited = [(await rosa.answer(ref))["suggestion"]["id"] for ref in (1, 2)]
            for key in (adopted, edited):
                put = await acall(second, cast.fatima, "POST", f"{path}/{key}/vote")
                assert put.status_code == 200, put.text
                await ben.event("suggestion.updated", key, "voting")
            for person in (cast.fatima, cast.ben, cast.rosa):
                body = {"kind": "support"}
                voted = await acall(first, person, "POST", f"{path}/{adopted}/votes", body)
                assert voted.status_code == 201, voted.text
            at = ben.text.index("golf")
            ben.edit([at + 2, -1, len(ben.text) - at - 3])
            await rosa.event("suggestion.updated", edited, "outdated")
            stale = await acall(second, cast.fatima, "POST", f"{path}/{edited}/vote/close")
            assert stale.status_code == 409, stale.text
            closed = await acall(second, cast.fatima, "POST", f"{path}/{adopted}/vote/close")
            assert (closed.status_code, closed.json()["status"]) == (200, "accepted"), closed.text
            change = await ben.op_from(acceptance_client(adopted))
            assert change["author"]["id"] == cast.rosa.id
            await ben.event("suggestion.updated", adopted, "accepted")
            return await at_head([rosa, ben], first, cast.fatima, sid)

    text = asyncio.run(run())
    assert text == TEXT.replace("echo", "Echo").replace("golf", "gof")
    statuses = [s["status"] for s in listed(second, cast.fatima, sid)]
    assert statuses == ["accepted", "outdated"]
