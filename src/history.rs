//! History of the sessions chatstart created: a JSON Lines file in the data directory.
//!
//! The file is only ever appended to: a `session` record when a chat is created, then a `state`
//! record each time its state is learnt. Reading folds the state records onto their session, so
//! a process killed at any moment leaves a history that is still whole, marked with the last
//! state it knew. No record holds a secret: the request has none, and the auth call's SSO key
//! is never part of it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::api::ChatRequest;

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
    pub uri: String,
    #[serde(default)]
    pub state: String,
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
            base_url: reqwest::Url::parse(uri)
                .map(|u| u.origin().ascii_serialization())
                .unwrap_or_default(),
            skill: request.skill.clone(),
            flow,
            uri: uri.to_string(),
            state: "waiting".into(),
            request: request.clone(),
            auth_conn_id: auth.map(|a| a.auth_chat_conn_id.clone()),
            redirect_uri: auth
                .map(|a| a.redirect_uri.clone())
                .filter(|r| !r.is_empty()),
        }
    }
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
    /// Never seen ended: possibly still in a queue.
    pub fn is_open(&self) -> bool {
        self.session.state != "ended"
    }
}

/// The history file.
#[derive(Debug, Clone)]
pub struct History {
    path: PathBuf,
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
        Self { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one record as one line; a single write, so concurrent writers do not interleave
    /// within a line.
    pub fn append(&self, record: &Record) -> std::io::Result<()> {
        if let Some(parent) = self.path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut line = serde_json::to_string(record).map_err(std::io::Error::other)?;
        line.push('\n');
        let mut options = std::fs::OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        options.open(&self.path)?.write_all(line.as_bytes())
    }

    /// Records a chat just created.
    pub fn created(&self, record: SessionRecord) -> std::io::Result<()> {
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
                    entries.retain(|e| e.session.uri != session.uri);
                    entries.push(Entry {
                        updated: session.time.clone(),
                        session: *session,
                        agent: None,
                    });
                }
                Record::State(update) => {
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
            }
        }
        entries.reverse();
        Ok(entries)
    }
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
}
