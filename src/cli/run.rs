//! The headless runners: each command's work, from parsed flags to an exit code.

use std::time::Duration;

use reqwest::Url;
use serde_json::json;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::args::OutputArg;
use super::args::{
    AuthArgs, AvailabilityArgs, EndArgs, InfoArgs, RequestArgs, SendArgs, SurveyArgs, WaitArgs,
    WaitState, WatchArgs,
};
use super::context::Context;
use super::exit;
use super::interrupt::{INTERRUPTED, Interrupts, Signal};
use super::print::{Output, Printer, note, say};
use crate::api::error::NetworkFailure;
use crate::api::model::{ChatState, Survey};
use crate::api::{ApiError, AuthRequest, ChatApi, ChatRequest, validate};
use crate::history::{Flow, History, SessionRecord};
use crate::journal::Journal;
use crate::session::{self, FollowOptions, SessionUpdate};
use crate::start::{ConnectionSpec, StartSpec};

/// A command's failure: what to say, and the exit code.
#[derive(Debug)]
pub struct Failure {
    pub code: i32,
    pub message: String,
    pub hint: Option<String>,
    /// Why it happened, when known.
    pub why: Option<String>,
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            code: exit::USAGE,
            message: message.into(),
            hint: None,
            why: None,
        }
    }
}

impl From<ApiError> for Failure {
    fn from(error: ApiError) -> Self {
        // Invalid values are named by the flags that set them.
        if let ApiError::Invalid(errors) = &error {
            let lines: Vec<String> = errors
                .0
                .iter()
                .map(|e| format!("{}: {}", super::input::flag(&e.field), e.message))
                .collect();
            return Failure::usage(match lines.as_slice() {
                [one] => one.clone(),
                many => format!("\n  {}", many.join("\n  ")),
            });
        }
        let explanation = error.explain();
        let mut hint = explanation.map(|e| e.next.command_line.to_string());
        // The step names the host refused, so it runs as printed.
        if let (ApiError::ForeignHost { host, .. }, Some(step)) = (&error, hint.as_mut()) {
            *step = step.replace("HOST", host);
        }
        Self {
            code: exit::of(error.kind()),
            hint,
            why: explanation.map(|e| e.why.to_string()),
            message: error.to_string(),
        }
    }
}

pub type Outcome = Result<i32, Failure>;

/// Builds the client from the added-up connection. `uri` (watch/send/end) supplies the base URL
/// and the account when no layer does.
pub fn connect(connection: &ConnectionSpec, uri: Option<&Url>) -> Result<ChatApi, Failure> {
    let config = connection.client_config(uri)?;
    Ok(ChatApi::new(config)?)
}

/// [`connect`] for a command on a chat the user names by its URI (watch, info, send, end). The
/// appKey goes to the URI's host only when the key's scope allows it (see
/// [`crate::api::key_scope`]); a URI the history kept was named by the service. Checked here,
/// before anything is sent, with the same check every call passes.
pub fn connect_to_chat(
    ctx: &Context,
    connection: &ConnectionSpec,
    uri: &Url,
) -> Result<ChatApi, Failure> {
    let api = connect(connection, Some(uri))?;
    let entries = ctx
        .history
        .as_ref()
        .and_then(|history| history.entries().ok())
        .unwrap_or_default();
    if history_knows_host(&entries, uri) {
        api.named_by_service(uri.as_str());
    }
    api.check_key_destination(crate::api::Operation::Session, uri.as_str())?;
    // A chat the history recorded keeps its exchanges in its journal, whichever command
    // makes them.
    let journal = ctx
        .history
        .as_ref()
        .and_then(|history| history.journal_of_uri(&entries, uri.as_str()));
    Ok(api.journaled(journal.as_ref().map(Journal::observer)))
}

/// A new journal for the chat this command is about to request, and the client whose every
/// exchange (the survey read, the auth call, the request, the polls) goes to it.
fn journal_new_chat(history: &History, api: ChatApi) -> (ChatApi, JournalProblems) {
    let journal = history.begin_journal();
    let api = api.journaled(journal.as_ref().map(Journal::observer));
    (api, JournalProblems(journal))
}

/// Says, when the command ends, that the chat's exchanges could not all be kept: the journal
/// is a convenience, never a reason to fail.
struct JournalProblems(Option<Journal>);

impl JournalProblems {
    fn id(&self) -> Option<String> {
        self.0.as_ref().map(|j| j.id().to_string())
    }

    /// Nothing that makes a chat was sent: no record will name the journal.
    fn discard(&self) {
        if let Some(journal) = &self.0 {
            journal.discard();
        }
    }
}

impl Drop for JournalProblems {
    fn drop(&mut self) {
        if let Some(problem) = self.0.as_ref().and_then(Journal::problem) {
            note(format!("warning: {problem}"));
        }
    }
}

/// Whether a chat of the history lives on `uri`'s origin: the service named it in the
/// Location of a chat request.
fn history_knows_host(entries: &[crate::history::Entry], uri: &Url) -> bool {
    let origin = uri.origin();
    entries
        .iter()
        .filter_map(|entry| Url::parse(&entry.session.uri).ok())
        .any(|known| known.origin() == origin)
}

/// A positive number of seconds, at most a year ([`validate::MAX_SECONDS`]), given by `flag`.
pub(crate) fn seconds_flag(flag: &str, seconds: f64) -> Result<Duration, Failure> {
    validate::seconds(seconds).map_err(|message| Failure::usage(format!("{flag}: {message}")))
}

/// A poll interval flag: seconds, and no shorter than the service can bear.
pub(crate) fn interval_flag(flag: &str, seconds: f64) -> Result<Duration, Failure> {
    validate::interval(seconds).map_err(|message| Failure::usage(format!("{flag}: {message}")))
}

pub(crate) fn parse_uri(text: &str) -> Result<Url, Failure> {
    Url::parse(text.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| {
            Failure::usage(format!(
                "`{text}` is not a chat-session URI (an http(s) URL)"
            ))
        })
}

/// Validates what can be checked without the survey, then fetches the survey when answers need
/// it and checks them too. Nothing that creates a chat is sent before this passes.
pub async fn prepare_request(
    api: &ChatApi,
    request: &ChatRequest,
) -> Result<Option<Survey>, Failure> {
    // Everything but the answers' fit to the survey, before even the survey is asked for.
    validate::request_fields(request)
        .into_result()
        .map_err(ApiError::from)?;
    if request.survey_answers.is_empty() {
        return Ok(None);
    }
    let survey = api.survey(request).await?;
    let mut errors = validate::chat_request(request, survey.as_ref());
    // An answer the survey's logic hides would be left out of the request: refused, not lost.
    if let Some(survey) = &survey {
        for problem in validate::hidden_answers(&request.survey_answers, survey).0 {
            if errors.for_field(&problem.field).is_none() {
                errors.0.push(problem);
            }
        }
    }
    errors.into_result().map_err(ApiError::from)?;
    Ok(survey)
}

fn follow_options(
    wait: &WaitArgs,
    request: Option<&ChatRequest>,
) -> Result<FollowOptions, Failure> {
    let mut options = FollowOptions {
        skill: request.map(|r| r.skill.clone()).filter(|s| !s.is_empty()),
        ..FollowOptions::default()
    };
    if let Some(seconds) = wait.poll_interval {
        options.poll_interval = interval_flag("--poll-interval", seconds)?;
    }
    if let Some(retries) = wait.poll_retries {
        options.max_failures = retries;
    }
    let idle = request.and_then(|r| r.interaction_timeout.trim().parse::<u64>().ok());
    if let Some(idle) = idle.filter(|idle| options.poll_interval.as_secs_f64() * 2.0 > *idle as f64)
    {
        note(format!(
            "warning: polls every {} s are not well under the {idle} s interaction timeout; the tracker polls faster once the chat reports it",
            options.poll_interval.as_secs_f64()
        ));
    }
    Ok(options)
}

fn awaited(state: WaitState) -> ChatState {
    match state {
        WaitState::Waiting => ChatState::Waiting,
        WaitState::Chatting => ChatState::Chatting,
        WaitState::Ended => ChatState::Ended,
    }
}

/// What following a chat waits for, and how.
struct Goal {
    /// The state that ends the wait; the chat's end when none.
    awaited: Option<ChatState>,
    timeout: Option<Duration>,
    options: FollowOptions,
}

/// Follows a session, printing as it goes, until `awaited` (or the end when none). An
/// interruption stops it, saying the chat is still there and how to follow or end it.
async fn follow(
    api: &ChatApi,
    uri: &str,
    goal: Goal,
    printer: &mut Printer<std::io::Stdout>,
    history: Option<&History>,
    interrupts: &mut Interrupts,
) -> Outcome {
    let Goal {
        awaited,
        timeout,
        options,
    } = goal;
    // Whether the service has answered for this chat yet (it has, for one just created): a
    // chat never reached is not "lost".
    let mut answered = options.known_reachable;
    let asked_skill = options.skill.clone().unwrap_or_default();
    // Said once, as soon as the info shows it; and again as the reason a wait timed out.
    let mut skill_not_recognised = false;
    // The name is set by the tracker right after its first read: the awaited state may come
    // first (`--wait waiting`), and the command then stays for the name's outcome.
    let mut name_pending = options.visitor_name.clone();
    let mut reached = false;
    let (updates, mut received) = mpsc::unbounded_channel();
    let tracker = session::follow(api.clone(), uri.to_string(), options, updates);
    let _stop = AbortOnDrop(tracker);
    let deadline = timeout.map(|t| Instant::now() + t);
    loop {
        let update = tokio::select! {
            update = received.recv() => update,
            signal = interrupts.next() => {
                let state = printer.state().map_or("state unknown".into(), ToString::to_string);
                return Err(Failure {
                    code: INTERRUPTED,
                    message: format!("{signal}: the chat is still there ({state}); chatstart stopped following it"),
                    hint: Some(follow_or_end(uri)),
                    why: None,
                });
            }
            () = sleep_until_optional(deadline) => {
                let state = printer.state().map_or("unknown".into(), ToString::to_string);
                return Err(Failure {
                    code: exit::NOT_REACHED,
                    message: format!(
                        "timed out after {} s waiting for state {}; the chat is {state}",
                        timeout.unwrap_or_default().as_secs_f64(),
                        awaited.as_ref().map_or("ended", ChatState::as_str),
                    ),
                    hint: Some(follow_or_end(uri)),
                    why: skill_not_recognised
                        .then(|| crate::api::model::skill_not_recognised_text(&asked_skill)),
                });
            }
        };
        let Some(update) = update else {
            return Err(Failure {
                code: exit::FAILURE,
                message: "the session tracker stopped unexpectedly".into(),
                hint: None,
                why: None,
            });
        };
        if let SessionUpdate::Batch {
            info: Some(info), ..
        } = &update
        {
            if !skill_not_recognised && info.skill_not_recognised(&asked_skill) {
                skill_not_recognised = true;
                printer.skill_not_recognised(&asked_skill);
            }
        }
        answered |= matches!(
            update,
            SessionUpdate::Batch { .. } | SessionUpdate::Recovered | SessionUpdate::Ended
        );
        let before = printer.state().cloned();
        reached |= printer.update(&update, awaited.as_ref());
        if let (Some(history), Some(state)) = (history, printer.state()) {
            if before.as_ref() != Some(state) {
                let agent = match &update {
                    SessionUpdate::Batch { info, .. } => {
                        info.as_ref().and_then(|i| i.agent_name.clone())
                    }
                    _ => None,
                };
                remember(history.state(uri, state.as_str(), agent.as_deref()));
            }
        }
        if let SessionUpdate::VisitorNamed { name, result } = &update {
            name_pending = None;
            super::visitor::named(uri, name, result, printer, history);
        }
        // The tracker stopped without setting the name: said as a refusal is.
        if matches!(update, SessionUpdate::Ended | SessionUpdate::Lost { .. }) {
            if let Some(name) = name_pending.take() {
                let result = Err(crate::api::error::CallFailure::not_sent(NAME_NOT_SET));
                super::visitor::named(uri, &name, &result, printer, history);
            }
        }
        if reached {
            if name_pending.is_none() {
                return Ok(exit::OK);
            }
            // The chat is where it was awaited; the name's outcome comes with this poll.
            continue;
        }
        match update {
            SessionUpdate::Ended if awaited.is_none() || awaited == Some(ChatState::Ended) => {
                return Ok(exit::OK);
            }
            SessionUpdate::Ended => {
                return Err(Failure {
                    code: exit::NOT_REACHED,
                    message: format!(
                        "the chat ended before reaching state {}",
                        awaited.as_ref().map_or("?", ChatState::as_str)
                    ),
                    hint: None,
                    why: None,
                });
            }
            SessionUpdate::Lost {
                error,
                error_kind,
                explanation,
                resume,
            } => {
                let next = explanation.map(|e| e.next.command_line.to_string());
                // The resume command works as pasted: it keeps the appKey where it rode.
                let query = api.config().app_key_in == crate::api::AppKeyPlacement::Query;
                let resume = resume.map(|resume| {
                    let flag = if query { " --app-key-in query" } else { "" };
                    format!("resume with `{resume}{flag}`")
                });
                // A chat the service never answered for was not lost: it was never reached.
                let what = if answered {
                    "lost the session"
                } else {
                    "could not follow the chat"
                };
                return Err(Failure {
                    code: exit::of(error_kind),
                    message: format!("{what}: {error}"),
                    hint: match (next, resume) {
                        (Some(next), Some(resume)) => Some(format!("{next}; or {resume}")),
                        (next, resume) => next.or(resume),
                    },
                    why: explanation.map(|e| e.why.to_string()),
                });
            }
            SessionUpdate::Retrying {
                attempt,
                error,
                delay,
            } => {
                note(format!(
                    "poll failed (attempt {attempt}): {error}; retrying in {:.1} s",
                    delay.as_secs_f64()
                ));
            }
            SessionUpdate::Recovered => note("polling again"),
            SessionUpdate::Batch { .. }
            | SessionUpdate::EstimatedWait(_)
            | SessionUpdate::Links(_)
            | SessionUpdate::AgentTyping(_)
            | SessionUpdate::VisitorNamed { .. } => {}
        }
    }
}

/// Why the visitor's name was not set when the chat ended (or was lost) first.
const NAME_NOT_SET: &str = "the chat ended before it could be set";

/// How to follow or end the chat at `uri`, for a command that stops before it ends.
fn follow_or_end(uri: &str) -> String {
    let uri = crate::api::links::redact_text_url(uri);
    format!("follow it with `chatstart watch {uri}` or end it with `chatstart end {uri}`")
}

async fn sleep_until_optional(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

/// Stops the tracker when the command returns, whichever way.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// History is a convenience: failing to write it is said, never fatal.
pub(crate) fn remember(result: std::io::Result<()>) {
    if let Err(error) = result {
        note(format!("warning: could not write the history: {error}"));
    }
}

/// What the history keeps of a chat this command is about to request (no secret).
fn session_template(
    ctx: &Context,
    api: &ChatApi,
    flow: Flow,
    request: &ChatRequest,
    auth: Option<&AuthRequest>,
) -> SessionRecord {
    SessionRecord::created(
        ctx.profile_name(),
        &api.config().account,
        "",
        flow,
        request,
        auth,
    )
    .connected_with(api.config())
}

/// Sends a chat-creating request (`send`), recorded in the history before it goes out and
/// settled by its outcome. An interruption before it is sent sends nothing; one while it is on
/// its way waits for the answer, so the chat is not lost, unless a second one comes (the
/// history then keeps the attempt, state unknown). The URI, and whether an interruption came.
async fn create_chat(
    history: &History,
    template: &SessionRecord,
    interrupts: &mut Interrupts,
    http_timeout: Duration,
    send: impl std::future::Future<Output = Result<Url, ApiError>>,
) -> Result<(Url, Option<Signal>), Failure> {
    let attempt = history
        .attempt(template)
        .map_err(|error| super::context::unwritable_history(history, &error))?;
    if let Some(signal) = interrupts.arrived() {
        remember(attempt.not_created());
        return Err(Failure {
            code: INTERRUPTED,
            message: format!("{signal} before the chat request was sent: nothing was sent"),
            hint: None,
            why: None,
        });
    }
    tokio::pin!(send);
    let mut interrupted = None;
    let outcome = tokio::select! {
        outcome = &mut send => outcome,
        signal = interrupts.next() => {
            note(format!(
                "{signal}: the chat request is on its way; waiting for its answer (at most {} s) \
                 so the chat is not lost — again to stop now",
                http_timeout.as_secs_f64()
            ));
            tokio::select! {
                outcome = &mut send => {
                    interrupted = Some(signal);
                    outcome
                }
                again = interrupts.next() => {
                    return Err(Failure {
                        code: INTERRUPTED,
                        message: format!(
                            "{again} while the chat request was on its way: a chat may exist"
                        ),
                        hint: Some(
                            "look for it in the skill's agent queue before sending again; \
                             `chatstart history` keeps the attempt (state unknown)"
                                .into(),
                        ),
                        why: None,
                    });
                }
            }
        }
    };
    remember(attempt.settle(&outcome));
    if let (Some(signal), Err(ApiError::Stopped)) = (interrupted, &outcome) {
        return Err(Failure {
            code: INTERRUPTED,
            message: format!(
                "{signal}: the authentication call was answered, and the chat request was not sent: no chat was made"
            ),
            hint: None,
            why: None,
        });
    }
    Ok((outcome?, interrupted))
}

/// After a chat was created by an interrupted command: exit 130, saying it exists and how to
/// follow or end it.
fn interrupted_after_creating(signal: Signal, uri: &Url) -> Failure {
    Failure {
        code: INTERRUPTED,
        message: format!("{signal}: the chat was created and is in the queue"),
        hint: Some(follow_or_end(uri.as_str())),
        why: None,
    }
}

fn printer(output: OutputArg) -> Printer<std::io::Stdout> {
    Printer::stdout(output)
}

fn wait_timeout(wait: &WaitArgs) -> Result<Option<Duration>, Failure> {
    wait.timeout
        .map(|t| seconds_flag("--timeout", t))
        .transpose()
}

/// `request` and `auth` follow the chat only with `--wait`: the following flags alone would be
/// silently ignored, so they are refused before anything is sent.
fn following_flags_need_wait(wait: &WaitArgs) -> Result<Option<Duration>, Failure> {
    if wait.wait.is_none() {
        let given: Vec<&str> = [
            (wait.timeout.is_some(), "--timeout"),
            (wait.poll_interval.is_some(), "--poll-interval"),
            (wait.poll_retries.is_some(), "--poll-retries"),
        ]
        .into_iter()
        .filter_map(|(given, flag)| given.then_some(flag))
        .collect();
        if !given.is_empty() {
            return Err(Failure::usage(format!(
                "{}: only with --wait STATE (without it the chat is not followed)",
                given.join(", ")
            )));
        }
    }
    wait_timeout(wait)
}

/// After a chat is created: done, or follow it until the awaited state (`--wait`).
async fn follow_if_asked(
    ctx: &Context,
    api: &ChatApi,
    uri: &Url,
    goal: Option<Goal>,
    out: &mut Printer<std::io::Stdout>,
    interrupts: &mut Interrupts,
) -> Outcome {
    match goal {
        Some(goal) => {
            let history = ctx.history.as_ref();
            follow(api, uri.as_str(), goal, out, history, interrupts).await
        }
        None => Ok(exit::OK),
    }
}

/// The goal `--wait` sets, if given.
fn goal(
    wait: Option<WaitState>,
    timeout: Option<Duration>,
    options: FollowOptions,
) -> Option<Goal> {
    wait.map(|state| Goal {
        awaited: Some(awaited(state)),
        timeout,
        options,
    })
}

pub async fn request(ctx: &Context, args: RequestArgs) -> Outcome {
    let mut flags = super::input::flags(&args.connection, &args.fields)?;
    flags.visitor = args.visitor.spec();
    let start = ctx.layered(&flags)?;
    let (connection, request) = (&start.connection, start.request.chat_request()?);
    let timeout = following_flags_need_wait(&args.wait)?;
    let visitor_name = super::visitor::visitor_name(&start.visitor)?;
    let options = FollowOptions {
        visitor_name: visitor_name.clone(),
        ..follow_options(&args.wait, Some(&request))?
    };
    let api = connect(connection, None)?;
    // Before anything goes out: a chat is sent only when the history can keep it.
    let history = ctx.recording_history()?;
    let (api, journal) = journal_new_chat(history, api);
    let survey = prepare_request(&api, &request)
        .await
        .inspect_err(|_| journal.discard())?;
    let mut interrupts = Interrupts::listen();
    let template =
        session_template(ctx, &api, Flow::Request, &request, None).in_journal(journal.id());
    let (uri, interrupted) = create_chat(
        history,
        &template,
        &mut interrupts,
        api.config().http_timeout,
        api.request_chat(&request, survey.as_ref()),
    )
    .await?;
    let mut out = printer(args.output);
    out.session(uri.as_str());
    if let Some(signal) = interrupted {
        return Err(interrupted_after_creating(signal, &uri));
    }
    let goal = goal(args.wait.wait, timeout, options);
    name_unless_followed(ctx, &api, &uri, visitor_name, goal.is_some(), &mut out).await;
    follow_if_asked(ctx, &api, &uri, goal, &mut out, &mut interrupts).await
}

/// A chat not followed gets its visitor's name here, right after it was created; a followed
/// one from its tracker after the first read.
async fn name_unless_followed(
    ctx: &Context,
    api: &ChatApi,
    uri: &Url,
    name: Option<String>,
    followed: bool,
    out: &mut Printer<std::io::Stdout>,
) {
    if let Some(name) = name.filter(|_| !followed) {
        let history = ctx.history.as_ref();
        super::visitor::name_without_following(api, uri.as_str(), &name, out, history).await;
    }
}

pub async fn auth(ctx: &Context, args: AuthArgs) -> Outcome {
    let mut flags = super::input::flags(&args.connection, &args.fields)?;
    flags.auth = args.auth_spec();
    flags.visitor = args.visitor.spec();
    let mut start = ctx.layered(&flags)?;
    let request = start.request.chat_request()?;
    let timeout = following_flags_need_wait(&args.wait)?;
    let visitor_name = super::visitor::visitor_name(&start.visitor)?;
    let options = FollowOptions {
        visitor_name: visitor_name.clone(),
        ..follow_options(&args.wait, Some(&request))?
    };
    start.auth.resolve_sso_key(ctx.chosen_profile())?;
    let auth = start.auth.auth_request();
    let connection = &start.connection;
    let inspection = crate::jwt::inspect(auth.sso_key.expose(), std::time::SystemTime::now());
    if args.inspect {
        if auth.sso_key.is_empty() {
            return Err(Failure::usage(
                "--inspect needs the SSO key: --sso-key or CHATSTART_SSO_KEY",
            ));
        }
        let output = Output::new(args.output);
        let mut object = serde_json::Map::new();
        object.insert("type".into(), json!("inspection"));
        if let serde_json::Value::Object(fields) = inspection.to_json() {
            object.extend(fields);
        }
        output.json(&serde_json::Value::Object(object));
        for line in inspection.lines() {
            output.text(line);
        }
        return Ok(if inspection.is_usable() {
            exit::OK
        } else {
            exit::USAGE
        });
    }
    if !auth.sso_key.is_empty() && !inspection.is_usable() {
        note(format!("warning: SSO key: {}", inspection.headline()));
    }
    validate::auth_request(&auth, &request)
        .into_result()
        .map_err(ApiError::from)?;
    let api = connect(connection, None)?;
    // Before anything goes out: a chat is sent only when the history can keep it.
    let history = ctx.recording_history()?;
    let (api, journal) = journal_new_chat(history, api);
    let survey = prepare_request(&api, &request)
        .await
        .inspect_err(|_| journal.discard())?;
    let mut interrupts = Interrupts::listen();
    let mut out = printer(args.output);
    let template =
        session_template(ctx, &api, Flow::Auth, &request, Some(&auth)).in_journal(journal.id());
    // An interruption during the authentication call lets it finish, but no chat request
    // follows it.
    let interrupted = interrupts.seen();
    let started = crate::api::start_authenticated_unless(
        &api,
        &auth,
        &request,
        survey.as_ref(),
        |outcome| {
            if let Some(summary) = out.auth(outcome) {
                note(summary);
            }
        },
        move || interrupted.load(std::sync::atomic::Ordering::SeqCst),
    );
    let (uri, interrupted) = create_chat(
        history,
        &template,
        &mut interrupts,
        api.config().http_timeout,
        async { started.await.map(|chat| chat.session_uri) },
    )
    .await?;
    out.session(uri.as_str());
    if let Some(signal) = interrupted {
        return Err(interrupted_after_creating(signal, &uri));
    }
    let goal = goal(args.wait.wait, timeout, options);
    name_unless_followed(ctx, &api, &uri, visitor_name, goal.is_some(), &mut out).await;
    follow_if_asked(ctx, &api, &uri, goal, &mut out, &mut interrupts).await
}

pub async fn watch(ctx: &Context, args: WatchArgs) -> Outcome {
    let uri = parse_uri(&args.uri)?;
    let connection = ctx.connection(&args.connection)?;
    let timeout = wait_timeout(&args.wait)?;
    // Only a name given here: a profile's visitor_name names the chats it starts, not every
    // chat watched.
    let visitor_name = super::visitor::visitor_name(&crate::start::VisitorSpec {
        name: args.visitor_name.clone(),
        transcript_email: None,
    })?;
    let options = FollowOptions {
        // A URI whose service refuses the connection is not a session to resume.
        known_reachable: false,
        visitor_name,
        ..follow_options(&args.wait, None)?
    };
    let api = connect_to_chat(ctx, &connection, &uri)?;
    let mut out = printer(args.output);
    let awaited = args.wait.wait.map(awaited);
    if let Some(ended) = ended_and_gone(ctx, &api, &uri).await {
        note(format!(
            "{uri}: the chat ended (the history has it ended at {ended}); the service no longer \
             keeps it (404 Chat session not found), so there is nothing left to follow"
        ));
        return match awaited {
            None | Some(ChatState::Ended) => Ok(exit::OK),
            Some(state) => Err(Failure {
                code: exit::NOT_REACHED,
                message: format!("the chat ended before reaching state {state}"),
                hint: None,
                why: None,
            }),
        };
    }
    let goal = Goal {
        awaited,
        timeout,
        options,
    };
    let history = ctx.history.as_ref();
    let mut interrupts = Interrupts::listen();
    follow(&api, uri.as_str(), goal, &mut out, history, &mut interrupts).await
}

/// When the history has this chat ended and the service answers 404 for it: the time it was
/// seen ended. A chat vanishes some time after it ends (Q28); that is no lost session.
async fn ended_and_gone(ctx: &Context, api: &ChatApi, uri: &Url) -> Option<String> {
    let entry = ctx
        .history_entries()
        .ok()?
        .into_iter()
        .find(|entry| entry.session.uri == uri.as_str())
        .filter(|entry| entry.session.state == "ended")?;
    match api.chat(uri.as_str()).await {
        Err(error) if super::cleanup::is_gone(&error) => Some(entry.updated),
        _ => None,
    }
}

/// GET the chat's information (§2.13) through the `info` link of its resource, as given; the
/// info the resource itself carries when it offers no such link.
pub async fn info(ctx: &Context, args: InfoArgs) -> Outcome {
    let uri = parse_uri(&args.uri)?;
    let api = connect_to_chat(ctx, &ctx.connection(&args.connection)?, &uri)?;
    let chat = api.chat(uri.as_str()).await?;
    let href = chat
        .links
        .get("info")
        .or_else(|| chat.info.as_ref()?.links.get("self"))
        .map(str::to_string);
    let info = match (href, chat.info) {
        (Some(href), _) => api.info(&href).await?,
        (None, Some(info)) => info,
        (None, None) => {
            return Err(Failure::from(ApiError::BadBody {
                operation: crate::api::Operation::Session,
                status: 200,
                detail: "the chat has neither an `info` link nor info".into(),
                body_start: String::new(),
            }));
        }
    };
    let fields = [
        ("state", info.state.as_ref().map(ToString::to_string)),
        ("agentName", info.agent_name),
        ("agentId", info.agent_id),
        ("skillName", info.skill_name),
        ("skillId", info.skill_id),
        ("chatTimeout", info.chat_timeout.map(|t| t.to_string())),
        ("startTime", info.start_time),
        ("lastUpdate", info.last_update),
        ("visitorId", info.visitor_id),
        ("visitorName", info.visitor_name),
        ("agentTyping", info.agent_typing),
        ("visitorTyping", info.visitor_typing),
        ("chatSessionKey", info.chat_session_key),
        ("rtSessionId", info.rt_session_id),
    ];
    let output = Output::new(args.output);
    let mut object = serde_json::Map::new();
    object.insert("type".into(), json!("info"));
    object.insert("uri".into(), json!(crate::api::links::redact_url(&uri)));
    for (name, value) in fields {
        if let Some(value) = value {
            output.text(format!("{name}: {value}"));
            object.insert(name.into(), json!(value));
        }
    }
    // What chatstart did as the visitor in this chat, as the history kept it.
    let done = ctx
        .history
        .as_ref()
        .and_then(|history| history.entries().ok())
        .and_then(|entries| entries.into_iter().find(|e| e.session.uri == uri.as_str()))
        .map(|entry| entry.session.visitor)
        .unwrap_or_default();
    if !done.is_empty() {
        output.text("history:");
        for action in &done {
            output.text(format!("  {}  {}", action.time, action.describe()));
        }
        object.insert("visitor".into(), json!(done));
    }
    output.json(&serde_json::Value::Object(object));
    Ok(exit::OK)
}

pub async fn send(ctx: &Context, args: SendArgs) -> Outcome {
    let uri = parse_uri(&args.uri)?;
    if let Some(message) = validate::line(&args.text) {
        return Err(Failure::usage(format!("TEXT: {message}")));
    }
    let api = connect_to_chat(ctx, &ctx.connection(&args.connection)?, &uri)?;
    let events = api.events_link(uri.as_str()).await?;
    match api.add_line(&events, &args.text).await {
        Ok(()) => {
            // Scripts get a line to read; people already see their prompt come back.
            let uri = crate::api::links::redact_url(&uri);
            Output::new(args.output).json(&json!({"type": "sent", "uri": uri}));
            Ok(exit::OK)
        }
        // The line went out but its answer did not come back: it may be in the chat already,
        // and sending it again could show it twice.
        Err(
            error @ ApiError::Network {
                failure: NetworkFailure::Timeout | NetworkFailure::Dropped,
                ..
            },
        ) => Err(Failure {
            hint: Some(format!(
                "the line may have been added; look at the transcript (`chatstart watch {}`) before sending it again",
                crate::api::links::redact_url(&uri)
            )),
            ..Failure::from(error)
        }),
        Err(error) => Err(error.into()),
    }
}

pub async fn end(ctx: &Context, args: EndArgs) -> Outcome {
    let Some(uri) = &args.uri else {
        return super::cleanup::end_all_open(ctx, &args).await;
    };
    let uri = parse_uri(uri)?;
    let api = connect_to_chat(ctx, &ctx.connection(&args.connection)?, &uri)?;
    let ending = super::cleanup::end_chat(&api, uri.as_str()).await?;
    // A 404 is a chat that is over only when something says it ever existed: a mistyped URI
    // answers 404 too, and "already over" would hide the typo.
    if ending == super::cleanup::Ending::AlreadyGone && !ctx.history_knows(uri.as_str()) {
        return Err(Failure {
            code: exit::REFUSED,
            message: format!(
                "the service has no chat at {} (404 Chat session not found), and the history has no record of it",
                crate::api::links::redact_url(&uri)
            ),
            why: Some(
                "nothing says this chat ever existed: the URI may be mistyped or of another \
                 account; a chat that ended a while ago is gone the same way"
                    .into(),
            ),
            hint: Some(
                "check the URI (`chatstart history` lists the chats this tool created); if it \
                 is a chat that ended, nothing is left to end"
                    .into(),
            ),
        });
    }
    if let Some(history) = &ctx.history {
        remember(history.state(uri.as_str(), "ended", None));
    }
    let shown = crate::api::links::redact_url(&uri);
    Output::new(args.output).json(&ending.to_json(&shown));
    note(ending.describe(&shown));
    Ok(exit::OK)
}

pub async fn survey(ctx: &Context, args: SurveyArgs) -> Outcome {
    let start = ctx.layered(&StartSpec {
        connection: args.connection.spec(),
        ..StartSpec::default()
    })?;
    let api = connect(&start.connection, None)?;
    let request = ChatRequest {
        skill: args.skill.or(start.request.skill).unwrap_or_default(),
        ..ChatRequest::default()
    };
    let survey = api.survey(&request).await?;
    let output = Output::new(args.output);
    match survey {
        None => output.emit(
            "no pre-chat survey",
            &json!({"type": "survey", "survey": null}),
        ),
        Some(survey) => output.emit(
            super::survey::to_text(&survey).trim_end(),
            &super::survey::to_json(&survey),
        ),
    }
    Ok(exit::OK)
}

pub async fn availability(ctx: &Context, args: AvailabilityArgs) -> Outcome {
    let start = ctx.layered(&StartSpec {
        connection: args.connection.spec(),
        ..StartSpec::default()
    })?;
    let api = connect(&start.connection, None)?;
    let defaults = start.request;
    let skill = args.skill.or(defaults.skill).unwrap_or_default();
    let max_wait = args
        .max_wait_time
        .or(defaults.max_wait_time)
        .unwrap_or_default();
    let available = api.availability(&skill, &max_wait).await?;
    let slots = api.available_slots(&skill, &max_wait).await?;
    let estimate = api.estimated_wait(&skill).await?;
    let output = Output::new(args.output);
    if output.is_json() {
        let per_skill = match &available {
            crate::api::model::Availability::PerSkill(skills) => json!(
                skills
                    .iter()
                    .map(|(skill, available)| json!({"skill": skill, "available": available}))
                    .collect::<Vec<_>>()
            ),
            crate::api::model::Availability::Single(_) => serde_json::Value::Null,
        };
        let seconds = match estimate {
            crate::api::model::EstimatedWait::Seconds(s) => json!(s),
            crate::api::model::EstimatedWait::Now => json!(0),
            _ => serde_json::Value::Null,
        };
        output.json(
            &json!({"type": "availability", "available": available.any(), "skills": per_skill,
                   // -1 from the service: no limit, which `null` alone would not tell apart.
                   "availableSlots": slots, "slotsUnlimited": slots.is_none(),
                   "estimatedWaitSeconds": seconds,
                   "estimatedWait": estimate.to_string()}),
        );
    } else {
        say(format!(
            "available: {}",
            if available.any() { "yes" } else { "no" }
        ));
        if let crate::api::model::Availability::PerSkill(skills) = &available {
            for (skill, flag) in skills {
                say(format!("  {skill}: {}", if *flag { "yes" } else { "no" }));
            }
        }
        match slots {
            Some(slots) => say(format!("available slots: {slots}")),
            None => say("available slots: unlimited"),
        }
        say(format!("estimated wait: {estimate}"));
    }
    Ok(exit::OK)
}
