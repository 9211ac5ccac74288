//! The part of `update` that follows a created chat: tracker updates, the composer, end, copy,
//! inspector and scrolling. Pure, like `update`.

use tui_input::Input;

use crate::api::exchange::Exchange;
use crate::api::model::{ChatState, Event, EventKind, Info, LineSource};
use crate::copy::CopyReport;
use crate::session::SessionUpdate;
use crate::terminal_text::terminal_safe;
use crate::tui::app::{App, Health, Notice, Phase, SessionView, Topic};
use crate::tui::msg::{
    CopyWhat, Effect, EvidenceOf, SessionId, SessionIntent, SessionOutcome, StartFailure,
};
use crate::tui::session::transcript::{Speaker, TranscriptLine};

/// Most exchanges kept for the inspector; older ones are dropped.
const MAX_EXCHANGES: usize = 500;

/// What came back about the chat being created or followed: applied whatever is on screen.
pub fn outcome(app: &mut App, outcome: SessionOutcome) -> Vec<Effect> {
    match outcome {
        SessionOutcome::Created { id, uri, journal } => created(app, id, uri, journal),
        SessionOutcome::StartFailed { id, failure } => start_failed(app, id, failure),
        SessionOutcome::Exchange { id, exchange } => exchange_seen(app, id, exchange),
        SessionOutcome::Update { id, update } => updated(app, id, update),
        SessionOutcome::Copied { what, result, file } => copied(app, what, result, file),
        SessionOutcome::LineSent { id, result } => line_sent(app, id, result),
        SessionOutcome::ChatEnded { id, result } => chat_ended(app, id, result),
    }
}

/// The chat is created: the session view takes over from the form.
fn created(app: &mut App, id: SessionId, uri: String, journal: Option<String>) -> Vec<Effect> {
    // The history has the chat already: its request was recorded before it was sent,
    // and the task settled the record with the URI.
    if matches!(app.phase, Phase::Submitting { id: current, .. } if current == id) {
        let mut view = session_view(app, id, uri);
        view.visitor.offer_exit_survey = true;
        view.journal = journal;
        app.phase = Phase::Session(Box::new(view));
        app.notice =
            Some(Notice::info("chat created — c copies its URI").about(Topic::ChatCreated));
    }
    Vec::new()
}

/// The request failed: back to the form, its content kept, the errors under their fields.
fn start_failed(app: &mut App, id: SessionId, failure: StartFailure) -> Vec<Effect> {
    if matches!(app.phase, Phase::Submitting { id: current, .. } if current == id) {
        app.phase = Phase::Editing;
        app.ambiguous_failure = failure.may_have_created_chat;
        if !failure.invalid.is_empty() {
            app.form.show_all_errors = true;
            for invalid in failure.invalid {
                if app.errors.for_field(&invalid.field).is_none() {
                    app.errors.0.push(invalid);
                }
            }
        }
        // One that may have made a chat stays in the history with no URI (state
        // unknown), as it was recorded before it was sent.
        app.notice = Some(Notice::error(failure.message, failure.hint));
    }
    Vec::new()
}

/// An HTTP exchange of the session, for the inspector (the newest kept).
fn exchange_seen(app: &mut App, id: SessionId, exchange: Exchange) -> Vec<Effect> {
    if id == app.last_id {
        app.exchanges.push(exchange);
        if app.exchanges.len() > MAX_EXCHANGES {
            app.exchanges.remove(0);
        }
    }
    Vec::new()
}

/// What the tracker saw: events, an estimate, retries, the end or the loss of the session.
fn updated(app: &mut App, id: SessionId, update: SessionUpdate) -> Vec<Effect> {
    let now = app.now;
    let Some(view) = app.session_mut().filter(|v| v.id == id) else {
        return Vec::new();
    };
    let before = view.state.clone();
    match update {
        SessionUpdate::Batch { events, info } => apply_batch(view, &events, info, now),
        SessionUpdate::EstimatedWait(estimate) => view.estimate = Some(estimate),
        SessionUpdate::Retrying { attempt, error, .. } => {
            view.health = Health::Retrying {
                attempt,
                error: crate::tui::errors::shorten(&error),
            };
        }
        SessionUpdate::Recovered => view.health = Health::Ok,
        update @ (SessionUpdate::Links(_)
        | SessionUpdate::AgentTyping(_)
        | SessionUpdate::VisitorNamed { .. }) => {
            return crate::tui::visitor::tracker_update(app, id, &update).unwrap_or_default();
        }
        SessionUpdate::Ended => {
            view.tracking = false;
            if view.state != Some(ChatState::Ended) {
                set_state(view, ChatState::Ended, now, None);
            }
        }
        SessionUpdate::Lost {
            error,
            explanation,
            resume,
            ..
        } => {
            view.tracking = false;
            // No resume: the service answered 404, it no longer has the chat.
            if let (Some(at), None) = (view.seen_ended_at.clone(), &resume) {
                let reason = format!(
                    "it ended earlier (the history has it ended at {at}); the service no longer keeps it"
                );
                set_state(view, ChatState::Ended, now, Some(&reason));
                return Vec::new();
            }
            let error = crate::tui::errors::shorten(&error);
            let error = match explanation {
                Some(e) => format!("{error} — {}", crate::tui::errors::explained(&e)),
                None => error,
            };
            view.health = Health::Lost { error, resume };
        }
    }
    let chatting = view.is_chatting();
    let ended = view.state == Some(ChatState::Ended);
    if chatting && app.notice_is_about(Topic::NotChattingYet)
        || (chatting || ended) && app.notice_is_about(Topic::ChatCreated)
        || ended && app.notice_is_about(Topic::EndSent)
    {
        app.notice = None;
    }
    let mut effects = if ended {
        crate::tui::visitor::chat_ended(app)
    } else {
        Vec::new()
    };
    let Some(view) = app.session_mut() else {
        return effects;
    };
    // The history follows every state change, so an interrupted console leaves the
    // last known state behind.
    match &view.state {
        Some(state) if view.state != before => {
            effects.insert(
                0,
                Effect::RecordState {
                    uri: view.uri.clone(),
                    state: state.as_str().to_string(),
                    agent: view.agent.clone(),
                },
            );
            effects
        }
        _ => effects,
    }
}

/// The copy is done (or not): say what went where.
fn copied(
    app: &mut App,
    what: CopyWhat,
    result: Result<CopyReport, String>,
    file: Option<Result<String, String>>,
) -> Vec<Effect> {
    let subject = match what {
        CopyWhat::SessionUri => "the session URI",
        CopyWhat::Curl => "the request as curl (appKey as $CHATSTART_APP_KEY)",
    };
    let file_note = match &file {
        Some(Ok(path)) => format!("; also written to {path}"),
        Some(Err(error)) => format!("; could not write the file: {error}"),
        None => String::new(),
    };
    app.notice = Some(match result {
        Ok(report) => Notice::info(format!(
            "copied {subject} ({}){file_note}",
            report.channels.join(", ")
        )),
        Err(error) => Notice::error(
            format!("could not copy {subject}: {error}{file_note}"),
            None,
        ),
    });
    Vec::new()
}

/// A line went out (or not).
fn line_sent(app: &mut App, id: SessionId, result: Result<(), String>) -> Vec<Effect> {
    if let Some(view) = app.session_mut().filter(|v| v.id == id) {
        view.sending = false;
        if let Err(error) = result {
            app.notice = Some(Notice::error(format!("line not sent: {error}"), None));
        }
    }
    Vec::new()
}

/// The end was sent (or not); quitting waits for it when asked to end first.
fn chat_ended(app: &mut App, id: SessionId, result: Result<(), String>) -> Vec<Effect> {
    let (now, quit_after_end) = (app.now, app.quit_after_end);
    let Some(view) = app.session_mut().filter(|v| v.id == id) else {
        return Vec::new();
    };
    view.ending = false;
    match result {
        Ok(()) => {
            // The history learns the end here: the tracker may be stopped (quit, a new
            // request) before a poll shows it, and the chat would stay listed as open.
            view.end_accepted = true;
            let record = Effect::RecordState {
                uri: view.uri.clone(),
                state: ChatState::Ended.as_str().to_string(),
                agent: view.agent.clone(),
            };
            if quit_after_end {
                set_state(view, ChatState::Ended, now, None);
                app.quitting = true;
                return vec![record, Effect::StopSession, Effect::Quit];
            }
            app.notice = Some(Notice::info("end sent; the chat closes").about(Topic::EndSent));
            return vec![record];
        }
        Err(error) => {
            app.quit_after_end = false;
            app.notice = Some(Notice::error(
                format!("could not end the chat: {error}"),
                None,
            ));
        }
    }
    Vec::new()
}

/// A poll's events (and the chat's info, when asked): states, lines, the agent's name.
fn apply_batch(
    view: &mut SessionView,
    events: &[Event],
    info: Option<Box<Info>>,
    now: std::time::Instant,
) {
    let reason = end_reason(events);
    let mut state_seen = false;
    for event in events {
        match &event.kind {
            EventKind::State(state) => {
                state_seen = true;
                set_state(view, state.clone(), now, reason.as_deref());
            }
            EventKind::Line(line)
                if line.source == LineSource::Agent && !line.by.trim().is_empty() =>
            {
                view.agent = Some(terminal_safe(&line.by).into_owned());
            }
            _ => {}
        }
        if let Some(line) = TranscriptLine::from_event(event) {
            // A system message after the end says why it ended.
            if line.speaker == Speaker::System && view.state == Some(ChatState::Ended) {
                view.ended_reason = Some(line.text.clone());
            }
            view.transcript.push(line);
        }
    }
    if let Some(info) = info {
        view.skill_not_recognised |= info.skill_not_recognised(&view.request.skill);
        if let Some(agent) = info.agent_name.filter(|a| !a.trim().is_empty()) {
            view.agent = Some(terminal_safe(&agent).into_owned());
        }
        if let (false, Some(state)) = (state_seen, info.state) {
            set_state(view, state, now, reason.as_deref());
        }
    }
}

/// What the user asked of the session view.
pub fn intent(app: &mut App, intent: SessionIntent) -> Vec<Effect> {
    match intent {
        SessionIntent::CopyUri => match app.session() {
            Some(view) => vec![Effect::Copy {
                what: CopyWhat::SessionUri,
                text: view.uri.clone(),
            }],
            None => Vec::new(),
        },
        SessionIntent::CopyCurl => match app.session() {
            Some(view) => {
                let connection = crate::tui::connection::Connection::from_form(&app.form);
                let sent_to = app
                    .exchanges
                    .iter()
                    .rev()
                    .find(|e| e.method == "POST" && e.url.contains("/chat/request"))
                    .map(|e| e.url.as_str());
                let text = crate::tui::session::curl::chat_request(
                    &connection,
                    &view.uri,
                    sent_to,
                    &view.request,
                    view.survey.as_ref(),
                );
                vec![Effect::Copy {
                    what: CopyWhat::Curl,
                    text,
                }]
            }
            None => Vec::new(),
        },
        SessionIntent::Compose => {
            if let Some(view) = app.session_mut().filter(|v| v.is_live()) {
                view.compose.get_or_insert_with(Input::default);
            }
            Vec::new()
        }
        SessionIntent::ComposeEdit(request) => {
            let changed = app
                .session_mut()
                .and_then(|v| v.compose.as_mut())
                .and_then(|input| input.handle(request))
                .is_some_and(|change| change.value);
            if changed {
                crate::tui::visitor::typing::typed(app)
            } else {
                Vec::new()
            }
        }
        SessionIntent::ComposeSend => {
            let mut effects = crate::tui::visitor::typing::stopped_typing(app);
            effects.extend(compose_send(app));
            effects
        }
        SessionIntent::EndChat => end_chat(app),
        SessionIntent::SaveEvidence => save_evidence(app),
        SessionIntent::NewRequest => {
            let Some(view) = app.session() else {
                return Vec::new();
            };
            let note = view.is_live().then(|| {
                format!(
                    "the previous chat is still open: Ctrl+R then w follows it again \
                     (after quitting: chatstart watch {})",
                    view.uri
                )
            });
            let tracking = view.tracking;
            // A case's chat opened from the check results goes back to them.
            app.phase = app.return_to.take().map_or(Phase::Editing, |phase| *phase);
            app.notice = note.map(Notice::info);
            if tracking {
                vec![Effect::StopSession]
            } else {
                Vec::new()
            }
        }
        SessionIntent::ToggleInspector => {
            let count = app.exchanges.len();
            if let Some(view) = app.session_mut() {
                view.inspector = !view.inspector;
                view.inspector_focus = false;
                view.inspector_scroll = 0;
                view.selected_exchange = count.saturating_sub(1);
            }
            Vec::new()
        }
        SessionIntent::InspectorSelect(step) => {
            let count = app.exchanges.len();
            if let Some(view) = app.session_mut().filter(|v| v.inspector && count > 0) {
                view.selected_exchange = view
                    .selected_exchange
                    .saturating_add_signed(step)
                    .min(count - 1);
                view.inspector_scroll = 0;
            }
            Vec::new()
        }
        SessionIntent::InspectorFocus => {
            if let Some(view) = app.session_mut().filter(|v| v.inspector) {
                view.inspector_focus = !view.inspector_focus;
            }
            Vec::new()
        }
        SessionIntent::InspectorScroll(scroll) => {
            let Some(_) = app.session().filter(|v| v.inspector) else {
                return Vec::new();
            };
            let max = app.geometry.inspector_max_scroll;
            if let Some(view) = app.session_mut() {
                use crate::tui::msg::Scroll;
                let current = view.inspector_scroll.min(max);
                view.inspector_scroll = match scroll {
                    Scroll::Up(rows) => current.saturating_sub(rows.into()),
                    Scroll::Down(rows) => current.saturating_add(rows.into()).min(max),
                    Scroll::Top => 0,
                    Scroll::Bottom => max,
                };
            }
            Vec::new()
        }
        SessionIntent::Scroll(scroll) => {
            let Some(_) = app.session() else {
                return Vec::new();
            };
            // Clamped to what the layout can show, so Down after Home moves at once; while
            // scrolled back the top row stays put as lines arrive.
            let max = app.geometry.transcript_max_top;
            if let Some(view) = app.session_mut() {
                use crate::tui::msg::Scroll;
                view.transcript_top = match (scroll, view.transcript_top) {
                    (Scroll::Up(rows), None) if max > 0 => Some(max.saturating_sub(rows.into())),
                    (Scroll::Up(rows), Some(top)) => Some(top.min(max).saturating_sub(rows.into())),
                    (Scroll::Down(rows), Some(top)) => {
                        Some(top.min(max) + usize::from(rows)).filter(|top| *top < max)
                    }
                    (Scroll::Top, _) if max > 0 => Some(0),
                    (Scroll::Up(_) | Scroll::Down(_) | Scroll::Top | Scroll::Bottom, _) => None,
                }
                // A transcript that fits (the window grew) has nothing to scroll back to.
                .filter(|_| max > 0);
            }
            Vec::new()
        }
    }
}

fn set_state(
    view: &mut crate::tui::app::SessionView,
    state: ChatState,
    now: std::time::Instant,
    reason: Option<&str>,
) {
    if state == ChatState::Chatting && view.chatting_since.is_none() {
        view.chatting_since = Some(now);
    }
    if state == ChatState::Ended && view.ended_reason.is_none() {
        view.ended_reason = Some(reason.map_or_else(|| ended_reason(view), str::to_string));
        // A line being written when the chat ended is kept on screen, not lost without a word.
        if let Some(input) = view.compose.take() {
            let text = input.value().trim().to_string();
            if !text.is_empty() {
                view.visitor.unsent = Some(text);
            }
        }
    }
    view.state = Some(state);
}

/// The system message that says why a chat ended, keyed on its id, never its text (spec §3.4):
/// operators busy (2), the agent ended it (5), it was disconnected (6). Only one after the
/// batch's last other state change counts, so a batch holding a whole chat (watching a chat that
/// already ended) does not take the acceptance message for the reason.
fn end_reason(events: &[crate::api::model::Event]) -> Option<String> {
    use crate::api::model::system_message::{AGENT_ENDED, DISCONNECTED, OPERATORS_BUSY};
    let since = events
        .iter()
        .rposition(|e| matches!(&e.kind, EventKind::State(state) if *state != ChatState::Ended))
        .map_or(0, |i| i + 1);
    events[since..]
        .iter()
        .rev()
        .find_map(|event| match &event.kind {
            EventKind::Line(line)
                if line.source == LineSource::System
                    && matches!(
                        line.system_message_id,
                        Some(OPERATORS_BUSY | AGENT_ENDED | DISCONNECTED)
                    ) =>
            {
                Some(line.plain_text())
            }
            _ => None,
        })
}

/// Why the chat ended when no system message said: who asked for it.
fn ended_reason(view: &crate::tui::app::SessionView) -> String {
    if view.end_requested {
        "you ended the chat".into()
    } else {
        "the chat was ended".into()
    }
}

fn compose_send(app: &mut App) -> Vec<Effect> {
    let Some(view) = app.session_mut() else {
        return Vec::new();
    };
    if !view.is_chatting() {
        app.notice = Some(
            Notice::info("lines can be sent once an agent has accepted the chat")
                .about(Topic::NotChattingYet),
        );
        return Vec::new();
    }
    let Some(input) = view.compose.as_mut() else {
        return Vec::new();
    };
    let text = input.value().trim().to_string();
    if text.is_empty() || view.sending {
        return Vec::new();
    }
    // Refused where it was typed, and kept there to be put right.
    if let Some(problem) = crate::api::validate::line(&text) {
        app.notice = Some(Notice::error(format!("line not sent: it {problem}"), None));
        return Vec::new();
    }
    input.reset();
    view.sending = true;
    // What was just said is what the visitor wants to see.
    view.transcript_top = None;
    vec![Effect::SendLine {
        id: view.id,
        uri: view.uri.clone(),
        text,
    }]
}

/// Ends the live chat (once).
pub fn end_chat(app: &mut App) -> Vec<Effect> {
    let Some(view) = app.session_mut() else {
        return Vec::new();
    };
    if !view.is_live() {
        app.notice = Some(Notice::info("the chat has already ended"));
        return if app.quit_after_end {
            app.quitting = true;
            vec![Effect::StopSession, Effect::Quit]
        } else {
            Vec::new()
        };
    }
    if view.ending {
        return Vec::new();
    }
    view.ending = true;
    view.end_requested = true;
    vec![Effect::EndChat {
        id: view.id,
        uri: view.uri.clone(),
    }]
}

/// `s`: the session's evidence so far (a running chat's journal holds every exchange made yet).
fn save_evidence(app: &mut App) -> Vec<Effect> {
    let Some(view) = app.session() else {
        return Vec::new();
    };
    let of = EvidenceOf::Session {
        uri: view.uri.clone(),
        journal: view.journal.clone(),
    };
    app.notice = Some(Notice::info("saving the evidence bundle…"));
    vec![Effect::SaveEvidence { of }]
}

/// A new session view for a created chat.
pub fn session_view(app: &App, id: u64, uri: String) -> SessionView {
    let mut view = SessionView::new(id, uri, app.now);
    view.request = app.form.chat_request();
    view.survey = app.form.survey.survey.clone();
    view
}
