//! The session journal: every HTTP exchange of one chat, secrets masked, one JSON line each, in
//! the data directory's `journals/` beside the history that names it. What `chatstart export`
//! turns into a HAR file and a transcript.
//!
//! Appending is one `write` of one line to a file opened for appending and closed again: no
//! buffer to lose when the process ends, no handle held per chat (a burst runs hundreds), and
//! another process (a `chatstart send` on the same chat) can append between two lines.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::api::Operation;
use crate::api::exchange::{Exchange, ExchangeObserver};

/// The directory of journals, beside the history file.
pub const DIR_NAME: &str = "journals";
const EXTENSION: &str = "jsonl";

/// How many journals, and how many bytes of them, are kept; the oldest go first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    pub keep: usize,
    pub max_bytes: u64,
}

impl Default for Retention {
    /// A few hundred sessions: a day of a busy QA run, weeks of support work. A poll's answer
    /// is the whole chat document, so an hour of polling every two seconds writes 5–20 MB.
    fn default() -> Self {
        Self {
            keep: 500,
            max_bytes: 200 << 20,
        }
    }
}

/// The journals' directory and how much of it is kept.
#[derive(Debug, Clone)]
pub struct Journals {
    dir: PathBuf,
    retention: Retention,
    /// Journals begun by this process: the directory is pruned at the first, then every
    /// [`PRUNE_EVERY`], so a burst of a thousand chats stays bounded without a listing per chat.
    begun: Arc<AtomicUsize>,
}

const PRUNE_EVERY: usize = 50;

/// A journal written to this recently may belong to a chat still followed (a queue can hold a
/// chat for an hour, polled every few seconds): it is never pruned, whatever the retention says.
const LIVE_FOR: Duration = Duration::from_secs(10 * 60);

impl Journals {
    pub fn at(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            retention: Retention::default(),
            begun: Arc::default(),
        }
    }

    #[must_use]
    pub fn with_retention(mut self, retention: Retention) -> Self {
        self.retention = retention;
        self
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn retention(&self) -> Retention {
        self.retention
    }

    /// A new, empty journal (its file is made by its first exchange), under `id`. Prunes the
    /// directory now and then; a failure to prune is not a failure to journal.
    pub fn begin(&self, id: &str) -> Journal {
        if self.begun.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == 0 {
            // Room for the one begun now: with `keep = 2`, two journals are left, not three.
            let _ = self.prune_to(self.retention.keep.saturating_sub(1));
        }
        Journal::at(self.path_of(id), id, true)
    }

    /// A journal this process began under `id` (with [`Journals::begin`]) and named in a
    /// record before its first exchange: its file is still to be made.
    pub fn begun(&self, id: &str) -> Option<Journal> {
        valid_id(id).then(|| Journal::at(self.path_of(id), id, true))
    }

    /// The journal kept under `id`, for reading or appending (`None` for an id that could
    /// not be a journal's: it must stay a file name inside the directory). Appending never
    /// makes its file again once retention pruned it: a journal holding only a session's last
    /// calls would pass for the whole session.
    pub fn of_id(&self, id: &str) -> Option<Journal> {
        valid_id(id).then(|| Journal::at(self.path_of(id), id, false))
    }

    fn path_of(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.{EXTENSION}"))
    }

    /// Removes the oldest journals beyond the retention's count and size.
    pub fn prune(&self) -> std::io::Result<Pruned> {
        self.prune_to(self.retention.keep)
    }

    fn prune_to(&self, keep: usize) -> std::io::Result<Pruned> {
        let mut journals: Vec<(SystemTime, u64, PathBuf)> = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == EXTENSION))
                .filter_map(|e| {
                    let meta = e.metadata().ok()?;
                    Some((meta.modified().ok()?, meta.len(), e.path()))
                })
                .collect(),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Pruned::default());
            }
            Err(error) => return Err(error),
        };
        // Newest first: what is kept is a prefix.
        journals.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| b.2.cmp(&a.2)));
        let mut pruned = Pruned::default();
        let mut kept_bytes = 0u64;
        let live_since = SystemTime::now() - LIVE_FOR;
        for (index, (modified, size, path)) in journals.into_iter().enumerate() {
            let keep = modified >= live_since
                || (index < keep && (index == 0 || kept_bytes + size <= self.retention.max_bytes));
            if keep {
                kept_bytes += size;
            } else if std::fs::remove_file(&path).is_ok() {
                pruned.removed += 1;
                pruned.bytes += size;
            }
        }
        Ok(pruned)
    }
}

/// What a prune removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    pub removed: usize,
    pub bytes: u64,
}

/// Ids are made by the history (`pid-nanos-count`); anything that could leave the directory
/// is refused.
fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 100
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// One chat's journal. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Journal {
    id: Arc<str>,
    path: Arc<PathBuf>,
    /// The first failure to append, kept to be said once by whoever runs the chat.
    problem: Arc<OnceLock<String>>,
    /// Whether appending may make the file: for a journal begun now, until its first line is
    /// written (a file gone after that was pruned or deleted: never made again, half empty).
    creates: Arc<std::sync::atomic::AtomicBool>,
}

impl Journal {
    fn at(path: PathBuf, id: &str, creates: bool) -> Self {
        Self {
            id: id.into(),
            path: Arc::new(path),
            problem: Arc::default(),
            creates: Arc::new(std::sync::atomic::AtomicBool::new(creates)),
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Why an exchange could not be kept, if one could not.
    pub fn problem(&self) -> Option<&str> {
        self.problem.get().map(String::as_str)
    }

    /// What to hand the client so that each of its exchanges lands here.
    pub fn observer(&self) -> ExchangeObserver {
        let journal = self.clone();
        Arc::new(move |exchange: &Exchange| {
            if let Err(error) = journal.append(exchange) {
                let _ = journal.problem.set(format!(
                    "could not write the session journal {}: {error}",
                    journal.path.display()
                ));
            }
        })
    }

    /// Appends one exchange (already masked by the client) as one line; to a kept journal
    /// that is gone (pruned), nothing.
    pub fn append(&self, exchange: &Exchange) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(&Entry::of(exchange)).map_err(std::io::Error::other)?;
        line.push(b'\n');
        let mut file = if self.creates.swap(false, Ordering::SeqCst) {
            open_for_append(&self.path)?
        } else {
            match std::fs::OpenOptions::new().append(true).open(&*self.path) {
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
                opened => opened?,
            }
        };
        // One write on an O_APPEND file: lines of two writers never interleave.
        file.write_all(&line)
    }

    /// Removes the journal: for a request stopped before anything that makes a chat went out,
    /// whose exchanges (a survey read) no record will ever name.
    pub fn discard(&self) {
        let _ = std::fs::remove_file(&*self.path);
    }

    /// Every exchange kept, oldest first, and the lines that could not be read (skipped, the
    /// rest used). A journal never written (no exchange yet, or pruned) is `NotFound`.
    pub fn read(&self) -> std::io::Result<Reading> {
        let raw = std::fs::read(&*self.path)?;
        Ok(Reading::parse(&raw))
    }
}

fn open_for_append(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Chat content: private to the user.
        options.mode(0o600);
    }
    match options.open(path) {
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent() {
                crate::paths::create_private_dir(dir, true)?;
            }
            options.open(path)
        }
        result => result,
    }
}

/// One exchange as a journal line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// When the request went out: RFC 3339, UTC, to the microsecond.
    pub started: String,
    /// From sending the request to the last byte of the answer (or the failure).
    pub elapsed_ms: f64,
    pub operation: Operation,
    pub method: String,
    pub url: String,
    pub request_headers: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(default)]
    pub response_headers: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_body: Option<String>,
    /// Why no answer came (a refused connection, a timeout).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Entry {
    pub fn of(exchange: &Exchange) -> Self {
        Self {
            started: humantime::format_rfc3339_micros(exchange.started).to_string(),
            elapsed_ms: exchange.elapsed.as_secs_f64() * 1000.0,
            operation: exchange.operation,
            method: exchange.method.clone(),
            url: exchange.url.clone(),
            request_headers: exchange.request_headers.clone(),
            request_body: exchange.request_body.clone(),
            status: exchange.status,
            response_headers: exchange.response_headers.clone(),
            response_body: exchange.response_body.clone(),
            error: exchange.error.clone(),
        }
    }

    /// When the request went out, if the line says it readably.
    pub fn started_at(&self) -> Option<SystemTime> {
        humantime::parse_rfc3339_weak(&self.started).ok()
    }

    pub fn elapsed(&self) -> Duration {
        Duration::from_secs_f64(self.elapsed_ms.max(0.0) / 1000.0)
    }

    /// A response header's value, by name in any case.
    pub fn response_header(&self, name: &str) -> Option<&str> {
        self.response_headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// What reading a journal gives.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reading {
    pub entries: Vec<Entry>,
    pub skipped: Vec<Skipped>,
}

/// A line that could not be read: skipped, the rest used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// 1-based.
    pub line: usize,
    pub problem: String,
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {} skipped: {}", self.line, self.problem)
    }
}

impl Reading {
    pub fn parse(raw: &[u8]) -> Self {
        let mut reading = Self::default();
        for (index, line) in raw.split(|b| *b == b'\n').enumerate() {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match serde_json::from_slice::<Entry>(line) {
                Ok(entry) => reading.entries.push(entry),
                Err(error) => reading.skipped.push(Skipped {
                    line: index + 1,
                    problem: if std::str::from_utf8(line).is_err() {
                        "not valid UTF-8".into()
                    } else {
                        format!("not an exchange ({error})")
                    },
                }),
            }
        }
        reading
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange(status: u16, started: SystemTime) -> Exchange {
        Exchange {
            operation: Operation::Session,
            started,
            method: "GET".into(),
            url: "http://127.0.0.1:1/api/account/1/chat/C1/events".into(),
            request_headers: vec![("Accept".into(), "application/json".into())],
            request_body: None,
            status: Some(status),
            response_headers: vec![("Content-Type".into(), "application/json".into())],
            response_body: Some("{\"events\":{}}".into()),
            elapsed: Duration::from_micros(12_500),
            error: None,
        }
    }

    #[test]
    fn an_exchange_goes_in_and_comes_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let journals = Journals::at(dir.path().join(DIR_NAME));
        let journal = journals.begin("1-2-3");
        let started = SystemTime::UNIX_EPOCH + Duration::from_micros(1_765_000_000_123_456);
        (journal.observer())(&exchange(200, started));
        journal.append(&exchange(404, started)).unwrap();
        let reading = journals.of_id("1-2-3").unwrap().read().unwrap();
        assert!(reading.skipped.is_empty());
        assert_eq!(reading.entries.len(), 2);
        let first = &reading.entries[0];
        assert_eq!(first.started, "2025-12-06T05:46:40.123456Z");
        assert_eq!(first.started_at(), Some(started));
        assert_eq!(first.elapsed(), Duration::from_micros(12_500));
        assert_eq!(first.operation, Operation::Session);
        assert_eq!(
            first.response_header("content-type"),
            Some("application/json")
        );
        assert_eq!(reading.entries[1].status, Some(404));
        assert!(journal.problem().is_none());
    }

    #[test]
    fn a_damaged_line_is_skipped_and_named_the_rest_read() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journals::at(dir.path()).begin("a");
        journal.append(&exchange(200, SystemTime::now())).unwrap();
        let mut raw = std::fs::read(journal.path()).unwrap();
        raw.extend_from_slice(b"{\"started\":\"cut sho\n\xff\xfe\n");
        std::fs::write(journal.path(), &raw).unwrap();
        journal.append(&exchange(201, SystemTime::now())).unwrap();
        let reading = journal.read().unwrap();
        assert_eq!(reading.entries.len(), 2);
        assert_eq!(reading.entries[1].status, Some(201));
        let lines: Vec<usize> = reading.skipped.iter().map(|s| s.line).collect();
        assert_eq!(lines, [2, 3]);
        assert!(reading.skipped[1].to_string().contains("UTF-8"));
    }

    #[test]
    fn a_kept_journal_pruned_since_is_not_made_again_by_a_later_call() {
        let dir = tempfile::tempdir().unwrap();
        let journals = Journals::at(dir.path());
        let begun = journals.begin("kept");
        begun.append(&exchange(201, SystemTime::now())).unwrap();
        let kept = journals.of_id("kept").unwrap();
        kept.append(&exchange(200, SystemTime::now())).unwrap();
        assert_eq!(kept.read().unwrap().entries.len(), 2, "a kept one grows");
        std::fs::remove_file(kept.path()).unwrap();
        kept.append(&exchange(200, SystemTime::now())).unwrap();
        assert!(!kept.path().exists(), "a pruned one stays gone");
        // One begun and named before its first exchange is made by it.
        let named = journals.begun("named").unwrap();
        named.append(&exchange(201, SystemTime::now())).unwrap();
        assert_eq!(named.read().unwrap().entries.len(), 1);
    }

    #[test]
    fn a_journal_written_to_lately_is_never_pruned_nor_made_again_once_gone() {
        let dir = tempfile::tempdir().unwrap();
        let journals = Journals::at(dir.path()).with_retention(Retention {
            keep: 1,
            max_bytes: 1,
        });
        let live = journals.begin("live");
        live.append(&exchange(201, SystemTime::now())).unwrap();
        let newer = journals.begin("newer");
        newer.append(&exchange(201, SystemTime::now())).unwrap();
        journals.prune().unwrap();
        assert!(
            live.path().exists(),
            "a chat still followed keeps its journal"
        );
        // Once idle past the limit, retention applies.
        let idle = SystemTime::now() - LIVE_FOR - Duration::from_secs(60);
        std::fs::File::options()
            .write(true)
            .open(live.path())
            .unwrap()
            .set_modified(idle)
            .unwrap();
        assert_eq!(journals.prune().unwrap().removed, 1);
        assert!(!live.path().exists());
        // Its creator does not make it again with only the calls after the prune.
        live.append(&exchange(200, SystemTime::now())).unwrap();
        assert!(!live.path().exists(), "not made again, half empty");
    }

    #[test]
    fn ids_that_could_leave_the_directory_are_refused() {
        let journals = Journals::at("/tmp/j");
        for bad in ["", "../x", "a/b", "a.b", ".."] {
            assert!(journals.of_id(bad).is_none(), "{bad}");
        }
        assert!(journals.of_id("123-456-7").is_some());
    }

    #[test]
    fn pruning_keeps_the_newest_within_count_and_size() {
        let dir = tempfile::tempdir().unwrap();
        let journals = Journals::at(dir.path()).with_retention(Retention {
            keep: 3,
            max_bytes: 250,
        });
        let base = SystemTime::now() - Duration::from_secs(1000);
        for (index, size) in [100usize, 100, 100, 100, 100].iter().enumerate() {
            let path = dir.path().join(format!("j{index}.{EXTENSION}"));
            std::fs::write(&path, vec![b'x'; *size]).unwrap();
            let file = std::fs::File::options().write(true).open(&path).unwrap();
            file.set_modified(base + Duration::from_secs(index as u64 * 10))
                .unwrap();
        }
        std::fs::write(dir.path().join("other.txt"), "not a journal").unwrap();
        let pruned = journals.prune().unwrap();
        assert_eq!(pruned.removed, 3);
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        // Count alone would keep j2..j4; 250 bytes keeps the two newest.
        assert_eq!(left, ["j3.jsonl", "j4.jsonl", "other.txt"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_journal_is_private_to_the_user() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let journal = Journals::at(dir.path().join("new")).begin("p");
        journal.append(&exchange(200, SystemTime::now())).unwrap();
        let mode = std::fs::metadata(journal.path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
