//! The `rehearse` program: parses the command line and hands over to
//! [`rehearse::cli`].

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    quiet_ggml_backtraces();
    let cli = rehearse::cli::Cli::parse();
    match rehearse::cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("rehearse: {}", rehearse::cli::error_text(&err));
            ExitCode::FAILURE
        }
    }
}

/// ggml answers a failed assertion by forking `gdb` onto the process and
/// printing a backtrace to standard output, into whatever a script reads
/// there. Rehearse checks models before using them, and its log says what
/// failed; the backtrace is turned off (`GGML_NO_BACKTRACE`).
#[allow(
    unsafe_code,
    reason = "setting the environment is sound before any other thread exists"
)]
fn quiet_ggml_backtraces() {
    // SAFETY: the first thing `main` does, while this is the only thread,
    // so nothing reads the environment at the same time.
    unsafe { std::env::set_var("GGML_NO_BACKTRACE", "1") };
}
