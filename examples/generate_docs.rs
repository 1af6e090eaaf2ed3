//! Writes the man page and the shell completions of `rehearse`, generated
//! from its clap definition, into the folder given (`make deb` packs them):
//! `rehearse.1`, `rehearse.bash`, `_rehearse` (zsh) and `rehearse.fish`.

use std::path::PathBuf;

use clap::CommandFactory;
use clap_complete::Shell;

fn main() -> std::io::Result<()> {
    let out: PathBuf = std::env::args_os()
        .nth(1)
        .map_or_else(|| PathBuf::from("target/docs"), PathBuf::from);
    std::fs::create_dir_all(&out)?;
    let command = rehearse::cli::Cli::command();
    let mut page = Vec::new();
    clap_mangen::Man::new(command.clone()).render(&mut page)?;
    std::fs::write(out.join("rehearse.1"), page)?;
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        clap_complete::generate_to(shell, &mut command.clone(), "rehearse", &out)?;
    }
    println!(
        "docs: wrote the man page and completions to {}",
        out.display()
    );
    Ok(())
}
