//! The `rehearse` program: parses the command line and hands over to
//! [`rehearse::cli`].

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = rehearse::cli::Cli::parse();
    match rehearse::cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("rehearse: {}", rehearse::cli::error_text(&err));
            ExitCode::FAILURE
        }
    }
}
