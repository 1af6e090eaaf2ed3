#!/usr/bin/env python3
"""Checks the packaging, as `make test` does after `make deb`:

- the desktop file, the AppStream metadata and the .deb pass their
  validators (desktop-file-validate, appstreamcli --no-net, lintian: no
  errors);
- the macOS Info.plist and the Windows WiX source (WiX 3, which wixl
  builds) are valid XML/plist, and
  every id, name and version agrees with Cargo.toml;
- the .deb's contents, unpacked into a temporary root, run
  (`rehearse --version`, `rehearse questions list`), also on a processor
  without AVX2 (QEMU's basic x86-64), where transcribing says why it cannot
  run; and the program starts from the menu entry's Exec line under a
  virtual display.
"""

import glob
import json
import os
import plistlib
import re
import subprocess
import sys
import tempfile
import threading
import tomllib
import xml.etree.ElementTree as ElementTree

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
APP_ID = "io.github.rehearse.Rehearse"
failures = []


def check(ok, message):
    print(f"packaging: {'ok  ' if ok else 'FAIL'} {message}")
    if not ok:
        failures.append(message)


def run(command, **kwargs):
    return subprocess.run(command, capture_output=True, text=True, **kwargs)


def path(*parts):
    return os.path.join(ROOT, *parts)


def main():
    with open(path("Cargo.toml"), "rb") as f:
        package = tomllib.load(f)["package"]
    version = package["version"]

    desktop = path("packaging", "linux", f"{APP_ID}.desktop")
    result = run(["desktop-file-validate", desktop])
    errors = [line for line in result.stdout.splitlines() if "error:" in line]
    check(result.returncode == 0 and not errors, f"desktop-file-validate {os.path.basename(desktop)} {errors}")
    with open(desktop, encoding="utf-8") as f:
        entry = dict(line.strip().split("=", 1) for line in f if "=" in line)
    check(entry.get("Icon") == APP_ID and entry.get("StartupWMClass") == APP_ID,
          "desktop file: icon and window class are the app id")

    metainfo = path("packaging", "linux", f"{APP_ID}.metainfo.xml")
    result = run(["appstreamcli", "validate", "--no-net", metainfo])
    check(result.returncode == 0, f"appstreamcli validate --no-net: {result.stdout.strip().splitlines()[-1:]}")
    component = ElementTree.parse(metainfo).getroot()
    check(component.findtext("id") == APP_ID, "metainfo id is the app id")
    check(component.find("launchable").text == f"{APP_ID}.desktop", "metainfo launches the desktop file")
    releases = [r.get("version") for r in component.iter("release")]
    check(version in releases, f"metainfo lists release {version}")
    for image in component.iter("image"):
        name = image.text.rsplit("/", 1)[-1]
        check(os.path.isfile(path("packaging", "linux", "screenshots", name)),
              f"screenshot {name} is in packaging/linux/screenshots")

    with open(path("packaging", "linux", f"{APP_ID}.json"), encoding="utf-8") as f:
        flatpak = json.load(f)
    check(flatpak["id"] == APP_ID, "flatpak manifest id is the app id")
    # The network is for the speech-model downloads the user asks for.
    # The speech-dispatcher socket is how questions are read aloud.
    for needed in ("--socket=pulseaudio", "--socket=wayland", "--socket=fallback-x11", "--share=ipc", "--device=dri",
                   "--share=network", "--filesystem=xdg-run/speech-dispatcher:ro"):
        check(needed in flatpak["finish-args"], f"flatpak: {needed}")

    with open(path("packaging", "macos", "Info.plist"), "rb") as f:
        plist = plistlib.load(f)
    check(plist["CFBundleIdentifier"] == APP_ID, "Info.plist bundle id is the app id")
    check(plist["CFBundleShortVersionString"] == version and plist["CFBundleVersion"] == version,
          f"Info.plist version is {version}")
    check(len(plist.get("NSMicrophoneUsageDescription", "")) > 20, "Info.plist explains the microphone use")
    icns = path("packaging", "macos", plist["CFBundleIconFile"])
    with open(icns, "rb") as f:
        check(f.read(4) == b"icns", f"{os.path.basename(icns)} is an icns file")

    wxs = ElementTree.parse(path("packaging", "windows", "rehearse.wxs")).getroot()
    ns = {"w": "http://schemas.microsoft.com/wix/2006/wi"}
    product = wxs.find("w:Product", ns)
    package = wxs.find("w:Product/w:Package", ns)
    check(product is not None and product.get("Version") == version, f"WiX product version is {version}")
    check(package is not None and package.get("InstallScope") == "perMachine",
          "WiX: installed for every user, in Program Files")
    check(product is not None and product.get("Name") == plist["CFBundleName"] == entry["Name"],
          "one name everywhere")
    check(wxs.find(".//w:Shortcut", ns) is not None, "WiX: Start-menu shortcut")
    with open(path("packaging", "windows", "rehearse.ico"), "rb") as f:
        check(f.read(4) == b"\x00\x00\x01\x00", "rehearse.ico is an icon file")

    with open(path("src", "paths.rs"), encoding="utf-8") as f:
        check(f'"{APP_ID}"' in f.read(), "the window uses the app id")

    debs = sorted(glob.glob(path("target", "debian", f"rehearse_{version}*.deb")))
    check(bool(debs), f"make deb built target/debian/rehearse_{version}_*.deb")
    if debs:
        check_deb(debs[-1])

    if failures:
        sys.exit(f"packaging: {len(failures)} check(s) failed")
    print("packaging: all checks passed")


def check_deb(deb):
    result = run(["lintian", "--tag-display-limit", "0", deb])
    errors = [line for line in result.stdout.splitlines() if line.startswith("E:")]
    for line in result.stdout.splitlines():
        print(f"packaging:      lintian {line}")
    check(not errors, f"lintian reports no errors ({len(errors)})")
    listing = run(["dpkg-deb", "--contents", deb]).stdout
    for needed in ["usr/bin/rehearse", f"usr/share/applications/{APP_ID}.desktop",
                   f"usr/share/metainfo/{APP_ID}.metainfo.xml",
                   f"usr/share/icons/hicolor/scalable/apps/{APP_ID}.svg",
                   f"usr/share/icons/hicolor/16x16/apps/{APP_ID}.png",
                   "usr/share/man/man1/rehearse.1.gz", "usr/share/bash-completion/completions/rehearse",
                   "usr/share/doc/rehearse/copyright", "usr/share/doc/rehearse/changelog"]:
        check(needed in listing, f".deb holds {needed}")

    with tempfile.TemporaryDirectory() as root:
        subprocess.run(["dpkg-deb", "-x", deb, root], check=True)
        binary = os.path.join(root, "usr", "bin", "rehearse")
        data = os.path.join(root, "data")
        env = dict(os.environ, REHEARSE_DATA_DIR=data, PATH=f"{os.path.dirname(binary)}:{os.environ['PATH']}")
        env.pop("DISPLAY", None)
        env.pop("WAYLAND_DISPLAY", None)
        result = run([binary, "--version"], env=env)
        check(result.returncode == 0 and result.stdout.startswith("rehearse "), f"unpacked: rehearse --version: {result.stdout.strip()}")
        result = run([binary, "questions", "list"], env=env)
        check(result.returncode == 0 and len(result.stdout.splitlines()) > 35, "unpacked: rehearse questions list")
        check_older_processor(binary, env)
        with open(os.path.join(root, "usr", "share", "applications", f"{APP_ID}.desktop"), encoding="utf-8") as f:
            exec_line = next(line.split("=", 1)[1].strip() for line in f if line.startswith("Exec="))
        started = start_from_menu(exec_line, env)
        check(started, f"the menu entry's Exec={exec_line} opens the window under Xvfb")


def check_older_processor(binary, env):
    """The packaged program on a processor without AVX2 (QEMU's basic
    x86-64 model): it starts and works, and speech recognition, whose
    whisper.cpp is built for x86-64-v3, says why it cannot run instead of
    crashing."""
    qemu = ["qemu-x86_64", "-cpu", "qemu64"]
    result = run(qemu + [binary, "--version"], env=env)
    check(result.returncode == 0 and result.stdout.startswith("rehearse "),
          f"on a basic x86-64 (qemu64): rehearse --version {result.stderr.strip()[-200:]}")
    result = run(qemu + [binary, "questions", "list"], env=env)
    check(result.returncode == 0 and len(result.stdout.splitlines()) > 35,
          "on a basic x86-64 (qemu64): rehearse questions list")
    model = path("target", "test-model", "ggml-tiny.en.bin")
    with tempfile.TemporaryDirectory() as tmp:
        wav = os.path.join(tmp, "answer.wav")
        subprocess.run(["sox", "-n", "-r", "16000", "-b", "16", "-c", "1", wav, "synth", "1", "sine", "440"], check=True)
        result = run(qemu + [binary, "transcribe", "--model", model, wav], env=env)
    said = result.stderr.strip().splitlines()[-1:] or [""]
    check(result.returncode == 1 and "lacks AVX2" in said[0],
          f"on a basic x86-64 (qemu64): rehearse transcribe says why it cannot: {said[0]}")


def start_from_menu(exec_line, env):
    """Runs the desktop file's Exec line under a private Xvfb and waits for
    the window's first frame."""
    read_end, write_end = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                            pass_fds=(write_end,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_end)
    number = b""
    while not number.endswith(b"\n"):
        chunk = os.read(read_end, 16)
        if not chunk:
            return False
        number += chunk
    os.close(read_end)
    env = dict(env, DISPLAY=":" + number.decode().strip(), REHEARSE_REPORT_FIRST_FRAME="1")
    # Field codes (%f, %U…) are not used by Rehearse's entry; split like a shell.
    command = [part for part in exec_line.split() if not re.fullmatch(r"%[a-zA-Z]", part)]
    app = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    # A window that never draws must not hang the check: kill it after 60 s.
    watchdog = threading.Timer(60, app.kill)
    watchdog.start()
    ok = False
    try:
        for line in app.stderr:
            if "first frame presented" in line:
                ok = True
                break
    finally:
        watchdog.cancel()
        app.terminate()
        app.wait(timeout=10)
        xvfb.terminate()
        xvfb.wait(timeout=10)
    return ok


if __name__ == "__main__":
    main()
