#!/usr/bin/env python3
"""Writes third_party/patches/<crate>.patch from the copy in third_party/.

The published .crate (fetched and checked as scripts/check_patches.py does,
with the same files left out) is compared with third_party/<crate>/, and the
difference, as `diff -ru` prints it with a/ and b/ prefixes, becomes the
patch that check_patches.py applies. Run it after changing a vendored file
(every hunk by a comment marked `Rehearse patch`).

Usage: scripts/make_patch.py CRATE
"""

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_patches import CRATES, ROOT, fetch  # noqa: E402


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[-1])
    wanted = sys.argv[1]
    crate = next((c for c in CRATES if c[0] == wanted), None)
    if crate is None:
        sys.exit(f"make_patch: {wanted} is not one of {', '.join(c[0] for c in CRATES)}")
    name, version, sha256, left_out = crate
    with tempfile.TemporaryDirectory() as work:
        with tarfile.open(fetch(name, version, sha256)) as archive:
            safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            archive.extractall(work, **safe)
        os.rename(os.path.join(work, f"{name}-{version}"), os.path.join(work, "a"))
        for entry in left_out:
            path = os.path.join(work, "a", entry)
            if os.path.isdir(path):
                shutil.rmtree(path)
            elif os.path.exists(path):
                os.remove(path)
        os.symlink(os.path.join(ROOT, "third_party", name), os.path.join(work, "b"))
        diff = subprocess.run(["diff", "-ruN", "a", "b/"], cwd=work, capture_output=True, text=True)
        if diff.returncode not in (0, 1):
            sys.exit(f"make_patch: diff failed: {diff.stderr}")
        lines = []
        for line in diff.stdout.splitlines(keepends=True):
            if line.startswith("diff -ruN "):
                continue
            if line.startswith("+++ b//"):
                line = "+++ b/" + line[len("+++ b//"):]
            if line.startswith(("--- ", "+++ ")):
                # No dates after the file names: the patch stays the same
                # whenever it is made.
                line = line.split("\t", 1)[0].rstrip("\n") + "\n"
            lines.append(line)
    patch = os.path.join(ROOT, "third_party", "patches", f"{name}.patch")
    with open(patch, "w") as out:
        out.writelines(lines)
    print(f"make_patch: wrote {os.path.relpath(patch, ROOT)} ({sum(l.startswith('@@') for l in lines)} hunks)")


if __name__ == "__main__":
    main()
