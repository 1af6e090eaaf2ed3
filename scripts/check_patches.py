#!/usr/bin/env python3
"""Checks that third_party/ is exactly the published crates plus our patches.

For each patched crate: fetch the published .crate from crates.io (cached in
target/patch-check/, checked against its published SHA-256), unpack it, drop
the files the copy leaves out, apply third_party/patches/<name>.patch with
`git apply`, and compare the result with third_party/<name>/ file by file.
Any difference (a vendored file changed without its patch, a patch that no
longer applies) fails the check and is shown.

Usage: scripts/check_patches.py   (run by `make test`)
"""

import filecmp
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.path.join(ROOT, "target", "patch-check")

# name, version, SHA-256 of the .crate as published (the crates.io index's
# "cksum"), and what the copy in third_party/ leaves out.
CRATES = [
    ("cpal", "0.18.2", "6f02e8d0327b42d3e2e4ab2119af397344eb9fc54a34bf0ddeaa1277af8681f1",
     [".github", ".gitignore", "CODE_OF_CONDUCT.md", "CONTRIBUTING.md", "Cargo.lock",
      "Cross.toml", "Dockerfile", "SECURITY.md"]),
    ("flacenc", "0.5.1", "74c892c2b5fa08f967e8b5ad29121570b4762202f2402033ce08479ec65eccd0",
     [".cargo", ".github", ".gitignore", "CONTRIBUTING.md", "Cargo.lock"]),
    ("pulseaudio", "0.3.2", "9ba79a4c6904c987cc31fa50e9b750539404511c2dbd9ce95e5e58444177a21e",
     [".github", ".gitignore", ".vscode", "Cargo.lock", "testfiles"]),
    # ggml's GPU and accelerator backends: Rehearse builds the CPU one only.
    ("whisper-rs-sys", "0.15.0", "6986c0fe081241d391f09b9a071fbcbb59720c3563628c3c829057cf69f2a56f",
     ["Cargo.lock"] + [f"whisper.cpp/ggml/src/ggml-{backend}" for backend in (
         "cann", "cuda", "hexagon", "hip", "metal", "musa", "opencl", "rpc", "sycl", "vulkan",
         "webgpu", "zdnn", "zendnn")]),
]


def fetch(name, version, sha256):
    """The .crate file, downloaded once and checked."""
    os.makedirs(CACHE, exist_ok=True)
    path = os.path.join(CACHE, f"{name}-{version}.crate")
    if not os.path.exists(path):
        url = f"https://static.crates.io/crates/{name}/{name}-{version}.crate"
        with urllib.request.urlopen(url, timeout=60) as answer, open(path + ".part", "wb") as out:
            shutil.copyfileobj(answer, out)
        os.replace(path + ".part", path)
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    if digest != sha256:
        os.remove(path)
        sys.exit(f"check_patches: {name}-{version}.crate has SHA-256 {digest}, not the published {sha256}")
    return path


def unmarked_hunks(patch):
    """The hunks of `patch` (file and header) without a `Rehearse patch`
    comment in them: every change says it is ours and why."""
    found = []
    with open(patch) as f:
        text = f.read()
    for part in re.split(r"(?m)^--- ", text)[1:]:
        name = part.split("\n", 1)[0]
        for hunk in re.split(r"(?m)^@@", part)[1:]:
            if "Rehearse patch" not in hunk:
                found.append(f"{name} @@{hunk.splitlines()[0]}")
    return found


def differences(expected, actual, at=""):
    """Paths that differ between two trees, relative to their roots."""
    found = []
    comparison = filecmp.dircmp(expected, actual, ignore=[])
    found += [os.path.join(at, n) + " (only in the patched release)" for n in comparison.left_only]
    found += [os.path.join(at, n) + " (only in third_party)" for n in comparison.right_only]
    for name in comparison.common_files:
        if not filecmp.cmp(os.path.join(expected, name), os.path.join(actual, name), shallow=False):
            found.append(os.path.join(at, name))
    for name in comparison.common_dirs:
        found += differences(os.path.join(expected, name), os.path.join(actual, name), os.path.join(at, name))
    return found


def main():
    failed = False
    with tempfile.TemporaryDirectory() as work:
        for name, version, sha256, left_out in CRATES:
            with tarfile.open(fetch(name, version, sha256)) as archive:
                # The "data" filter (no links out, no devices) where Python has it.
                safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
                archive.extractall(work, **safe)
            tree = os.path.join(work, f"{name}-{version}")
            for entry in left_out:
                path = os.path.join(tree, entry)
                if os.path.isdir(path):
                    shutil.rmtree(path)
                elif os.path.exists(path):
                    os.remove(path)
            patch = os.path.join(ROOT, "third_party", "patches", f"{name}.patch")
            applied = subprocess.run(["git", "apply", "--whitespace=nowarn", patch], cwd=tree,
                                     capture_output=True, text=True)
            if applied.returncode != 0:
                print(f"check_patches: {patch} does not apply to {name} {version}:\n{applied.stderr}")
                failed = True
                continue
            for hunk in unmarked_hunks(patch):
                print(f"check_patches: a hunk without its `Rehearse patch` comment: {hunk}")
                failed = True
            found = differences(tree, os.path.join(ROOT, "third_party", name))
            if found:
                failed = True
                print(f"check_patches: third_party/{name} is not {name} {version} plus {os.path.relpath(patch, ROOT)}:")
                for path in found:
                    print(f"  {path}")
                    if os.path.isfile(os.path.join(tree, path)):
                        subprocess.run(["diff", "-u", os.path.join(tree, path),
                                        os.path.join(ROOT, "third_party", name, path)])
            else:
                print(f"check_patches: third_party/{name} is {name} {version} plus its patch")
    if failed:
        print("check_patches: change the copy and its patch together "
              "(third_party/README.md says how to make the patch)")
        sys.exit(1)


if __name__ == "__main__":
    main()
