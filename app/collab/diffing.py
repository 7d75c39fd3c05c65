"""Turn a whole new text into an operation on the old one, with diff-match-patch."""

from diff_match_patch import diff_match_patch

from app.collab import ops

# Past this many seconds diff-match-patch returns a coarser diff; any diff still gives
# a correct operation, only a less minimal one, so a huge rewrite cannot stall a worker.
DIFF_TIMEOUT = 1.0


def operation_between(old: str, new: str) -> ops.Operation:
    """The operation that turns `old` into `new`."""
    differ = diff_match_patch()
    differ.Diff_Timeout = DIFF_TIMEOUT
    diffs = differ.diff_main(old, new)
    differ.diff_cleanupEfficiency(diffs)
    # Slide each insert or delete to word boundaries ("We a|ll a|gree" becomes "We| all| agree"),
    # so that authorship credits whole words to whoever wrote them.
    differ.diff_cleanupSemanticLossless(diffs)
    op: ops.Operation = []
    for kind, text in diffs:
        if kind == differ.DIFF_EQUAL:
            op.append(len(text))
        elif kind == differ.DIFF_INSERT:
            op.append(text)
        else:
            op.append(-len(text))
    return ops.normalise(op)
