//! The log of HTTP exchanges, when a file is asked for. The client masks secrets in what it
//! logs; the file is private to the user.

use std::path::Path;

use super::error::InputError;

/// Starts the log to `path` (nothing when `None`).
pub fn start(path: Option<&Path>) -> Result<(), InputError> {
    let Some(path) = path else {
        return Ok(());
    };
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options
        .open(path)
        .map_err(|e| InputError::Other(format!("cannot open log file {}: {e}", path.display())))?;
    let subscriber = tracing_subscriber::fmt()
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    tracing::subscriber::set_global_default(subscriber)
        .map_err(|e| InputError::Other(format!("cannot start the log: {e}")))
}
