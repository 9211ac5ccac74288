//! History of the sessions chatstart created: a JSON Lines file in the data directory.
//!
//! The file is only ever appended to: a `session` record written *before* a chat request is sent
//! (an attempt: no URI yet, state unknown), the `session` record of the chat once its URI
//! arrives (or a `state` record saying none was made), then a `state` record each time its state
//! is learnt, and a `visitor` record for what the visitor did in it beyond starting it (the name
//! set, a transcript asked for, the exit survey submitted). An `offline-survey` record keeps an
//! offline survey submitted, which belongs to no chat. Reading folds the records onto their
//! session, so a process killed at any moment —
//! even while a chat request is on its way — leaves a history that is still whole, marked with
//! the last state it knew. A line that cannot be read (a byte that is not UTF-8, a line cut
//! short) is skipped and named, never fatal to the rest. No record holds a secret: the request
//! has none, and the auth call's SSO key is never part of it.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::api::model::{Survey, VisitorLinks};
use crate::api::{
    AppKeyPlacement, ChatRequest, ClientConfig, Format, SurveyAnswer, TranscriptRequest,
    TranscriptSent,
};
use crate::journal::{Journal, Journals, Retention};

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
    /// The visitor did something in a chat beyond starting it.
    Visitor(VisitorRecord),
    /// An offline survey was submitted (it belongs to no chat).
    #[serde(rename = "offline-survey")]
    OfflineSurvey(OfflineSurveyRecord),
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
    /// Ties the record written before a chat request was sent to what became of it (the chat's
    /// own record, or a `not-created` state). Only in the file: readers never see it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempt: Option<String>,
    /// The session journal that keeps this chat's exchanges (see [`crate::journal`]); absent
    /// for chats made before journals were kept, or with `--no-journal`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journal: Option<String>,
    /// What the visitor did in the chat beyond starting it, oldest first: folded from the
    /// `visitor` records as the history is read (never written with the session itself).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub visitor: Vec<VisitorDone>,
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
            attempt: None,
            journal: None,
            visitor: Vec::new(),
        }
    }

    /// The visitor's name last set in this chat, if any.
    pub fn visitor_name(&self) -> Option<&str> {
        self.visitor
            .iter()
            .rev()
            .find_map(|done| match &done.action {
                VisitorAction::Named { name } => Some(name.as_str()),
                _ => None,
            })
    }

    /// The same record, its exchanges kept in the journal `id` (begun with
    /// [`History::begin_journal`]).
    #[must_use]
    pub fn in_journal(mut self, id: Option<String>) -> Self {
        self.journal = id;
        self
    }

    /// The same record with how the client reached the service: the appKey's placement and the
    /// format (never the key), and the endpoint when the URI did not give one.
    #[must_use]
    pub fn connected_with(mut self, config: &ClientConfig) -> Self {
        self.app_key_in = Some(config.app_key_in);
        self.format = Some(config.format);
        if self.base_url.is_empty() {
            self.base_url = endpoint_origin(config);
        }
        self
    }
}

/// Where a client is configured to go, as an origin; empty when it discovers its domain.
fn endpoint_origin(config: &ClientConfig) -> String {
    match &config.endpoint {
        crate::api::Endpoint::BaseUrl(url) => origin_of(url).unwrap_or_default(),
        crate::api::Endpoint::Domain(domain) => format!("https://{domain}"),
        crate::api::Endpoint::Discover { .. } => String::new(),
    }
}

/// The state of a chat request whose answer was lost: a chat may exist.
pub const UNKNOWN: &str = "unknown";
/// The state of a chat whose emulator (on loopback) no longer runs: the chat went with it.
pub const GONE: &str = "gone";
/// What became of a chat request the service refused for certain: no chat was made.
pub const NOT_CREATED: &str = "not-created";

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
    /// The attempt this state is about, for a chat request that has no URI (see
    /// [`SessionRecord::attempt`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempt: Option<String>,
}

/// What the visitor did in a chat beyond starting it, as the history keeps it: never a secret
/// (an appKey or SSO key is no part of any of these), and no survey answer's text, only which
/// questions were answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "did", rename_all = "kebab-case")]
pub enum VisitorAction {
    /// The service took the visitor's name (§2.14).
    Named { name: String },
    /// The service took a request to e-mail the transcript (§2.18).
    Transcript {
        email: String,
        /// The subject given, whether or not it could be sent (see `link`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        subject: Option<String>,
        link: TranscriptLink,
    },
    /// The service took the exit survey's answers (§2.17).
    ExitSurvey {
        survey_id: String,
        /// The ids of the questions answered, in the survey's order.
        questions: Vec<String>,
    },
}

impl VisitorAction {
    /// The exit survey `survey` submitted with `answers`: its id and the questions answered.
    pub fn exit_survey(survey: &Survey, answers: &[SurveyAnswer]) -> Self {
        Self::ExitSurvey {
            survey_id: survey.id.clone(),
            questions: answered_questions(survey, answers),
        }
    }

    /// A transcript asked for with `transcript`, sent as the service's answer says.
    pub fn transcript(transcript: &TranscriptRequest, sent: TranscriptSent) -> Self {
        Self::Transcript {
            email: transcript.email.trim().to_string(),
            subject: transcript
                .subject
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            link: sent.into(),
        }
    }

    /// One line for people: `visitor name set: Natalie`.
    pub fn describe(&self) -> String {
        self.describe_as(Outcome::Taken)
    }

    /// One line for people, as taken or as unknown: `visitor name may have been set: Natalie
    /// (no answer came)`.
    pub fn describe_as(&self, outcome: Outcome) -> String {
        let said = self.describe_taken();
        if outcome.is_taken() {
            return said;
        }
        let unknown = match self {
            Self::Named { .. } => said.replacen(" set:", " may have been set:", 1),
            Self::Transcript { .. } => said.replacen(" asked for:", " may have been asked for:", 1),
            Self::ExitSurvey { .. } => said.replacen(" submitted:", " may have been submitted:", 1),
        };
        format!("{unknown} (no answer came)")
    }

    fn describe_taken(&self) -> String {
        match self {
            Self::Named { name } => format!("visitor name set: {name}"),
            Self::Transcript {
                email,
                subject,
                link,
            } => {
                let subject = match (subject, link) {
                    (Some(subject), TranscriptLink::WithSubject) => {
                        format!(", subject “{subject}”")
                    }
                    (Some(subject), TranscriptLink::Plain) => {
                        format!(", subject “{subject}” dropped (no link takes one)")
                    }
                    (None, _) => String::new(),
                };
                format!("transcript asked for: {email}{subject} via {}", link.rel())
            }
            Self::ExitSurvey {
                survey_id,
                questions,
            } => format!(
                "exit survey {survey_id} submitted: {} answered{}",
                crate::plural::count(questions.len(), "question", "questions"),
                if questions.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", questions.join(", "))
                }
            ),
        }
    }
}

/// The ids of the questions `answers` answers with something, in the survey's order: what the
/// history keeps of a submission, never the answers' text. Only what is sent counts: a question
/// the survey's logic hides is left out of the body (§3.6), and so is an id the survey does not
/// list.
pub fn answered_questions(survey: &Survey, answers: &[SurveyAnswer]) -> Vec<String> {
    let answered = |id: &str| {
        answers
            .iter()
            .any(|a| a.question_id == id && a.values.iter().any(|v| !v.trim().is_empty()))
    };
    survey
        .visible_questions(|id| crate::api::request::answers_for(answers, id))
        .into_iter()
        .filter(|q| answered(&q.id))
        .map(|q| q.id.clone())
        .collect()
}

/// The transcript link a request goes to, as [`crate::api::ChatApi::request_transcript`]
/// chooses it (Q32): with a subject, `transcript-with-subject-request` when the chat has it (else
/// `transcript-request`, the subject dropped); without, `transcript-request` first. `None` when
/// the chat has neither. What a request whose answer was lost is recorded with (here, where both front ends and
/// the check engine reach it).
pub fn transcript_link(links: &VisitorLinks, subject: bool) -> Option<TranscriptSent> {
    match (&links.transcript_with_subject, &links.transcript) {
        (Some(_), _) if subject => Some(TranscriptSent::WithSubject),
        (_, Some(_)) if subject => Some(TranscriptSent::SubjectDropped),
        (_, Some(_)) => Some(TranscriptSent::Plain),
        (Some(_), None) => Some(TranscriptSent::WithSubject),
        (None, None) => None,
    }
}

/// Which transcript link a request went to (Q32).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TranscriptLink {
    /// `transcript-request`: no subject, or none could be sent.
    #[serde(rename = "transcript-request")]
    Plain,
    /// `transcript-with-subject-request`, with the subject.
    #[serde(rename = "transcript-with-subject-request")]
    WithSubject,
}

impl TranscriptLink {
    /// The link's rel.
    pub fn rel(self) -> &'static str {
        match self {
            Self::Plain => "transcript-request",
            Self::WithSubject => "transcript-with-subject-request",
        }
    }
}

impl From<TranscriptSent> for TranscriptLink {
    fn from(sent: TranscriptSent) -> Self {
        match sent {
            TranscriptSent::WithSubject => Self::WithSubject,
            TranscriptSent::Plain | TranscriptSent::SubjectDropped => Self::Plain,
        }
    }
}

/// Whether the service took what the visitor did, or whether that is unknown: the request went
/// out and its answer was lost (a timeout, a dropped connection), so the name may be set, the
/// transcript mailed, the survey kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The service answered that it took it.
    #[default]
    Taken,
    /// Sent, and no answer came.
    Unknown,
}

impl Outcome {
    pub fn is_taken(&self) -> bool {
        *self == Self::Taken
    }
}

/// A visitor's action in the chat at `uri` (a line of the file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitorRecord {
    pub time: String,
    pub uri: String,
    pub action: VisitorAction,
    /// Absent when the service took it; `"unknown"` when its answer was lost.
    #[serde(default, skip_serializing_if = "Outcome::is_taken")]
    pub outcome: Outcome,
}

/// A visitor's action as folded onto its session: when, what, and whether it was taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitorDone {
    pub time: String,
    pub action: VisitorAction,
    #[serde(default, skip_serializing_if = "Outcome::is_taken")]
    pub outcome: Outcome,
}

impl VisitorDone {
    /// One line for people: what was done, or what may have been.
    pub fn describe(&self) -> String {
        self.action.describe_as(self.outcome)
    }
}

/// An offline survey submitted (§2.7, Q34): what a visitor leaves when no agent can take a
/// chat. It belongs to no chat, so it has no URI; no answer's text is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfflineSurveyRecord {
    pub time: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    pub account: String,
    #[serde(default)]
    pub base_url: String,
    #[serde(default)]
    pub skill: String,
    pub survey_id: String,
    /// The ids of the questions answered, in the survey's order.
    #[serde(default)]
    pub questions: Vec<String>,
    /// Absent when the service took it; `"unknown"` when its answer was lost.
    #[serde(default, skip_serializing_if = "Outcome::is_taken")]
    pub outcome: Outcome,
}

impl OfflineSurveyRecord {
    /// The offline survey `survey` submitted with `answers` through the client configured by
    /// `config`, for `skill`.
    pub fn submitted(
        profile: Option<&str>,
        config: &ClientConfig,
        skill: &str,
        survey: &Survey,
        answers: &[SurveyAnswer],
    ) -> Self {
        Self {
            time: now(),
            profile: profile.map(str::to_string),
            account: config.account.clone(),
            base_url: endpoint_origin(config),
            skill: skill.trim().to_string(),
            survey_id: survey.id.clone(),
            questions: answered_questions(survey, answers),
            outcome: Outcome::Taken,
        }
    }

    /// The same record, for a submission whose answer was lost: it may have been kept.
    #[must_use]
    pub fn unknown(mut self) -> Self {
        self.outcome = Outcome::Unknown;
        self
    }

    /// One line for people.
    pub fn describe(&self) -> String {
        let skill = if self.skill.is_empty() {
            String::new()
        } else {
            format!(", skill {}", self.skill)
        };
        let (submitted, unknown) = match self.outcome {
            Outcome::Taken => ("submitted", ""),
            Outcome::Unknown => ("may have been submitted", " (no answer came)"),
        };
        format!(
            "offline survey {} {submitted} (account {}{skill}): {} answered{unknown}",
            self.survey_id,
            self.account,
            crate::plural::count(self.questions.len(), "question", "questions")
        )
    }
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

    /// A chat request whose answer was lost: a chat may be in a queue with no URI to reach it
    /// by. Not open (nothing can end it), but worth listing with the open ones.
    pub fn may_exist_unreachable(&self) -> bool {
        self.session.uri.is_empty() && !self.session.demo && self.session.state == UNKNOWN
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
    /// Where each chat's exchanges are kept, beside the file; `None` with `--no-journal`.
    journals: Option<Journals>,
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

    /// The history file at `path`, its journals in the `journals/` directory beside it.
    pub fn at(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let journals = path
            .parent()
            .map(|dir| Journals::at(dir.join(crate::journal::DIR_NAME)));
        Self {
            path,
            demo_origin: None,
            appending: std::sync::Arc::default(),
            journals,
        }
    }

    /// The same history, keeping journals within `retention`, or none (`None`).
    #[must_use]
    pub fn keeping_journals(self, retention: Option<Retention>) -> Self {
        match retention {
            Some(retention) => self.with_retention(retention),
            None => self.without_journal(),
        }
    }

    /// The same history, keeping no session journal: for people who must not keep chat
    /// content (`--no-journal`, a profile's `journal = false`).
    #[must_use]
    pub fn without_journal(mut self) -> Self {
        self.journals = None;
        self
    }

    /// The same history, its journals kept within `retention`.
    #[must_use]
    pub fn with_retention(mut self, retention: Retention) -> Self {
        self.journals = self.journals.map(|j| j.with_retention(retention));
        self
    }

    /// Where journals are kept, unless they are not.
    pub fn journals(&self) -> Option<&Journals> {
        self.journals.as_ref()
    }

    /// A new journal for a chat about to be requested (`None` when journals are not kept).
    /// Begun before anything of the chat goes out (its pre-chat survey, its auth call), and
    /// named in its record by [`History::attempt`].
    pub fn begin_journal(&self) -> Option<Journal> {
        self.journals.as_ref().map(|j| j.begin(&attempt_id()))
    }

    /// The journal a recorded chat's exchanges go to, to read or to append the later calls of
    /// another command on the same chat.
    pub fn journal_of(&self, record: &SessionRecord) -> Option<Journal> {
        let id = record.journal.as_deref()?;
        self.journals.as_ref()?.of_id(id)
    }

    /// The journal of the chat at `uri` among `entries` (this history's, as read).
    pub fn journal_of_uri(&self, entries: &[Entry], uri: &str) -> Option<Journal> {
        let entry = entries.iter().find(|e| e.session.uri == uri)?;
        self.journal_of(&entry.session)
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
        let mut appending = self.open_file()?;
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

    /// The file, open for appending (opened again when it was removed or replaced since).
    fn open_file(&self) -> std::io::Result<std::sync::MutexGuard<'_, Option<std::fs::File>>> {
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
        Ok(appending)
    }

    /// Whether records can be written now: the file is opened for appending (and kept open).
    /// A chat request is sent only once this holds, so no chat is made that the history
    /// cannot keep.
    pub fn check_writable(&self) -> std::io::Result<()> {
        self.open_file().map(drop)
    }

    /// The directory the history lives in (the data directory).
    pub fn directory(&self) -> &Path {
        self.path.parent().unwrap_or(&self.path)
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
        record.demo |= self.is_demo(&record.base_url);
        self.append(&Record::Session(Box::new(record)))
    }

    /// Whether a chat at `base_url` is made on the console's demo emulator: it goes with the
    /// console, so there is nothing to lose when the history cannot keep it.
    pub fn is_demo(&self, base_url: &str) -> bool {
        self.demo_origin.is_some() && self.demo_origin == origin_of(base_url)
    }

    /// Records a state learnt for `uri`.
    pub fn state(&self, uri: &str, state: &str, agent: Option<&str>) -> std::io::Result<()> {
        self.append(&Record::State(StateRecord {
            time: now(),
            uri: uri.to_string(),
            state: state.to_string(),
            agent: agent.map(str::to_string),
            attempt: None,
        }))
    }

    /// Records what the visitor did in the chat at `uri` (the name set, a transcript asked
    /// for, the exit survey submitted), once the service took it. `history` and `info` show it
    /// with the chat.
    pub fn visitor(&self, uri: &str, action: VisitorAction) -> std::io::Result<()> {
        self.visitor_as(uri, action, Outcome::Taken)
    }

    /// Records what the visitor may have done in the chat at `uri`: the request went out and
    /// its answer was lost, so the service may have taken it. Kept (as `unknown`) rather than
    /// not at all: a name may be set, a transcript mailed.
    pub fn visitor_unknown(&self, uri: &str, action: VisitorAction) -> std::io::Result<()> {
        self.visitor_as(uri, action, Outcome::Unknown)
    }

    fn visitor_as(
        &self,
        uri: &str,
        action: VisitorAction,
        outcome: Outcome,
    ) -> std::io::Result<()> {
        self.append(&Record::Visitor(VisitorRecord {
            time: now(),
            uri: uri.to_string(),
            action,
            outcome,
        }))
    }

    /// Records an offline survey the service took (see [`OfflineSurveyRecord::submitted`]).
    pub fn offline_survey(&self, record: OfflineSurveyRecord) -> std::io::Result<()> {
        self.append(&Record::OfflineSurvey(record))
    }

    /// Records a chat request about to be sent, before it goes out (no URI, state unknown):
    /// whatever then happens to this process — an interruption, a kill, a lost answer — the
    /// history says a chat may exist. An error means the history cannot be written, and the
    /// request must not be sent.
    ///
    /// The chat's journal is the template's when it names one (begun earlier with
    /// [`History::begin_journal`]), else a new one; [`Attempt::journal`] hands it on.
    pub fn attempt(&self, template: &SessionRecord) -> std::io::Result<Attempt> {
        let mut record = template.clone();
        record.time = now();
        record.uri.clear();
        record.state = UNKNOWN.into();
        record.attempt = Some(attempt_id());
        let journal = match &record.journal {
            Some(id) => self.journals.as_ref().and_then(|j| j.begun(id)),
            None => self.begin_journal(),
        };
        record.journal = journal.as_ref().map(|j| j.id().to_string());
        let recorded = match self.created(record.clone()) {
            Ok(()) => true,
            // A demo chat goes with the console's emulator: nothing to lose, so it is sent
            // even when the history cannot keep it.
            Err(_) if self.is_demo(&record.base_url) => false,
            Err(error) => return Err(error),
        };
        Ok(Attempt {
            history: self.clone(),
            record,
            recorded,
            journal,
        })
    }

    /// Whether chat requests to `base_url` can be recorded now (see [`History::attempt`]):
    /// always for the console's demo emulator.
    pub fn check_writable_for(&self, base_url: &str) -> std::io::Result<()> {
        match self.check_writable() {
            Err(_) if self.is_demo(base_url) => Ok(()),
            result => result,
        }
    }

    /// Every session, newest first, each with its last known state. Lines that cannot be read
    /// are skipped (see [`History::read`]).
    pub fn entries(&self) -> std::io::Result<Vec<Entry>> {
        self.read().map(|listing| listing.entries)
    }

    /// Every session, newest first, each with its last known state, and the lines that had to
    /// be skipped: a byte that is not UTF-8 or a line that is no record (cut short by a crash)
    /// costs that line only. A missing file is an empty history.
    pub fn read(&self) -> std::io::Result<Listing> {
        let bytes = match std::fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Listing::default()),
            Err(e) => return Err(e),
        };
        let mut listing = Listing::default();
        let mut entries: Vec<Entry> = Vec::new();
        for (index, raw) in bytes.split(|byte| *byte == b'\n').enumerate() {
            match parse_line(raw) {
                Ok(Some(Record::OfflineSurvey(survey))) => listing.offline_surveys.push(survey),
                Ok(Some(record)) => fold(&mut entries, record),
                Ok(None) => {}
                Err(problem) => {
                    // A bad byte inside a value (a skill, a line) leaves the record readable,
                    // and its URI may be an open chat's: kept, shown with �, when the URI is whole.
                    let readable = readable_despite_damage(raw);
                    listing.damaged.push(Damaged {
                        line: index + 1,
                        problem,
                        kept: readable.is_some(),
                    });
                    match readable {
                        Some(Record::OfflineSurvey(survey)) => {
                            listing.offline_surveys.push(survey);
                        }
                        Some(record) => fold(&mut entries, record),
                        None => {}
                    }
                }
            }
        }
        entries.reverse();
        for entry in &mut entries {
            entry.session.attempt = None;
        }
        listing.newest = entries.first().cloned();
        (listing.not_created, listing.entries) = entries
            .into_iter()
            .partition(|e| e.session.uri.is_empty() && e.session.state == NOT_CREATED);
        listing.offline_surveys.reverse();
        Ok(listing)
    }
}

/// A line that is not UTF-8, read with its bad bytes as �, when that gives a whole record
/// whose URI is intact.
fn readable_despite_damage(raw: &[u8]) -> Option<Record> {
    std::str::from_utf8(raw).err()?;
    let text = String::from_utf8_lossy(raw);
    let record = serde_json::from_str::<Record>(text.trim()).ok()?;
    let uri = match &record {
        Record::Session(session) => &session.uri,
        Record::State(state) => &state.uri,
        Record::Visitor(visitor) => &visitor.uri,
        Record::OfflineSurvey(_) => "",
    };
    (!uri.contains('\u{fffd}')).then_some(record)
}

/// One line of the file: a record, nothing (a blank line), or why it cannot be read.
fn parse_line(raw: &[u8]) -> Result<Option<Record>, String> {
    let text = std::str::from_utf8(raw).map_err(|error| {
        format!(
            "not valid UTF-8 (byte {} of the line)",
            error.valid_up_to() + 1
        )
    })?;
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    serde_json::from_str::<Record>(text)
        .map(Some)
        .map_err(|error| match error.classify() {
            serde_json::error::Category::Eof => "cut short (not a whole record)".to_string(),
            _ => format!("not a history record (column {})", error.column()),
        })
}

/// Folds one record onto the entries read so far (oldest first).
fn fold(entries: &mut Vec<Entry>, record: Record) {
    match record {
        Record::Session(session) => {
            // The record written before the request was sent gives way to what became of it.
            if let Some(attempt) = &session.attempt {
                entries.retain(|e| {
                    !(e.session.uri.is_empty() && e.session.attempt.as_ref() == Some(attempt))
                });
            }
            // A chat request's own record comes before anything done in its chat; what an
            // older record of the same URI had gathered stays with it.
            let mut session = *session;
            if !session.uri.is_empty() {
                if let Some(earlier) = entries.iter_mut().find(|e| e.session.uri == session.uri) {
                    if session.visitor.is_empty() {
                        session.visitor = std::mem::take(&mut earlier.session.visitor);
                    }
                }
                // Requests whose answer was lost have no URI: each is its own entry.
                entries.retain(|e| e.session.uri != session.uri);
            }
            entries.push(Entry {
                updated: session.time.clone(),
                session,
                agent: None,
            });
        }
        Record::Visitor(visitor) => {
            if let Some(entry) = entries
                .iter_mut()
                .rev()
                .find(|e| !visitor.uri.is_empty() && e.session.uri == visitor.uri)
            {
                entry.session.visitor.push(VisitorDone {
                    time: visitor.time,
                    action: visitor.action,
                    outcome: visitor.outcome,
                });
            }
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
        Record::State(StateRecord {
            attempt: Some(attempt),
            state,
            ..
        }) if state == NOT_CREATED => {
            // Kept aside, not listed: what its journal holds (a refusal, a failure to connect)
            // is evidence too. `History::read` takes it out of the entries.
            if let Some(index) = entries.iter().position(|e| {
                e.session.uri.is_empty() && e.session.attempt == Some(attempt.clone())
            }) {
                let mut refused = entries.remove(index);
                refused.session.state = NOT_CREATED.into();
                entries.push(refused);
            }
        }
        Record::State(_) | Record::OfflineSurvey(_) => {}
    }
}

/// A process-wide unique id for an attempt: the process, the time, and a counter.
fn attempt_id() -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{}-{nanos}-{count}", std::process::id())
}

/// A chat request recorded before it was sent (see [`History::attempt`]): say what became of it.
#[derive(Debug, Clone)]
pub struct Attempt {
    history: History,
    record: SessionRecord,
    /// False for a demo chat the history could not keep: its outcome is not written either.
    recorded: bool,
    journal: Option<Journal>,
}

impl Attempt {
    /// The journal of this chat, if journals are kept: give its observer to the client that
    /// sends the request and follows the chat.
    pub fn journal(&self) -> Option<&Journal> {
        self.journal.as_ref()
    }

    /// The chat was created at `uri`: its record takes the attempt's place.
    pub fn created(&self, uri: &str) -> std::io::Result<()> {
        if !self.recorded {
            return Ok(());
        }
        let mut record = self.record.clone();
        record.time = now();
        record.uri = uri.to_string();
        record.state = "waiting".into();
        if let Some(origin) = origin_of(uri) {
            record.base_url = origin;
        }
        self.history.created(record)
    }

    /// No chat was made (the service refused the request, or it never reached the service):
    /// the attempt leaves the history.
    pub fn not_created(&self) -> std::io::Result<()> {
        if !self.recorded {
            return Ok(());
        }
        self.history.append(&Record::State(StateRecord {
            time: now(),
            uri: String::new(),
            state: NOT_CREATED.into(),
            agent: None,
            attempt: self.record.attempt.clone(),
        }))
    }

    /// What the request's outcome says: created, not created, or — its answer lost — nothing
    /// more (the attempt stays, state unknown: a chat may exist).
    pub fn settle<T: std::fmt::Display>(
        &self,
        outcome: &Result<T, crate::api::ApiError>,
    ) -> std::io::Result<()> {
        match outcome {
            Ok(uri) => self.created(&uri.to_string()),
            Err(error) if error.may_have_created_chat() => Ok(()),
            Err(_) => self.not_created(),
        }
    }
}

/// Where a run of many chats (a burst, a check) records each chat request before sending it:
/// the history, and the record every chat starts from.
#[derive(Debug, Clone)]
pub struct Recording {
    pub history: History,
    pub template: SessionRecord,
}

impl Recording {
    /// Records one chat request about to be sent (see [`History::attempt`]).
    pub fn attempt(&self) -> std::io::Result<Attempt> {
        self.history.attempt(&self.template)
    }
}

/// What reading the history gives: the sessions, and the lines that had to be skipped.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    pub entries: Vec<Entry>,
    /// The offline surveys submitted, newest first (they belong to no chat).
    pub offline_surveys: Vec<OfflineSurveyRecord>,
    /// Chat requests that made no chat (refused, or never sent on), newest first: not
    /// sessions, but their journals are evidence (`export --last`).
    pub not_created: Vec<Entry>,
    /// The newest of the sessions and of the requests that made no chat.
    pub newest: Option<Entry>,
    pub damaged: Vec<Damaged>,
}

/// A line of the history that could not be read; it was skipped, the rest was used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damaged {
    /// 1-based.
    pub line: usize,
    pub problem: String,
    /// Read all the same (its bad bytes shown as �), rather than skipped.
    pub kept: bool,
}

/// Damaged lines named one by one, at most this many; the rest are counted.
const DAMAGED_NAMED: usize = 5;

impl Listing {
    /// One warning a damaged line (the first few, then how many more), each naming the file
    /// and the line: `FILE line 3: not valid UTF-8 (byte 12 of the line); skipped`.
    pub fn warnings(&self, path: &Path) -> Vec<String> {
        let mut warnings: Vec<String> = self
            .damaged
            .iter()
            .take(DAMAGED_NAMED)
            .map(|damaged| {
                format!(
                    "{} line {}: {}; {}",
                    path.display(),
                    damaged.line,
                    damaged.problem,
                    if damaged.kept {
                        "read with the bad bytes shown as �"
                    } else {
                        "skipped, the rest of the history is used"
                    }
                )
            })
            .collect();
        if self.damaged.len() > DAMAGED_NAMED {
            warnings.push(format!(
                "{}: {} skipped",
                path.display(),
                crate::plural::count(
                    self.damaged.len() - DAMAGED_NAMED,
                    "more damaged line",
                    "more damaged lines"
                )
            ));
        }
        warnings
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
            journal: None,
            format: None,
            demo: false,
            request: ChatRequest {
                skill: "Sales".into(),
                pre_chat_lines: vec!["hi".into()],
                ..ChatRequest::default()
            },
            auth_conn_id: None,
            redirect_uri: None,
            attempt: None,
            visitor: Vec::new(),
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

    #[test]
    fn a_bad_byte_inside_a_value_keeps_the_record_and_its_open_chat() {
        let (_dir, history) = temporary_history(FILE_NAME);
        let mut record = session("https://va.example.net/api/account/1/chat/H9", None);
        if let Record::Session(session) = &mut record {
            session.skill = "Sales".into();
        }
        let mut line = serde_json::to_vec(&record).unwrap();
        let at = line.windows(5).position(|w| w == b"Sales").unwrap();
        line[at + 2] = 0xFF;
        line.push(b'\n');
        std::fs::write(history.path(), &line).unwrap();
        let listing = history.read().unwrap();
        let open: Vec<&str> = listing
            .entries
            .iter()
            .filter(|e| e.is_open())
            .map(|e| e.session.uri.as_str())
            .collect();
        assert_eq!(open, ["https://va.example.net/api/account/1/chat/H9"]);
        assert_eq!(listing.entries[0].session.skill, "Sa\u{fffd}es");
        let warnings = listing.warnings(history.path());
        assert!(
            warnings[0].contains("line 1: not valid UTF-8"),
            "{warnings:?}"
        );
        assert!(
            warnings[0].ends_with("read with the bad bytes shown as �"),
            "{warnings:?}"
        );
    }

    #[test]
    fn a_damaged_line_costs_that_line_only_and_is_named() {
        let (_dir, history) = temporary_history(FILE_NAME);
        history.append(&session("u1", None)).unwrap();
        // A byte that is not UTF-8 in the middle of a record.
        let mut damaged = serde_json::to_vec(&session("u2", None)).unwrap();
        damaged[20] = 0xFF;
        damaged.push(b'\n');
        std::fs::OpenOptions::new()
            .append(true)
            .open(history.path())
            .unwrap()
            .write_all(&damaged)
            .unwrap();
        history.append(&session("u3", None)).unwrap();
        history.state("u1", "ended", None).unwrap();
        std::fs::OpenOptions::new()
            .append(true)
            .open(history.path())
            .unwrap()
            .write_all(b"{\"kind\":\"state\",\"ur")
            .unwrap();
        let listing = history.read().unwrap();
        let uris: Vec<&str> = listing
            .entries
            .iter()
            .map(|e| e.session.uri.as_str())
            .collect();
        assert_eq!(uris, ["u3", "u1"]);
        assert_eq!(listing.entries[1].session.state, "ended");
        assert_eq!(
            listing.damaged,
            [
                Damaged {
                    line: 2,
                    problem: "not valid UTF-8 (byte 21 of the line)".into(),
                    kept: false,
                },
                Damaged {
                    line: 5,
                    problem: "cut short (not a whole record)".into(),
                    kept: false,
                }
            ]
        );
        let warnings = listing.warnings(history.path());
        assert!(
            warnings[0].starts_with(&format!(
                "{} line 2: not valid UTF-8",
                history.path().display()
            )),
            "{warnings:?}"
        );
    }

    #[test]
    fn an_attempt_is_unknown_until_settled_and_gives_way_to_its_outcome() {
        let (_dir, history) = temporary_history(FILE_NAME);
        let request = ChatRequest::default();
        let template = SessionRecord::created(Some("qa"), "1", "", Flow::Request, &request, None);
        let [lost, created, refused] = [0, 1, 2].map(|_| history.attempt(&template).unwrap());
        // Before anything is settled, every attempt reads as a chat that may exist.
        let pending = history.entries().unwrap();
        assert_eq!(pending.len(), 3);
        assert!(
            pending
                .iter()
                .all(|e| e.session.state == UNKNOWN && !e.is_open())
        );
        created.created("http://x/api/account/1/chat/H1").unwrap();
        refused.not_created().unwrap();
        drop(lost);
        let entries = history.entries().unwrap();
        let shown: Vec<(&str, &str)> = entries
            .iter()
            .map(|e| (e.session.uri.as_str(), e.session.state.as_str()))
            .collect();
        assert_eq!(
            shown,
            [("http://x/api/account/1/chat/H1", "waiting"), ("", UNKNOWN)]
        );
        assert_eq!(entries[0].session.base_url, "http://x");
        assert_eq!(entries[0].session.profile.as_deref(), Some("qa"));
        assert!(
            entries.iter().all(|e| e.session.attempt.is_none()),
            "never shown"
        );
        // The refused one is not a session, but kept aside with its journal: the newest.
        let listing = history.read().unwrap();
        assert_eq!(listing.not_created.len(), 1);
        let refused_entry = &listing.not_created[0];
        assert_eq!(refused_entry.session.state, NOT_CREATED);
        assert_eq!(
            refused_entry.session.journal.as_deref(),
            refused.journal().map(Journal::id)
        );
        assert_eq!(listing.newest.as_ref(), Some(refused_entry));
        // A chat made after it is the newest then.
        let later = history.attempt(&template).unwrap();
        later.created("http://x/api/account/1/chat/H2").unwrap();
        let newest = history.read().unwrap().newest.unwrap();
        assert_eq!(newest.session.uri, "http://x/api/account/1/chat/H2");
    }

    #[test]
    fn an_unwritable_directory_is_found_out_before_anything_is_recorded() {
        let dir = tempfile::tempdir().unwrap();
        // A file where the data directory should be: nothing can be created under it.
        let blocker = dir.path().join("data");
        std::fs::write(&blocker, "").unwrap();
        let history = History::at(blocker.join(FILE_NAME));
        assert!(history.check_writable().is_err());
        let template =
            SessionRecord::created(None, "1", "", Flow::Request, &ChatRequest::default(), None);
        assert!(history.attempt(&template).is_err());
        assert_eq!(history.directory(), blocker);
        // The console's demo chats go with its emulator: nothing to lose, so they are sent.
        let history = history.with_demo_origin(Some("http://127.0.0.1:40001"));
        let mut demo = template.clone();
        demo.base_url = "http://127.0.0.1:40001".into();
        assert!(history.check_writable_for(&demo.base_url).is_ok());
        let attempt = history.attempt(&demo).expect("a demo chat is not stopped");
        assert!(
            attempt
                .created("http://127.0.0.1:40001/api/account/1/chat/H1")
                .is_ok()
        );
        assert!(history.attempt(&template).is_err(), "only the demo's");
    }
    #[test]
    fn a_transcript_is_recorded_with_the_link_its_request_went_to() {
        let links = |plain: bool, with_subject: bool| VisitorLinks {
            transcript: plain.then(|| "p".to_string()),
            transcript_with_subject: with_subject.then(|| "s".to_string()),
            ..VisitorLinks::default()
        };
        assert_eq!(
            transcript_link(&links(true, true), true),
            Some(TranscriptSent::WithSubject)
        );
        assert_eq!(
            transcript_link(&links(true, false), true),
            Some(TranscriptSent::SubjectDropped)
        );
        assert_eq!(
            transcript_link(&links(true, true), false),
            Some(TranscriptSent::Plain)
        );
        assert_eq!(
            transcript_link(&links(false, true), false),
            Some(TranscriptSent::WithSubject)
        );
        assert_eq!(transcript_link(&links(false, false), true), None);
    }

    #[test]
    fn only_the_questions_sent_count_as_answered() {
        use crate::api::model::Survey;
        // "No" shows question 3; "Yes" leaves it hidden, and its answer out of the body.
        let survey = Survey::from_document(&serde_json::json!({"survey": {"id": "9",
            "questions": {"question": [
                {"id": "1", "order": "0", "type": "Dropdown Box", "entry": [
                    {"value": "Yes"}, {"value": "No", "logic": {"showLogicId": "13"}}]},
                {"id": "3", "logicId": "13", "order": "1", "type": "Text Area"},
                {"id": "4", "order": "2", "type": "Text Field"}]}}}))
        .unwrap();
        let answer = |id: &str, value: &str| SurveyAnswer {
            question_id: id.into(),
            values: vec![value.into()],
        };
        let hidden = [answer("1", "Yes"), answer("3", "hidden"), answer("99", "x")];
        assert_eq!(answered_questions(&survey, &hidden), ["1"]);
        let shown = [answer("3", "why"), answer("1", "No"), answer("4", " ")];
        assert_eq!(answered_questions(&survey, &shown), ["1", "3"]);
        assert_eq!(
            VisitorAction::exit_survey(&survey, &hidden).describe(),
            "exit survey 9 submitted: 1 question answered (1)"
        );
    }

    #[test]
    fn what_the_visitor_did_folds_onto_its_chat_and_offline_surveys_stand_apart() {
        use crate::api::model::Survey;
        let (_dir, history) = temporary_history(FILE_NAME);
        history.append(&session("u1", Some("qa"))).unwrap();
        history.append(&session("u2", None)).unwrap();
        history
            .visitor(
                "u1",
                VisitorAction::Named {
                    name: "Zoë".into()
                },
            )
            .unwrap();
        let transcript = TranscriptRequest {
            email: " me@example.com ".into(),
            subject: Some("Our chat".into()),
            timezone_offset_ms: Some(-7_200_000),
        };
        history
            .visitor(
                "u1",
                VisitorAction::transcript(&transcript, TranscriptSent::SubjectDropped),
            )
            .unwrap();
        let survey = Survey::from_document(&serde_json::json!({"survey": {"id": "361348",
            "questions": {"question": [
                {"id": "5", "order": "0", "type": "Text Field", "label": "Why?"},
                {"id": "4", "order": "1", "type": "Text Field", "label": "How?"},
                {"id": "6", "order": "2", "type": "Text Field", "label": "Who?"}]}}}))
        .unwrap();
        let answers = [
            SurveyAnswer {
                question_id: "4".into(),
                values: vec!["fine".into()],
            },
            SurveyAnswer {
                question_id: "5".into(),
                values: vec!["because".into()],
            },
            SurveyAnswer {
                question_id: "6".into(),
                values: vec![" ".into()],
            },
        ];
        history
            .visitor("u1", VisitorAction::exit_survey(&survey, &answers))
            .unwrap();
        // A chat the history never made keeps nothing.
        history
            .visitor("elsewhere", VisitorAction::Named { name: "X".into() })
            .unwrap();
        history.state("u1", "ended", None).unwrap();
        let config = ClientConfig::new(
            crate::api::Endpoint::BaseUrl("http://127.0.0.1:9/".into()),
            "1",
            crate::secret::Secret::new("the-app-key"),
        );
        history
            .offline_survey(OfflineSurveyRecord::submitted(
                Some("qa"),
                &config,
                "Tech",
                &survey,
                &answers,
            ))
            .unwrap();
        let text = std::fs::read_to_string(history.path()).unwrap();
        assert!(
            !text.contains("the-app-key") && !text.contains("because"),
            "{text}"
        );
        let listing = history.read().unwrap();
        assert!(listing.damaged.is_empty(), "{:?}", listing.damaged);
        let u1 = &listing.entries[1].session;
        assert_eq!((u1.uri.as_str(), u1.state.as_str()), ("u1", "ended"));
        assert_eq!(u1.visitor_name(), Some("Zoë"));
        let said: Vec<String> = u1.visitor.iter().map(|d| d.action.describe()).collect();
        assert_eq!(
            said,
            [
                "visitor name set: Zoë",
                "transcript asked for: me@example.com, subject “Our chat” dropped (no link takes one) via transcript-request",
                "exit survey 361348 submitted: 2 questions answered (5, 4)",
            ]
        );
        assert!(listing.entries[0].session.visitor.is_empty());
        let [offline] = listing.offline_surveys.as_slice() else {
            panic!("{:?}", listing.offline_surveys);
        };
        assert_eq!(
            (offline.survey_id.as_str(), offline.skill.as_str()),
            ("361348", "Tech")
        );
        assert_eq!(offline.base_url, "http://127.0.0.1:9");
        assert_eq!(offline.questions, ["5", "4"]);
        assert_eq!(
            offline.describe(),
            "offline survey 361348 submitted (account 1, skill Tech): 2 questions answered"
        );
        // In the file and in `history --output json`, the action says what it was.
        let json = serde_json::to_value(&listing.entries[1]).unwrap();
        assert_eq!(json["visitor"][1]["action"]["did"], "transcript");
        assert_eq!(json["visitor"][1]["action"]["link"], "transcript-request");
        assert_eq!(
            json["visitor"][2]["action"]["questions"],
            serde_json::json!(["5", "4"])
        );
    }
}
