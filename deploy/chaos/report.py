"""One row per SIGKILL: how long until the system was ready again, what the load saw, and
whether every accepted event reached the profiles exactly once. Plain data, so it is unit-tested.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from deploy.chaos.load import ANSWERED, ERRORED, TIMED_OUT, Load

AIM_BACK_S = 15.0


@dataclass
class Row:
    killed: str
    back_s: float | None  # None: not ready again within the wait
    answered: int
    errored: int
    timed_out: int
    slowest_s: float
    accepted: int
    folded: int
    isr_s: float | None = None  # a broker killed: until every partition's replicas are in sync
    refused: int = 0  # events answered 5xx/never: maybe stored, so not counted as duplicates

    @property
    def error_rate(self) -> float:
        """Errored or timed-out requests over all requests of the phase (the failover's cost)."""
        total = self.answered + self.errored + self.timed_out
        return (self.errored + self.timed_out) / total if total else 0.0

    @property
    def lost(self) -> int:
        return max(self.accepted - self.folded, 0)

    @property
    def duplicated(self) -> int:
        """Folded beyond what was accepted or refused-but-maybe-stored: folded twice."""
        return max(self.folded - self.accepted - self.refused, 0)

    def misses(self, aim_back_s: float = AIM_BACK_S) -> list[str]:
        """The aims this row missed, in words (empty: all met)."""
        out = []
        if self.back_s is None or self.back_s > aim_back_s:
            shown = "never" if self.back_s is None else f"{self.back_s:.1f}s"
            out.append(f"back in {shown} (aim <= {aim_back_s:.0f}s)")
        if self.lost:
            out.append(f"{self.lost} accepted events lost")
        if self.duplicated:
            out.append(f"{self.duplicated} events folded twice")
        if self.timed_out:
            out.append(f"{self.timed_out} requests hung past their deadline")
        return out

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "lost": self.lost, "duplicated": self.duplicated,
                "error_rate": round(self.error_rate, 4), "misses": self.misses()}


def row_from(killed: str, back_s: float | None, load: Load, folded: Mapping[str, int],
             isr_s: float | None = None) -> Row:
    """`folded`: event_count of each visitor's profile, read after the consumers caught up."""
    outcomes = load.tally.outcomes
    return Row(killed=killed, back_s=back_s, answered=outcomes[ANSWERED],
               errored=outcomes[ERRORED], timed_out=outcomes[TIMED_OUT],
               slowest_s=load.tally.slowest_s, accepted=sum(load.accepted.values()),
               folded=sum(folded.get(v, 0) for v in load.visitors), isr_s=isr_s,
               refused=sum(load.refused.values()))


HEADER = ("killed", "back (s)", "in sync (s)", "answered", "errored", "timed out", "err %",
          "slowest (s)", "events accepted", "refused", "folded", "lost", "dup", "aims")


def table(rows: list[Row], title: str) -> str:
    cells = [HEADER] + [
        (r.killed, "never" if r.back_s is None else f"{r.back_s:.1f}",
         "-" if r.isr_s is None else f"{r.isr_s:.1f}", str(r.answered),
         str(r.errored), str(r.timed_out), f"{100 * r.error_rate:.1f}", f"{r.slowest_s:.1f}",
         str(r.accepted), str(r.refused), str(r.folded),
         str(r.lost), str(r.duplicated), "met" if not r.misses() else "; ".join(r.misses()))
        for r in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(HEADER))]
    lines = [title, ""]
    for n, row in enumerate(cells):
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
