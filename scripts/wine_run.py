#!/usr/bin/env python3
"""Runs a Windows program under the checks' Wine: the prefix
target/windows/wine-prefix (made once), quiet, with the `ProcessPrng`
stand-in (tests/windows/bcryptprimitives.c) that Wine 8 lacks and Rust's
standard library imports, in the prefix's system32 only: never beside the
program or in the installer.

Cargo's runner for the Windows target (`make check-windows` runs the
data-safety suite with it), and the library check_windows.py uses.

Usage: scripts/wine_run.py PROGRAM.exe [ARGS...]
"""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WINE = "/usr/lib/wine/wine64"
WINESERVER = "/usr/lib/wine/wineserver"
MINGW_GCC = "x86_64-w64-mingw32-gcc-posix"
PREFIX = os.path.join(ROOT, "target", "windows", "wine-prefix")
STAND_IN = os.path.join(ROOT, "tests", "windows", "bcryptprimitives.c")


def wine_env(prefix=PREFIX):
    """Wine's environment for `prefix`, made when missing, with the
    stand-in in its system32 (rebuilt when its source is newer)."""
    env = dict(os.environ, WINEPREFIX=prefix, WINEDEBUG="-all",
               WINEDLLOVERRIDES="mscoree,mshtml=;bcryptprimitives=n,b")
    system32 = os.path.join(prefix, "drive_c", "windows", "system32")
    if not os.path.isdir(system32):
        os.makedirs(prefix, exist_ok=True)
        subprocess.run([WINE, "wineboot", "-i"], env=env, check=True, capture_output=True)
        subprocess.run([WINESERVER, "-w"], env=env, check=True)
    dll = os.path.join(system32, "bcryptprimitives.dll")
    if not os.path.exists(dll) or os.path.getmtime(dll) < os.path.getmtime(STAND_IN):
        subprocess.run([MINGW_GCC, "-shared", "-O2", "-o", dll, STAND_IN, "-ladvapi32"], check=True)
    return env


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__.strip().splitlines()[-1])
    env = wine_env()
    os.execve(WINE, [WINE, *sys.argv[1:]], env)


if __name__ == "__main__":
    main()
