//! The part of `update` for the form: focus, edits, toggles, the pre-chat lines, the survey and
//! availability lookup (debounced), and sending. Pure, like `update`.

use std::time::Duration;

use crate::api::validate::Field;
use crate::tui::app::{App, Lookup, Notice, Overlay, Phase, Topic};
use crate::tui::connection::Connection;
use crate::tui::form::{Focus, TextField, Toggle};
use crate::tui::msg::{Effect, FormIntent, FormOutcome};

/// Quiet time after an edit before the survey and availability are fetched again.
pub const LOOKUP_QUIET: Duration = Duration::from_millis(600);

/// The effects to run at start: the first lookup, when the connection is complete.
pub fn init(app: &mut App) -> Vec<Effect> {
    start_lookup(app)
}

/// What came back to the form.
pub fn outcome(app: &mut App, outcome: FormOutcome) -> Vec<Effect> {
    match outcome {
        FormOutcome::LookupDue(generation) => {
            if generation == app.lookup_generation {
                start_lookup(app)
            } else {
                Vec::new()
            }
        }
        FormOutcome::SurveyLoaded { generation, result } => {
            if generation == app.lookup_generation {
                match result {
                    Ok(survey) => app.form.survey.load(survey),
                    Err(error) => {
                        app.form.survey.status =
                            crate::tui::form::survey::SurveyStatus::Failed(error);
                    }
                }
                form_changed(app);
            }
            Vec::new()
        }
        FormOutcome::AvailabilityLoaded {
            generation,
            available,
            estimate,
        } => {
            if generation == app.lookup_generation {
                app.lookup = Lookup::Done {
                    skill: app.form.text(TextField::Skill).trim().to_string(),
                    available,
                    estimate,
                };
            }
            Vec::new()
        }
        FormOutcome::EditorDone(result) => {
            match result {
                Ok(text) => {
                    app.form.pre_chat.replace_from_editor(&text);
                    app.form.focus = Focus::PreChat(0);
                    let count = app.form.pre_chat.values().len();
                    form_changed(app);
                    app.notice = Some(
                        Notice::info(format!(
                            "{} taken from the editor",
                            crate::plural::count(count, "pre-chat line", "pre-chat lines")
                        ))
                        .about(Topic::EditorResult),
                    );
                }
                Err(error) => {
                    app.notice = Some(Notice::error(
                        format!("the editor did not run: {error}"),
                        Some("set $EDITOR (or $VISUAL) to your editor".into()),
                    ));
                }
            }
            Vec::new()
        }
    }
}

/// Intents that change the form.
pub fn intent(app: &mut App, intent: FormIntent) -> Vec<Effect> {
    let user_action = !matches!(
        intent,
        FormIntent::OpenEditor | FormIntent::RefreshLookup | FormIntent::Submit
    );
    if user_action && app.notice_is_about(Topic::EditorResult) {
        app.notice = None;
    }
    let form = &mut app.form;
    match intent {
        FormIntent::FocusNext => form.move_focus(1),
        FormIntent::FocusPrev => form.move_focus(-1),
        FormIntent::FocusOn(focus) if form.focus_order().contains(&focus) => form.focus = focus,
        FormIntent::Edit(request) => {
            let focus = form.focus.clone();
            if form.edit(request) {
                return edited(app, &focus);
            }
        }
        FormIntent::Cycle(step) => match form.focus.clone() {
            Focus::Toggle(toggle) => return flip(app, toggle),
            Focus::Survey(id) => {
                form.survey.move_choice(&id, step);
                form.touched.insert(Field::SurveyAnswer(id));
                form_changed(app);
            }
            _ => {}
        },
        FormIntent::Choose => match form.focus.clone() {
            Focus::Toggle(toggle) => return flip(app, toggle),
            Focus::Survey(id) => {
                form.survey.choose(&id);
                form.touched.insert(Field::SurveyAnswer(id));
                form_changed(app);
            }
            _ => {}
        },
        FormIntent::AddPreChatLine => {
            let at = match form.focus {
                Focus::PreChat(index) => form.pre_chat.add_after(index),
                _ => form
                    .pre_chat
                    .add_after(form.pre_chat.lines.len().saturating_sub(1)),
            };
            form.focus = Focus::PreChat(at);
            form_changed(app);
        }
        FormIntent::DeletePreChatLine => {
            if let Focus::PreChat(index) = form.focus {
                form.focus = Focus::PreChat(form.pre_chat.delete(index));
                form_changed(app);
            }
        }
        FormIntent::MovePreChatLine(step) => {
            if let Focus::PreChat(index) = form.focus {
                form.focus = Focus::PreChat(form.pre_chat.move_line(index, step));
                form_changed(app);
            }
        }
        FormIntent::OpenEditor => return vec![Effect::OpenEditor(form.pre_chat.editor_text())],
        // Handled before (`apply_intent`), or nothing on the form.
        FormIntent::FocusOn(_) | FormIntent::RefreshLookup | FormIntent::Submit => {}
    }
    Vec::new()
}

/// After the value of the input at `focus` changed (typed or pasted): re-check, and ask the
/// service again once typing pauses when the lookups depend on it.
pub fn edited(app: &mut App, focus: &Focus) -> Vec<Effect> {
    form_changed(app);
    match focus {
        Focus::Text(field) if affects_lookup(*field) => schedule_lookup(app),
        _ => Vec::new(),
    }
}

fn flip(app: &mut App, toggle: Toggle) -> Vec<Effect> {
    app.form.toggle(toggle);
    form_changed(app);
    match toggle {
        Toggle::AuthFlow => Vec::new(),
        Toggle::Format | Toggle::AppKeyIn => schedule_lookup(app),
    }
}

/// After any change of the form: keep the focus on something that exists, re-check.
fn form_changed(app: &mut App) {
    app.form.fix_focus();
    app.errors = app.form.validate();
    if app.notice_is_about(Topic::FormProblems) {
        app.notice = problems_notice(app);
    }
}

/// What the form's problems notice says now; `None` once the form has none.
fn problems_notice(app: &App) -> Option<Notice> {
    let first = app.errors.0.first()?;
    let count = app.errors.0.len();
    // The second one too: it may belong to a part not on screen (answers of a survey that could
    // not be read), and a count with one reason reads as a miscount.
    let also = match app.errors.0.get(1) {
        Some(second) if count == 2 => format!("; also: {}", second.message),
        Some(second) => format!(
            "; also: {} (and {} more, under their fields)",
            second.message,
            count - 2
        ),
        None => String::new(),
    };
    Some(
        Notice::error(
            format!(
                "{} attention before sending: {}{also}",
                crate::plural::count(count, "field needs", "fields need"),
                first.message
            ),
            None,
        )
        .about(Topic::FormProblems),
    )
}

/// Whether the survey or availability depend on this field.
fn affects_lookup(field: TextField) -> bool {
    matches!(
        field,
        TextField::Api
            | TextField::Account
            | TextField::AppKey
            | TextField::Skill
            | TextField::MaxWaitTime
            | TextField::VisitorIp
            | TextField::UserAgent
            | TextField::VisitorId
    )
}

/// Starts the quiet time after an edit; the lookup follows unless another edit comes first.
fn schedule_lookup(app: &mut App) -> Vec<Effect> {
    app.lookup_generation += 1;
    app.lookup = Lookup::Pending;
    vec![Effect::Debounce {
        generation: app.lookup_generation,
        after: LOOKUP_QUIET,
    }]
}

/// Asks for the survey and availability now, when the connection is complete.
pub fn start_lookup(app: &mut App) -> Vec<Effect> {
    let connection = Connection::from_form(&app.form);
    // A skill the form refuses (a control character in it) is not asked about either.
    let skill_refused = app
        .form
        .validate()
        .for_field(&crate::api::validate::Field::Skill)
        .is_some();
    if !connection.validate().is_empty() || skill_refused {
        app.lookup = Lookup::Idle;
        // A survey read through another connection is not this one's: it goes until the
        // connection is complete again (the answers given are kept for it), and answers on
        // their way for the old one are dropped.
        if app.form.survey.survey.is_some()
            || app.form.survey.status != crate::tui::form::survey::SurveyStatus::NotLoaded
        {
            app.lookup_generation += 1;
            app.form.survey.survey = None;
            app.form.survey.status = crate::tui::form::survey::SurveyStatus::NotLoaded;
            form_changed(app);
        }
        return Vec::new();
    }
    app.lookup_generation += 1;
    app.lookup = Lookup::Pending;
    if app.form.survey.survey.is_none() {
        app.form.survey.status = crate::tui::form::survey::SurveyStatus::Loading;
    }
    vec![Effect::Lookup {
        generation: app.lookup_generation,
        connection,
        request: lookup_request(app),
    }]
}

/// The form's request for the lookup: the visitor fields that go with the survey call, but
/// none that the form already marks invalid (nothing is sent that the form refuses).
fn lookup_request(app: &App) -> crate::api::ChatRequest {
    use crate::api::validate::Field;
    let mut request = app.form.chat_request();
    let errors = app.form.validate();
    if errors.for_field(&Field::VisitorIp).is_some() {
        request.visitor_ip.clear();
    }
    if errors.for_field(&Field::VisitorId).is_some() {
        request.visitor_id.clear();
    }
    if errors.for_field(&Field::UserAgent).is_some() {
        request.user_agent.clear();
    }
    request
}

/// Submits the form: validated first, and only from the form, so one submit is one chat.
pub fn submit(app: &mut App, confirmed: bool) -> Vec<Effect> {
    match &app.phase {
        Phase::Editing => {}
        Phase::Submitting { .. } => return Vec::new(),
        Phase::Session(view) if view.is_live() => {
            app.notice = Some(Notice::info(
                "a chat is live: press n for a new request (or e to end this one) first",
            ));
            return Vec::new();
        }
        Phase::Session(_) => app.phase = Phase::Editing,
        // Their own keys take Ctrl+S; nothing is sent from there.
        Phase::Burst(_) | Phase::Checks(_) => return Vec::new(),
    }
    if !form_is_valid(app) {
        return Vec::new();
    }
    if app.ambiguous_failure && !confirmed {
        app.overlay = Some(Overlay::ConfirmResubmit);
        return Vec::new();
    }
    app.ambiguous_failure = false;
    app.last_id += 1;
    let id = app.last_id;
    app.phase = Phase::Submitting {
        id,
        started: app.now,
    };
    app.exchanges.clear();
    app.notice = None;
    let request = app.form.chat_request();
    let record = Box::new(app.new_session(String::new(), request.clone(), app.form.auth));
    vec![Effect::StartSession {
        id,
        connection: Connection::from_form(&app.form),
        request,
        survey: app.form.survey.survey.clone(),
        auth: app.form.auth_request(),
        visitor_name: app.form.visitor_name(),
        record,
    }]
}

/// Checks the form as a submit does: every problem shows under its field and the first one gets
/// the focus; false when there is one.
pub fn form_is_valid(app: &mut App) -> bool {
    app.errors = app.form.validate();
    let Some(first) = app.errors.0.first().cloned() else {
        return true;
    };
    app.form.show_all_errors = true;
    app.notice = problems_notice(app);
    if let Some(focus) = focus_of(app, &first.field) {
        app.form.focus = focus;
    }
    false
}

/// The form item where a field's error shows.
fn focus_of(app: &App, field: &Field) -> Option<Focus> {
    let focus = match field {
        Field::PreChatLine(index) => Focus::PreChat(*index),
        Field::SurveyAnswer(id) => Focus::Survey(id.clone()),
        other => app
            .form
            .focus_order()
            .into_iter()
            .find(|f| matches!(f, Focus::Text(t) if t.field() == *other))?,
    };
    app.form.focus_order().contains(&focus).then_some(focus)
}
