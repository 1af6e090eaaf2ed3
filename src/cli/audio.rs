//! `devices`, `record`, `play` and `recover`: the audio engine from the
//! command line.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::Ordering;

use anyhow::{Context, bail};

use super::{RecordArgs, interrupt_flag, on_interrupt, write_stdout};
use crate::audio::{self, Microphone, Playback, RecorderEvent, TakeEnd, TakeSummary};

/// `devices`.
pub(super) fn list_devices(all: bool) -> anyhow::Result<ExitCode> {
    let devices = audio::list_devices(all)?;
    let describe = |caps: &audio::devices::Capabilities| {
        if let Some(problem) = &caps.problem {
            return format!("not available now: {problem}");
        }
        let rates: Vec<String> = caps.sample_rates.iter().map(u32::to_string).collect();
        let channels = match (caps.channels.first(), caps.channels.last()) {
            (Some(first), Some(last)) if first != last => format!("{first} to {last}"),
            (Some(only), _) => only.to_string(),
            _ => "none".to_owned(),
        };
        format!(
            "rates {} Hz; formats {}; channels {}",
            rates.join(", "),
            caps.sample_formats.join(", "),
            channels
        )
    };
    write_stdout(|out| {
        for (title, inputs) in [("Microphones", true), ("Outputs", false)] {
            writeln!(out, "{title}:")?;
            let mut any = false;
            for device in &devices {
                let caps = if inputs {
                    &device.input
                } else {
                    &device.output
                };
                let Some(caps) = caps else { continue };
                // A device listed with a problem (busy) is shown, but
                // does not count as one that works.
                any |= caps.problem.is_none();
                let mark = if device.is_default { " (default)" } else { "" };
                writeln!(out, "  {}{mark}", device.name)?;
                writeln!(out, "    id: {}", device.id)?;
                writeln!(out, "    {}", describe(caps))?;
            }
            if !any {
                let what = if inputs { "microphone" } else { "output" };
                writeln!(
                    out,
                    "  none: no {what} found that works now; check that one is connected and that the sound server (PulseAudio or PipeWire) is running"
                )?;
            }
        }
        Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The longest take `record --seconds` accepts: a day.
const MAX_RECORD_SECONDS: f64 = 24.0 * 60.0 * 60.0;

/// How long a microphone may take to deliver its first audio.
pub(super) const DEVICE_START_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// `record`: records one take and reports on it.
pub(super) fn record(args: &RecordArgs) -> anyhow::Result<ExitCode> {
    if args.out.exists() {
        bail!(
            "{} already exists; choose another file name",
            args.out.display()
        );
    }
    let limit = match args.seconds {
        Some(seconds) if seconds > 0.0 && seconds <= MAX_RECORD_SECONDS => {
            Some(std::time::Duration::from_secs_f64(seconds))
        }
        Some(seconds) => bail!(
            "--seconds must be more than 0 and at most {MAX_RECORD_SECONDS} (a day), not {seconds}"
        ),
        None => None,
    };
    let input = audio::find_input(args.device.as_deref())?;
    if let Some(warning) = &input.fallback_warning {
        eprintln!("warning: {warning}");
    }
    let microphone = Microphone::open(input, args.format, args.rate)?;
    let info = microphone.info();
    eprintln!(
        "Microphone: {} ({}), {} Hz, {} channel(s) of {}, buffer {:?}",
        info.name, info.id, info.sample_rate, info.channels, info.device_format, info.buffer
    );
    // Arm first, as the app does while the question is read: the take then
    // starts on audio that is already flowing.
    let device_start = microphone
        .wait_for_audio(DEVICE_START_TIMEOUT)
        .with_context(|| {
            format!(
                "\"{}\" delivered no audio within {} s; check it with `rehearse devices`",
                info.name,
                DEVICE_START_TIMEOUT.as_secs()
            )
        })?;

    // Ctrl-C stops the take itself; this thread only waits for reports.
    let stopper = microphone.take_stopper();
    on_interrupt(move || stopper.stop())?;

    microphone.start_take(args.out.clone(), limit);
    let asked_for = args.out.clone();
    loop {
        match microphone.events().recv() {
            Ok(RecorderEvent::TakeStarted {
                path,
                first_sample_delay,
            }) => {
                let until = match limit {
                    Some(limit) => format!("for {:.3} s", limit.as_secs_f64()),
                    None => "until Ctrl-C".to_owned(),
                };
                eprintln!(
                    "Recording to {} {until} (first audio after {} ms)",
                    path.display(),
                    first_sample_delay.as_millis()
                );
            }
            Ok(RecorderEvent::TakeFinished(summary)) => {
                return report_take(&summary, &asked_for, device_start);
            }
            Ok(RecorderEvent::TakeFailed { error, .. }) => bail!(error),
            Ok(RecorderEvent::StreamFailed(why)) => bail!("the microphone failed: {why}"),
            Err(std::sync::mpsc::RecvError) => bail!("the recorder stopped unexpectedly"),
        }
    }
}

/// Prints what `record` wrote, warns about what is wrong with it, and
/// gives the exit code: failure when the take ended early.
fn report_take(
    summary: &TakeSummary,
    asked_for: &Path,
    device_start: std::time::Duration,
) -> anyhow::Result<ExitCode> {
    if summary.path != asked_for {
        eprintln!(
            "warning: {} appeared while recording and was left alone; the take is in {}",
            asked_for.display(),
            summary.path.display()
        );
    }
    write_stdout(|out| {
        writeln!(out, "file: {}", summary.path.display())?;
        writeln!(out, "seconds: {:.3}", summary.duration().as_secs_f64())?;
        writeln!(out, "frames: {}", summary.frames)?;
        writeln!(out, "sample_rate: {}", summary.sample_rate)?;
        writeln!(out, "format: {}", summary.format.as_str())?;
        writeln!(out, "ended: {}", summary.ended)?;
        writeln!(out, "peak_dbfs: {:.1}", summary.loudest.peak_dbfs)?;
        writeln!(out, "loudest_rms_dbfs: {:.1}", summary.loudest.rms_dbfs)?;
        writeln!(out, "dropped_frames: {}", summary.dropped_frames)?;
        if let Some(delay) = summary.first_sample_delay {
            writeln!(out, "first_sample_ms: {:.1}", delay.as_secs_f64() * 1000.0)?;
        }
        writeln!(
            out,
            "device_start_ms: {:.1}",
            device_start.as_secs_f64() * 1000.0
        )?;
        Ok(())
    })?;
    if let Some(warning) = summary.silence_warning() {
        eprintln!("warning: {warning}");
    }
    if summary.dropped_frames > 0 {
        eprintln!(
            "warning: {} samples were lost because writing fell behind",
            summary.dropped_frames
        );
    }
    Ok(match summary.ended {
        TakeEnd::Stopped | TakeEnd::LimitReached => ExitCode::SUCCESS,
        TakeEnd::DeviceLost(_) | TakeEnd::WriteFailed(_) | TakeEnd::Closed => {
            eprintln!(
                "rehearse: {}; the {:.1} s recorded so far are saved in {}",
                summary.ended,
                summary.duration().as_secs_f64(),
                summary.path.display()
            );
            ExitCode::FAILURE
        }
    })
}

/// `play`: plays a file to its end, or until Ctrl-C.
pub(super) fn play(file: &Path, from: f64) -> anyhow::Result<ExitCode> {
    if !(from >= 0.0 && from.is_finite()) {
        bail!("--from must be a number of seconds from 0, not {from}");
    }
    let length = audio::playback::wav_duration(file)
        .with_context(|| format!("cannot play {}", file.display()))?
        .as_secs_f64();
    if from > length {
        bail!(
            "--from {from} is past the end of {} ({length:.1} s long)",
            file.display()
        );
    }
    let playback = Playback::open(file)?;
    if from > 0.0 {
        playback.seek(std::time::Duration::from_secs_f64(from))?;
    }
    let interrupted = interrupt_flag()?;
    eprintln!(
        "Playing {} ({:.1} s)",
        file.display(),
        playback.duration().as_secs_f64()
    );
    playback.play();
    while !playback.is_finished() && !interrupted.load(Ordering::SeqCst) {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    Ok(ExitCode::SUCCESS)
}

/// `recover DIR`. Inside the data folder it first takes the folder's lock,
/// as every command that writes there does; a take another process is still
/// recording (its file is locked) is left alone wherever it is.
pub(super) fn recover(data_dir: crate::paths::DataDir, dir: &Path) -> anyhow::Result<ExitCode> {
    let inside_data = match (
        std::fs::canonicalize(dir),
        std::fs::canonicalize(data_dir.root()),
    ) {
        (Ok(dir), Ok(root)) => dir.starts_with(&root) || root.starts_with(&dir),
        _ => false,
    };
    // Held until the end of the command.
    let _store = if inside_data {
        let store = super::open_store(data_dir)?;
        if let Some(reason) = store.read_only_reason() {
            bail!("{reason}; it recovers its own takes, or run `recover` when it has closed");
        }
        Some(store)
    } else {
        None
    };
    let outcomes =
        audio::recover_dir(dir).with_context(|| format!("cannot search {}", dir.display()))?;
    if outcomes.is_empty() {
        println!("nothing to recover in {}", dir.display());
        return Ok(ExitCode::SUCCESS);
    }
    let mut failed = false;
    for outcome in outcomes {
        match outcome {
            audio::Recovery::Recovered { path, wav } => println!(
                "recovered {}: {:.3} s at {} Hz",
                path.display(),
                wav.duration().as_secs_f64(),
                wav.sample_rate
            ),
            audio::Recovery::Failed(err) => {
                failed = true;
                eprintln!("could not recover {err}");
            }
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
