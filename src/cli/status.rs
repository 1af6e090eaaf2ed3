//! The terminal's status line: one line that is rewritten in place (a
//! countdown, a progress figure) when stderr is a terminal, and printed as
//! plain lines, fewer of them, when it is a file or a pipe. Whatever the
//! terminal prints next goes through `say!` (in `cli`), which first ends
//! the open line so the two never share a row.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether the status line is on the screen with the cursor at its end.
static OPEN: AtomicBool = AtomicBool::new(false);

/// Whether stderr is a terminal, where the line can be rewritten.
pub fn updates_in_place() -> bool {
    std::io::stderr().is_terminal()
}

/// Shows `text` as the status line: over the last one on a terminal,
/// else as a line of its own.
pub fn show(text: &str) {
    if updates_in_place() {
        eprint!("\r{text}\u{1b}[K");
        OPEN.store(true, Ordering::Relaxed);
        // Nothing to say if even stderr fails.
        std::io::stderr().flush().ok();
    } else {
        eprintln!("{text}");
    }
}

/// Keeps the status line as it is and moves below it.
pub fn end() {
    if OPEN.swap(false, Ordering::Relaxed) {
        eprintln!();
    }
}

/// Removes the status line.
pub fn clear() {
    if OPEN.swap(false, Ordering::Relaxed) {
        eprint!("\r\u{1b}[K");
    }
}

/// The user pressed Enter: the terminal's echo already moved below the
/// line.
pub fn ended_by_user() {
    OPEN.store(false, Ordering::Relaxed);
}
