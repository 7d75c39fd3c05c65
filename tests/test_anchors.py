"""Passages follow their own characters through random edits, checked against a brute force
that labels every character and looks for the passage's survivors."""

import random

from app.collab import ops
from app.services.anchors import follow, move_passage
from tests.test_authorship import _random_op


def _brute_force(
    length: int, start: int, end: int, changes: list[ops.Operation]
) -> tuple[int, int]:
    """Label every character in or out of the passage and apply each change to the labels: the
    passage then runs from its first to its last surviving character, and everything between
    belongs to it (text typed inside a passage joins it)."""
    inside = [start <= index < end for index in range(length)]
    for op in changes:
        position, after = 0, []
        for component in op:
            if isinstance(component, str):
                after.extend([False] * len(component))
            elif component > 0:
                after.extend(inside[position : position + component])
                position += component
            else:
                position -= component
        members = [index for index, member in enumerate(after) if member]
        if not members:
            return (-1, -1)
        first, last = members[0], members[-1]
        inside = [first <= index <= last for index in range(len(after))]
    members = [index for index, member in enumerate(inside) if member]
    return members[0], members[-1] + 1


def test_passages_keep_to_their_characters() -> None:
    rng = random.Random(11)
    for _ in range(500):
        text = "".join(rng.choice("ab 🌍\n") for _ in range(rng.randint(2, 30)))
        length = len(text)
        start = rng.randrange(length)
        end = rng.randint(start + 1, length)
        changes = []
        for _ in range(rng.randint(1, 6)):
            op = _random_op(rng, len(text))
            if op:
                changes.append(op)
                text = ops.apply(text, op)

        moved = follow(start, end, changes)

        expected = _brute_force(length, start, end, changes)
        if expected == (-1, -1):
            assert moved[0] == moved[1]  # outdated: every character of it is gone
        else:
            assert moved == expected, (start, end, changes)


def test_typing_at_the_edges_stays_outside() -> None:
    # "We value free knowledge." with the passage "free knowledge".
    assert move_passage(9, 23, [9, "open, ", 15]) == (15, 29)  # typed just before it
    assert move_passage(9, 23, [23, " together", 1]) == (9, 23)  # typed just after it
    assert move_passage(9, 23, [14, "and open ", 10]) == (9, 32)  # typed inside it
    assert move_passage(9, 23, [9, -14, 1]) == (9, 9)  # deleted whole
