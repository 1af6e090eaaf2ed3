#!/usr/bin/env python3
"""Checks that every module uses only the layers below it.

The layers are the list in src/lib.rs's module documentation (one copy of
the rule: the list people read is the list checked). Every `crate::NAME`
path outside comments and test modules in src/NAME/ or src/NAME.rs must
name a layer listed below NAME. Exits 1 naming each file and edge that
breaks the order.
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"


def layers() -> list[str]:
    text = (SRC / "lib.rs").read_text(encoding="utf-8")
    names = re.findall(r"^//! - \[`([a-z_]+)`\]", text, flags=re.MULTILINE)
    if not names:
        sys.exit("check_layers: no layer list in src/lib.rs")
    return names


def code_of(path: Path) -> str:
    """The file without comments and without its `mod tests`."""
    text = path.read_text(encoding="utf-8")
    cut = re.search(r"^#\[cfg\(test\)\]\s*\nmod tests\b", text, flags=re.MULTILINE)
    if cut:
        text = text[: cut.start()]
    return "\n".join(
        line.split("//", 1)[0] if not line.lstrip().startswith("//") else ""
        for line in text.splitlines()
    )


def main() -> int:
    order = layers()
    rank = {name: at for at, name in enumerate(order)}
    declared = set(re.findall(r"^pub mod ([a-z_]+);", (SRC / "lib.rs").read_text(), re.MULTILINE))
    problems = []
    for missing in sorted(declared - set(order)):
        problems.append(f"src/lib.rs: module `{missing}` is not in the layer list")
    for path in sorted(SRC.rglob("*.rs")):
        relative = path.relative_to(SRC)
        top = relative.parts[0].removesuffix(".rs")
        if top not in rank:
            continue
        for used in sorted(set(re.findall(r"\bcrate::([a-z_]+)", code_of(path)))):
            if used == top or used not in rank:
                continue
            if rank[used] <= rank[top]:
                problems.append(
                    f"src/{relative}: `{top}` uses `crate::{used}`, which is not below it"
                )
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"check_layers: {len(problems)} edge(s) break the layers of src/lib.rs", file=sys.stderr)
        return 1
    print(f"check_layers: {len(order)} layers, every edge goes down")
    return 0


if __name__ == "__main__":
    sys.exit(main())
