//! The visitor's side of a chat beyond its lines: the name set after the start, the typing
//! status told on change, the agent's typing, the transcript by e-mail, the exit survey after
//! the end and the offline survey when no agent can take a chat. State and update; pure.

pub mod view;

use std::time::Duration;

use tui_input::Input;

use crate::api::model::{ChatState, Survey, VisitorLinks};
use crate::api::validate::{self, Field, ValidationErrors};
use crate::api::{ChatRequest, SurveyAnswer, TranscriptRequest, TranscriptSent};
use crate::history::VisitorAction;
use crate::session::SessionUpdate;
use crate::tui::app::{App, Lookup, Notice, Overlay, Phase};
use crate::tui::connection::Connection;
use crate::tui::form::survey::SurveyForm;
use crate::tui::msg::{AppIntent, Effect, Intent, SessionId, VisitorIntent, VisitorOutcome};

/// Quiet time after the last key before the service is told the visitor stopped typing.
pub const TYPING_IDLE: Duration = Duration::from_secs(3);

/// What the session view knows of the visitor's side of its chat.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VisitorView {
    pub links: VisitorLinks,
    /// The agent types now (from the info, on change).
    pub agent_typing: bool,
    /// The name asked for and what became of it.
    pub name: Option<(String, Result<(), String>)>,
    /// What the service was last told of the visitor's typing.
    pub typing_told: bool,
    /// Bumped at every key: an idle timer of an older generation does nothing.
    pub typing_generation: u64,
    pub exit_survey: ExitSurveyStep,
    /// The chat was made here from the form: its exit survey is offered when it ends (not for
    /// a chat watched from the history or a check's results).
    pub offer_exit_survey: bool,
    /// What the service said to the last transcript request.
    pub transcript: Option<Result<String, String>>,
    /// The last typing status the service refused (status and message).
    pub typing_refused: Option<String>,
    /// A line that was being written when the chat ended.
    pub unsent: Option<String>,
}

/// Where the exit survey stands once the chat ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ExitSurveyStep {
    #[default]
    NotAsked,
    Loading,
    /// The chat has none (Q30).
    Absent,
    Open,
    Submitting,
    Submitted,
    Skipped,
    Failed(String),
}

/// Which survey a dialog answers.
#[derive(Debug, Clone, PartialEq)]
pub enum SurveyKind {
    /// The exit survey of the session's chat, at its `exit-survey` link.
    Exit {
        id: SessionId,
        uri: String,
        href: String,
    },
    /// The offline survey of the form's skill and visitor.
    Offline {
        connection: Box<Connection>,
        request: Box<ChatRequest>,
    },
}

/// A survey answered in a dialog: the pre-chat survey's widgets (mandatory marks, logic,
/// validation) over the screen.
#[derive(Debug, Clone)]
pub struct SurveyDialog {
    pub kind: SurveyKind,
    pub form: SurveyForm,
    /// The focused question, by position among the visible ones.
    pub focus: usize,
    pub errors: ValidationErrors,
    /// After a submit attempt every problem shows.
    pub show_errors: bool,
    pub sending: bool,
    /// What the service said to the last submit that failed (the answers stay).
    pub failure: Option<String>,
}

impl SurveyDialog {
    fn new(kind: SurveyKind, survey: Survey) -> Self {
        let mut form = SurveyForm::default();
        form.load(Some(survey));
        Self {
            kind,
            form,
            focus: 0,
            errors: ValidationErrors::default(),
            show_errors: false,
            sending: false,
            failure: None,
        }
    }

    pub fn title(&self) -> &'static str {
        match self.kind {
            SurveyKind::Exit { .. } => "Exit survey",
            SurveyKind::Offline { .. } => "Offline survey",
        }
    }

    /// The id of the focused question.
    pub fn focused(&self) -> Option<String> {
        let visible = self.form.visible();
        visible
            .get(self.focus.min(visible.len().saturating_sub(1)))
            .map(|q| q.id.clone())
    }

    fn survey(&self) -> Option<&Survey> {
        self.form.survey.as_ref()
    }

    /// The answers as they would go, and their problems (V14).
    fn checked(&self) -> (Vec<SurveyAnswer>, ValidationErrors) {
        let answers = self.form.answers();
        let errors = self
            .survey()
            .map(|survey| validate::answers(&answers, survey))
            .unwrap_or_default();
        (answers, errors)
    }
}

/// The transcript dialog: the address and an optional subject.
#[derive(Debug, Clone, Default)]
pub struct TranscriptDialog {
    pub email: Input,
    pub subject: Input,
    pub on_subject: bool,
    pub error: Option<String>,
    pub sending: bool,
}

/// A tracker update about the visitor's side: the links, the agent typing, the name.
/// `true` when it was one.
pub fn tracker_update(app: &mut App, id: SessionId, update: &SessionUpdate) -> Option<Vec<Effect>> {
    let view = app.session_mut().filter(|v| v.id == id)?;
    let visitor = &mut view.visitor;
    match update {
        SessionUpdate::Links(links) => visitor.links = links.clone(),
        SessionUpdate::AgentTyping(typing) => visitor.agent_typing = *typing,
        SessionUpdate::VisitorNamed { name, result } => {
            let said = result.clone().map_err(|failure| {
                if failure.outcome_unknown {
                    format!("{} — it may have been set all the same", failure.message)
                } else {
                    failure.message
                }
            });
            visitor.name = Some((name.clone(), said));
            if result.is_ok() {
                return Some(vec![Effect::RecordVisitor {
                    uri: view.uri.clone(),
                    action: VisitorAction::Named { name: name.clone() },
                }]);
            }
        }
        _ => return None,
    }
    Some(Vec::new())
}

/// Once the chat shows ended: typing is over (never told after the end, Q35), and the exit
/// survey is asked for when the chat has the link.
pub fn chat_ended(app: &mut App) -> Vec<Effect> {
    let Some(view) = app.session_mut() else {
        return Vec::new();
    };
    let visitor = &mut view.visitor;
    visitor.typing_told = false;
    visitor.agent_typing = false;
    if visitor.exit_survey != ExitSurveyStep::NotAsked || !visitor.offer_exit_survey {
        return Vec::new();
    }
    match visitor.links.exit_survey.clone() {
        Some(href) => {
            visitor.exit_survey = ExitSurveyStep::Loading;
            vec![Effect::LoadExitSurvey { id: view.id, href }]
        }
        None => Vec::new(),
    }
}

/// A key changed the line being written: `typing` the first time, and an idle timer each time.
pub fn typed(app: &mut App) -> Vec<Effect> {
    let Some(view) = app.session_mut() else {
        return Vec::new();
    };
    if view.state != Some(ChatState::Chatting) || !view.is_live() {
        return Vec::new();
    }
    let Some(href) = view.visitor.links.visitor_typing.clone() else {
        return Vec::new();
    };
    let visitor = &mut view.visitor;
    visitor.typing_generation += 1;
    let mut effects = Vec::new();
    if !visitor.typing_told {
        visitor.typing_told = true;
        effects.push(Effect::SetTyping {
            id: view.id,
            href,
            typing: true,
        });
    }
    effects.push(Effect::TypingIdleAfter {
        id: view.id,
        generation: visitor.typing_generation,
        after: TYPING_IDLE,
    });
    effects
}

/// The visitor stopped typing (sent the line, left the input, went idle): `not-typing`, once.
pub fn stopped_typing(app: &mut App) -> Vec<Effect> {
    let Some(view) = app.session_mut() else {
        return Vec::new();
    };
    let visitor = &mut view.visitor;
    if !visitor.typing_told {
        return Vec::new();
    }
    visitor.typing_told = false;
    visitor.typing_generation += 1;
    if !view.is_live() {
        return Vec::new();
    }
    match view.visitor.links.visitor_typing.clone() {
        Some(href) => vec![Effect::SetTyping {
            id: view.id,
            href,
            typing: false,
        }],
        None => Vec::new(),
    }
}

/// The e-mail address a transcript goes to unless typed otherwise: the profile's
/// `transcript_email`, else an e-mail answer of the pre-chat survey.
fn transcript_address(app: &App) -> String {
    if let Some(address) = app.form.transcript_email.clone() {
        return address;
    }
    let Some(view) = app.session() else {
        return String::new();
    };
    let Some(survey) = &view.survey else {
        return String::new();
    };
    survey
        .questions
        .iter()
        .filter(|q| q.validation == crate::api::model::ValidationType::Email)
        .find_map(|q| {
            view.request
                .answers_for(&q.id)
                .into_iter()
                .find(|a| validate::email(a))
        })
        .unwrap_or_default()
}

/// What the user asked of the visitor's side.
pub fn intent(app: &mut App, intent: VisitorIntent) -> Vec<Effect> {
    match intent {
        VisitorIntent::OpenTranscript => {
            let Some(view) = app.session() else {
                return Vec::new();
            };
            if view.visitor.links.transcript.is_none()
                && view.visitor.links.transcript_with_subject.is_none()
            {
                app.notice = Some(Notice::error(
                    "no transcript link yet: the chat has not been read, or it has none",
                    None,
                ));
                return Vec::new();
            }
            // What was typed before (sent or refused) is offered again.
            if app.transcript_dialog.email.value().trim().is_empty() {
                app.transcript_dialog.email = Input::new(transcript_address(app));
            }
            app.transcript_dialog.error = None;
            app.transcript_dialog.on_subject = false;
            app.overlay = Some(Overlay::Transcript);
            Vec::new()
        }
        VisitorIntent::OpenOfflineSurvey => open_offline_survey(app),
        _ => Vec::new(),
    }
}

/// `o` on the form while no agent can take a chat: the offline survey is asked for.
fn open_offline_survey(app: &mut App) -> Vec<Effect> {
    if !matches!(app.phase, Phase::Editing) {
        return Vec::new();
    }
    if !no_agent_available(app) {
        app.notice = Some(Notice::info(
            "an agent can take the chat now: the offline survey is for when none can",
        ));
        return Vec::new();
    }
    app.notice = Some(Notice::info("reading the offline survey…"));
    vec![Effect::LoadOfflineSurvey {
        connection: Connection::from_form(&app.form),
        request: app.form.chat_request(),
    }]
}

/// Whether the availability asked for the form's skill says no agent can take a chat.
pub fn no_agent_available(app: &App) -> bool {
    matches!(&app.lookup, Lookup::Done { skill, available: Ok(false), .. }
        if *skill == app.form.chat_request().skill.trim())
}

/// The answer to the transcript or survey dialog; `None` passes the intent on.
pub fn overlay_answer(app: &mut App, intent: &Intent) -> Option<Vec<Effect>> {
    match app.overlay {
        Some(Overlay::Transcript) => Some(transcript_dialog(app, intent)),
        Some(Overlay::Survey) => survey_dialog(app, intent),
        _ => None,
    }
}

fn transcript_dialog(app: &mut App, intent: &Intent) -> Vec<Effect> {
    let dialog = &mut app.transcript_dialog;
    match intent {
        Intent::App(AppIntent::DialogEdit(request)) => {
            let input = if dialog.on_subject {
                &mut dialog.subject
            } else {
                &mut dialog.email
            };
            input.handle(*request);
            dialog.error = None;
        }
        Intent::App(AppIntent::Select(_)) | Intent::Visitor(VisitorIntent::Focus(_)) => {
            dialog.on_subject = !dialog.on_subject;
        }
        Intent::App(AppIntent::Confirm) | Intent::Visitor(VisitorIntent::Submit) => {
            return send_transcript(app);
        }
        Intent::App(AppIntent::Dismiss) => app.overlay = None,
        _ => {}
    }
    Vec::new()
}

fn send_transcript(app: &mut App) -> Vec<Effect> {
    let dialog = &mut app.transcript_dialog;
    if dialog.sending {
        return Vec::new();
    }
    let email = dialog.email.value().trim().to_string();
    if let Some(problem) = validate::transcript_email(&email) {
        dialog.error = Some(problem);
        dialog.on_subject = false;
        return Vec::new();
    }
    let subject = dialog.subject.value().trim().to_string();
    let problem = validate::single_line(&subject).or_else(|| {
        subject
            .chars()
            .any(crate::terminal_text::is_bidi_control)
            .then(|| {
                "contains a text-direction control, which would garble the mail's subject".into()
            })
    });
    if let Some(problem) = problem {
        dialog.error = Some(format!("subject: {problem}"));
        dialog.on_subject = true;
        return Vec::new();
    }
    let Some(view) = app.session() else {
        app.overlay = None;
        return Vec::new();
    };
    let transcript = TranscriptRequest {
        email,
        subject: Some(subject).filter(|s| !s.is_empty()),
        timezone_offset_ms: crate::start::visitor::timezone_offset("auto").ok(),
    };
    let effect = Effect::RequestTranscript {
        id: view.id,
        uri: view.uri.clone(),
        links: view.visitor.links.clone(),
        transcript,
    };
    app.transcript_dialog.sending = true;
    app.overlay = None;
    app.notice = Some(Notice::info("asking for the transcript…"));
    vec![effect]
}

fn survey_dialog(app: &mut App, intent: &Intent) -> Option<Vec<Effect>> {
    let dialog = app.survey_dialog.as_mut()?;
    let visible = dialog.form.visible().len();
    let focused = dialog.focused();
    match intent {
        Intent::Visitor(VisitorIntent::Focus(step)) if visible > 0 => {
            let next = (dialog.focus as isize + step).rem_euclid(visible as isize);
            dialog.focus = next as usize;
        }
        Intent::Visitor(VisitorIntent::Cycle(step)) => {
            if let Some(id) = focused {
                dialog.form.move_choice(&id, *step);
                if dialog
                    .form
                    .question(&id)
                    .is_some_and(|q| q.kind.is_single_choice())
                {
                    dialog.form.choose(&id);
                }
            }
        }
        Intent::Visitor(VisitorIntent::Choose) => {
            if let Some(id) = focused {
                dialog.form.choose(&id);
            }
        }
        Intent::App(AppIntent::DialogEdit(request))
        | Intent::Visitor(VisitorIntent::Edit(request)) => {
            if let Some(id) = focused {
                dialog.form.edit_text(&id, *request);
            }
        }
        Intent::Visitor(VisitorIntent::Submit) => return Some(submit_survey(app)),
        Intent::App(AppIntent::Dismiss) => {
            let exit = matches!(dialog.kind, SurveyKind::Exit { .. });
            app.survey_dialog = None;
            app.overlay = None;
            if exit {
                if let Some(view) = app.session_mut() {
                    view.visitor.exit_survey = ExitSurveyStep::Skipped;
                }
            }
            return Some(Vec::new());
        }
        // Ctrl+C and F1 go on to the console.
        Intent::App(AppIntent::Quit | AppIntent::Help) => return None,
        _ => {}
    }
    // Focus stays on a visible question as logic hides and shows them.
    let dialog = app.survey_dialog.as_mut()?;
    let visible = dialog.form.visible().len();
    dialog.focus = dialog.focus.min(visible.saturating_sub(1));
    if dialog.show_errors {
        dialog.errors = dialog.checked().1;
    }
    Some(Vec::new())
}

fn submit_survey(app: &mut App) -> Vec<Effect> {
    let Some(dialog) = app.survey_dialog.as_mut() else {
        return Vec::new();
    };
    if dialog.sending {
        return Vec::new();
    }
    let (answers, errors) = dialog.checked();
    dialog.show_errors = true;
    if let Some(first) = errors.0.first() {
        if let Field::SurveyAnswer(id) = &first.field {
            if let Some(position) = dialog.form.visible().iter().position(|q| q.id == *id) {
                dialog.focus = position;
            }
        }
        dialog.errors = errors;
        return Vec::new();
    }
    dialog.errors = errors;
    let Some(survey) = dialog.survey().cloned() else {
        return Vec::new();
    };
    dialog.sending = true;
    dialog.failure = None;
    match dialog.kind.clone() {
        SurveyKind::Exit { id, uri, href } => {
            if let Some(view) = app.session_mut() {
                view.visitor.exit_survey = ExitSurveyStep::Submitting;
            }
            vec![Effect::SubmitExitSurvey {
                id,
                uri,
                href,
                survey,
                answers,
            }]
        }
        SurveyKind::Offline {
            connection,
            request,
        } => vec![Effect::SubmitOfflineSurvey {
            connection: *connection,
            request: *request,
            survey,
            answers,
            profile: app.profile.as_ref().map(|(name, _)| name.clone()),
        }],
    }
}

/// What came back about the visitor's side.
pub fn outcome(app: &mut App, outcome: VisitorOutcome) -> Vec<Effect> {
    match outcome {
        VisitorOutcome::TypingIdle { id, generation } => {
            let current = app
                .session()
                .is_some_and(|v| v.id == id && v.visitor.typing_generation == generation);
            if current {
                return stopped_typing(app);
            }
        }
        VisitorOutcome::TypingTold { id, result, .. } => {
            // Said once under the state (not a message per key); the next change tries again.
            if let Some(view) = app.session_mut().filter(|v| v.id == id) {
                match result {
                    Ok(()) => view.visitor.typing_refused = None,
                    Err(error) => {
                        view.visitor.typing_told = false;
                        view.visitor.typing_refused = Some(error);
                    }
                }
            }
        }
        VisitorOutcome::ExitSurveyLoaded { id, result } => {
            let Some(view) = app.session_mut().filter(|v| v.id == id) else {
                return Vec::new();
            };
            match result {
                Ok(Some(survey)) => {
                    view.visitor.exit_survey = ExitSurveyStep::Open;
                    let Some(href) = view.visitor.links.exit_survey.clone() else {
                        return Vec::new();
                    };
                    let kind = SurveyKind::Exit {
                        id,
                        uri: view.uri.clone(),
                        href,
                    };
                    // Shown once no question is open over the screen (see `update`).
                    app.survey_dialog = Some(SurveyDialog::new(kind, survey));
                }
                Ok(None) => view.visitor.exit_survey = ExitSurveyStep::Absent,
                Err(error) => view.visitor.exit_survey = ExitSurveyStep::Failed(error),
            }
        }
        VisitorOutcome::ExitSurveySubmitted {
            id,
            uri,
            survey,
            answers,
            result,
        } => {
            let Some(view) = app.session_mut().filter(|v| v.id == id) else {
                return Vec::new();
            };
            match result {
                Ok(()) => {
                    view.visitor.exit_survey = ExitSurveyStep::Submitted;
                    close_survey(app);
                    app.notice = Some(Notice::info("exit survey submitted: the service took it"));
                    return vec![Effect::RecordVisitor {
                        uri,
                        action: VisitorAction::exit_survey(&survey, &answers),
                    }];
                }
                Err(error) => {
                    view.visitor.exit_survey = ExitSurveyStep::Open;
                    survey_failed(app, &error);
                }
            }
        }
        VisitorOutcome::TranscriptSent { id, result } => {
            app.transcript_dialog.sending = false;
            let Some(view) = app.session_mut().filter(|v| v.id == id) else {
                return Vec::new();
            };
            let (said, effects) = match result {
                Ok((sent, transcript)) => {
                    let said = match sent {
                        TranscriptSent::WithSubject => format!(
                            "transcript requested for {} with its subject: the service took it",
                            transcript.email
                        ),
                        TranscriptSent::Plain => format!(
                            "transcript requested for {}: the service took it",
                            transcript.email
                        ),
                        TranscriptSent::SubjectDropped => format!(
                            "transcript requested for {}, without the subject: the chat has no link that takes one",
                            transcript.email
                        ),
                    };
                    let record = Effect::RecordVisitor {
                        uri: view.uri.clone(),
                        action: VisitorAction::transcript(&transcript, sent),
                    };
                    app.notice = Some(Notice::info(said.clone()));
                    (Ok(said), vec![record])
                }
                Err(error) => {
                    app.notice = Some(Notice::error(
                        format!("transcript not requested: {error}"),
                        None,
                    ));
                    // The dialog comes back with what was typed and why it failed.
                    app.transcript_dialog.error = Some(error.clone());
                    if app.overlay.is_none() {
                        app.overlay = Some(Overlay::Transcript);
                    }
                    (Err(error), Vec::new())
                }
            };
            if let Some(view) = app.session_mut() {
                view.visitor.transcript = Some(said);
            }
            return effects;
        }
        VisitorOutcome::OfflineSurveyLoaded { request, result } => match result {
            Ok(Some(survey)) if matches!(app.phase, Phase::Editing) => {
                let kind = SurveyKind::Offline {
                    connection: Box::new(Connection::from_form(&app.form)),
                    request,
                };
                app.survey_dialog = Some(SurveyDialog::new(kind, survey));
                app.notice = None;
            }
            Ok(Some(_)) => {}
            Ok(None) => {
                app.notice = Some(Notice::info(
                    "no offline survey: the account offers none for this skill",
                ));
            }
            Err(error) => {
                app.notice = Some(Notice::error(
                    format!("could not read the offline survey: {error}"),
                    None,
                ));
            }
        },
        VisitorOutcome::OfflineSurveySubmitted { result } => match result {
            Ok(()) => {
                close_survey(app);
                app.notice = Some(Notice::info(
                    "offline survey submitted: the service took it",
                ));
            }
            Err(error) => survey_failed(app, &error),
        },
    }
    Vec::new()
}

fn close_survey(app: &mut App) {
    app.survey_dialog = None;
    if app.overlay == Some(Overlay::Survey) {
        app.overlay = None;
    }
}

/// A submit that failed: the dialog stays with its answers and says why.
fn survey_failed(app: &mut App, error: &str) {
    if let Some(dialog) = app.survey_dialog.as_mut() {
        dialog.sending = false;
        dialog.failure = Some(error.to_string());
    }
    app.notice = Some(Notice::error(
        format!("survey not submitted: {error}"),
        None,
    ));
}
