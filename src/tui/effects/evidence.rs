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
    match crate::paths::create_private_dir(&wanted, true) {
        Ok(()) => Ok((wanted, None)),
        Err(first) => {
            let instead = absolute(&fallback.join(name));
            crate::paths::create_private_dir(&instead, true).map_err(|e| {
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

/// Said in full on screen: a relative path means nothing once the console is gone.
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ChatRequest;
    use crate::history::{Flow, SessionRecord};

    fn recorded_chat(history: &History, uri: &str, journal: Option<&str>) -> SessionRecord {
        let mut record = SessionRecord::created(
            None,
            "12345678",
            uri,
            Flow::Request,
            &ChatRequest::default(),
            None,
        );
        record.journal = journal.map(str::to_string);
        history.created(record.clone()).expect("history");
        record
    }

    #[test]
    fn the_bundle_goes_in_the_directory_asked_when_it_can() {
        let base = tempfile::tempdir().expect("base");
        let data = tempfile::tempdir().expect("data");
        let (dir, moved) = bundle_dir(
            base.path(),
            &data.path().join(FALLBACK_DIR),
            Path::new("chatstart-H1-20251206T120000Z"),
        )
        .expect("made");
        assert_eq!(dir, base.path().join("chatstart-H1-20251206T120000Z"));
        assert!(dir.is_dir() && dir.is_absolute());
        assert_eq!(moved, None);
        assert!(!data.path().join(FALLBACK_DIR).exists());
    }

    #[test]
    fn a_directory_that_cannot_take_it_sends_it_to_the_data_directory_and_says_so() {
        let data = tempfile::tempdir().expect("data");
        // A file where the directory should be: refused whoever runs the test (root too).
        let base = data.path().join("not-a-directory");
        std::fs::write(&base, "x").expect("file");
        let (dir, moved) = bundle_dir(
            &base,
            &data.path().join(FALLBACK_DIR),
            Path::new("chatstart-H1-20251206T120000Z"),
        )
        .expect("made");
        assert_eq!(
            dir,
            data.path()
                .join(FALLBACK_DIR)
                .join("chatstart-H1-20251206T120000Z")
        );
        assert!(dir.is_dir());
        let moved = moved.expect("a note");
        assert!(
            moved.contains(&base.display().to_string()) && moved.contains("not writable"),
            "{moved}"
        );
    }

    #[test]
    fn the_session_on_screen_is_found_by_its_journal_before_its_uri() {
        let data = tempfile::tempdir().expect("data");
        let history = History::at(data.path().join(crate::history::FILE_NAME));
        recorded_chat(&history, "https://x/chat/A", Some("j-a"));
        recorded_chat(&history, "https://x/chat/B", Some("j-b"));
        let found = recorded(
            &history,
            EvidenceOf::Session {
                uri: "https://x/chat/A".into(),
                journal: Some("j-b".into()),
            },
        )
        .expect("found");
        assert_eq!(found.session.uri, "https://x/chat/B");
        let by_uri = recorded(
            &history,
            EvidenceOf::Session {
                uri: "https://x/chat/A".into(),
                journal: None,
            },
        )
        .expect("found");
        assert_eq!(by_uri.session.journal.as_deref(), Some("j-a"));
        let missing = recorded(
            &history,
            EvidenceOf::Session {
                uri: "https://x/chat/C".into(),
                journal: None,
            },
        )
        .expect_err("not recorded");
        assert!(missing.contains("not in the history"), "{missing}");
    }

    #[test]
    fn a_history_entry_is_read_again_for_its_newest_state() {
        let data = tempfile::tempdir().expect("data");
        let history = History::at(data.path().join(crate::history::FILE_NAME));
        recorded_chat(&history, "https://x/chat/A", Some("j-a"));
        let listed = history.entries().expect("entries").remove(0);
        history
            .state("https://x/chat/A", "ended", Some("Natalie"))
            .expect("state");
        let found = recorded(&history, EvidenceOf::Entry(Box::new(listed))).expect("found");
        assert_eq!(found.session.state, "ended");
        assert_eq!(found.agent.as_deref(), Some("Natalie"));
    }
}
