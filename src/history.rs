//! History of the sessions chatstart created: a JSON Lines file in the data directory.
//!
//! The file is only ever appended to: a `session` record when a chat is created, then a `state`
//! record each time its state is learnt. Reading folds the state records onto their session, so
//! a process killed at any moment leaves a history that is still whole, marked with the last
//! state it knew. No record holds a secret: the request has none, and the auth call's SSO key
//! is never part of it.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::api::{AppKeyPlacement, ChatRequest, ClientConfig, Format};

/// The history file's name in the data directory.
pub const FILE_NAME: &str = "history.jsonl";

/// How the chat was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Flow {
    Request,
    Auth,
}

/// One line of the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Record {
    /// A chat was created.
    Session(Box<SessionRecord>),
    /// A chat's state became known.
    State(StateRecord),
}

/// A created chat and how it was asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionRecord {
    pub time: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    pub account: String,
    #[serde(default)]
    pub base_url: String,
    #[serde(default)]
    pub skill: String,
    pub flow: Flow,
    /// Empty for a chat request whose answer was lost: a chat may exist, its URI unknown.
    #[serde(default)]
    pub uri: String,
    #[serde(default)]
    pub state: String,
    /// Where the appKey rode and the body format, so the chat can be reached again the same
    /// way (the key itself is never stored). Absent in records written before they were kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_key_in: Option<AppKeyPlacement>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<Format>,
    /// Made on the console's demo emulator, which lives only as long as the console: the chat
    /// is gone once it quits, so it is never listed as open.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub demo: bool,
    /// The request as sent (it holds no secret), so it can be run again.
    #[serde(default)]
    pub request: ChatRequest,
    /// The auth call's non-secret fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_conn_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
}

impl SessionRecord {
    /// The record of a chat just created; it holds no secret (the auth call's SSO key is not
    /// part of it).
    pub fn created(
        profile: Option<&str>,
        account: &str,
        uri: &str,
        flow: Flow,
        request: &ChatRequest,
        auth: Option<&crate::api::AuthRequest>,
    ) -> Self {
        Self {
            time: now(),
            profile: profile.map(str::to_string),
            account: account.to_string(),
            base_url: origin_of(uri).unwrap_or_default(),
            skill: request.skill.clone(),
            flow,
            uri: uri.to_string(),
            state: if uri.is_empty() { UNKNOWN } else { "waiting" }.into(),
            app_key_in: None,
            format: None,
            demo: false,
            request: request.clone(),
            auth_conn_id: auth.map(|a| a.auth_chat_conn_id.clone()),
            redirect_uri: auth
                .map(|a| a.redirect_uri.clone())
                .filter(|r| !r.is_empty()),
        }
    }

    /// The same record with how the client reached the service: the appKey's placement and the
    /// format (never the key), and the endpoint when the URI did not give one.
    #[must_use]
    pub fn connected_with(mut self, config: &ClientConfig) -> Self {
        self.app_key_in = Some(config.app_key_in);
        self.format = Some(config.format);
        if self.base_url.is_empty() {
            self.base_url = match &config.endpoint {
                crate::api::Endpoint::BaseUrl(url) => origin_of(url).unwrap_or_default(),
                crate::api::Endpoint::Domain(domain) => format!("https://{domain}"),
                crate::api::Endpoint::Discover { .. } => String::new(),
            };
        }
        self
    }
}

/// The state of a chat request whose answer was lost: a chat may exist.
pub const UNKNOWN: &str = "unknown";
/// The state of a chat whose emulator (on loopback) no longer runs: the chat went with it.
pub const GONE: &str = "gone";

/// `http://127.0.0.1:8480/api/…` → `http://127.0.0.1:8480`.
fn origin_of(url: &str) -> Option<String> {
    reqwest::Url::parse(url)
        .ok()
        .map(|u| u.origin().ascii_serialization())
        .filter(|o| o != "null")
}

/// A state learnt for a chat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StateRecord {
    pub time: String,
    pub uri: String,
    pub state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
}

/// A session as listed: its creation record with the last state learnt.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    #[serde(flatten)]
    pub session: SessionRecord,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    /// When the state was last learnt.
    pub updated: String,
}

impl Entry {
    /// Never seen ended: possibly still in a queue, and chatstart can end it. Not a demo chat
    /// (it went with the console that made it), not one whose emulator is gone, and not a
    /// request whose answer was lost (no URI to end it by).
    pub fn is_open(&self) -> bool {
        !self.session.uri.is_empty()
            && !self.session.demo
            && !matches!(self.session.state.as_str(), "ended" | GONE)
    }
}

/// The history file.
#[derive(Debug, Clone)]
pub struct History {
    path: PathBuf,
    /// The console's demo emulator, whose chats are recorded as demo chats.
    demo_origin: Option<String>,
    /// The file, opened for appending on the first record and kept open: a burst writes two
    /// records a chat, and opening the file for each was most of its time. Clones share it.
    appending: std::sync::Arc<std::sync::Mutex<Option<std::fs::File>>>,
}

/// Now, as RFC 3339 UTC to the second.
pub fn now() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}

impl History {
    /// The history in the data directory, if the system has one.
    pub fn open_default() -> Option<Self> {
        crate::paths::data_dir().map(|dir| Self::at(dir.join(FILE_NAME)))
    }

    pub fn at(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            demo_origin: None,
            appending: std::sync::Arc::default(),
        }
    }

    /// The same history, marking the chats made on the console's demo emulator at `base_url`
    /// (when there is one) as demo chats.
    #[must_use]
    pub fn with_demo_origin(mut self, base_url: Option<&str>) -> Self {
        self.demo_origin = base_url.and_then(origin_of);
        self
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one record as one line; a single write, so concurrent writers do not interleave
    /// within a line. A last line cut short (a crash mid-write) is closed first, so the new
    /// record is not glued onto it and lost with it.
    pub fn append(&self, record: &Record) -> std::io::Result<()> {
        let mut line = serde_json::to_string(record).map_err(std::io::Error::other)?;
        line.push('\n');
        let mut appending = self
            .appending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // A file removed or replaced since it was opened (someone cleared the history) is
        // opened again, so records never go to a file nobody can read.
        if appending
            .as_ref()
            .is_some_and(|file| !self.still_at_path(file))
        {
            *appending = None;
        }
        if appending.is_none() {
            *appending = Some(self.open_for_append()?);
        }
        let Some(file) = appending.as_mut() else {
            return Ok(());
        };
        // Another writer's crash may have cut the last line since: close it first.
        if !ends_a_line(file)? {
            line.insert(0, '\n');
        }
        // O_APPEND: each write lands at the end, whoever else appended meanwhile.
        file.write_all(line.as_bytes())
    }

    /// Whether the open file is still the one at the history's path.
    fn still_at_path(&self, file: &std::fs::File) -> bool {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            match (std::fs::metadata(&self.path), file.metadata()) {
                (Ok(there), Ok(open)) => there.ino() == open.ino() && there.dev() == open.dev(),
                _ => false,
            }
        }
        #[cfg(not(unix))]
        {
            let _ = file;
            self.path.exists()
        }
    }

    fn open_for_append(&self) -> std::io::Result<std::fs::File> {
        if let Some(parent) = self.path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.create(true).read(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        options.open(&self.path)
    }

    /// Records a chat just created.
    pub fn created(&self, mut record: SessionRecord) -> std::io::Result<()> {
        if self.demo_origin.is_some() && self.demo_origin == origin_of(&record.base_url) {
            record.demo = true;
        }
        self.append(&Record::Session(Box::new(record)))
    }

    /// Records a state learnt for `uri`.
    pub fn state(&self, uri: &str, state: &str, agent: Option<&str>) -> std::io::Result<()> {
        self.append(&Record::State(StateRecord {
            time: now(),
            uri: uri.to_string(),
            state: state.to_string(),
            agent: agent.map(str::to_string),
        }))
    }

    /// Every session, newest first, each with its last known state. Lines that do not parse
    /// (a line cut by a crash) are skipped.
    pub fn entries(&self) -> std::io::Result<Vec<Entry>> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let mut entries: Vec<Entry> = Vec::new();
        for record in text
            .lines()
            .filter_map(|line| serde_json::from_str::<Record>(line).ok())
        {
            match record {
                Record::Session(session) => {
                    // Requests whose answer was lost have no URI: each is its own entry.
                    if !session.uri.is_empty() {
                        entries.retain(|e| e.session.uri != session.uri);
                    }
                    entries.push(Entry {
                        updated: session.time.clone(),
                        session: *session,
                        agent: None,
                    });
                }
                Record::State(update) if !update.uri.is_empty() => {
                    if let Some(entry) = entries
                        .iter_mut()
                        .rev()
                        .find(|e| e.session.uri == update.uri)
                    {
                        entry.session.state = update.state;
                        entry.updated = update.time;
                        if update.agent.is_some() {
                            entry.agent = update.agent;
                        }
                    }
                }
                Record::State(_) => {}
            }
        }
        entries.reverse();
        Ok(entries)
    }
}

/// Whether the file is empty or its last byte ends a line: one byte read, however long the
/// file.
fn ends_a_line(file: &mut std::fs::File) -> std::io::Result<bool> {
    if file.metadata()?.len() == 0 {
        return Ok(true);
    }
    file.seek(SeekFrom::End(-1))?;
    let mut last = [0u8];
    file.read_exact(&mut last)?;
    Ok(last[0] == b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(uri: &str, profile: Option<&str>) -> Record {
        Record::Session(Box::new(SessionRecord {
            time: now(),
            profile: profile.map(str::to_string),
            account: "1".into(),
            base_url: "http://x".into(),
            skill: "Sales".into(),
            flow: Flow::Request,
            uri: uri.into(),
            state: "waiting".into(),
            app_key_in: None,
            format: None,
            demo: false,
            request: ChatRequest {
                skill: "Sales".into(),
                pre_chat_lines: vec!["hi".into()],
                ..ChatRequest::default()
            },
            auth_conn_id: None,
            redirect_uri: None,
        }))
    }

    #[test]
    fn states_fold_onto_their_session_newest_first() {
        let dir = std::env::temp_dir().join(format!("chatstart-history-{}", std::process::id()));
        let history = History::at(dir.join(FILE_NAME));
        history.append(&session("u1", Some("qa"))).unwrap();
        history.append(&session("u2", None)).unwrap();
        history.state("u1", "chatting", Some("Natalie")).unwrap();
        history.state("u1", "ended", None).unwrap();
        history.state("unknown", "ended", None).unwrap();
        // A line cut short by a crash is skipped, not fatal.
        std::fs::OpenOptions::new()
            .append(true)
            .open(history.path())
            .unwrap()
            .write_all(b"{\"kind\":\"state\",\"ur")
            .unwrap();
        let entries = history.entries().unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].session.uri, "u2");
        assert!(entries[0].is_open());
        assert_eq!(entries[1].session.state, "ended");
        assert_eq!(entries[1].agent.as_deref(), Some("Natalie"));
        assert_eq!(entries[1].session.request.pre_chat_lines, ["hi"]);
        std::fs::remove_dir_all(dir).unwrap();
    }

    fn temporary_history(name: &str) -> (tempfile::TempDir, History) {
        let dir = tempfile::tempdir().unwrap();
        let history = History::at(dir.path().join(name));
        (dir, history)
    }

    #[test]
    fn a_history_removed_while_open_is_written_anew() {
        let (_dir, history) = temporary_history(FILE_NAME);
        history.append(&session("u1", None)).unwrap();
        std::fs::remove_file(history.path()).unwrap();
        history.append(&session("u2", None)).unwrap();
        let uris: Vec<String> = history
            .entries()
            .unwrap()
            .into_iter()
            .map(|e| e.session.uri)
            .collect();
        assert_eq!(uris, ["u2"]);
    }

    #[test]
    fn a_line_cut_short_does_not_swallow_the_next_record() {
        let (_dir, history) = temporary_history(FILE_NAME);
        history.append(&session("u1", None)).unwrap();
        std::fs::OpenOptions::new()
            .append(true)
            .open(history.path())
            .unwrap()
            .write_all(br#"{"kind":"session","time":"2026-12-01T05:4"#)
            .unwrap();
        history.append(&session("u2", None)).unwrap();
        history.state("u2", "chatting", None).unwrap();
        let entries = history.entries().unwrap();
        let uris: Vec<&str> = entries.iter().map(|e| e.session.uri.as_str()).collect();
        assert_eq!(uris, ["u2", "u1"]);
        assert_eq!(entries[0].session.state, "chatting");
        let text = std::fs::read_to_string(history.path()).unwrap();
        assert!(text.ends_with('\n'), "{text}");
    }

    #[test]
    fn records_of_before_the_connection_fields_still_read() {
        let (_dir, history) = temporary_history(FILE_NAME);
        std::fs::write(
            history.path(),
            concat!(
                r#"{"kind":"session","time":"2026-01-01T00:00:00Z","profile":"qa","account":"1","#,
                r#""base_url":"http://x","skill":"Sales","flow":"request","uri":"http://x/c","state":"waiting"}"#,
                "\n"
            ),
        )
        .unwrap();
        let entries = history.entries().unwrap();
        assert_eq!(entries.len(), 1);
        let old = &entries[0].session;
        assert_eq!((old.app_key_in, old.format, old.demo), (None, None, false));
        assert!(entries[0].is_open());
    }

    #[test]
    fn the_connection_is_kept_without_the_key_and_lost_answers_stay_apart() {
        let (_dir, history) = temporary_history(FILE_NAME);
        let mut config = ClientConfig::new(
            crate::api::Endpoint::BaseUrl("http://127.0.0.1:9/".into()),
            "1",
            crate::secret::Secret::new("the-app-key"),
        );
        config.app_key_in = AppKeyPlacement::Query;
        config.format = Format::Xml;
        let request = ChatRequest::default();
        for uri in ["", "", "http://127.0.0.1:9/api/account/1/chat/H1"] {
            let record = SessionRecord::created(None, "1", uri, Flow::Request, &request, None)
                .connected_with(&config);
            history.created(record).unwrap();
        }
        history.state("", "ended", None).unwrap();
        let text = std::fs::read_to_string(history.path()).unwrap();
        assert!(!text.contains("the-app-key"), "{text}");
        let entries = history.entries().unwrap();
        assert_eq!(entries.len(), 3, "each lost answer is an entry of its own");
        assert!(entries[0].is_open());
        assert_eq!(entries[0].session.app_key_in, Some(AppKeyPlacement::Query));
        assert_eq!(entries[0].session.format, Some(Format::Xml));
        for lost in &entries[1..] {
            assert_eq!(lost.session.state, UNKNOWN);
            assert_eq!(lost.session.base_url, "http://127.0.0.1:9");
            assert!(!lost.is_open(), "nothing to end it by");
        }
    }

    #[test]
    fn demo_chats_and_gone_chats_are_not_open() {
        let (_dir, history) = temporary_history(FILE_NAME);
        let history = history.with_demo_origin(Some("http://127.0.0.1:40001"));
        let request = ChatRequest::default();
        for uri in [
            "http://127.0.0.1:40001/api/account/1/chat/H1",
            "http://127.0.0.1:40002/api/account/1/chat/H2",
            "https://va.example.net/api/account/1/chat/H3",
        ] {
            let record = SessionRecord::created(None, "1", uri, Flow::Request, &request, None);
            history.created(record).unwrap();
        }
        history
            .state("http://127.0.0.1:40002/api/account/1/chat/H2", GONE, None)
            .unwrap();
        let entries = history.entries().unwrap();
        let open: Vec<&str> = entries
            .iter()
            .filter(|e| e.is_open())
            .map(|e| e.session.uri.as_str())
            .collect();
        assert_eq!(open, ["https://va.example.net/api/account/1/chat/H3"]);
        assert!(entries[2].session.demo);
        assert!(!entries[0].session.demo && !entries[1].session.demo);
    }
}
