"""Benchmark `paint`: microseconds per call on stripes of 10, 100 and 1,000 rules.

Run from the repository root:  python bench/paint.py [seconds per size]

Stripes are random but realistic: rules of 1 to 12 weeks with occasional gaps, a handful of
values, neighbours of equal value merged, sometimes open at either end. Paints cover random
ranges of 1 to 26 weeks, a tenth of them open-ended, anywhere in the stripe. The last column
shows how the cost grows per 10x rules: ~10 means linear (the planner validates and sorts the
whole stripe on every call; the painting itself only visits the rules around the range).
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from timetable.rules import Rule, add_weeks, apply, paint, weeks_between  # noqa: E402

SIZES = (10, 100, 1000)
VALUES = ("maths", "physics", "chemistry", "history", "art", "music", "sport")
FIRST_WEEK = 201501


def random_stripe(rng: random.Random, size: int) -> list[Rule]:
    """A merged stripe of `size` rules starting in 2015, over as many years as they need."""
    rules: list[Rule] = []
    week = FIRST_WEEK
    previous_value = None
    for rule_id in range(1, size + 1):
        if rules and rng.random() < 0.2:
            week = add_weeks(week, rng.randint(1, 4))  # a gap: the slot inherits there
            previous_value = None
        value = rng.choice([v for v in VALUES if v != previous_value])
        end = add_weeks(week, rng.randint(0, 11))
        rules.append(Rule(rule_id, week, end, value))
        week, previous_value = add_weeks(end, 1), value
    if rng.random() < 0.3:
        rules[0] = Rule(rules[0].id, None, rules[0].end, rules[0].value)
    if rng.random() < 0.3:
        rules[-1] = Rule(rules[-1].id, rules[-1].start, None, rules[-1].value)
    rng.shuffle(rules)  # as a query without ORDER BY would return them
    return rules


def random_paint(rng: random.Random, span: int) -> tuple[int | None, int | None, str]:
    start = add_weeks(FIRST_WEEK, rng.randint(0, span))
    end = None if rng.random() < 0.1 else add_weeks(start, rng.randint(0, 25))
    if rng.random() < 0.05:
        start = None
    return start, end, rng.choice(VALUES)


def measure(size: int, seconds: float, rng: random.Random) -> tuple[float, int]:
    """Return (microseconds per paint, paints done) over about `seconds` of painting."""
    stripes = [random_stripe(rng, size) for _ in range(20)]
    cases = []
    for stripe in stripes:
        last = max(rule.end or rule.start or FIRST_WEEK for rule in stripe)
        span = weeks_between(FIRST_WEEK, last)
        cases.extend((stripe, *random_paint(rng, span)) for _ in range(50))
    rng.shuffle(cases)

    # Sanity: the plans apply cleanly (not timed).
    for stripe, start, end, value in cases[:20]:
        apply(stripe, paint(stripe, start, end, value))

    done, elapsed = 0, 0.0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        begin = time.perf_counter()
        for stripe, start, end, value in cases:
            paint(stripe, start, end, value)
        elapsed += time.perf_counter() - begin
        done += len(cases)
        print(f"\r  {size:>5} rules: {done:>7} paints ...", end="", file=sys.stderr, flush=True)
    print("\r" + " " * 40 + "\r", end="", file=sys.stderr, flush=True)
    return elapsed / done * 1e6, done


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    rng = random.Random(20260)
    print(f"paint: microseconds per call (Python {sys.version.split()[0]}, ~{seconds:g} s per size)")
    print(f"{'rules':>7} {'paints':>8} {'us/paint':>10} {'x per 10x rules':>16}")
    previous = None
    for size in SIZES:
        micros, done = measure(size, seconds, rng)
        growth = f"{micros / previous:>16.1f}" if previous else f"{'':>16}"
        print(f"{size:>7} {done:>8} {micros:>10.1f} {growth}", flush=True)
        previous = micros


if __name__ == "__main__":
    main()
