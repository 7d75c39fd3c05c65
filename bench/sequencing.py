"""How many changes a second a room's document sequences in memory: parse the frame, then
Document.receive (transform over what the change missed, check, apply, keep).

Run: .venv/bin/python -m bench.sequencing
Replays the automerge-paper editing trace (259,778 keystrokes; see bench/data/README.md) as
bench/pipeline.py does, each keystroke made one revision late: before it, the document takes
in one concurrent change that covers the whole text and changes nothing, as a room holds
another person's change, so every keystroke is transformed over it. The best of three runs.
"""

import gzip
import json
import time

from app.collab import protocol
from app.collab.change import Change
from app.collab.document import Document
from bench.pipeline import TRACE, Replay, frames, report

RUNS = 3


def replay(raw: list[str]) -> str:
    """Sequence every frame one revision late; the text it ends with."""
    document = Document(0, "", 10**8)
    for seq, frame_text in enumerate(raw, start=1):
        frame = protocol.INBOUND.validate_json(frame_text)
        assert isinstance(frame, protocol.OpFrame)
        length = len(document.text)
        document.recent.append(Change(document.rev + 1, [length] if length else [], 2, "b", seq))
        document.rev += 1
        document.receive(document.rev - 1, frame.op, author_id=1, client_id="a", seq=seq)
    return document.text


def measure() -> Replay:
    trace = json.loads(gzip.decompress(TRACE.read_bytes()))
    raw = frames(trace)
    best = float("inf")
    for _ in range(RUNS):
        start = time.perf_counter()
        text = replay(raw)
        best = min(best, time.perf_counter() - start)
        assert text == trace["endContent"]
    return Replay(changes=len(raw), seconds=best, final_characters=len(trace["endContent"]))


def main() -> None:
    report(measure, __doc__.split("\n")[0])


if __name__ == "__main__":
    main()
