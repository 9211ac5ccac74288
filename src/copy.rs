//! Putting text on the user's clipboard: OSC 52 (works over SSH), tmux's paste buffer when inside
//! tmux, and a file in the data directory for terminals that ignore OSC 52; a recorder for tests.
//!
//! Knows nothing of the console's state; must not import `crate::tui`.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

/// Environment variable that overrides the data directory (tests keep it hermetic).
pub const DATA_DIR_ENV: &str = crate::paths::DATA_DIR_ENV;

/// The file the last copied session URI is written to, inside the data directory.
pub const URI_FILE: &str = "last-session-uri.txt";

/// Where chatstart keeps its files (see [`crate::paths::data_dir`]).
pub fn data_dir() -> Option<PathBuf> {
    crate::paths::data_dir()
}

/// Writes `text` to `name` in the data directory, creating it; the path written. Atomic
/// (temporary file + rename): a reader never sees half a URI.
pub fn write_data_file(name: &str, text: &str) -> std::io::Result<PathBuf> {
    let dir = data_dir().ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "no data directory (no $HOME?)",
        )
    })?;
    let path = dir.join(name);
    crate::paths::write_atomically(&path, format!("{text}\n").as_bytes())?;
    Ok(path)
}

/// What a copy reached.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopyReport {
    /// The ways the text was handed on, for the message on screen (`OSC 52`, `tmux buffer`).
    pub channels: Vec<String>,
}

/// Something that can put text on the clipboard.
pub trait Clipboard: Send + Sync {
    /// Copies `text`; the channels that took it, or why none did.
    fn copy(&self, text: &str) -> Result<CopyReport, String>;
}

/// The real clipboard: an OSC 52 sequence on the terminal, plus `tmux load-buffer -w -` when
/// `$TMUX` is set, so copying works whatever tmux's `set-clipboard` option says.
#[derive(Debug, Default, Clone, Copy)]
pub struct Osc52Clipboard;

impl Clipboard for Osc52Clipboard {
    fn copy(&self, text: &str) -> Result<CopyReport, String> {
        let mut report = CopyReport::default();
        let mut problems = Vec::new();
        let mut out = std::io::stdout();
        match crossterm::execute!(
            out,
            crossterm::clipboard::CopyToClipboard::to_clipboard_from(text)
        ) {
            Ok(()) => report.channels.push("OSC 52".into()),
            Err(error) => problems.push(format!("OSC 52: {error}")),
        }
        if std::env::var_os("TMUX").is_some() {
            match tmux_load_buffer(text) {
                Ok(()) => report.channels.push("tmux buffer".into()),
                Err(error) => problems.push(format!("tmux: {error}")),
            }
        }
        if report.channels.is_empty() {
            Err(problems.join("; "))
        } else {
            Ok(report)
        }
    }
}

fn tmux_load_buffer(text: &str) -> Result<(), String> {
    let mut child = Command::new("tmux")
        .args(["load-buffer", "-w", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(text.as_bytes())
            .map_err(|e| e.to_string())?;
    }
    let output = child.wait_with_output().map_err(|e| e.to_string())?;
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_string())
    }
}

/// A clipboard that remembers what it was given: for tests.
#[derive(Debug, Default, Clone)]
pub struct RecordingClipboard {
    copied: Arc<Mutex<Vec<String>>>,
}

impl RecordingClipboard {
    /// Everything copied so far, oldest first.
    pub fn copied(&self) -> Vec<String> {
        self.copied
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl Clipboard for RecordingClipboard {
    fn copy(&self, text: &str) -> Result<CopyReport, String> {
        self.copied
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(text.to_string());
        Ok(CopyReport {
            channels: vec!["recorder".into()],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorder_keeps_every_copy_in_order() {
        let clipboard = RecordingClipboard::default();
        clipboard.copy("one").unwrap();
        clipboard.copy("two").unwrap();
        assert_eq!(clipboard.copied(), ["one", "two"]);
    }
}
