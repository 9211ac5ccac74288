//! Evidence for a ticket: one recorded session, from its history record and its journal, as a
//! HAR 1.2 file, a Markdown transcript, and a bundle of both with a summary of its ids and its
//! timeline. Every secret was masked before the journal was written; nothing here unmasks.

use std::path::{Path, PathBuf};

use crate::history::{Entry, History};
use crate::journal::Reading;

/// Which recorded session to export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Which {
    /// Its session URI.
    Uri(String),
    /// The chat id (the last segment of its URI).
    ChatId(String),
    /// The newest session of the history.
    Last,
}

/// A session ready to be written out: its history entry and what its journal holds.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub entry: Entry,
    /// `None` when no exchange was kept (a session from before journals, `--no-journal`, or a
    /// journal pruned since), with why in `notes`.
    pub journal: Option<Reading>,
    /// What the reader should know: lines skipped, exchanges not kept.
    pub notes: Vec<String>,
}

/// Finds the session in the history.
pub fn find(history: &History, which: &Which) -> Result<Entry, String> {
    let _ = (history, which);
    Err("export is not built yet".into())
}

/// Reads the session's journal, tolerating damage (said in `notes`).
pub fn load(history: &History, entry: Entry) -> Loaded {
    let _ = history;
    Loaded {
        entry,
        journal: None,
        notes: Vec::new(),
    }
}

/// What a bundle holds once written.
#[derive(Debug, Clone)]
pub struct Saved {
    pub dir: PathBuf,
    pub files: Vec<PathBuf>,
    pub notes: Vec<String>,
}

/// Writes the HAR file, the transcript and the summary into `dir` (made if missing).
pub fn write_bundle(loaded: &Loaded, dir: &Path) -> std::io::Result<Saved> {
    let _ = (loaded, dir);
    Err(std::io::Error::other("export is not built yet"))
}

/// Where a bundle goes when no directory is named: `chatstart-<chat id>-<UTC time>` in the
/// current directory.
pub fn default_bundle_dir(entry: &Entry) -> PathBuf {
    let chat = entry
        .session
        .uri
        .rsplit('/')
        .next()
        .filter(|id| !id.is_empty())
        .unwrap_or("session");
    let time: String = crate::history::now()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    PathBuf::from(format!("chatstart-{chat}-{time}"))
}
