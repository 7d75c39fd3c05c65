"""Which undecided suggestions stand on a version, and where in its text.

Suggestions are made on the live draft and follow it; a version is a text frozen at one
revision. An open (or voting) suggestion stands on a version when what it would do can be
done to the version's text exactly as to the live draft's:

- the version's text is the live text now (saved just now, or restored): every one stands on
  it, where it stands in the live text; or
- the characters it would replace are in the version unchanged: none of them typed since the
  version's revision, nothing typed between them removed since. The live text is carried back
  to the version's revision by the inverse of every change since, under the rules suggestions
  follow forwards (app/collab/proposals.py). A pure insertion stands on the version unless its
  point lies inside text typed since.

So a round on the version the group is working on waits for every open suggestion, and a
round on an older version waits only for those on passages the draft has kept unchanged.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce

from sqlmodel import Session, col, select

from app.collab import log, ops
from app.collab.proposals import Proposed, carried
from app.models.suggestion import Suggestion
from app.models.version import Version
from app.services.suggestions import CARRIED, bring_to_head


@dataclass(frozen=True, slots=True)
class Standing:
    """A suggestion and where it stands in a version's text, in code points."""

    suggestion: Suggestion
    start: int
    end: int


def on_version(*, session: Session, version: Version) -> list[Standing]:
    """The statement's open and voting suggestions that stand on `version`, oldest first.
    Carries them to the head first (committing), so that outdated ones are not counted."""
    statement_id = version.statement_id
    bring_to_head(session=session, statement_id=statement_id)
    undecided = session.exec(
        select(Suggestion)
        .where(Suggestion.statement_id == statement_id, col(Suggestion.status).in_(CARRIED))
        .order_by(col(Suggestion.id))
    ).all()
    if not undecided:
        return []
    head = max(s.anchor_rev for s in undecided)
    changes = list(
        log.ops_between(session=session, statement_id=statement_id, after=version.rev, upto=head)
    )
    backwards: dict[int, ops.Operation] = {}
    found: list[Standing] = []
    for suggestion in undecided:
        rev = suggestion.anchor_rev
        if rev < version.rev:
            continue  # not carried yet: cannot be placed
        if rev not in backwards:
            backwards[rev] = _back_to_version(version, [c.op for c in changes if c.rev <= rev])
        place = _carried_back(suggestion, backwards[rev])
        if place is not None:
            found.append(Standing(suggestion, place.start, place.end))
    return found


def _back_to_version(version: Version, changes: Sequence[ops.Operation]) -> ops.Operation:
    """The operation that takes the text after `changes` back to the version's text; the
    identity when that text reads the same as the version, so every suggestion stands on it."""
    length = len(version.text)
    start: ops.Operation = [length] if length else []
    forwards = reduce(ops.compose, (ops.parse(list(op)) for op in changes), start)
    if ops.apply(version.text, forwards) == version.text:
        after = ops.target_length(forwards)
        return [after] if after else []
    return ops.invert(forwards, version.text)


def _carried_back(suggestion: Suggestion, back: ops.Operation) -> Proposed | None:
    """Where the suggestion stands in the version's text, or None if it stands on none."""
    here = Proposed(suggestion.start, suggestion.end, suggestion.inserted)
    if here.start == here.end and _inside_removed(here.start, back):
        return None
    return carried(here, back)


def _inside_removed(point: int, op: ops.Operation) -> bool:
    """Whether `op` removes characters on both sides of `point`."""
    old = 0
    for component in op:
        if isinstance(component, str):
            continue
        if component < 0 and old < point < old - component:
            return True
        old += abs(component)
    return False
