#!/usr/bin/env python3
"""End to end, as a user at a real window: the release binary under Xvfb,
a private PulseAudio server whose null sink is the microphone, and a whole
answer given from the keyboard with xdotool while speech plays into the
microphone. Each screen reached is captured as a PNG under
target/e2e-screenshots/ (kept as test artifacts).

Run by `make test` after the release build: tests/e2e_window.py BINARY.
`make screenshots` adds --update-packaging-screenshots, which copies three
of them to packaging/linux/screenshots/ (the AppStream screenshots).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import wave
import struct
import math

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHOTS = os.path.join(ROOT, "target", "e2e-screenshots")


def fail(message):
    sys.exit(f"e2e: FAILED: {message}")


def wait_for(what, predicate, timeout=30.0, alive=None):
    """Polls predicate until it is true; fails after timeout seconds, or at
    once when the process `alive` has ended."""
    started = time.monotonic()
    while time.monotonic() < started + timeout:
        result = predicate()
        if result:
            return result
        if alive is not None and alive.poll() is not None:
            fail(f"the app exited (status {alive.returncode}) while waiting for {what}")
        time.sleep(0.1)
    fail(f"gave up waiting for {what} after {timeout:.0f} s")


class Rig:
    """Xvfb, PulseAudio and the app, all private to this run."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.processes = []
        self.app = None
        self.app_log = None

    def start(self, binary):
        tmp = self.tmp
        runtime = os.path.join(tmp, "runtime")
        os.makedirs(runtime, mode=0o700)
        self.data = os.path.join(tmp, "data")
        os.makedirs(self.data)
        self.env = dict(os.environ, XDG_RUNTIME_DIR=runtime, REHEARSE_DATA_DIR=self.data)
        self.env.pop("WAYLAND_DISPLAY", None)
        # The microphone.
        self.spawn(["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1",
                    "--use-pid-file=no", "-L", "module-native-protocol-unix auth-anonymous=1",
                    "-L", "module-null-sink sink_name=vsink rate=48000 channels=2"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for("pulseaudio", lambda: self.run(["pactl", "info"], check=False).returncode == 0)
        self.run(["pactl", "set-default-sink", "vsink"])
        self.run(["pactl", "set-default-source", "vsink.monitor"])
        # The display. -noreset: Xvfb otherwise resets when its last client
        # leaves (the app closed to be opened again), and a client that
        # connects during the reset is refused.
        read_end, write_end = os.pipe()
        self.spawn(["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1280x800x24", "-noreset",
                    "-nolisten", "tcp"], pass_fds=(write_end,))
        os.close(write_end)
        number = b""
        while not number.endswith(b"\n"):
            chunk = os.read(read_end, 16)
            if not chunk:
                fail("Xvfb did not start")
            number += chunk
        os.close(read_end)
        self.env["DISPLAY"] = ":" + number.decode().strip()
        # The speech test model (make test builds it), so the review shows
        # what was said.
        model = os.path.join(ROOT, "target", "test-model", "ggml-tiny.en.bin")
        if not os.path.exists(model):
            fail(f"{model} is missing: run python3 scripts/make_test_model.py (make test does)")
        os.makedirs(os.path.join(self.data, "models"))
        shutil.copy(model, os.path.join(self.data, "models", "ggml-tiny.en.bin"))
        # Short timings: one question, 3 s to think, no more than 60 s.
        with open(os.path.join(self.data, "settings.json"), "w") as f:
            json.dump({"think": {"seconds": 3}, "answer": {"seconds": 60},
                       "questions_per_session": 1, "order": "as_listed"}, f)
        self.app_log = os.path.join(tmp, "app.log")
        self.launch(binary)

    def launch(self, binary):
        """Starts the app (again) and waits for its window."""
        with open(self.app_log, "ab") as log:
            self.app = self.spawn([binary], stdout=log, stderr=subprocess.STDOUT)
        # A cold software renderer on a busy machine can take a while.
        started = time.monotonic()
        self.window = wait_for("the window", self.find_window, timeout=120.0, alive=self.app)
        print(f"e2e: the window appeared after {time.monotonic() - started:.1f} s")

    def close_app(self):
        """Ends the app as a session logout would (SIGTERM), and waits.
        (xdotool's windowclose destroys the X window under the app, which
        no window manager does.)"""
        self.app.terminate()
        self.app.wait(timeout=20)
        self.processes.remove(self.app)

    def geometry(self):
        """The window's (x, y, width, height) as X reports it."""
        shell = self.run(["xdotool", "getwindowgeometry", "--shell", self.window]).stdout.decode()
        values = dict(line.split("=", 1) for line in shell.split())
        return tuple(int(values[k]) for k in ("X", "Y", "WIDTH", "HEIGHT"))

    def settings(self):
        with open(os.path.join(self.data, "settings.json")) as f:
            return json.load(f)

    def spawn(self, command, **kwargs):
        process = subprocess.Popen(command, env=getattr(self, "env", None), **kwargs)
        self.processes.append(process)
        return process

    def run(self, command, check=True, **kwargs):
        return subprocess.run(command, env=self.env, check=check, capture_output=True, **kwargs)

    def find_window(self):
        found = self.run(["xdotool", "search", "--name", "^Rehearse$"], check=False)
        ids = found.stdout.split()
        return ids[0].decode() if ids else None

    def key(self, *keys):
        self.run(["xdotool", "windowfocus", "--sync", self.window, "key", "--delay", "60", *keys])

    def shot(self, name):
        time.sleep(0.6)  # let the frame after the last event be drawn
        path = os.path.join(SHOTS, f"{name}.png")
        self.run(["import", "-window", self.window, path])
        print(f"e2e: screenshot {path}")

    def sessions(self):
        folder = os.path.join(self.data, "sessions")
        found = []
        for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
            path = os.path.join(folder, name, "session.json")
            try:
                with open(path) as f:
                    found.append(json.load(f))
            except (OSError, ValueError):
                pass
        return found

    def app_output(self):
        if not self.app_log or not os.path.exists(self.app_log):
            return ""
        with open(self.app_log, "rb") as f:
            return f.read().decode(errors="replace")

    def stop(self):
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def rms(path):
    with wave.open(path) as w:
        frames = w.readframes(w.getnframes())
        width = w.getsampwidth()
    if width != 2 or not frames:
        fail(f"{path}: expected 16-bit audio")
    samples = struct.unpack(f"<{len(frames) // 2}h", frames)
    return math.sqrt(sum(s * s for s in samples) / len(samples)) / 32768.0


def remembers_itself(rig, binary):
    """The first window fits a 1366x768 laptop; moved and resized, closed
    and opened again, it comes back where it was, on the screen it showed."""
    x, y, width, height = rig.geometry()
    print(f"e2e: the first window is {width}x{height}")
    if width > 1366 or height > 768 - 80:
        fail(f"the first window ({width}x{height}) does not fit a 1366x768 screen")
    rig.run(["xdotool", "windowsize", "--sync", rig.window, "900", "600"])
    rig.run(["xdotool", "windowmove", "--sync", rig.window, "60", "40"])
    wait_for("the window's place saved", lambda: (rig.settings().get("window") or {}).get("width") == 900,
             timeout=15.0)
    if rig.settings().get("last_screen") != "history":
        fail(f"the last screen is not remembered: {rig.settings().get('last_screen')}")
    rig.close_app()
    rig.launch(binary)
    x, y, width, height = rig.geometry()
    print(f"e2e: opened again at {x},{y} as {width}x{height}")
    if (width, height) != (900, 600):
        fail(f"the window came back as {width}x{height}, not 900x600")
    if abs(x - 60) > 40 or abs(y - 40) > 60:
        fail(f"the window came back at {x},{y}, not near 60,40")
    rig.shot("09-reopened")


def main():
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    binary = os.path.abspath(arguments[0] if arguments else
                             os.path.join(ROOT, "target", "release", "rehearse"))
    shutil.rmtree(SHOTS, ignore_errors=True)
    os.makedirs(SHOTS)
    tmp = tempfile.mkdtemp(prefix="rehearse-e2e-")
    rig = Rig(tmp)
    try:
        rig.start(binary)
        speech = os.path.join(tmp, "speech.wav")
        subprocess.run(["espeak-ng", "-w", speech,
                        "Last year I moved our reports to a read replica and cut the load in half."],
                       check=True)
        rig.shot("01-home")
        rig.key("ctrl+2")
        rig.shot("02-history-empty")
        rig.key("ctrl+3")
        rig.shot("03-settings")
        rig.key("ctrl+1")
        rig.key("Return")  # start the session
        wait_for("the session to start", lambda: rig.sessions())
        rig.shot("04-thinking")
        rig.key("space")  # start answering now
        time.sleep(0.5)
        rig.run(["paplay", speech])
        rig.shot("05-answering")
        rig.key("space")  # stop
        wait_for("the take", lambda: any(s["takes"] for s in rig.sessions()))
        rig.key("4")  # rate it
        wait_for("the rating", lambda: any(
            t.get("rating") == 4 for s in rig.sessions() for t in s["takes"]))
        wait_for("the transcript", lambda: any(
            t.get("transcript") for s in rig.sessions() for t in s["takes"]), timeout=120.0)
        rig.shot("06-reviewing")
        rig.key("n")  # next: the session ends and its review opens
        wait_for("the session to end", lambda: any(s.get("ended_at") for s in rig.sessions()))
        rig.shot("07-session-review")
        rig.key("ctrl+2")
        rig.shot("08-history")

        session = rig.sessions()[0]
        take = session["takes"][0]
        path = os.path.join(rig.data, "sessions", session["id"], take["file"])
        level = rms(path)
        seconds = take["duration_ms"] / 1000
        print(f"e2e: take {take['file']}: {seconds:.2f} s, RMS {level:.4f}, rated {take['rating']}, "
              f"{take['transcript']['words']} words transcribed")
        sidecar = path[:-len(".wav")] + ".transcript.json"
        with open(sidecar) as f:
            said = " ".join(w["text"] for w in json.load(f)["words"]).lower()
        print(f"e2e: said: {said}")
        if "replica" not in said:
            fail(f"the transcript misses what was said: {said}")
        if level < 0.01:
            fail(f"the take holds no speech (RMS {level:.4f})")
        if not 1.0 < seconds < 60:
            fail(f"the take lasts {seconds} s")
        if rig.app.poll() is not None:
            fail("the app exited early")
        remembers_itself(rig, binary)
    except SystemExit:
        print("e2e: what the app printed:\n" + rig.app_output())
        raise
    finally:
        rig.stop()
        output = rig.app_output()
        shutil.rmtree(tmp, ignore_errors=True)
    if "panicked" in output:
        print(output)
        fail("the app panicked")
    if "--update-packaging-screenshots" in sys.argv:
        packaging = os.path.join(ROOT, "packaging", "linux", "screenshots")
        for shot, name in (("01-home", "home"), ("05-answering", "answering"), ("06-reviewing", "reviewing")):
            shutil.copy(os.path.join(SHOTS, f"{shot}.png"), os.path.join(packaging, f"{name}.png"))
        print(f"e2e: copied the screenshots to {packaging}")
    print(f"e2e: ok, screenshots in {SHOTS}")


if __name__ == "__main__":
    main()
