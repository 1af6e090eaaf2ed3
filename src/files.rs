//! Reading the user's text files (question packs, manifests, settings) the
//! same careful way everywhere: only regular files (a FIFO or a device would
//! hang or stream forever), a byte-order mark accepted, and text that is not
//! UTF-8 reported with the line and column of the first bad byte.

use std::fmt;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// Why a text file cannot be read.
#[derive(Debug)]
pub enum TextFileError {
    /// Opening or reading failed.
    Io(io::Error),
    /// Not a regular file: a folder, a FIFO, a device, a socket.
    NotRegular(&'static str),
    /// The bytes are not UTF-8.
    NotUtf8 {
        /// 1-based line of the first bad byte.
        line: usize,
        /// 1-based column (in bytes) of the first bad byte.
        column: usize,
    },
}

impl fmt::Display for TextFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(err) => write!(f, "{err}"),
            Self::NotRegular(kind) => write!(f, "not a regular file but {kind}"),
            Self::NotUtf8 { .. } => f.write_str("not UTF-8 text"),
        }
    }
}

impl std::error::Error for TextFileError {}

/// What kind of thing `metadata` describes, for messages.
fn kind_of(metadata: &std::fs::Metadata) -> &'static str {
    let kind = metadata.file_type();
    if kind.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a named pipe";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_block_device() || kind.is_char_device() {
            return "a device";
        }
    }
    "not a file"
}

/// A path as a person types it: surrounding spaces dropped, a leading
/// `~` read as the home folder (`None` when nothing was typed).
pub fn typed_path(text: &str) -> Option<PathBuf> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let home = || directories::BaseDirs::new().map(|dirs| dirs.home_dir().to_path_buf());
    if text == "~" {
        return home().or_else(|| Some(PathBuf::from(text)));
    }
    if let Some(rest) = text.strip_prefix("~/")
        && let Some(home) = home()
    {
        return Some(home.join(rest));
    }
    Some(PathBuf::from(text))
}

/// Checks that `path` (following links) is a regular file.
pub fn ensure_regular(path: &Path) -> Result<(), TextFileError> {
    let metadata = std::fs::metadata(path).map_err(TextFileError::Io)?;
    if metadata.is_file() {
        Ok(())
    } else {
        Err(TextFileError::NotRegular(kind_of(&metadata)))
    }
}

/// `:LINE:COLUMN` for a message about a text file, or nothing for a
/// problem of the whole file (line 0).
pub fn place(line: usize, column: usize) -> String {
    if line == 0 {
        String::new()
    } else {
        format!(":{line}:{column}")
    }
}

/// Reads `path` as UTF-8 text, without a leading byte-order mark.
pub fn read_text(path: &Path) -> Result<String, TextFileError> {
    ensure_regular(path)?;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|mut file| file.read_to_end(&mut bytes))
        .map_err(TextFileError::Io)?;
    text_from_bytes(bytes)
}

/// `bytes` as text, without a leading byte-order mark.
pub fn text_from_bytes(mut bytes: Vec<u8>) -> Result<String, TextFileError> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|err| {
        let bytes = err.as_bytes();
        let good = &bytes[..err.utf8_error().valid_up_to()];
        let line = 1 + good.iter().filter(|&&b| b == b'\n').count();
        let line_start = good.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        TextFileError::NotUtf8 {
            line,
            column: good.len() - line_start + 1,
        }
    })
}

/// Whether process `pid` is running. Where that cannot be known (not Linux
/// or Windows, or Windows refuses to say), every process counts as running,
/// so nothing of a live process is ever taken for a leftover.
pub fn process_is_alive(pid: u32) -> bool {
    #[cfg(windows)]
    return windows_process_is_alive(pid);
    #[cfg(not(windows))]
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true
    }
}

/// [`process_is_alive`] on Windows: a process that can be opened and has
/// no exit code yet. One that cannot be opened for lack of rights exists.
#[cfg(windows)]
#[allow(unsafe_code, reason = "three Win32 calls on a handle closed here")]
fn windows_process_is_alive(pid: u32) -> bool {
    use windows_sys::Win32::Foundation::{
        CloseHandle, ERROR_INVALID_PARAMETER, GetLastError, STILL_ACTIVE,
    };
    use windows_sys::Win32::System::Threading::{
        GetExitCodeProcess, OpenProcess, PROCESS_QUERY_LIMITED_INFORMATION,
    };
    // SAFETY: OpenProcess takes no pointers; the handle it gives is only
    // used by GetExitCodeProcess (with a valid out pointer) and then closed
    // once.
    unsafe {
        let process = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid);
        if process.is_null() {
            // No such process is the only answer that means "ended".
            return GetLastError() != ERROR_INVALID_PARAMETER;
        }
        let mut code = 0u32;
        let asked = GetExitCodeProcess(process, &raw mut code);
        CloseHandle(process);
        asked == 0 || code == STILL_ACTIVE.cast_unsigned()
    }
}

/// `text` made safe as one file-name component on every platform: ASCII
/// letters, digits, `-` and `_` kept, everything else (separators, dots,
/// control characters, spaces) turned into `-`, runs collapsed, at most
/// `max` bytes, never empty, never ending in a dot or a space, and never a
/// name Windows keeps for a device (`CON`, `NUL`, `COM1`…), which gets a
/// `_` after it.
pub fn sanitize_component(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max));
    for c in text.chars() {
        let keep = c.is_ascii_alphanumeric() || c == '_' || c == '-';
        let c = if keep { c } else { '-' };
        if c == '-' && out.ends_with('-') {
            continue;
        }
        if out.len() == max {
            break;
        }
        out.push(c);
    }
    let trimmed = out.trim_matches('-');
    if trimmed.is_empty() {
        "untitled".to_owned()
    } else if is_windows_device_name(trimmed) {
        format!("{trimmed}_")
    } else {
        trimmed.to_owned()
    }
}

/// Whether the file name `name` is one Windows keeps for a device in every
/// folder, whatever its extension: `nul.wav` or `COM1.json` cannot be made.
pub fn is_windows_device_name(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name).trim_end_matches(' ');
    let upper = stem.to_ascii_uppercase();
    matches!(upper.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || (upper.len() == 4
            && (upper.starts_with("COM") || upper.starts_with("LPT"))
            && upper.ends_with(|c: char| c.is_ascii_digit()))
}

/// `text` with every control character but newline and tab, and every
/// bidirectional formatting character, shown as an escape (`\u{1b}`,
/// `\u{202e}`), so that printing it cannot move the cursor, change colours,
/// retitle the terminal or show text in another order than it is.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let is_unsafe = |c: char| (c.is_control() && c != '\n' && c != '\t') || is_bidi_control(c);
    if !text.contains(is_unsafe) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Whether `c` changes the direction text is shown in (the Unicode
/// bidirectional formatting characters).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_windows_keeps_for_devices_get_an_underscore() {
        for (id, name) in [
            ("con", "con_"),
            ("NUL", "NUL_"),
            ("Com1", "Com1_"),
            ("lpt9", "lpt9_"),
            ("aux.", "aux_"),
            (" prn ", "prn_"),
            ("console", "console"),
            ("com10", "com10"),
            ("null", "null"),
        ] {
            assert_eq!(sanitize_component(id, 80), name, "{id:?}");
        }
    }

    #[test]
    fn a_bom_is_dropped_and_bad_utf8_is_placed() {
        assert_eq!(text_from_bytes(b"\xEF\xBB\xBF{}".to_vec()).unwrap(), "{}");
        match text_from_bytes(b"{\n  \"a\": \"\xFF\"\n}".to_vec()) {
            Err(TextFileError::NotUtf8 { line, column }) => assert_eq!((line, column), (2, 9)),
            other => panic!("{other:?}"),
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_folder_or_a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            read_text(dir.path()),
            Err(TextFileError::NotRegular("a folder"))
        ));
        let fifo = dir.path().join("pipe.json");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            assert!(matches!(
                read_text(&fifo),
                Err(TextFileError::NotRegular("a named pipe"))
            ));
        }
    }
}
