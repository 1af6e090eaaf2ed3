//! The console's close, log-off and shut-down events on Windows.
//!
//! Windows ends a console program as soon as its handler of these events
//! returns, and `ctrlc` returns at once, before the program has finished
//! what the event asked it to stop (a take's file, a session's manifest).
//! This handler, called before `ctrlc`'s, runs the same stop and then waits
//! for the program to end by itself (Windows allows about 5 s).

use std::sync::OnceLock;
use std::time::Duration;

use windows_sys::Win32::Foundation::TRUE;
use windows_sys::Win32::System::Console::{
    CTRL_CLOSE_EVENT, CTRL_LOGOFF_EVENT, CTRL_SHUTDOWN_EVENT, SetConsoleCtrlHandler,
};
use windows_sys::core::BOOL;

/// What stops the running command.
type Stop = Box<dyn Fn() + Send + Sync>;

static ON_CLOSE: OnceLock<Stop> = OnceLock::new();

/// Longer than Windows waits: the process ends first, by itself or not.
const WAIT_FOR_THE_END: Duration = Duration::from_secs(20);

/// Runs `stop` when the console closes or the session ends, then keeps the
/// process alive until it ends by itself. Set once per process (as
/// `ctrlc`'s handler is); a failure to register is logged, Ctrl-C still
/// works.
pub(super) fn on_close(stop: impl Fn() + Send + Sync + 'static) {
    if ON_CLOSE.set(Box::new(stop)).is_err() {
        log::error!("the console's close handler was set twice; the first is kept");
        return;
    }
    #[allow(
        unsafe_code,
        reason = "registers a handler that touches only a OnceLock"
    )]
    // SAFETY: `handle` is an `extern "system"` function of the signature
    // the console calls, and lives as long as the program.
    let registered = unsafe { SetConsoleCtrlHandler(Some(handle), TRUE) };
    if registered == 0 {
        log::warn!(
            "cannot follow the console's close event ({}); closing it may cut a take short, which `rehearse recover` repairs",
            std::io::Error::last_os_error()
        );
    }
}

/// The console's handler: for a close, log-off or shut-down, the stop,
/// then the wait; anything else (Ctrl-C, Ctrl-Break) goes on to `ctrlc`.
extern "system" fn handle(event: u32) -> BOOL {
    if !matches!(
        event,
        CTRL_CLOSE_EVENT | CTRL_LOGOFF_EVENT | CTRL_SHUTDOWN_EVENT
    ) {
        return 0;
    }
    if let Some(stop) = ON_CLOSE.get() {
        stop();
    }
    std::thread::sleep(WAIT_FOR_THE_END);
    TRUE
}
