#!/usr/bin/env python3
"""Packs the rendered PNG icons into the containers macOS and Windows want:
packaging/macos/Rehearse.icns and packaging/windows/rehearse.ico. Both
formats hold PNG images as they are, so no image library is needed.

Run by scripts/icons.sh after it renders assets/icons/<N>x<N>/*.png.
"""

import os
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAME = "io.github.rehearse.Rehearse.png"


def png(size):
    with open(os.path.join(ROOT, "assets", "icons", f"{size}x{size}", NAME), "rb") as f:
        data = f.read()
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        sys.exit(f"icons: {size}x{size} is not a PNG")
    return data


def icns(path):
    # The PNG-bearing types: icp4 16, icp5 32, icp6 64, ic07 128, ic08 256,
    # ic09 512, and the @2x ic11 (32 px), ic12 (64 px), ic13 (256), ic14 (512).
    types = [(b"icp4", 16), (b"icp5", 32), (b"icp6", 64), (b"ic07", 128), (b"ic08", 256),
             (b"ic09", 512), (b"ic11", 32), (b"ic12", 64), (b"ic13", 256), (b"ic14", 512)]
    body = b"".join(kind + struct.pack(">I", 8 + len(png(size))) + png(size) for kind, size in types)
    with open(path, "wb") as f:
        f.write(b"icns" + struct.pack(">I", 8 + len(body)) + body)


def ico(path):
    sizes = [16, 32, 48, 64, 128, 256]
    images = [png(size) for size in sizes]
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    entries = b""
    for size, data in zip(sizes, images):
        side = 0 if size == 256 else size  # 0 means 256
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    with open(path, "wb") as f:
        f.write(header + entries + b"".join(images))


def main():
    icns(os.path.join(ROOT, "packaging", "macos", "Rehearse.icns"))
    ico(os.path.join(ROOT, "packaging", "windows", "rehearse.ico"))
    print("icons: wrote packaging/macos/Rehearse.icns and packaging/windows/rehearse.ico")


if __name__ == "__main__":
    main()
