"""How many changes a second one room's in-memory pipeline handles: parse the frame,
validate the operation, transform it over a concurrent change, apply it to the text.

Run: .venv/bin/python -m bench.pipeline
Replays the automerge-paper editing trace (259,778 keystrokes; see bench/data/README.md).
Each keystroke arrives as a JSON frame and is transformed over one concurrent change that
covers the whole text and changes nothing: the transform walks both operations exactly as it
would over another person's keystroke, while the text stays the trace's, so the result can
be checked against the trace's final text. Writing to the database is not part of this
figure; group commit shares one write among the changes of a batch.
"""

import argparse
import gzip
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.collab import ops, protocol
from bench import rows

TRACE = Path(__file__).parent / "data" / "automerge-paper.json.gz"


def frames(trace: dict[str, object]) -> list[str]:
    """The trace as protocol frames, each made on the revision before it."""
    text = ""
    raw: list[str] = []
    txns = trace["txns"]
    assert isinstance(txns, list)
    for rev, txn in enumerate(txns):
        for position, deleted, inserted in txn["patches"]:
            op = ops.normalise([position, -deleted, inserted, len(text) - position - deleted])
            raw.append(json.dumps({"type": "op", "base_rev": rev, "seq": rev + 1, "op": op}))
            text = ops.apply(text, op)
    return raw


@dataclass(frozen=True)
class Replay:
    changes: int
    seconds: float
    final_characters: int

    def row(self) -> str:
        return (
            f"| {self.changes:,} | {self.seconds:.2f} | {self.changes / self.seconds:,.0f} | "
            f"{self.final_characters:,} characters |"
        )


HEADER = "| changes | seconds | changes/s | final text |\n| --- | --- | --- | --- |"


def measure() -> Replay:
    """Replay the whole trace once and check the text it ends with."""
    trace = json.loads(gzip.decompress(TRACE.read_bytes()))
    raw = frames(trace)
    text = ""
    start = time.perf_counter()
    for frame_text in raw:
        frame = protocol.INBOUND.validate_json(frame_text)
        assert isinstance(frame, protocol.OpFrame)
        op = ops.parse(frame.op)
        concurrent = ops.normalise([len(text)])
        op, _ = ops.transform(op, concurrent)
        text = ops.apply(text, op)
    elapsed = time.perf_counter() - start
    assert text == trace["endContent"]
    return Replay(changes=len(raw), seconds=elapsed, final_characters=len(text))


def report(replay: Callable[[], Replay], description: str) -> None:
    """Run one replay from the command line: print its row, and store it if asked."""
    parser = argparse.ArgumentParser(description=description)
    rows.add_option(parser)
    args = parser.parse_args()
    result = replay()
    print(HEADER)
    print(result.row())
    rows.write(args.json, [result])


def main() -> None:
    report(measure, __doc__.split("\n")[0])


if __name__ == "__main__":
    main()
