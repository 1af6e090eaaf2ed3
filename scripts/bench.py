#!/usr/bin/env python3
"""Rehearse's performance figures, each next to a yardstick measured in the
same run on the same input, so a noisy machine shifts both alike.

Run by `make bench` after a release build. Prints a table; the ratio column
is rehearse's time divided by the yardstick's (below 1 means faster).
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, "target", "release", "rehearse")
RUNS = 15


def median_seconds(command, env=None):
    """Median wall time of `command` over RUNS runs, after one warm-up run."""
    def once():
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
        return time.perf_counter() - start

    once()
    return statistics.median(once() for _ in range(RUNS))


def generated_bank(path, count):
    """A valid pack of `count` questions, written to `path`."""
    kinds = ["behavioural", "technical", "situational"]
    questions = [
        {
            "id": f"generated-{i:05}",
            "text": f"Generated question number {i}: how would you design, test and run component {i}?",
            "category": f"Generated category {i % 20}",
            "kind": kinds[i % 3],
            "looking_for": "Clear structure, concrete examples and sound trade-offs.",
            "tips": ["Start with the goal.", "Give one concrete example.", "Close with the result."],
            "think_seconds": 30,
            "answer_seconds": 120,
            "keywords": ["design", "testing", "operations"],
        }
        for i in range(count)
    ]
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"schema_version": 1, "name": "Generated", "questions": questions}, f, indent=2)


def main():
    if not os.path.exists(BINARY):
        sys.exit(f"bench: {BINARY} is missing; run `make bench`, which builds it")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, REHEARSE_DATA_DIR=os.path.join(tmp, "data"))
        bank = os.path.join(tmp, "bank.json")
        generated_bank(bank, 10_000)
        size_mb = os.path.getsize(bank) / 1e6
        ours = median_seconds([BINARY, "--questions", bank, "questions", "list"], env)
        theirs = median_seconds([sys.executable, "-m", "json.tool", bank], env)
        rows.append((f"questions list, 10,000 questions ({size_mb:.1f} MB)", ours,
                     "python3 -m json.tool, same file", theirs))

    print(f"{'measurement':<48} {'rehearse':>10}  {'yardstick':<36} {'value':>10}  {'ratio':>6}")
    print("-" * 118)
    for name, ours, yardstick, theirs in rows:
        print(f"{name:<48} {ours * 1000:>8.1f}ms  {yardstick:<36} {theirs * 1000:>8.1f}ms  {ours / theirs:>6.2f}")
    print(f"(median of {RUNS} runs each; ratio = rehearse / yardstick, lower is better)")


if __name__ == "__main__":
    main()
