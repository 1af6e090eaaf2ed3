#!/usr/bin/env python3
"""Runs the cross-built Windows program (`make windows`) under Wine:

- `--version` and `questions list` work;
- `transcribe` of a spoken answer with the speech test model gives the same
  text as the Linux build on the same WAV;
- with a private PulseAudio server (Wine's audio goes through it, so
  WASAPI records from its virtual microphone): `devices` lists the virtual
  microphone, and `record --seconds 60` with speech played into it gives
  60 s whose level is speech, with no dropped samples; a recording ended
  by Ctrl-C, and one whose console is closed (the console's events, sent
  as Windows sends them: tests/windows/console_event.c), each leaves a
  finished WAV and no `.part`; a recording killed after
  7 s (SIGKILL of the Wine process) is repaired by `recover` losing at
  most the last second beside the device's start; `interview` of one
  question answered in the terminal is kept, with its rating, and `export
  --zip` of it passes `unzip -t`;
- the window opens under Xvfb and draws the Practice screen: its
  screenshot (kept as target/windows/window-under-wine.png) has the Linux
  window's size and the start button (the accent colour's block), as the
  end-to-end test's first screenshot (target/e2e-screenshots/01-home.png)
  has them, in the same theme;
- the installer (`msiexec /i … /qn`) puts the program in Program Files with
  a Start-menu shortcut, the installed program runs and makes its data
  folder, and uninstalling removes the program and the shortcut but never
  the data folder.

Wine 8 lacks `ProcessPrng` (bcryptprimitives.dll), which Rust's standard
library imports: scripts/wine_run.py puts a stand-in in the system32 of
Wine's folder (target/windows/wine-prefix, made once), never in the
installer.

Usage: scripts/check_windows.py [target/windows/rehearse.exe]
"""

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import ROOT, VirtualAudio  # noqa: E402
from wine_run import MINGW_GCC, WINE, WINESERVER, wine_env  # noqa: E402
LINUX_BINARY = os.path.join(ROOT, "target", "release", "rehearse")
MODEL = os.path.join(ROOT, "target", "test-model", "ggml-tiny.en.bin")
failures = []


def check(ok, message):
    print(f"windows: {'ok  ' if ok else 'FAIL'} {message}")
    if not ok:
        failures.append(message)


def checked_copy(exe, folder):
    """A copy of the program in `folder` (its name is the one the console
    events are sent to), with console_event.exe beside it."""
    shutil.copy(exe, os.path.join(folder, "rehearse.exe"))
    subprocess.run([MINGW_GCC, "-O2", "-o", os.path.join(folder, "console_event.exe"),
                    os.path.join(ROOT, "tests", "windows", "console_event.c")], check=True)
    return os.path.join(folder, "rehearse.exe")


def sox_stat(wav):
    """sox's `stat` of `wav` as a dict of floats (empty when unreadable)."""
    if not os.path.exists(wav):
        return {}
    said = subprocess.run(["sox", wav, "-n", "stat"], capture_output=True, text=True).stderr
    stat = {}
    for line in said.splitlines():
        name, _, value = line.partition(":")
        try:
            stat[name.strip()] = float(value.split()[0])
        except (ValueError, IndexError):
            pass
    return stat


def under_wine(exe, *args, data=None, timeout=300, log_level=None):
    env = wine_env()
    if log_level:
        env["RUST_LOG"] = log_level
    command = [WINE, exe]
    if data:
        command += ["--data-dir", data]
    return subprocess.run(command + list(args), capture_output=True, text=True, env=env,
                          timeout=timeout)


def check_console_event(program, folder, env, event, what):
    """A recording without a limit ended by console event `event` 3 s after
    it started: the take is finished (a WAV, no `.part`), the command ends
    by itself, and the 3 s (and more) are kept."""
    out = os.path.join(folder, f"event-{event}")
    os.makedirs(out)
    recording = subprocess.Popen([WINE, program, "record", "--out", f"event-{event}\\take.wav"],
                                 env=env, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True)
    started = ""
    for line in recording.stderr:  # "Recording to … until Ctrl-C" once it records
        started += line
        if line.startswith("Recording to"):
            break
    time.sleep(3)
    sent = subprocess.run([WINE, os.path.join(folder, "console_event.exe"), "rehearse.exe", str(event)],
                          env=env, capture_output=True, text=True, timeout=60)
    try:
        _, stderr = recording.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        recording.kill()
        _, stderr = recording.communicate()
    stderr = started + stderr
    left = sorted(os.listdir(out))
    kept = sox_stat(os.path.join(out, "take.wav")).get("Length (seconds)", 0)
    check(sent.returncode == 0 and left == ["take.wav"] and kept >= 3.0,
          f"a recording ended by {what} (console event {event}): {left}, {kept:.2f} s kept, "
          f"exit status {recording.returncode}"
          + ("" if sent.returncode == 0 else f"; the event was not sent: {sent.stderr.strip()}")
          + ("" if left == ["take.wav"] else f"; {stderr.strip()[-300:]}"))


def check_audio(program, folder):
    """The virtual microphone, listed and recorded through WASAPI."""
    audio = VirtualAudio(folder)
    try:
        env = dict(wine_env(), XDG_RUNTIME_DIR=audio.env["XDG_RUNTIME_DIR"])

        def wine(*args, timeout=120):
            return subprocess.run([WINE, program, *args], capture_output=True, text=True, env=env,
                                  timeout=timeout, cwd=folder)

        devices = wine("devices")
        microphones = devices.stdout.split("Outputs:")[0]
        check(devices.returncode == 0 and "Monitor of Null Output" in microphones,
              "devices: the virtual microphone is listed")
        voice = os.path.join(folder, "voice.wav")
        subprocess.run(["espeak-ng", "-w", voice, "I added an index to the orders table and the "
                        "report went from forty seconds to two."], check=True)
        def play():
            return subprocess.Popen(["paplay", voice], env=audio.env)

        playing = threading.Timer(1.5, play)
        playing.start()
        recorded = wine("record", "--seconds", "60", "--out", "recorded.wav")
        playing.join()
        stat = sox_stat(os.path.join(folder, "recorded.wav"))
        seconds, rms = stat.get("Length (seconds)", 0), stat.get("RMS     amplitude", 0)
        dropped = next((line.split()[-1] for line in recorded.stdout.splitlines()
                        if line.startswith("dropped_frames")), "?")
        check(recorded.returncode == 0 and abs(seconds - 60.0) < 0.05 and rms > 0.01 and dropped == "0",
              f"record --seconds 60 through WASAPI: {seconds:.3f} s, RMS {rms:.3f}, "
              f"{dropped} dropped frames" + ("" if recorded.returncode == 0
                                             else f" {recorded.stderr.strip()[-300:]}"))
        for event, what in ((0, "Ctrl-C"), (2, "the console closed")):
            check_console_event(program, folder, env, event, what)
        # Killed mid-recording, then repaired.
        killed = os.path.join(folder, "killed")
        os.makedirs(killed)
        started = time.monotonic()
        recording = subprocess.Popen([WINE, program, "record", "--out", "killed\\take.wav"],
                                     env=env, cwd=folder, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        time.sleep(2)
        play().wait()
        time.sleep(7 - (time.monotonic() - started))
        recording.kill()
        recording.wait()
        ran = time.monotonic() - started
        subprocess.run([WINESERVER, "-k"], env=env, capture_output=True)
        parts = [name for name in os.listdir(killed) if name.endswith(".wav.part")]
        repaired = wine("recover", "killed")
        take = os.path.join(killed, "take.wav")
        kept = sox_stat(take).get("Length (seconds)", 0)
        # The device takes up to 1.5 s to start under Wine (record prints
        # device_start_ms); at most one more second may be lost.
        check(bool(parts) and repaired.returncode == 0 and kept >= ran - 2.5,
              f"a recording killed after {ran:.1f} s: {parts} repaired by recover, "
              f"{kept:.2f} s kept")
        # One question in the terminal, rated, then exported.
        answers = subprocess.Popen(
            [WINE, program, "--data-dir", "interview-data", "interview", "--count", "1",
             "--order", "listed", "--think", "0", "--answer", "3"],
            env=env, cwd=folder, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        time.sleep(8)
        out, err = answers.communicate("4\n\n", timeout=60)
        check(answers.returncode == 0 and "takes: 1" in out and "average: ★ 4.0" in out,
              "interview of one question: " + (out.strip().replace("\n", "; ")
                                               or err.strip()[-300:]))
        exported = wine("--data-dir", "interview-data", "export", "latest", "--to", "out.zip", "--zip")
        tested = subprocess.run(["unzip", "-t", os.path.join(folder, "out.zip")], capture_output=True,
                                text=True)
        check(exported.returncode == 0 and tested.returncode == 0,
              "export --zip: unzip -t " + (tested.stdout.strip().splitlines() or ["nothing"])[-1])
    finally:
        audio.stop()


# The dark theme's accent, which fills the main button ("Start …").
ACCENT = "#005C80"
LINUX_HOME = os.path.join(ROOT, "target", "e2e-screenshots", "01-home.png")


def accent_pixels(png):
    counted = subprocess.run(["convert", png, "-fill", "black", "+opaque", ACCENT, "-fill", "white",
                              "-opaque", ACCENT, "-format", "%[fx:round(mean*w*h)]", "info:"],
                             capture_output=True, text=True)
    return int(counted.stdout.strip() or 0)


def check_window(program, folder):
    """The window under Xvfb, its Practice screen against the Linux one."""
    display = ":93"
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "1366x768x24"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    data = os.path.join(folder, "window-data")
    os.makedirs(data, exist_ok=True)
    with open(os.path.join(data, "settings.json"), "w", encoding="utf-8") as f:
        f.write('{"theme": "dark"}')
    env = dict(wine_env(), DISPLAY=display)
    window = None
    try:
        time.sleep(2)
        window = subprocess.Popen([WINE, program, "--data-dir", "Z:" + data.replace("/", "\\")],
                                  env=env, cwd=folder, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        found = ""
        for _ in range(60):
            time.sleep(1)
            found = subprocess.run(["xdotool", "search", "--name", "^Rehearse"], env=env,
                                   capture_output=True, text=True).stdout.split()
            if found:
                break
        time.sleep(5)  # the first frames
        shot = os.path.join(ROOT, "target", "windows", "window-under-wine.png")
        taken = bool(found) and subprocess.run(
            ["import", "-display", display, "-window", found[-1], shot],
            capture_output=True).returncode == 0
        size = subprocess.run(["identify", "-format", "%wx%h", shot], capture_output=True,
                              text=True).stdout if taken else "none"
        linux = subprocess.run(["identify", "-format", "%wx%h", LINUX_HOME], capture_output=True,
                               text=True).stdout if os.path.exists(LINUX_HOME) else "unknown"
        check(taken and size == linux, f"the window opens at {size} (Linux: {linux})")
        ours = accent_pixels(shot) if taken else 0
        theirs = accent_pixels(LINUX_HOME) if os.path.exists(LINUX_HOME) else 0
        check(ours > 3000 and theirs > 3000 and abs(ours - theirs) < theirs // 2,
              f"the start button is drawn: {ours} accent pixels (Linux: {theirs})")
    finally:
        if window:
            window.terminate()
        subprocess.run([WINESERVER, "-k"], env=env, capture_output=True)
        xvfb.terminate()
        xvfb.wait()


def check_installer(msi):
    """Installs, runs and uninstalls `msi` in a Wine folder of its own."""
    with tempfile.TemporaryDirectory() as prefix:
        # A Wine folder of its own, with the ProcessPrng stand-in the
        # program needs under Wine 8 in Wine's system32 (not the
        # installation's folder).
        env = wine_env(prefix)
        drive = os.path.join(prefix, "drive_c")

        def wine(*args):
            return subprocess.run([WINE, *args], capture_output=True, text=True, env=env,
                                  timeout=300)

        installed = wine("msiexec", "/i", msi, "/qn")
        program = os.path.join(drive, "Program Files", "Rehearse", "rehearse.exe")
        check(installed.returncode == 0 and os.path.exists(program),
              f"msiexec /i {os.path.basename(msi)} /qn: the program in Program Files")
        shortcuts = [os.path.join(folder, name) for folder, _, names in os.walk(drive)
                     for name in names if name.lower() == "rehearse.lnk" and "Start Menu" in folder]
        check(bool(shortcuts), "a Start-menu shortcut")
        listed = wine("C:\\Program Files\\Rehearse\\rehearse.exe", "sessions", "list")
        data = [folder for folder, _, _ in os.walk(os.path.join(drive, "users"))
                if os.path.basename(folder) == "Rehearse" and "Roaming" in folder]
        check(listed.returncode == 0 and bool(data),
              f"the installed program runs and keeps its data in {data[0] if data else '(none)'}")
        removed = wine("msiexec", "/x", msi, "/qn")
        check(removed.returncode == 0 and not os.path.exists(os.path.dirname(program)),
              "msiexec /x: the program removed")
        check(not any(os.path.exists(shortcut) for shortcut in shortcuts), "the shortcut removed")
        check(bool(data) and all(os.path.isdir(folder) for folder in data),
              "the data folder kept")


def check_installer_said(msi):
    """check_installer, with anything it raises counted as a failure."""
    try:
        check_installer(msi)
    except Exception as err:  # noqa: BLE001 - said as a failed check
        check(False, f"the installer check stopped: {err!r}")


def main():
    exe = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target", "windows", "rehearse.exe")
    if not os.path.exists(exe):
        sys.exit(f"check_windows: {exe} is missing; run `make windows`")
    # The installer, in a Wine folder (and wineserver) of its own, is
    # checked beside the rest, which mostly waits on real-time audio.
    msis = sorted(glob.glob(os.path.join(os.path.dirname(exe), "Rehearse-*-x86_64.msi")))
    installer = threading.Thread(target=check_installer_said, args=(msis[-1],)) if msis else None
    if installer:
        installer.start()
    else:
        check(False, "the installer is missing; run `make windows`")
    with tempfile.TemporaryDirectory() as tmp:
        program = checked_copy(exe, tmp)
        data = os.path.join(tmp, "data")

        version = under_wine(program, "--version")
        check(version.returncode == 0 and version.stdout.startswith("rehearse "),
              f"--version: {version.stdout.strip() or version.stderr.strip()[-200:]}")

        listed = under_wine(program, "questions", "list", data=data)
        lines = [line for line in listed.stdout.splitlines() if line.strip()]
        check(listed.returncode == 0 and len(lines) >= 30,
              f"questions list: {len(lines)} lines")

        if os.path.exists(MODEL) and os.path.exists(LINUX_BINARY):
            wav = os.path.join(tmp, "answer.wav")
            subprocess.run(["espeak-ng", "-w", wav,
                            "I added an index to the orders table and the report went from forty "
                            "seconds to two."], check=True)
            theirs = subprocess.run([LINUX_BINARY, "transcribe", "--model", MODEL, wav],
                                    capture_output=True, text=True, check=True).stdout.strip()
            shutil.copy(MODEL, os.path.join(tmp, "model.bin"))
            # Without --data-dir, so that the log goes to the platform's
            # place (one left by an earlier run removed first).
            log_pattern = os.path.join(wine_env()["WINEPREFIX"], "drive_c", "users", "*", "AppData", "Local",
                                       "rehearse", "Rehearse", "logs", "rehearse.log")
            for old_log in glob.glob(log_pattern):
                os.remove(old_log)
            ours = under_wine(program, "transcribe", "--model", os.path.join(tmp, "model.bin"), wav,
                              log_level="info")
            check(ours.returncode == 0 and ours.stdout.strip() == theirs,
                  f"transcribe: {ours.stdout.strip()!r} (Linux: {theirs!r})"
                  + ("" if ours.returncode == 0 else f" {ours.stderr.strip()[-300:]}"))
            logs = glob.glob(log_pattern)
            logged = logs and "speech model loaded" in open(logs[0], encoding="utf-8").read()
            check(bool(logged), "the log in %LOCALAPPDATA%\\rehearse\\Rehearse\\logs: "
                  + (logs[0] if logs else "not there"))
        else:
            check(False, "transcribe: the speech test model or the Linux build is missing")

        check_audio(program, tmp)
        check_window(program, tmp)

    if installer:
        installer.join()
    if failures:
        sys.exit(f"check_windows: {len(failures)} check(s) failed")
    print("windows: all checks passed")


if __name__ == "__main__":
    main()
