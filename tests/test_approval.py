"""Every approval rule, with its edge cases: abstentions, a block, silence, one organisation
with two members."""

from app.models.review import StanceKind
from app.services.approval import Voice, tally

A, X, R, B = StanceKind.approve, StanceKind.abstain, StanceKind.request_changes, StanceKind.block


def voices(*stances: StanceKind | None, organisations: list[str] | None = None) -> list[Voice]:
    names = organisations or [f"Org {n}" for n in range(len(stances))]
    return [
        Voice(name=f"Person {n}", organisation=names[n], stance=stance)
        for n, stance in enumerate(stances)
    ]


def test_consent_needs_everyone_and_no_block() -> None:
    assert tally("consent", None, voices(A, A, X)).holds
    assert tally("consent", None, voices(A, R, X)).holds  # a request for change is no veto
    waiting = tally("consent", None, voices(A, None, A))
    assert not waiting.holds
    assert waiting.missing == ["waiting for Person 1"]
    blocked = tally("consent", None, voices(A, B, A))
    assert not blocked.holds
    assert blocked.missing == ["blocked by Person 1"]
    assert not tally("consent", None, []).holds


def test_unanimous_lets_abstentions_stand_aside() -> None:
    assert tally("unanimous", None, voices(A, A, X)).holds
    assert not tally("unanimous", None, voices(A, R)).holds
    assert not tally("unanimous", None, voices(A, None)).holds
    everyone_abstains = tally("unanimous", None, voices(X, X))
    assert not everyone_abstains.holds
    assert everyone_abstains.missing == ["nobody approves: everyone abstained"]


def test_majority_counts_approvals_against_objections() -> None:
    assert tally("majority", None, voices(A, A, R, None, X)).holds
    tie = tally("majority", None, voices(A, B))
    assert not tie.holds
    assert tie.missing == ["1 more approval(s) needed"]
    assert tally("majority", None, voices(A, X, X, None)).holds
    assert tally("majority", None, voices(A, A, R, B, X)).counts == {
        "approve": 2,
        "abstain": 1,
        "request_changes": 1,
        "block": 1,
    }


def test_quorum_gives_each_organisation_one_voice() -> None:
    # Two people of Wikimedia UK approving still make one organisation.
    same = ["Wikimedia UK", "Wikimedia UK", "Wikimedia Norway"]
    two_of_one = tally("quorum", 2, voices(A, A, None, organisations=same))
    assert not two_of_one.holds
    assert two_of_one.summary == "1 of 2 organisations endorse; 2 needed"
    assert tally("quorum", 2, voices(A, A, A, organisations=same)).holds
    # An organisation whose members disagree does not endorse.
    split = tally("quorum", 2, voices(A, R, A, organisations=same))
    assert not split.holds
    assert split.missing == ["1 more organisation(s) must endorse"]
    # A late change of stance counts as the member stands now.
    assert tally("quorum", 2, voices(A, X, A, organisations=same)).holds
