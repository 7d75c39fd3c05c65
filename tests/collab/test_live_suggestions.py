"""Suggestions on a real server, heard on real sockets: made from the editor's socket, refused
with the frame's ref, extended, accepted as their author's words through the room (one at a
time, in bulk, or adopted by a vote), rejected, withdrawn, and outdated the moment an edit
touches their characters, never applied after that.

The backend is the suite's: SQLite in the default run, PostgreSQL (a database of this module's
own) when ACCORD_TEST_DATABASE_URL names a server.
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from app.collab import ops
from app.services.suggestions import acceptance_client
from tests.collab.live import ServerProcess
from tests.collab.suggesting import (
    Cast,
    Person,
    Tab,
    acall,
    at_head,
    listed,
    make_cast,
    replace,
    start_statement,
)
from tests.conftest import POSTGRES_URL, fresh_database, own_name

TEXT = "We value free knowledge. Partners need support."
Scene = Callable[[Tab, Tab, int], Awaitable[None]]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server for the module's tests, each on a statement of its own."""
    settings = {}
    if POSTGRES_URL:
        database = fresh_database(POSTGRES_URL, own_name("accord_live_suggestions"))
        settings["ACCORD_DATABASE_URL"] = database
    process = ServerProcess(Path(tmp_path_factory.mktemp("accord-data")), settings=settings)
    process.start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="module")
def cast(server: ServerProcess) -> Cast:
    return make_cast(server)


@asynccontextmanager
async def opened(server: ServerProcess, sid: int, *people: Person) -> AsyncIterator[list[Tab]]:
    """A tab of the statement open for each of `people`."""
    tabs = [Tab(server.ws_url, sid, person.token, person.name) for person in people]
    try:
        await asyncio.gather(*(tab.connect() for tab in tabs))
        yield tabs
    finally:
        await asyncio.gather(*(tab.close() for tab in tabs))


def play(server: ServerProcess, cast: Cast, scene: Scene) -> int:
    """Rosa and Ben open a new statement, and `scene` plays on their tabs; return its id."""
    sid = start_statement(server, cast, TEXT)

    async def run() -> None:
        async with opened(server, sid, cast.rosa, cast.ben) as (rosa, ben):
            await scene(rosa, ben, sid)

    asyncio.run(run())
    return sid


def test_a_suggestion_made_on_one_socket_reaches_the_other(
    server: ServerProcess, cast: Cast
) -> None:
    async def scene(rosa: Tab, ben: Tab, sid: int) -> None:
        await rosa.suggest(7, replace(TEXT, "free", "open"), reason="Say what we mean.")
        answer = await rosa.answer(7)
        assert answer["type"] == "suggested", answer
        made = answer["suggestion"]
        assert (made["status"], made["delete"], made["insert"]) == ("open", "free", "open")
        assert (made["author"]["id"], made["reason"]) == (cast.rosa.id, "Say what we mean.")
        heard = await ben.event("suggestion.created", made["id"])
        assert heard["suggestion"] == made
        assert (await rosa.event("suggestion.created", made["id"]))["suggestion"] == made
        # Suggested, not made: the text is as it was, and the list has it.
        assert await at_head([rosa, ben], server, cast.ben, sid) == TEXT
        assert [s["id"] for s in listed(server, cast.fatima, sid)] == [made["id"]]

    play(server, cast, scene)


def test_a_viewers_suggest_frame_is_refused_and_makes_nothing(
    server: ServerProcess, cast: Cast
) -> None:
    sid = start_statement(server, cast, TEXT)

    async def run() -> None:
        async with opened(server, sid, cast.vera, cast.ben) as (vera, ben):
            await vera.suggest(1, replace(TEXT, "free", "open"))
            refused = await vera.answer(1)
            assert (refused["type"], refused["code"]) == ("error", "forbidden")
            # Ben's suggestion after it is the first his tab hears of: Vera's made nothing.
            await ben.suggest(2, replace(TEXT, "support", "help"))
            made = (await ben.answer(2))["suggestion"]
            first = await ben.heard(lambda f: f["type"] == "event", "an event")
            assert first["suggestion"]["id"] == made["id"]
            await vera.event("suggestion.created", made["id"])
            assert [f["suggestion"]["id"] for f in vera.events()] == [made["id"]]

    asyncio.run(run())
    assert [s["insert"] for s in listed(server, cast.fatima, sid)] == ["help"]


def test_a_suggest_frame_that_does_not_fit_is_refused_with_its_ref(
    server: ServerProcess, cast: Cast
) -> None:
    length = len(TEXT)

    async def scene(rosa: Tab, ben: Tab, sid: int) -> None:
        refusals: dict[int, ops.Operation] = {
            11: ["We", 2, "really", length - 2],  # two changes, not one
            12: [length + 3, "!"],  # longer than the text
            13: [length],  # no change at all
        }
        for ref, op in refusals.items():
            await rosa.suggest(ref, op)
        for ref in refusals:
            answer = await rosa.answer(ref)
            assert (answer["type"], answer["code"]) == ("error", "invalid_change"), answer
            assert answer["message"]
        await rosa.suggest(14, [length, "!"], base_rev=rosa.rev + 5)
        assert (await rosa.answer(14))["code"] == "not_found"
        await rosa.suggest(15, [length, "!"], replaces=999_999)
        assert (await rosa.answer(15))["code"] == "not_found"
        # Then a good one is made, and it is the only one anyone hears of.
        await rosa.suggest(16, [length, "!"])
        made = (await rosa.answer(16))["suggestion"]
        await ben.event("suggestion.created", made["id"])
        assert [f["suggestion"]["id"] for f in ben.events()] == [made["id"]]

    sid = play(server, cast, scene)
    assert len(listed(server, cast.fatima, sid)) == 1


def test_typing_on_extends_ones_own_suggestion(server: ServerProcess, cast: Cast) -> None:
    at = TEXT.index("support")

    async def scene(rosa: Tab, ben: Tab, sid: int) -> None:
        # Rosa types "more " in Suggesting mode a letter, then a word, at a time.
        await rosa.suggest(1, [at, "m", len(TEXT) - at], reason="Warmer.")
        made = (await rosa.answer(1))["suggestion"]
        for ref, typed in [(2, "mo"), (3, "more ")]:
            await rosa.suggest(ref, [at, typed, len(TEXT) - at], replaces=made["id"])
        last = await rosa.answer(3)
        assert last["type"] == "suggested", last
        extended = last["suggestion"]
        assert (extended["id"], extended["insert"], extended["reason"]) == (
            made["id"],
            "more ",
            "Warmer.",
        )
        # Ben's tab hears it made, then each extension in the order Rosa typed them.
        await ben.heard(lambda f: f.get("suggestion", {}).get("insert") == "more ", "'more '")
        heard = [(f["name"], f["suggestion"]["insert"]) for f in ben.events()]
        assert heard == [
            ("suggestion.created", "m"),
            ("suggestion.updated", "mo"),
            ("suggestion.updated", "more "),
        ]
        # Only its author may extend it.
        await ben.suggest(4, [at, "x", len(TEXT) - at], replaces=made["id"])
        assert (await ben.answer(4))["code"] == "forbidden"

    sid = play(server, cast, scene)
    assert [s["insert"] for s in listed(server, cast.fatima, sid)] == ["more "]


def test_an_accepted_suggestion_reaches_every_socket_as_its_authors_words(
    server: ServerProcess, cast: Cast
) -> None:
    wanted = TEXT.replace("need support", "need our support")

    async def scene(rosa: Tab, ben: Tab, sid: int) -> None:
        await rosa.suggest(1, replace(TEXT, "need ", "need our "))
        made = (await rosa.answer(1))["suggestion"]
        path = f"{sid}/suggestions/{made['id']}/accept"
        accepted = await acall(server, cast.fatima, "POST", path)
        assert accepted.status_code == 200, accepted.text
        rev = accepted.json()["applied_rev"]
        for tab in (rosa, ben):
            change = await tab.op_from(acceptance_client(made["id"]))
            assert (change["rev"], change["author"]["id"]) == (rev, cast.rosa.id)
            done = await tab.event("suggestion.updated", made["id"], "accepted")
            assert done["suggestion"]["applied_rev"] == rev
        assert await at_head([rosa, ben], server, cast.ben, sid) == wanted

    play(server, cast, scene)


def test_suggestions_accepted_in_bulk_reach_every_socket_in_turn(
    server: ServerProcess, cast: Cast
) -> None:
    """Fatima accepts three of Rosa's suggestions at once; Ben had edited one of them."""
    wanted = TEXT.replace("free", "open").replace("support", "help")

    async def scene(rosa: Tab, ben: Tab, sid: int) -> None:
        changes = [("free", "open"), ("Partners", "Partner groups"), ("support", "help")]
        for ref, (old, new) in enumerate(changes):
            await rosa.suggest(ref, replace(TEXT, old, new))
        first, edited, last = [(await rosa.answer(ref))["suggestion"]["id"] for ref in range(3)]
        ben.edit(replace(TEXT, "Partners", "Partner"))
        await ben.event("suggestion.updated", edited, "outdated")
        body = {"ids": [first, edited, last]}
        answer = await acall(server, cast.fatima, "POST", f"{sid}/suggestions/accept", body)
        assert answer.status_code == 200, answer.text
        outcomes = {o["id"]: o for o in answer.json()["data"]}
        assert [outcomes[key]["status"] for key in body["ids"]] == [
            "accepted",
            "outdated",
            "accepted",
        ]
        assert "has changed" in outcomes[edited]["detail"]
        assert outcomes[first]["rev"] < outcomes[last]["rev"]
        for tab in (rosa, ben):
            heard = [await tab.op_from(acceptance_client(key)) for key in (first, last)]
            assert [change["rev"] for change in heard] == [
                outcomes[first]["rev"],
                outcomes[last]["rev"],
            ]
            assert {change["author"]["id"] for change in heard} == {cast.rosa.id}
            assert not [f for f in tab.frames if f.get("client_id") == acceptance_client(edited)]
        assert await at_head([rosa, ben], server, cast.ben, sid) == wanted.replace(
            "Partners", "Partner"
        )

    play(server, cast, scene)


def test_rejected_and_withdrawn_suggestions_reach_every_socket(
    server: ServerProcess, cast: Cast
) -> None:
    async def scene(rosa: Tab, ben: Tab, sid: int) -> None:
        await rosa.suggest(1, replace(TEXT, "free", "open"))
        await rosa.suggest(2, replace(TEXT, "support", "help"))
        first, second = [(await rosa.answer(ref))["suggestion"]["id"] for ref in (1, 2)]
        path = f"{sid}/suggestions"
        rejected = await acall(
            server, cast.ben, "POST", f"{path}/{first}/reject", {"reason": "Free."}
        )
        assert rejected.status_code == 200, rejected.text
        withdrawn = await acall(server, cast.rosa, "POST", f"{path}/{second}/withdraw")
        assert withdrawn.status_code == 200, withdrawn.text
        for tab in (rosa, ben):
            heard = await tab.event("suggestion.updated", first, "rejected")
            assert heard["suggestion"]["decision_reason"] == "Free."
            await tab.event("suggestion.updated", second, "withdrawn")
        # A decided suggestion can no longer be typed on.
        await rosa.suggest(3, replace(TEXT, "free", "libre"), replaces=first)
        refused = await rosa.answer(3)
        assert (refused["type"], refused["code"]) == ("error", "conflict")
        assert await at_head([rosa, ben], server, cast.ben, sid) == TEXT

    sid = play(server, cast, scene)
    statuses = [s["status"] for s in listed(server, cast.fatima, sid)]
    assert statuses == ["rejected", "withdrawn"]


def test_a_suggestion_whose_characters_were_edited_is_outdated_at_once_and_not_accepted(
    server: ServerProcess, cast: Cast
) -> None:
    edited = TEXT.replace("free", "fee")

    async def scene(rosa: Tab, ben: Tab, sid: int) -> None:
        await rosa.suggest(1, replace(TEXT, "free", "open"))
        made = (await rosa.answer(1))["suggestion"]
        ben.edit(replace(TEXT, "r", ""))  # one of its characters gone, on Ben's socket
        # Both pages hear it is outdated, with what it would have replaced, before anyone
        # reads the suggestions or tries to accept it.
        for tab in (rosa, ben):
            heard = await tab.event("suggestion.updated", made["id"], "outdated")
            assert heard["suggestion"]["delete"] == "free"
        assert await at_head([rosa, ben], server, cast.ben, sid) == edited
        rev = rosa.rev
        path = f"{sid}/suggestions/{made['id']}/accept"
        refused = await acall(server, cast.fatima, "POST", path)
        assert refused.status_code == 409, refused.text
        assert "has changed" in refused.json()["detail"]
        assert await at_head([rosa, ben], server, cast.ben, sid) == edited
        assert rosa.rev == rev  # nothing was applied, not even a change that changes nothing

        # Rosa makes it again on the text as it is now: open once more, and it can be accepted.
        await rosa.suggest(2, replace(edited, "fee", "open"), replaces=made["id"])
        again = (await rosa.answer(2))["suggestion"]
        assert (again["id"], again["status"], again["delete"]) == (made["id"], "open", "fee")
        await ben.event("suggestion.updated", made["id"], "open")
        accepted = await acall(server, cast.fatima, "POST", path)
        assert accepted.status_code == 200, accepted.text
        assert await at_head([rosa, ben], server, cast.ben, sid) == TEXT.replace("free", "open")

    sid = play(server, cast, scene)
    assert [s["status"] for s in listed(server, cast.fatima, sid)] == ["accepted"]


def test_a_suggestion_made_on_an_old_revision_follows_the_sockets_typing(
    server: ServerProcess, cast: Cast
) -> None:
    async def scene(rosa: Tab, ben: Tab, sid: int) -> None:
        base = rosa.rev
        ben.edit(["Together: ", len(TEXT)])
        await at_head([rosa, ben], server, cast.ben, sid)
        # Made on the revision before Ben's typing, it is carried to where the words are now.
        await rosa.suggest(1, replace(TEXT, "free", "open"), base_rev=base)
        made = (await rosa.answer(1))["suggestion"]
        assert rosa.text[made["start"] : made["end"]] == "free"
        ben.edit(ops.normalise([0, -len("Together: "), len(rosa.text) - len("Together: ")]))
        await at_head([rosa, ben], server, cast.ben, sid)
        path = f"{sid}/suggestions/{made['id']}/accept"
        accepted = await acall(server, cast.ben, "POST", path)
        assert accepted.status_code == 200, accepted.text
        assert await at_head([rosa, ben], server, cast.ben, sid) == TEXT.replace("free", "open")

    play(server, cast, scene)


def test_amendments_voted_on_reach_every_socket_and_the_adopted_one_is_applied(
    server: ServerProcess, cast: Cast
) -> None:
    """Fatima puts two of Rosa's suggestions to the vote; everyone with a say supports the
    first, Ben opposes the second. Under consent the first is adopted and the second not."""

    async def scene(rosa: Tab, ben: Tab, sid: int) -> None:
        await rosa.suggest(1, replace(TEXT, "free", "open"))
        await rosa.suggest(2, replace(TEXT, "support", "help"))
        adopted, dropped = [(await rosa.answer(ref))["suggestion"]["id"] for ref in (1, 2)]
        path = f"{sid}/suggestions"
        for key in (adopted, dropped):
            opened = await acall(server, cast.fatima, "POST", f"{path}/{key}/vote")
            assert opened.status_code == 200, opened.text
            for tab in (rosa, ben):
                await tab.event("suggestion.updated", key, "voting")
        votes = [(adopted, person, "support") for person in (cast.fatima, cast.ben, cast.rosa)]
        votes += [(dropped, cast.ben, "oppose"), (dropped, cast.rosa, "support")]
        for key, person, kind in votes:
            body = {"kind": kind, "reason": f"{person.name} says {kind}."}
            voted = await acall(server, person, "POST", f"{path}/{key}/votes", body)
            assert voted.status_code == 201, voted.text
        viewer = await acall(
            server, cast.vera, "POST", f"{path}/{adopted}/votes", {"kind": "oppose"}
        )
        assert viewer.status_code == 403
        await rosa.heard(lambda f: f.get("name") == "suggestion.voted", "a vote")
        closed = await acall(server, cast.fatima, "POST", f"{path}/{adopted}/vote/close")
        assert (closed.status_code, closed.json()["status"]) == (200, "accepted"), closed.text
        refused = await acall(server, cast.fatima, "POST", f"{path}/{dropped}/vote/close")
        assert (refused.status_code, refused.json()["status"]) == (200, "rejected"), refused.text
        for tab in (rosa, ben):
            change = await tab.op_from(acceptance_client(adopted))
            assert change["author"]["id"] == cast.rosa.id
            await tab.event("suggestion.updated", adopted, "accepted")
            await tab.event("suggestion.updated", dropped, "rejected")
            assert not [f for f in tab.frames if f.get("client_id") == acceptance_client(dropped)]
        assert await at_head([rosa, ben], server, cast.ben, sid) == TEXT.replace("free", "open")

    play(server, cast, scene)
