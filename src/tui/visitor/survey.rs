//! The surveys answered in a dialog: the exit survey, read when a chat made from the form ends
//! (§2.17; none is no error, Q30), and the offline survey the form offers while no agent can
//! take a chat (§2.7, Q34). Both keep their answers in the pre-chat survey's [`SurveyForm`]
//! (logic, prefill, choices) and are checked as it is (V14) before Ctrl+S sends anything; a
//! refused submit keeps the answers on screen. Pure.

use crate::api::model::Survey;
use crate::api::validate::{self, Field, ValidationErrors};
use crate::api::{ChatRequest, SurveyAnswer};
use crate::history::{Outcome, VisitorAction};
use crate::tui::app::{App, Lookup, Notice, Overlay, Phase};
use crate::tui::connection::Connection;
use crate::tui::form::survey::SurveyForm;
use crate::tui::msg::{AppIntent, Effect, Intent, SessionId, VisitorIntent, VisitorOutcome};

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
    /// Sent, and its answer was lost: the service may have taken it (not offered again, which
    /// could submit it twice).
    MaybeSubmitted(String),
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
    pub fn new(kind: SurveyKind, survey: Survey) -> Self {
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

    /// The dialog's title: which survey, and for the offline one which skill.
    pub fn title(&self) -> String {
        match &self.kind {
            SurveyKind::Exit { .. } => " Exit survey ".into(),
            SurveyKind::Offline { request, .. } if !request.skill.trim().is_empty() => {
                format!(" Offline survey · {} ", request.skill.trim())
            }
            SurveyKind::Offline { .. } => " Offline survey ".into(),
        }
    }

    /// The id of the focused question.
    pub fn focused(&self) -> Option<String> {
        let visible = self.form.visible();
        visible
            .get(self.focus.min(visible.len().saturating_sub(1)))
            .map(|q| q.id.clone())
    }

    /// Whether the focused question takes typed text.
    pub fn text_focused(&self) -> bool {
        self.focused()
            .is_some_and(|id| self.form.is_text_question(&id))
    }

    /// The answers as they would go, and their problems (V14).
    fn checked(&self) -> (Vec<SurveyAnswer>, ValidationErrors) {
        let answers = self.form.answers();
        let errors = self
            .form
            .survey
            .as_ref()
            .map(|survey| validate::answers(&answers, survey))
            .unwrap_or_default();
        (answers, errors)
    }

    fn move_focus(&mut self, step: isize) {
        let visible = self.form.visible().len();
        if visible > 0 {
            self.focus = (self.focus as isize + step).rem_euclid(visible as isize) as usize;
        }
    }
}

/// Whether the availability asked for the form's skill says no agent can take a chat.
pub fn no_agent_available(app: &App) -> bool {
    matches!(&app.lookup, Lookup::Done { skill, available: Ok(false), .. }
        if *skill == app.form.chat_request().skill.trim())
}

/// Ctrl+F on the form while no agent can take a chat: the offline survey is asked for.
pub fn open_offline(app: &mut App) -> Vec<Effect> {
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

/// A key in the survey dialog; `None` passes it on (Ctrl+C, F1).
pub fn dialog_answer(app: &mut App, intent: &Intent) -> Option<Vec<Effect>> {
    let dialog = app.survey_dialog.as_mut()?;
    let focused = dialog.focused();
    match intent {
        Intent::Visitor(VisitorIntent::Focus(step)) => dialog.move_focus(*step),
        // A single choice is picked as the highlight moves, like a radio group (and as in the
        // form).
        Intent::Visitor(VisitorIntent::Cycle(step)) => {
            if let Some(id) = focused {
                dialog.form.move_choice(&id, *step);
            }
        }
        Intent::Visitor(VisitorIntent::Choose) => {
            if let Some(id) = focused {
                dialog.form.choose(&id);
            }
        }
        // Enter: on to the next question from a text answer, as in the form; a choice is
        // picked.
        Intent::Visitor(VisitorIntent::Next) => match focused {
            Some(id) if dialog.form.is_text_question(&id) => dialog.move_focus(1),
            Some(id) => dialog.form.choose(&id),
            None => {}
        },
        Intent::App(AppIntent::DialogEdit(request))
        | Intent::Visitor(VisitorIntent::Edit(request)) => {
            if let Some(id) = focused {
                dialog.form.edit_text(&id, *request);
            }
        }
        Intent::Visitor(VisitorIntent::Submit) => return Some(submit(app)),
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
    // The focus stays on a visible question as the logic hides and shows them; shown problems
    // follow the answers.
    let dialog = app.survey_dialog.as_mut()?;
    let visible = dialog.form.visible().len();
    dialog.focus = dialog.focus.min(visible.saturating_sub(1));
    if dialog.show_errors {
        dialog.errors = dialog.checked().1;
    }
    Some(Vec::new())
}

/// Ctrl+S: the answers, checked first; the first problem gets the focus and nothing is sent.
fn submit(app: &mut App) -> Vec<Effect> {
    let Some(dialog) = app.survey_dialog.as_mut() else {
        return Vec::new();
    };
    if dialog.sending {
        return Vec::new();
    }
    let (answers, errors) = dialog.checked();
    dialog.show_errors = true;
    if let Some(Field::SurveyAnswer(id)) = errors.0.first().map(|e| &e.field) {
        if let Some(position) = dialog.form.visible().iter().position(|q| q.id == *id) {
            dialog.focus = position;
        }
    }
    let refused = !errors.0.is_empty();
    dialog.errors = errors;
    let Some(survey) = dialog.form.survey.clone().filter(|_| !refused) else {
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
            profile: app.profile_name().map(str::to_string),
        }],
    }
}

/// What came back about a survey: read (open it, or say there is none) or submitted (say so and
/// keep it in the history, or say why not and keep the answers).
pub fn outcome(app: &mut App, outcome: VisitorOutcome) -> Vec<Effect> {
    match outcome {
        VisitorOutcome::ExitSurveyLoaded { id, result } => {
            return exit_survey_loaded(app, id, result);
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
                    close(app);
                    return vec![Effect::RecordVisitor {
                        uri,
                        action: VisitorAction::exit_survey(&survey, &answers),
                        outcome: Outcome::Taken,
                    }];
                }
                Err(failure) if failure.outcome_unknown => {
                    view.visitor.exit_survey = ExitSurveyStep::MaybeSubmitted(failure.message);
                    close(app);
                    return vec![Effect::RecordVisitor {
                        uri,
                        action: VisitorAction::exit_survey(&survey, &answers),
                        outcome: Outcome::Unknown,
                    }];
                }
                Err(failure) => {
                    view.visitor.exit_survey = ExitSurveyStep::Open;
                    failed(app, &failure.message);
                }
            }
        }
        VisitorOutcome::OfflineSurveyLoaded { request, result } => match result {
            // Read for the form as it was; the form may have gone meanwhile (a chat sent).
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
        VisitorOutcome::OfflineSurveySubmitted { result } => {
            match result {
                Ok(()) => {
                    close(app);
                    app.notice = Some(Notice::info(
                        "offline survey submitted: the service took it",
                    ));
                }
                Err(failure) if failure.outcome_unknown => {
                    close(app);
                    app.notice = Some(Notice::error(
                    format!(
                        "the offline survey may have been submitted: no answer came ({})",
                        failure.message
                    ),
                    Some("the history keeps it as unknown; submitting it again may send it twice".into()),
                ));
                }
                Err(failure) => failed(app, &failure.message),
            }
        }
        VisitorOutcome::TypingIdle { .. }
        | VisitorOutcome::TypingTold { .. }
        | VisitorOutcome::TranscriptSent { .. } => {}
    }
    Vec::new()
}

/// The exit survey was read: it opens (once no question is over the screen, see `update`), or
/// the chat has none (Q30) and that is said quietly.
fn exit_survey_loaded(
    app: &mut App,
    id: SessionId,
    result: Result<Option<Survey>, String>,
) -> Vec<Effect> {
    let Some(view) = app.session_mut().filter(|v| v.id == id) else {
        return Vec::new();
    };
    let (step, dialog) = match (result, view.visitor.links.exit_survey.clone()) {
        (Ok(Some(survey)), Some(href)) => {
            let kind = SurveyKind::Exit {
                id,
                uri: view.uri.clone(),
                href,
            };
            (ExitSurveyStep::Open, Some(SurveyDialog::new(kind, survey)))
        }
        (Ok(_), _) => (ExitSurveyStep::Absent, None),
        (Err(error), _) => (ExitSurveyStep::Failed(error), None),
    };
    view.visitor.exit_survey = step;
    if dialog.is_some() {
        app.survey_dialog = dialog;
    }
    Vec::new()
}

fn close(app: &mut App) {
    app.survey_dialog = None;
    if app.overlay == Some(Overlay::Survey) {
        app.overlay = None;
    }
}

/// A submit that failed: the dialog stays with its answers and says why (the status area
/// says it only when the dialog was closed meanwhile).
fn failed(app: &mut App, error: &str) {
    match app.survey_dialog.as_mut() {
        Some(dialog) => {
            dialog.sending = false;
            dialog.failure = Some(error.to_string());
        }
        None => {
            app.notice = Some(Notice::error(
                format!("survey not submitted: {error}"),
                None,
            ));
        }
    }
}
