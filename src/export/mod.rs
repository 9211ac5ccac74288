//! Evidence for a ticket: one recorded session, from its history record and its journal, as a
//! HAR 1.2 file, a Markdown transcript, and a bundle of both with a summary of its ids and its
//! timeline. Every secret was masked before the journal was written; nothing here unmasks.
//!
//! This module finds the session, reads its journal and writes the files; `har`, `transcript`
//! and `summary` each turn it into one text, `story` reads the journal once for the last two.

mod clock;
pub mod har;
pub mod story;
pub mod summary;
pub mod transcript;

use std::path::{Path, PathBuf};

use crate::history::{Entry, History, SessionRecord};
use crate::journal::Reading;

pub use story::Story;

/// The files of a bundle.
pub const HAR_FILE: &str = "session.har";
pub const TRANSCRIPT_FILE: &str = "transcript.md";
pub const SUMMARY_FILE: &str = "summary.md";
const BUNDLE_FILES: [&str; 3] = [HAR_FILE, TRANSCRIPT_FILE, SUMMARY_FILE];

/// Said of a session whose record names no journal: nothing of its exchanges was ever kept.
pub const NOT_KEPT: &str = "exchanges were not kept for this session: it was made before session \
     journals, or with --no-journal / journal = false";

/// Said of a session whose record names a journal no longer there: it was kept, then removed.
pub fn journal_gone(journal: &Path) -> String {
    format!(
        "its journal {} is gone (pruned by retention, or deleted): exchanges were not kept",
        journal.display()
    )
}

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

impl Which {
    /// What a user typed: a URI when it has a scheme, else a chat id.
    pub fn parse(text: &str) -> Self {
        let text = text.trim();
        if text.contains("://") {
            Self::Uri(text.to_string())
        } else {
            Self::ChatId(text.to_string())
        }
    }
}

impl std::fmt::Display for Which {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Uri(uri) => write!(f, "the URI {}", crate::api::links::redact_text_url(uri)),
            Self::ChatId(id) => write!(f, "the chat id {id}"),
            Self::Last => f.write_str("the newest session"),
        }
    }
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

impl Loaded {
    /// What the journal tells of the chat (`None` when no exchange was kept).
    pub fn story(&self) -> Option<Story> {
        self.journal
            .as_ref()
            .map(|reading| Story::read(&reading.entries, &self.entry.session))
    }

    /// The lines of the journal that could not be read, skipped.
    pub fn skipped(&self) -> usize {
        self.journal
            .as_ref()
            .map_or(0, |reading| reading.skipped.len())
    }

    /// The HAR 1.2 document, as pretty JSON.
    pub fn har(&self) -> String {
        let entries = self
            .journal
            .as_ref()
            .map(|reading| reading.entries.as_slice())
            .unwrap_or_default();
        let comment = (!self.notes.is_empty()).then(|| self.notes.join("; "));
        let document = har::document(entries, comment.as_deref());
        let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
        text.push('\n');
        text
    }

    /// The Markdown transcript.
    pub fn transcript(&self) -> String {
        self.rendered(transcript::render)
    }

    /// The bundle's summary (Markdown).
    pub fn summary(&self) -> String {
        self.rendered(summary::render)
    }

    fn rendered(&self, render: fn(&Loaded, Option<&Story>) -> String) -> String {
        let story = self.story();
        let mut loaded = std::borrow::Cow::Borrowed(self);
        if let Some(unreadable) = story
            .as_ref()
            .map(|s| &s.unreadable)
            .filter(|u| !u.is_empty())
        {
            loaded.to_mut().notes.extend(unreadable.iter().cloned());
        }
        render(&loaded, story.as_ref())
    }
}

/// The chat id: the last segment of the session URI.
pub fn chat_id(record: &SessionRecord) -> Option<&str> {
    record
        .uri
        .split(['?', '#'])
        .next()?
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .filter(|id| !id.is_empty() && record.uri.contains("://"))
}

/// A URI as compared: no appKey in its query, no trailing slash.
fn comparable(uri: &str) -> String {
    let uri = uri.trim();
    match url::Url::parse(uri) {
        Ok(url) => {
            let url = crate::api::links::without_app_key(url);
            url.as_str().trim_end_matches('/').to_string()
        }
        Err(_) => uri.trim_end_matches('/').to_string(),
    }
}

/// Finds the session in the history. `Last` is the newest of the sessions and of the chat
/// requests that made none (refused, or never answered): those are evidence too.
pub fn find(history: &History, which: &Which) -> Result<Entry, String> {
    let listing = history
        .read()
        .map_err(|e| format!("cannot read the history {}: {e}", history.path().display()))?;
    let entries = listing.entries;
    let found = match which {
        Which::Last => listing.newest,
        Which::Uri(uri) => {
            let wanted = comparable(uri);
            let exact = entries.iter().position(|e| e.session.uri == uri.trim());
            let index = exact.or_else(|| {
                entries
                    .iter()
                    .position(|e| !e.session.uri.is_empty() && comparable(&e.session.uri) == wanted)
            });
            index.map(|i| entries.into_iter().nth(i)).and_then(|e| e)
        }
        Which::ChatId(id) => {
            let id = id.trim().trim_matches('/');
            let mut matching: Vec<Entry> = entries
                .into_iter()
                .filter(|e| !id.is_empty() && chat_id(&e.session) == Some(id))
                .collect();
            // A chat id is unique on one host only: two services (or two accounts) can give the
            // same one, and picking either would export the wrong chat without a word.
            let mut uris: Vec<&str> = matching.iter().map(|e| e.session.uri.as_str()).collect();
            uris.sort_unstable();
            uris.dedup();
            if uris.len() > 1 {
                let listed: Vec<String> = uris
                    .iter()
                    .map(|uri| format!("  {}", crate::api::links::redact_text_url(uri)))
                    .collect();
                return Err(format!(
                    "{} sessions in the history have {which}; give the URI of the one to export \
                     instead:\n{}",
                    uris.len(),
                    listed.join("\n")
                ));
            }
            (!matching.is_empty()).then(|| matching.swap_remove(0))
        }
    };
    found.ok_or_else(|| match which {
        Which::Last => format!(
            "the history {} holds no session yet: `chatstart request` makes one",
            history.path().display()
        ),
        other => format!(
            "no session in the history matches {other}: `chatstart history` lists the sessions \
             recorded, with their URIs"
        ),
    })
}

/// Reads the session's journal, tolerating damage (said in `notes`).
pub fn load(history: &History, entry: Entry) -> Loaded {
    let mut notes = Vec::new();
    let journal = match history.journal_of(&entry.session) {
        None if entry.session.journal.is_none() => {
            notes.push(NOT_KEPT.to_string());
            None
        }
        None => {
            // Named, but no journal of that name can be here (no journals directory on this
            // system, or an id that is no journal's).
            notes.push(format!(
                "its journal {} cannot be found (no journals directory, or not a journal's \
                 name): exchanges were not kept",
                entry.session.journal.as_deref().unwrap_or_default()
            ));
            None
        }
        Some(journal) => match journal.read() {
            Ok(reading) => {
                // The file named, so the user can open it and see the line for themselves.
                notes.extend(
                    reading
                        .skipped
                        .iter()
                        .map(|skipped| format!("journal {} {skipped}", journal.path().display())),
                );
                Some(reading)
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                notes.push(journal_gone(journal.path()));
                None
            }
            Err(error) => {
                notes.push(format!(
                    "the journal {} could not be read ({error}): its exchanges are left out",
                    journal.path().display()
                ));
                None
            }
        },
    };
    Loaded {
        entry,
        journal,
        notes,
    }
}

/// What a bundle holds once written.
#[derive(Debug, Clone)]
pub struct Saved {
    pub dir: PathBuf,
    pub files: Vec<PathBuf>,
    pub notes: Vec<String>,
}

/// Writes the HAR file, the transcript and the summary into `dir` (made if missing, in a
/// directory that must exist: a mistyped path is not made into a new tree). A
/// directory holding anything else than a bundle's files is refused, so nothing unrelated is
/// overwritten; a previous bundle's files are replaced.
pub fn write_bundle(loaded: &Loaded, dir: &Path) -> std::io::Result<Saved> {
    make_bundle_dir(dir)?;
    let others: Vec<String> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| !BUNDLE_FILES.contains(&name.as_str()))
        .collect();
    if !others.is_empty() {
        let mut others = others;
        others.sort();
        return Err(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            format!(
                "{} already holds other files ({}): name a new or empty directory",
                dir.display(),
                others.join(", ")
            ),
        ));
    }
    let mut files = Vec::new();
    for (name, content) in [
        (HAR_FILE, loaded.har()),
        (TRANSCRIPT_FILE, loaded.transcript()),
        (SUMMARY_FILE, loaded.summary()),
    ] {
        let path = dir.join(name);
        write_file(&path, &content)?;
        files.push(path);
    }
    Ok(Saved {
        dir: dir.to_path_buf(),
        files,
        notes: loaded.notes.clone(),
    })
}

/// Writes one exported file, private to the user (chat content), whole or not at all, into a
/// directory that exists: a mistyped path is refused rather than made into a new tree.
pub fn write_file(path: &Path, content: &str) -> std::io::Result<()> {
    parent_must_exist(path)?;
    if path.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            format!(
                "{} is a directory: name a file (or use --bundle DIR)",
                path.display()
            ),
        ));
    }
    crate::paths::write_atomically(path, content.as_bytes())
}

/// The directory `path` goes in exists (the current one when it names none), or the error
/// names it.
fn parent_must_exist(path: &Path) -> std::io::Result<()> {
    match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) => must_be_a_directory(parent),
        None => Ok(()),
    }
}

fn must_be_a_directory(dir: &Path) -> std::io::Result<()> {
    match std::fs::metadata(dir) {
        Ok(metadata) if metadata.is_dir() => Ok(()),
        // Said plainly: the OS would only say "File exists" or "Not a directory".
        Ok(_) => Err(std::io::Error::new(
            std::io::ErrorKind::NotADirectory,
            format!("{} is a file, not a directory", dir.display()),
        )),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!(
                "the directory {} does not exist: create it first, or name another",
                dir.display()
            ),
        )),
        Err(error) => Err(error),
    }
}

/// Makes `dir` itself (0700), in a directory that must exist; an existing directory is used
/// as it is.
fn make_bundle_dir(dir: &Path) -> std::io::Result<()> {
    if dir.exists() {
        return must_be_a_directory(dir);
    }
    parent_must_exist(dir)?;
    match crate::paths::create_private_dir(dir, false) {
        // Made meanwhile by another writer: as good as made here.
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        other => other,
    }
}

/// Where a bundle goes when no directory is named: `chatstart-<chat id>-<UTC time>` in the
/// current directory.
pub fn default_bundle_dir(entry: &Entry) -> PathBuf {
    // Only characters every file system takes: a chat id is the service's text.
    let chat: String = chat_id(&entry.session)
        .unwrap_or("session")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect();
    let chat = if chat.trim_matches('.').is_empty() {
        "session".to_string()
    } else {
        chat
    };
    let time: String = crate::history::now()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    PathBuf::from(format!("chatstart-{chat}-{time}"))
}

#[cfg(test)]
mod tests;
