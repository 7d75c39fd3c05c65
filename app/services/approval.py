"""The approval rules, as pure functions of who has a say and where each stands.

- consent: everyone with a say has responded, and nobody blocks;
- unanimous: everyone has responded, everyone who did not abstain approves, and at least one
  approves (abstaining stands aside without breaking unanimity);
- majority: more approvals than requests for change and blocks together (abstentions and
  those not yet responded count for neither side);
- quorum: at least `quorum` organisations endorse, one voice each: an organisation endorses
  when one of its people approves and none of them requests changes or blocks.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from app.models.review import StanceKind, Tally

A, X, R, B = StanceKind.approve, StanceKind.abstain, StanceKind.request_changes, StanceKind.block


@dataclass(frozen=True)
class Voice:
    name: str
    organisation: str
    stance: StanceKind | None


def _names(voices: Sequence[Voice]) -> str:
    names = [v.name for v in voices]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def tally(rule: str, quorum: int | None, voices: Sequence[Voice]) -> Tally:
    counts = {kind.value: sum(1 for v in voices if v.stance == kind) for kind in StanceKind}
    silent = [v for v in voices if v.stance is None]
    blocking = [v for v in voices if v.stance == B]
    missing: list[str] = []
    if rule == "consent":
        if silent:
            missing.append(f"waiting for {_names(silent)}")
        if blocking:
            missing.append(f"blocked by {_names(blocking)}")
        holds = bool(voices) and not silent and not blocking
        summary = f"{len(voices) - len(silent)} of {len(voices)} responded; {len(blocking)} block"
    elif rule == "unanimous":
        against = [v for v in voices if v.stance in (R, B)]
        if silent:
            missing.append(f"waiting for {_names(silent)}")
        if against:
            missing.append(f"not approved by {_names(against)}")
        holds = not silent and not against and counts[A.value] > 0
        if not holds and not silent and not against:
            missing.append("nobody approves: everyone abstained")
        summary = f"{counts[A.value]} of {len(voices)} approve; {counts[X.value]} abstain"
    elif rule == "majority":
        opposed = counts[R.value] + counts[B.value]
        holds = counts[A.value] > opposed
        if not holds:
            missing.append(f"{opposed - counts[A.value] + 1} more approval(s) needed")
        summary = f"{counts[A.value]} approve, {opposed} against, {counts[X.value]} abstain"
    elif rule == "quorum":
        organisations: dict[str, list[Voice]] = {}
        for voice in voices:
            organisations.setdefault(voice.organisation or voice.name, []).append(voice)
        endorsing = [
            name
            for name, members in organisations.items()
            if any(v.stance == A for v in members) and not any(v.stance in (R, B) for v in members)
        ]
        needed = quorum or len(organisations)
        holds = len(endorsing) >= needed
        if not holds:
            missing.append(f"{needed - len(endorsing)} more organisation(s) must endorse")
        summary = f"{len(endorsing)} of {len(organisations)} organisations endorse; {needed} needed"
    else:
        raise ValueError(f"Unknown approval rule {rule!r}.")
    return Tally(rule=rule, holds=holds, summary=summary, missing=missing, counts=counts)
