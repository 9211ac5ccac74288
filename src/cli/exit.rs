//! The command line's exit codes (the README's table), and the code for each kind of failure.
//! Only the command line knows them: the engines report what kind of failure happened.

use crate::api::ErrorKind;

pub const OK: i32 = 0;
/// `check` only: an expectation failed.
pub const EXPECTATION_FAILED: i32 = 1;
/// Bad usage or invalid input: nothing was sent.
pub const USAGE: i32 = 2;
/// The service refused (a 4xx).
pub const REFUSED: i32 = 3;
/// Network or server failure.
pub const FAILURE: i32 = 4;
/// `--wait` timed out, or the chat ended before the awaited state.
pub const NOT_REACHED: i32 = 5;
/// Interrupted (Ctrl+C, SIGTERM, SIGHUP), after saying what exists.
pub const INTERRUPTED: i32 = 130;

/// The exit code for a kind of failure.
pub fn of(kind: ErrorKind) -> i32 {
    match kind {
        ErrorKind::Invalid => USAGE,
        ErrorKind::Refused => REFUSED,
        ErrorKind::Failed => FAILURE,
        ErrorKind::Interrupted => INTERRUPTED,
    }
}
