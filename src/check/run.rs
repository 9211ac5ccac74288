//! Runs one check case against the service: availability, the chat start, acceptance, routing,
//! the agent, the scripted lines — stopping at the first expectation that fails and saying what
//! arrived instead. No UI here.

use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use super::file::{Case, CaseFlow, Step};
use crate::api::error::CallFailure;
use crate::api::explain::Explanation;
use crate::api::model::{ChatState, EventKind, LineSource, Survey, VisitorLinks};
use crate::api::validate::{self, Field, ValidationErrors};
use crate::api::{
    ApiError, AuthRequest, ChatApi, ChatRequest, SurveyAnswer, TranscriptRequest, TranscriptSent,
};
use crate::history::{
    Flow, History, OfflineSurveyRecord, Outcome, SessionRecord, TranscriptLink, VisitorAction,
    answered_questions,
};
use crate::session::{self, FollowOptions, SessionUpdate};

/// Default seconds for an agent to accept.
pub const DEFAULT_ACCEPT_WITHIN: f64 = 60.0;
/// Default seconds an `expect` step waits.
pub const DEFAULT_STEP_TIMEOUT: f64 = 15.0;

/// One case ready to run: the case, its client and its merged request.
#[derive(Debug, Clone)]
pub struct CaseRun {
    pub case: Case,
    /// 1-based repetition number.
    pub repeat: usize,
    pub api: ChatApi,
    pub request: ChatRequest,
    pub auth: Option<AuthRequest>,
    pub end: bool,
    pub poll_interval: Duration,
    pub step_timeout: Duration,
    pub history: Option<History>,
    pub profile: Option<String>,
    /// Turns true when the run is interrupted: a case not started yet requests no chat, one
    /// running stops waiting and ends its chat (unless it is to stay open).
    pub stop: Option<watch::Receiver<bool>>,
    /// The journal of the case's chat, begun by [`run_case`] when the history keeps journals.
    pub journal: Option<String>,
}

/// The verdict of one case.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct CaseResult {
    pub name: String,
    pub repeat: usize,
    pub passed: bool,
    /// The first expectation that failed, and what arrived instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    /// An API or network error that stopped the case (not an expectation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Why that error happens, when it is a known one (`api::explain`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// What to do about it, in the words of a check run: the check file's keys where the command
    /// line would name request flags `check` does not take (see [`next_step`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// The explanation itself, for a front end that says the step in its own words (the
    /// console).
    #[serde(skip)]
    pub explanation: Option<Explanation>,
    #[serde(skip)]
    pub error_kind: Option<crate::api::ErrorKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_to_queue_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_to_accept_ms: Option<u64>,
    pub duration_ms: u64,
    /// The agent's (or bot's) lines, as text.
    pub agent_lines: Vec<String>,
    pub left_open: bool,
    /// The run was interrupted before this case had a verdict.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub interrupted: bool,
    /// The visitor's name the service took (`visitor_name`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visitor_name: Option<String>,
    /// The transcript the service took a request for (`transcript_email`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transcript: Option<TranscriptOutcome>,
    /// What became of the exit survey (`[case.exit_survey]`, `expect.exit_survey`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_survey: Option<SurveyOutcome>,
    /// What became of the offline survey (`[case.offline_survey]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offline_survey: Option<SurveyOutcome>,
}

/// A transcript asked for by e-mail, as the service took it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TranscriptOutcome {
    pub email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The link it went to: `transcript-request` or `transcript-with-subject-request`.
    pub link: String,
    /// A subject was given but the chat has no link that takes one: it was not sent. Always in
    /// the JSON line (docs/checks.md lists it), false as well as true.
    pub subject_dropped: bool,
    /// Absent when the service took it; `"unknown"` when the request went out and no answer
    /// came (it may have been taken).
    #[serde(skip_serializing_if = "Outcome::is_taken")]
    pub outcome: Outcome,
}

/// A survey after the chat (exit) or instead of it (offline): offered or not, submitted or not.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SurveyOutcome {
    /// The survey the service offered; `None` when it offered none.
    pub survey_id: Option<String>,
    pub submitted: bool,
    /// The ids of the questions answered, when submitted (or when it may have been).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<String>,
    /// Absent unless the submission went out and no answer came: `"unknown"` (`submitted` is
    /// then false, though the service may have kept it).
    #[serde(skip_serializing_if = "Outcome::is_taken")]
    pub outcome: Outcome,
}

impl SurveyOutcome {
    /// One line for people: `exit survey 361348 submitted (questions 1, 2)`.
    pub fn describe(&self, which: &str) -> String {
        match (&self.survey_id, self.submitted) {
            (None, _) => format!("no {which}"),
            (Some(id), false) if !self.outcome.is_taken() => format!(
                "{which} {id} may have been submitted (no answer came; {} {})",
                crate::plural::noun(self.questions.len(), "question", "questions"),
                self.questions.join(", ")
            ),
            (Some(id), false) => format!("{which} {id} offered"),
            (Some(id), true) if self.questions.is_empty() => {
                format!("{which} {id} submitted unanswered")
            }
            (Some(id), true) => format!(
                "{which} {id} submitted ({} {})",
                crate::plural::noun(self.questions.len(), "question", "questions"),
                self.questions.join(", ")
            ),
        }
    }
}

impl TranscriptOutcome {
    /// One line for people.
    pub fn describe(&self) -> String {
        let dropped = if self.subject_dropped {
            " (subject not sent: no link takes one)"
        } else {
            ""
        };
        let unknown = if self.outcome.is_taken() {
            ""
        } else {
            ": may have been requested (no answer came)"
        };
        format!(
            "transcript to {} via {}{dropped}{unknown}",
            self.email, self.link
        )
    }
}

/// Why a case stopped early.
enum Stop {
    /// An expectation was not met.
    Failed(String),
    /// The service refused or could not be reached.
    Error(ApiError),
    /// The session could no longer be followed.
    Lost {
        error: String,
        error_kind: crate::api::ErrorKind,
        explanation: Option<Explanation>,
        /// The service no longer has the chat (a 404): nothing is left to end.
        gone: bool,
    },
    /// The run was interrupted before the case had its verdict.
    Interrupted,
    /// The history cannot be written, so the chat request was not sent.
    NotRecorded(String),
    /// Input found invalid only once the survey it answers was fetched; nothing was sent. Said
    /// with the check file's keys (`exit_survey.4991317`), not the request's.
    Invalid(String),
}

/// Answers (and request fields) found invalid before sending, named by the check file's keys:
/// an answer by its table (`request.survey`, `exit_survey`, `offline_survey`) and question id.
fn invalid_input(errors: &ValidationErrors, table: &str) -> Stop {
    let lines: Vec<String> = errors
        .0
        .iter()
        .map(|e| match &e.field {
            Field::SurveyAnswer(id) => format!("{table}.{id}: {}", e.message),
            other => format!("request.{}: {}", other.key(), e.message),
        })
        .collect();
    Stop::Invalid(format!("invalid input: {}", lines.join("; ")))
}

impl From<ApiError> for Stop {
    fn from(error: ApiError) -> Self {
        Self::Error(error)
    }
}

/// The tracker ends its updates with `Ended` or `Lost`; its channel closing before either is a
/// fault of ours, not an expectation of the file.
fn tracker_stopped() -> Stop {
    Stop::Lost {
        error: "the session tracker stopped unexpectedly".into(),
        error_kind: crate::api::ErrorKind::Failed,
        explanation: None,
        gone: false,
    }
}

/// A file's seconds as a duration. `CheckFile::parse` refuses what this cannot hold, so the
/// error is for a case built some other way.
fn within(seconds: f64) -> Result<Duration, Stop> {
    crate::api::validate::seconds(seconds).map_err(Stop::Failed)
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// The next step of an explanation for a check run: a case's request comes from the check file
/// (or its profile), not from request flags, so a step that names them names the file's keys;
/// the connection flags it may name are `check`'s own.
pub fn next_step(explanation: &Explanation) -> String {
    explanation.next.in_check_file().to_string()
}

/// Runs a case to its verdict; the chat is ended afterwards unless asked to stay open.
pub async fn run_case(mut run: CaseRun) -> CaseResult {
    // The case's exchanges, from its pre-chat survey to its chat's end, go to the journal its
    // history record names; a case that requests no chat has no record to name one.
    if run.case.expect.requests_chat() {
        if let Some(journal) = run.history.as_ref().and_then(History::begin_journal) {
            run.api = run.api.journaled(Some(journal.observer()));
            run.journal = Some(journal.id().to_string());
        }
    }
    let started = Instant::now();
    let mut chat = Chat::default();
    // A panic while the case runs (a bug) still lets the chat it created be ended below.
    let outcome = crate::contain::catch(run.drive(started, &mut chat))
        .await
        .unwrap_or_else(|panic| {
            Err(Stop::Lost {
                error: format!("the case stopped unexpectedly (a bug: {panic})"),
                error_kind: crate::api::ErrorKind::Failed,
                explanation: None,
                gone: false,
            })
        });
    let mut result = CaseResult {
        name: run.case.name.clone(),
        repeat: run.repeat,
        uri: chat.uri.clone(),
        time_to_queue_ms: chat.queued.map(millis),
        time_to_accept_ms: chat.accepted.map(millis),
        agent_lines: chat.agent_lines.clone(),
        visitor_name: chat.named.clone(),
        transcript: chat.transcript.clone(),
        exit_survey: chat.exit_survey.clone(),
        offline_survey: chat.offline_survey.clone(),
        ..CaseResult::default()
    };
    let mut explain = |explanation: Option<Explanation>| {
        result.why = explanation.map(|e| e.why.to_string());
        result.next = explanation.as_ref().map(next_step);
        result.explanation = explanation;
    };
    let gone = match outcome {
        Ok(()) => {
            result.passed = true;
            false
        }
        Err(Stop::Failed(why)) => {
            result.failure = Some(why);
            false
        }
        Err(Stop::Error(error)) => {
            explain(error.explain());
            result.error_kind = Some(error.kind());
            result.error = Some(error.to_string());
            is_gone(&error)
        }
        Err(Stop::Lost {
            error,
            error_kind,
            explanation,
            gone,
        }) => {
            explain(explanation);
            result.error_kind = Some(error_kind);
            result.error = Some(error);
            gone
        }
        Err(Stop::Interrupted) => {
            result.interrupted = true;
            result.error_kind = Some(crate::api::ErrorKind::Interrupted);
            false
        }
        Err(Stop::NotRecorded(error) | Stop::Invalid(error)) => {
            result.error_kind = Some(crate::api::ErrorKind::Invalid);
            result.error = Some(error);
            false
        }
    };
    // A chat the service answers 404 for has ended and is gone (Q28): nothing waits in a
    // queue, so it is neither ended again nor reported (or recorded) as left open.
    if gone && chat.uri.is_some() {
        chat.state = Some(ChatState::Ended);
    }
    if let Some(uri) = &chat.uri {
        if run.end && chat.state != Some(ChatState::Ended) {
            match end(&run.api, uri).await {
                Ok(()) => chat.state = Some(ChatState::Ended),
                Err(error) if is_gone(&error) => chat.state = Some(ChatState::Ended),
                Err(error) => {
                    result
                        .error
                        .get_or_insert(format!("could not end the chat: {error}"));
                }
            }
        }
        result.left_open = chat.state != Some(ChatState::Ended);
        if let (Some(history), Some(state)) = (&run.history, &chat.state) {
            let _ = history.state(uri, state.as_str(), chat.agent.as_deref());
        }
    }
    if result.interrupted {
        result.error.get_or_insert_with(|| {
            match (&chat.uri, result.left_open) {
                (None, _) => "interrupted before its chat was requested: nothing was sent",
                (Some(_), false) => "interrupted: its chat was ended",
                (Some(_), true) => "interrupted: its chat is left open",
            }
            .to_string()
        });
    }
    result.duration_ms = millis(started.elapsed());
    result
}

/// Resolves once the run is stopped; never when it has no stop signal (or it went away).
async fn stopped(stop: &mut Option<watch::Receiver<bool>>) {
    let Some(stop) = stop else {
        return std::future::pending().await;
    };
    if stop.wait_for(|stopped| *stopped).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// The tracker's updates, as a case waits on them, and the run's stop signal.
struct Updates {
    received: mpsc::UnboundedReceiver<SessionUpdate>,
    stop: Option<watch::Receiver<bool>>,
}

/// What waiting for the next update gave.
enum Next {
    Update(SessionUpdate),
    /// The tracker stopped sending.
    Closed,
    TimedOut,
}

impl Updates {
    /// The next update before `deadline`; an interruption stops the case.
    async fn next_before(&mut self, deadline: Instant) -> Result<Next, Stop> {
        tokio::select! {
            biased;
            () = stopped(&mut self.stop) => Err(Stop::Interrupted),
            next = tokio::time::timeout_at(deadline, self.received.recv()) => Ok(match next {
                Ok(Some(update)) => Next::Update(update),
                Ok(None) => Next::Closed,
                Err(_) => Next::TimedOut,
            }),
        }
    }
}

/// A 404 on a chat's own resources: the service no longer has the chat.
fn is_gone(error: &ApiError) -> bool {
    error.status() == Some(404)
}

async fn end(api: &ChatApi, uri: &str) -> Result<(), ApiError> {
    api.end_session(uri).await.map(drop)
}

fn is_ending_message(id: Option<i64>) -> bool {
    use crate::api::model::system_message::{AGENT_ENDED, DISCONNECTED, OPERATORS_BUSY};
    matches!(id, Some(OPERATORS_BUSY | AGENT_ENDED | DISCONNECTED))
}

/// What is known of the chat so far.
#[derive(Debug, Default)]
struct Chat {
    uri: Option<String>,
    queued: Option<Duration>,
    accepted: Option<Duration>,
    state: Option<ChatState>,
    agent: Option<String>,
    skill_name: Option<String>,
    skill_id: Option<String>,
    agent_lines: Vec<String>,
    /// The last message that ends a chat, for "ended because…".
    last_system: Option<String>,
    /// The skill the chat was requested for, to notice the service does not know it.
    asked_skill: String,
    /// Where the visitor's calls about this chat go, as the tracker last reported them.
    links: VisitorLinks,
    /// How setting the visitor's name went, once the tracker said.
    name_result: Option<Result<(), CallFailure>>,
    /// The visitor's name the service took.
    named: Option<String>,
    transcript: Option<TranscriptOutcome>,
    exit_survey: Option<SurveyOutcome>,
    offline_survey: Option<SurveyOutcome>,
}

impl Chat {
    fn absorb(&mut self, update: SessionUpdate, started: Instant) -> Result<(), Stop> {
        match update {
            SessionUpdate::Batch { events, info } => {
                if let Some(info) = info {
                    // The chat would wait for ever, as if no agent were online: say why now.
                    if info.skill_not_recognised(&self.asked_skill) {
                        return Err(Stop::Failed(crate::api::model::skill_not_recognised_text(
                            &self.asked_skill,
                        )));
                    }
                    self.agent = info.agent_name.or(self.agent.take());
                    self.skill_name = info.skill_name.or(self.skill_name.take());
                    self.skill_id = info.skill_id.or(self.skill_id.take());
                }
                for event in events {
                    match event.kind {
                        EventKind::State(state) => {
                            if state == ChatState::Chatting && self.accepted.is_none() {
                                self.accepted = Some(
                                    started
                                        .elapsed()
                                        .saturating_sub(self.queued.unwrap_or_default()),
                                );
                            }
                            self.state = Some(state);
                        }
                        EventKind::Line(line) => match line.source {
                            LineSource::Agent => self.agent_lines.push(line.plain_text()),
                            // Only the messages that end a chat say why it ended (spec §3.4).
                            LineSource::System if is_ending_message(line.system_message_id) => {
                                self.last_system = Some(line.plain_text());
                            }
                            _ => {}
                        },
                        _ => {}
                    }
                }
                Ok(())
            }
            SessionUpdate::Lost {
                error,
                error_kind,
                explanation,
                resume,
            } => Err(Stop::Lost {
                error: format!("lost the session: {error}"),
                error_kind,
                explanation,
                // The tracker offers no way to resume a chat the service no longer has.
                gone: resume.is_none(),
            }),
            SessionUpdate::Ended => {
                self.state = Some(ChatState::Ended);
                Ok(())
            }
            SessionUpdate::Links(links) => {
                self.links = links;
                Ok(())
            }
            SessionUpdate::VisitorNamed { result, .. } => {
                self.name_result = Some(result);
                Ok(())
            }
            SessionUpdate::EstimatedWait(_)
            | SessionUpdate::Retrying { .. }
            | SessionUpdate::Recovered
            | SessionUpdate::AgentTyping(_) => Ok(()),
        }
    }

    fn ended_why(&self) -> String {
        self.last_system.as_deref().map_or_else(
            || "the chat ended".into(),
            |text| format!("the chat ended (“{text}”)"),
        )
    }
}

impl CaseRun {
    /// Whether the run was stopped.
    fn is_stopped(&self) -> bool {
        self.stop.as_ref().is_some_and(|stop| *stop.borrow())
    }

    async fn drive(&self, started: Instant, chat: &mut Chat) -> Result<(), Stop> {
        let expect = &self.case.expect;
        if self.is_stopped() {
            return Err(Stop::Interrupted);
        }
        if let Some(wanted) = expect.available {
            let available = self
                .api
                .availability(&self.request.skill, &self.request.max_wait_time)
                .await?;
            if available.any() != wanted {
                return Err(Stop::Failed(format!(
                    "expected the skill {} before the request; the service says it is {}",
                    if wanted { "available" } else { "unavailable" },
                    if available.any() {
                        "available"
                    } else {
                        "unavailable"
                    }
                )));
            }
        }
        // What a visitor gets after hours, when the skill is unavailable as expected.
        if let Some(answers) = &self.case.offline_survey {
            self.offline_survey(answers, chat).await?;
        }
        // Expecting the skill unavailable, and confirming it, is the whole case: a chat
        // requested now would wait in a queue no agent serves (docs/checks.md).
        if !expect.requests_chat() {
            return Ok(());
        }
        let survey = if self.request.survey_answers.is_empty() {
            None
        } else {
            let survey = self.api.survey(&self.request).await?;
            // Checked here to name the file's keys; an answer the logic hides would be left
            // out of the request, so it is refused rather than lost.
            let mut errors = validate::chat_request(&self.request, survey.as_ref());
            if let Some(survey) = &survey {
                for problem in validate::hidden_answers(&self.request.survey_answers, survey).0 {
                    if errors.for_field(&problem.field).is_none() {
                        errors.0.push(problem);
                    }
                }
            }
            if !errors.is_empty() {
                return Err(invalid_input(&errors, "request.survey"));
            }
            survey
        };
        if self.is_stopped() {
            return Err(Stop::Interrupted);
        }
        // Recorded before it is sent: a chat the history cannot keep is not requested.
        let attempt = match &self.history {
            Some(history) => Some(history.attempt(&self.record()).map_err(|error| {
                Stop::NotRecorded(format!(
                    "not sent: cannot write the history {}: {error} (set {} to a directory \
                     chatstart may write)",
                    history.path().display(),
                    crate::paths::DATA_DIR_ENV
                ))
            })?),
            None => None,
        };
        // Never abandoned once sent, even when the run is interrupted: its chat could exist
        // without a URI to end it by.
        let created = match (&self.case.flow, &self.auth) {
            (CaseFlow::Auth, Some(auth)) => crate::api::start_authenticated_unless(
                &self.api,
                auth,
                &self.request,
                survey.as_ref(),
                |_| {},
                || self.is_stopped(),
            )
            .await
            .map(|started| started.session_uri),
            _ => self.api.request_chat(&self.request, survey.as_ref()).await,
        };
        if let Some(attempt) = &attempt {
            let _ = attempt.settle(&created);
        }
        if matches!(created, Err(ApiError::Stopped)) {
            return Err(Stop::Interrupted);
        }
        let uri = created?;
        chat.uri = Some(uri.to_string());
        chat.queued = Some(started.elapsed());
        chat.asked_skill.clone_from(&self.request.skill);
        crate::contain::test_fault("after-create");

        let (updates, received) = mpsc::unbounded_channel();
        let options = FollowOptions {
            poll_interval: self.poll_interval,
            visitor_name: self.case.visitor_name.clone(),
            ..FollowOptions::default()
        };
        let tracker = session::follow(self.api.clone(), uri.to_string(), options, updates);
        let mut received = Updates {
            received,
            stop: self.stop.clone(),
        };
        let result = self.after_queue(started, chat, &mut received).await;
        tracker.abort();
        result
    }

    /// What the history keeps of this case's chat (its URI still unknown).
    fn record(&self) -> SessionRecord {
        let flow = if self.case.flow == CaseFlow::Auth {
            Flow::Auth
        } else {
            Flow::Request
        };
        SessionRecord::created(
            self.profile.as_deref(),
            &self.api.config().account,
            "",
            flow,
            &self.request,
            self.auth.as_ref(),
        )
        .connected_with(self.api.config())
        .in_journal(self.journal.clone())
    }

    async fn after_queue(
        &self,
        started: Instant,
        chat: &mut Chat,
        received: &mut Updates,
    ) -> Result<(), Stop> {
        self.until_steps(started, chat, received).await?;
        self.visitor_part(started, chat, received).await
    }

    async fn until_steps(
        &self,
        started: Instant,
        chat: &mut Chat,
        received: &mut Updates,
    ) -> Result<(), Stop> {
        let expect = &self.case.expect;
        if let Some(seconds) = expect.not_accepted_within {
            return Self::stays_unaccepted(within(seconds)?, started, chat, received).await;
        }
        let accept_within = within(expect.accepted_within.unwrap_or(DEFAULT_ACCEPT_WITHIN))?;
        let deadline = started + chat.queued.unwrap_or_default() + accept_within;
        while chat.state != Some(ChatState::Chatting) {
            if chat.state == Some(ChatState::Ended) {
                return Err(Stop::Failed(format!(
                    "expected an agent to accept; {}",
                    chat.ended_why()
                )));
            }
            match received.next_before(deadline).await? {
                Next::Update(update) => chat.absorb(update, started)?,
                Next::Closed => return Err(tracker_stopped()),
                Next::TimedOut => {
                    return Err(Stop::Failed(format!(
                        "expected an agent to accept within {} s; the chat is still {}",
                        accept_within.as_secs_f64(),
                        chat.state.as_ref().map_or("unknown", ChatState::as_str)
                    )));
                }
            }
        }
        // The batch that brought `chatting` also brought the info; let a late one arrive.
        if chat.agent.is_none() || chat.skill_name.is_none() {
            let deadline = Instant::now() + self.poll_interval * 2;
            while chat.agent.is_none() || chat.skill_name.is_none() {
                // A session lost meanwhile is the case's error, not a routing failure.
                match received.next_before(deadline).await? {
                    Next::Update(update) => chat.absorb(update, started)?,
                    Next::Closed | Next::TimedOut => break,
                }
            }
        }
        self.check_routing(chat)?;
        let mut consumed = 0;
        let mut events_link: Option<String> = None;
        for (number, step) in self.case.steps.iter().enumerate() {
            if let Some(text) = &step.send {
                if events_link.is_none() {
                    events_link = Some(
                        self.api
                            .events_link(chat.uri.as_deref().unwrap_or_default())
                            .await?,
                    );
                }
                self.api
                    .add_line(events_link.as_deref().unwrap_or_default(), text)
                    .await?;
                continue;
            }
            consumed = self
                .wait_for(step, number + 1, consumed, started, chat, received)
                .await?;
        }
        Ok(())
    }

    /// Passes when no agent has accepted `within` the request: the chat still waits then, or
    /// ended unaccepted before (operators busy, say).
    async fn stays_unaccepted(
        within: Duration,
        started: Instant,
        chat: &mut Chat,
        received: &mut Updates,
    ) -> Result<(), Stop> {
        let deadline = started + chat.queued.unwrap_or_default() + within;
        loop {
            match chat.state {
                Some(ChatState::Chatting) => {
                    return Err(Stop::Failed(format!(
                        "expected no agent to accept within {} s; {} accepted after {:.1} s",
                        within.as_secs_f64(),
                        chat.agent.as_deref().unwrap_or("an agent"),
                        chat.accepted.unwrap_or_default().as_secs_f64()
                    )));
                }
                Some(ChatState::Ended) => return Ok(()),
                _ => {}
            }
            match received.next_before(deadline).await? {
                Next::Update(update) => chat.absorb(update, started)?,
                Next::Closed => return Err(tracker_stopped()),
                Next::TimedOut => return Ok(()),
            }
        }
    }

    /// The visitor's parts of the case once its steps passed: the name the tracker set, the
    /// transcript, then — the chat ended — the exit survey.
    async fn visitor_part(
        &self,
        started: Instant,
        chat: &mut Chat,
        received: &mut Updates,
    ) -> Result<(), Stop> {
        let uri = chat.uri.clone().unwrap_or_default();
        if let Some(name) = &self.case.visitor_name {
            self.named(name, &uri, started, chat, received).await?;
        }
        if let Some(email) = &self.case.transcript_email {
            self.transcript(email, &uri, chat).await?;
        }
        if self.case.wants_exit_survey() {
            self.exit_survey(&uri, chat).await?;
        }
        Ok(())
    }

    /// Waits for the tracker to say how setting the name went (it does right after its first
    /// read); a refusal, or a chat that ended first, fails the case.
    async fn named(
        &self,
        name: &str,
        uri: &str,
        started: Instant,
        chat: &mut Chat,
        received: &mut Updates,
    ) -> Result<(), Stop> {
        let deadline = Instant::now() + self.poll_interval * 2 + self.api.config().http_timeout;
        while chat.name_result.is_none() && chat.state != Some(ChatState::Ended) {
            match received.next_before(deadline).await? {
                Next::Update(update) => chat.absorb(update, started)?,
                Next::Closed | Next::TimedOut => break,
            }
        }
        match chat.name_result.clone() {
            Some(Ok(())) => {
                chat.named = Some(name.to_string());
                self.remember(uri, VisitorAction::Named { name: name.into() });
                Ok(())
            }
            Some(Err(failure)) if failure.outcome_unknown => {
                self.remember_as(
                    uri,
                    VisitorAction::Named { name: name.into() },
                    Outcome::Unknown,
                );
                Err(Stop::Failed(format!(
                    "expected the visitor's name set to “{name}”; it may have been, but the \
                     request went out and no answer came: {failure}"
                )))
            }
            Some(Err(failure)) => Err(Stop::Failed(format!(
                "expected the visitor's name set to “{name}”; the service refused: {failure}"
            ))),
            None => Err(Stop::Failed(format!(
                "expected the visitor's name set to “{name}”; {} before it was",
                chat.ended_why()
            ))),
        }
    }

    /// Asks for the transcript by e-mail (Q32: with the subject where a link takes one).
    async fn transcript(&self, email: &str, uri: &str, chat: &mut Chat) -> Result<(), Stop> {
        let links =
            if chat.links.transcript.is_some() || chat.links.transcript_with_subject.is_some() {
                chat.links.clone()
            } else {
                self.api.visitor_links(uri).await?
            };
        let request = TranscriptRequest {
            email: email.trim().to_string(),
            subject: self
                .case
                .transcript_subject
                .clone()
                .filter(|s| !s.trim().is_empty()),
            timezone_offset_ms: None,
        };
        let (sent, outcome, error) = match self.api.request_transcript(&links, &request).await {
            Ok(sent) => (sent, Outcome::Taken, None),
            Err(error) if error.may_have_taken_effect() => {
                let chosen = crate::history::transcript_link(&links, request.subject.is_some());
                (
                    chosen.unwrap_or(TranscriptSent::Plain),
                    Outcome::Unknown,
                    Some(error),
                )
            }
            Err(error) => return Err(error.into()),
        };
        chat.transcript = Some(TranscriptOutcome {
            email: request.email.clone(),
            subject: request.subject.clone(),
            link: TranscriptLink::from(sent).rel().to_string(),
            subject_dropped: sent == TranscriptSent::SubjectDropped,
            outcome,
        });
        self.remember_as(uri, VisitorAction::transcript(&request, sent), outcome);
        error.map_or(Ok(()), |error| Err(error.into()))
    }

    /// Ends the chat (the exit survey comes after the end), then checks the survey is there or
    /// not as expected and submits the answers given.
    async fn exit_survey(&self, uri: &str, chat: &mut Chat) -> Result<(), Stop> {
        // Read before the end: an ended chat may soon answer 404 (Q28).
        let href = match chat.links.exit_survey.clone() {
            Some(href) => Some(href),
            None if chat.state != Some(ChatState::Ended) => {
                self.api.visitor_links(uri).await?.exit_survey
            }
            None => None,
        };
        if chat.state != Some(ChatState::Ended) {
            match end(&self.api, uri).await {
                Ok(()) => chat.state = Some(ChatState::Ended),
                Err(error) if is_gone(&error) => chat.state = Some(ChatState::Ended),
                Err(error) => return Err(error.into()),
            }
        }
        let survey = match &href {
            Some(href) => self.api.exit_survey(href).await?,
            None => None,
        };
        chat.exit_survey = Some(SurveyOutcome {
            survey_id: survey.as_ref().map(|s| s.id.clone()),
            ..SurveyOutcome::default()
        });
        let wanted = self.case.expect.exit_survey;
        let answers = self.case.exit_survey.as_ref();
        let survey = match (survey, wanted) {
            (None, Some(true)) | (None, None) => {
                return Err(Stop::Failed(format!(
                    "expected an exit survey after the end; {}",
                    if href.is_some() {
                        "the service has none for this chat"
                    } else {
                        "the chat has no exit-survey link"
                    }
                )));
            }
            (Some(survey), Some(false)) => {
                return Err(Stop::Failed(format!(
                    "expected no exit survey after the end; the service offers survey {} ({})",
                    survey.id,
                    crate::plural::count(survey.questions.len(), "question", "questions")
                )));
            }
            (None, Some(false)) => return Ok(()),
            (Some(survey), _) => survey,
        };
        let Some(answers) = answers else {
            return Ok(());
        };
        let href = href.unwrap_or_default();
        let errors = validate::answers_to_send(answers, &survey);
        if !errors.is_empty() {
            return Err(invalid_input(&errors, "exit_survey"));
        }
        let (outcome, error) = match self.api.submit_exit_survey(&href, &survey, answers).await {
            Ok(()) => (Outcome::Taken, None),
            Err(error) if error.may_have_taken_effect() => (Outcome::Unknown, Some(error)),
            Err(error) => return Err(error.into()),
        };
        chat.exit_survey = Some(SurveyOutcome {
            survey_id: Some(survey.id.clone()),
            submitted: outcome.is_taken(),
            questions: answered_questions(&survey, answers),
            outcome,
        });
        self.remember_as(uri, VisitorAction::exit_survey(&survey, answers), outcome);
        error.map_or(Ok(()), |error| Err(error.into()))
    }

    /// Fetches and submits the offline survey for the case's request (Q34).
    async fn offline_survey(&self, answers: &[SurveyAnswer], chat: &mut Chat) -> Result<(), Stop> {
        let survey: Option<Survey> = self.api.offline_survey(&self.request).await?;
        chat.offline_survey = Some(SurveyOutcome {
            survey_id: survey.as_ref().map(|s| s.id.clone()),
            ..SurveyOutcome::default()
        });
        let Some(survey) = survey else {
            let skill = self.request.skill.trim();
            return Err(Stop::Failed(format!(
                "expected an offline survey to submit; the service has none{}",
                if skill.is_empty() {
                    String::new()
                } else {
                    format!(" for skill {skill}")
                }
            )));
        };
        if self.is_stopped() {
            return Err(Stop::Interrupted);
        }
        let errors = validate::answers_to_send(answers, &survey);
        if !errors.is_empty() {
            return Err(invalid_input(&errors, "offline_survey"));
        }
        let (outcome, error) = match self
            .api
            .submit_offline_survey(&self.request, &survey, answers)
            .await
        {
            Ok(()) => (Outcome::Taken, None),
            Err(error) if error.may_have_taken_effect() => (Outcome::Unknown, Some(error)),
            Err(error) => return Err(error.into()),
        };
        let mut record = OfflineSurveyRecord::submitted(
            self.profile.as_deref(),
            self.api.config(),
            &self.request.skill,
            &survey,
            answers,
        );
        record.outcome = outcome;
        chat.offline_survey = Some(SurveyOutcome {
            survey_id: Some(survey.id.clone()),
            submitted: outcome.is_taken(),
            questions: record.questions.clone(),
            outcome,
        });
        if let Some(history) = &self.history {
            let _ = history.offline_survey(record);
        }
        error.map_or(Ok(()), |error| Err(error.into()))
    }

    /// Records what the visitor did in the case's chat; the history is a convenience here.
    fn remember(&self, uri: &str, action: VisitorAction) {
        self.remember_as(uri, action, Outcome::Taken);
    }

    /// Records what the visitor did, or may have done (`Outcome::Unknown`: no answer came).
    fn remember_as(&self, uri: &str, action: VisitorAction, outcome: Outcome) {
        if let Some(history) = &self.history {
            let _ = match outcome {
                Outcome::Taken => history.visitor(uri, action),
                Outcome::Unknown => history.visitor_unknown(uri, action),
            };
        }
    }

    fn check_routing(&self, chat: &Chat) -> Result<(), Stop> {
        let expect = &self.case.expect;
        if let Some(skill) = &expect.skill {
            let by_id = skill.chars().all(|c| c.is_ascii_digit());
            let actual = if by_id {
                &chat.skill_id
            } else {
                &chat.skill_name
            };
            if actual.as_deref() != Some(skill.as_str()) {
                let wanted = if by_id {
                    format!("skill id {skill}")
                } else {
                    format!("skill {skill}")
                };
                return Err(Stop::Failed(format!(
                    "expected the chat routed to {wanted}; info says {}",
                    actual.as_deref().unwrap_or("nothing")
                )));
            }
        }
        if let Some(pattern) = &expect.agent {
            let matched = regex_lite::Regex::new(pattern)
                .ok()
                .zip(chat.agent.as_deref())
                .is_some_and(|(regex, agent)| regex.is_match(agent));
            if !matched {
                return Err(Stop::Failed(format!(
                    "expected an agent matching /{pattern}/; the agent is {}",
                    chat.agent.as_deref().unwrap_or("unknown")
                )));
            }
        }
        Ok(())
    }

    /// Waits for an agent line after `consumed` that satisfies `step`; returns the new position.
    async fn wait_for(
        &self,
        step: &Step,
        number: usize,
        consumed: usize,
        started: Instant,
        chat: &mut Chat,
        received: &mut Updates,
    ) -> Result<usize, Stop> {
        let within = step.within.map_or(Ok(self.step_timeout), within)?;
        let deadline = Instant::now() + within;
        loop {
            if let Some(found) = chat.agent_lines[consumed..]
                .iter()
                .position(|line| step.matches(line))
            {
                return Ok(consumed + found + 1);
            }
            let arrived = || {
                let lines = &chat.agent_lines[consumed..];
                if lines.is_empty() {
                    "no new line arrived".to_string()
                } else {
                    format!(
                        "arrived instead: {}",
                        lines
                            .iter()
                            .map(|l| format!("“{l}”"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            };
            if chat.state == Some(ChatState::Ended) {
                return Err(Stop::Failed(format!(
                    "step {number}: expected {}; {} first, and {}",
                    step.describe(),
                    chat.ended_why(),
                    arrived()
                )));
            }
            match received.next_before(deadline).await? {
                Next::Update(update) => chat.absorb(update, started)?,
                Next::Closed => return Err(tracker_stopped()),
                Next::TimedOut => {
                    return Err(Stop::Failed(format!(
                        "step {number}: expected {} within {} s; {}",
                        step.describe(),
                        within.as_secs_f64(),
                        arrived()
                    )));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::model::Event;
    use crate::api::{ClientConfig, Endpoint};
    use crate::secret::Secret;

    fn case_run() -> CaseRun {
        let config = ClientConfig::new(
            Endpoint::BaseUrl("http://127.0.0.1:9".into()),
            "12345678",
            Secret::new("key"),
        );
        CaseRun {
            case: Case::default(),
            repeat: 1,
            api: ChatApi::new(config).unwrap(),
            request: ChatRequest::default(),
            auth: None,
            end: true,
            poll_interval: Duration::from_millis(50),
            step_timeout: Duration::from_secs(1),
            history: None,
            profile: None,
            stop: None,
            journal: None,
        }
    }

    #[tokio::test]
    async fn a_session_lost_while_the_info_is_awaited_is_the_cases_error() {
        let (updates, received) = mpsc::unbounded_channel();
        // Chatting without the info that names the agent, then the chat is gone.
        updates
            .send(SessionUpdate::Batch {
                events: vec![Event {
                    id: Some(1),
                    time: None,
                    kind: EventKind::State(ChatState::Chatting),
                    raw: None,
                }],
                info: None,
            })
            .unwrap();
        updates
            .send(SessionUpdate::Lost {
                error: "chat session failed: HTTP 404".into(),
                error_kind: crate::api::ErrorKind::Refused,
                explanation: None,
                resume: None,
            })
            .unwrap();
        let mut chat = Chat::default();
        let mut received = Updates {
            received,
            stop: None,
        };
        let outcome = case_run()
            .after_queue(Instant::now(), &mut chat, &mut received)
            .await;
        assert!(
            matches!(
                outcome,
                Err(Stop::Lost {
                    error_kind: crate::api::ErrorKind::Refused,
                    gone: true,
                    ..
                })
            ),
            "not a routing failure, nor the tracker's silence after"
        );
    }
}
