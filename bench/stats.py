"""The summary figures the benchmarks report, in one place so that every table means the same
by p99: the nearest-rank percentile, the sample below which that share of them lie."""

import statistics


def percentiles(samples: list[float], *shares: float) -> list[float]:
    """One figure for each share (0.5 is the median by rank, 1.0 the maximum); 0 if no samples."""
    if not samples:
        return [0.0 for _ in shares]
    ordered = sorted(samples)
    return [ordered[min(len(ordered) - 1, int(len(ordered) * share))] for share in shares]


def percentile(samples: list[float], share: float) -> float:
    return percentiles(samples, share)[0]


def median(samples: list[float]) -> float:
    return statistics.median(samples) if samples else 0.0
