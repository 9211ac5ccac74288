//! `s`: a recorded session's evidence bundle, written by [`crate::export`] off the loop's thread
//! (it reads the history and a journal that may hold hours of polls). The bundle goes where the
//! console was started, as `chatstart export` puts it, or into the data directory's `exports/`
//! when that is not writable; the answer says where.

use std::path::{Path, PathBuf};

use tokio::sync::mpsc;

use crate::export::Saved;
use crate::history::{Entry, History};
use crate::tui::msg::{EvidenceOf, Msg, StoreOutcome};
use crate::tui::setup::Store;

/// The data directory's folder for bundles the current directory could not take.
pub const FALLBACK_DIR: &str = "exports";

/// Saves the bundle of `of` in a blocking task; the answer comes back as `EvidenceSaved`.
pub fn save(store: &Store, of: EvidenceOf, messages: &mpsc::UnboundedSender<Msg>) {
    let messages = messages.clone();
    let history = store.history.clone();
    let base = store.evidence_dir.clone();
    tokio::task::spawn_blocking(move || {
        let result = match history {
            Some(history) => save_bundle(&history, base, of),
            None => Err("no data directory on this system, so no history to export from".into()),
        };
        let _ = messages.send(Msg::from(StoreOutcome::EvidenceSaved { result }));
    });
}

/// Finds the session's record, reads its journal and writes the bundle.
pub fn save_bundle(
    history: &History,
    base: Option<PathBuf>,
    of: EvidenceOf,
) -> Result<Saved, String> {
    let entry = recorded(history, of)?;
    let loaded = crate::export::load(history, entry);
    let name = crate::export::default_bundle_dir(&loaded.entry);
    let base = match base {
        Some(base) => base,
        None => std::env::current_dir()
            .map_err(|e| format!("cannot tell the current directory: {e}"))?,
    };
    let fallback = history.directory().join(FALLBACK_DIR);
    let (dir, moved) = bundle_dir(&base, &fallback, &name)?;
    match crate::export::write_bundle(&loaded, &dir) {
        Ok(mut saved) => {
            saved.dir = absolute(&saved.dir);
            for note in loaded.notes.iter().chain(&moved) {
                if !saved.notes.contains(note) {
                    saved.notes.push(note.clone());
                }
            }
            Ok(saved)
        }
        Err(error) => {
            // Made above to find a writable place: not left behind empty.
            let _ = std::fs::remove_dir(&dir);
            Err(format!("{}: {error}", dir.display()))
        }
    }
}

/// The session's history entry, read again so the summary has its newest state: by its journal
/// (unique, and kept by a request whose answer was lost), else by its URI.
fn recorded(history: &History, of: EvidenceOf) -> Result<Entry, String> {
    let (uri, journal, listed) = match of {
        EvidenceOf::Session { uri, journal } => (uri, journal, None),
        EvidenceOf::Entry(entry) => (
            entry.session.uri.clone(),
            entry.session.journal.clone(),
            Some(*entry),
        ),
    };
    let entries = history
        .entries()
        .map_err(|e| format!("cannot read the history {}: {e}", history.path().display()))?;
    let by_journal = journal.as_deref().and_then(|id| {
        entries
            .iter()
            .find(|e| e.session.journal.as_deref() == Some(id))
    });
    let by_uri = || {
        entries
            .iter()
            .find(|e| !uri.is_empty() && e.session.uri == uri)
    };
    by_journal
        .or_else(by_uri)
        .cloned()
        .or(listed)
        .ok_or_else(|| {
            format!("{uri} is not in the history (it could not be written), so there is nothing to export")
        })
}

/// The bundle's directory, made: `name` under `base`, else under `fallback` (with a note saying
/// why). Private to the user, as the journal it comes from.
fn bundle_dir(
    base: &Path,
    fallback: &Path,
    name: &Path,
) -> Result<(PathBuf, Option<String>), String> {
    let wanted = absolute(&base.join(name));
    match create_private_dir(&wanted) {
        Ok(()) => Ok((wanted, None)),
        Err(first) => {
            let instead = absolute(&fallback.join(name));
            create_private_dir(&instead).map_err(|e| {
                format!(
                    "cannot write {} ({first}) nor {} ({e})",
                    wanted.display(),
                    instead.display()
                )
            })?;
            Ok((
                instead,
                Some(format!(
                    "{} is not writable ({first}): saved in the data directory",
                    absolute(base).display()
                )),
            ))
        }
    }
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Said in full on screen: a relative path means nothing once the console is gone.
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}
