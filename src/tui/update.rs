//! `update(&mut App, Msg) -> Vec<Effect>`: every state change of the console. Pure — no I/O, no
//! clock (the loop sets `app.now`), no async — so each interaction is a plain unit test.

use std::time::Duration;

use crate::api::validate::Field;
use crate::tui::app::{App, Lookup, Notice, Overlay, Phase, SessionView, Topic};
use crate::tui::connection::Connection;
use crate::tui::form::{Focus, TextField, Toggle};
use crate::tui::msg::{
    AppIntent, BurstIntent, BurstOutcome, ChecksIntent, Effect, FormIntent, FormOutcome, Intent,
    Msg, Outcome, SessionOutcome, StoreIntent, StoreOutcome, TerminalOutcome,
};
use crate::tui::session::update as session_update;

/// Quiet time after an edit before the survey and availability are fetched again.
pub const LOOKUP_QUIET: Duration = Duration::from_millis(600);

/// The effects to run at start: the first lookup, when the connection is complete.
pub fn init(app: &mut App) -> Vec<Effect> {
    start_lookup(app)
}

/// Applies one message. A changed form is written as the draft once typing pauses, and at once
/// when it matters (quitting, Ctrl+Z, the editor, the answer to the draft offer); a form that
/// went out (its chat is in the history) is no draft any more.
pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    if matches!(msg, Msg::Outcome(Outcome::Store(StoreOutcome::DraftDue))) {
        app.draft_due = false;
    }
    // One action, not typing: the form as it is now is worth keeping at once.
    let write_now = matches!(
        msg,
        Msg::Outcome(
            Outcome::Store(StoreOutcome::DraftDue | StoreOutcome::ProfileLoaded { .. })
                | Outcome::Form(FormOutcome::EditorDone(_))
        ) | Msg::Intent(
            Intent::App(AppIntent::Suspend)
                | Intent::Form(FormIntent::OpenEditor)
                | Intent::Store(
                    StoreIntent::RestoreDraft | StoreIntent::DiscardDraft | StoreIntent::RerunEntry
                )
        )
    );
    let made_from_form = MadeFromForm::of(&msg);
    let mut effects = match msg {
        Msg::Outcome(outcome) => apply_outcome(app, outcome),
        Msg::Intent(intent) => apply_intent(app, intent),
    };
    close_stale_questions(app);
    if made_from_form.is_some_and(|made| made.still_current(app)) {
        effects.extend(crate::tui::store::form_sent(app));
    }
    match crate::tui::store::autosave(app, write_now || app.quitting) {
        // First: before the terminal is given up (Ctrl+Z, the editor) or the console ends.
        Some(write @ Effect::SaveDraft(_)) => effects.insert(0, write),
        Some(timer) => effects.push(timer),
        None => {}
    }
    effects
}

/// A chat made (or that may have been made) from the form, as a message reports it.
enum MadeFromForm {
    Session(crate::tui::msg::SessionId),
    Maybe,
    BurstChat(crate::tui::msg::SessionId),
}

impl MadeFromForm {
    fn of(msg: &Msg) -> Option<Self> {
        match msg {
            Msg::Outcome(Outcome::Session(SessionOutcome::Created { id, .. })) => {
                Some(Self::Session(*id))
            }
            Msg::Outcome(Outcome::Session(SessionOutcome::StartFailed { failure, .. }))
                if failure.may_have_created_chat =>
            {
                Some(Self::Maybe)
            }
            Msg::Outcome(Outcome::Burst(BurstOutcome::Progress {
                id,
                event: crate::burst::BurstEvent::Created { .. },
            })) => Some(Self::BurstChat(*id)),
            _ => None,
        }
    }

    /// Once the message is applied: whether it was about the submit or burst on screen.
    fn still_current(&self, app: &App) -> bool {
        match self {
            Self::Session(id) => app.session().is_some_and(|view| view.id == *id),
            Self::Maybe => app.ambiguous_failure,
            Self::BurstChat(id) => matches!(&app.phase, Phase::Burst(view) if view.id == *id),
        }
    }
}

/// Every outcome reaches its feature, whatever overlay or screen is showing: a result that
/// arrives while a question is open is applied all the same, never dropped.
fn apply_outcome(app: &mut App, outcome: Outcome) -> Vec<Effect> {
    match outcome {
        Outcome::Form(outcome) => form_outcome(app, outcome),
        Outcome::Session(outcome) => session_update::outcome(app, outcome),
        Outcome::Burst(outcome) => crate::tui::burst::outcome(app, outcome),
        Outcome::Checks(outcome) => crate::tui::checks::outcome(app, outcome),
        Outcome::Store(outcome) => crate::tui::store::outcome(app, outcome),
        Outcome::Terminal(TerminalOutcome::Tick) => Vec::new(),
        Outcome::Terminal(TerminalOutcome::Resumed(outcome)) => {
            if let Err(why) = outcome {
                app.notice = Some(Notice::info(why));
            }
            Vec::new()
        }
    }
}

/// An intent goes to what has the keyboard: the overlay on screen, else the screen below.
fn apply_intent(app: &mut App, intent: Intent) -> Vec<Effect> {
    // What acts on the whole console, whatever is on screen.
    match intent {
        Intent::App(AppIntent::QuitNow) => return quit(app),
        Intent::App(AppIntent::Suspend) => return vec![Effect::Suspend],
        Intent::App(AppIntent::Resize(width, height)) => {
            app.size = (width, height);
            return Vec::new();
        }
        Intent::App(AppIntent::Paste(text)) => return crate::tui::paste::update(app, &text),
        _ => {}
    }
    if let Some(overlay) = app.overlay.clone() {
        if let Some(effects) = overlay_answer(app, &overlay, &intent) {
            return effects;
        }
    }
    if let Some(effects) = crate::tui::burst::intent(app, &intent) {
        return effects;
    }
    if let Some(effects) = crate::tui::checks::intent(app, &intent) {
        return effects;
    }
    let editing = matches!(app.phase, Phase::Editing);
    match intent {
        Intent::Burst(BurstIntent::Open) if editing => crate::tui::burst::open(app),
        Intent::Checks(ChecksIntent::Open) if editing => crate::tui::checks::open(app),
        Intent::App(AppIntent::Help) => {
            app.help_scroll = 0;
            app.overlay = match app.overlay {
                Some(Overlay::Help) => None,
                _ => Some(Overlay::Help),
            };
            Vec::new()
        }
        Intent::App(AppIntent::Quit) => {
            // A request on its way may still create a chat: ask, as for a live one.
            if quitting_leaves_something(app) {
                app.overlay = Some(Overlay::ConfirmQuit);
                Vec::new()
            } else {
                quit(app)
            }
        }
        Intent::App(AppIntent::Dismiss) => {
            match app.session_mut() {
                Some(view) if view.compose.is_some() => view.compose = None,
                _ => app.notice = None,
            }
            Vec::new()
        }
        Intent::Form(FormIntent::Submit) => submit(app, false),
        Intent::Form(FormIntent::RefreshLookup) => start_lookup(app),
        Intent::Store(
            intent @ (StoreIntent::OpenProfiles
            | StoreIntent::SaveAsProfile
            | StoreIntent::OpenHistory),
        ) if editing => crate::tui::store::intent(app, intent),
        Intent::Form(intent) if editing => form_update(app, intent),
        Intent::Session(intent) if !editing => session_update::intent(app, intent),
        // Asked where nothing takes it (a question's answer with no question, a form key off
        // the form, help scrolling without the help): nothing to do.
        Intent::App(_)
        | Intent::Form(_)
        | Intent::Session(_)
        | Intent::Burst(_)
        | Intent::Checks(_)
        | Intent::Store(_) => Vec::new(),
    }
}

/// What came back to the form.
fn form_outcome(app: &mut App, outcome: FormOutcome) -> Vec<Effect> {
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

/// Whether quitting now would leave something behind: a live chat, a chat request on its way
/// (it may create one), chats of a burst.
pub fn quitting_leaves_something(app: &App) -> bool {
    app.has_live_chat()
        || matches!(app.phase, Phase::Submitting { .. })
        || crate::tui::burst::has_open_chats(app)
}

/// A question whose reason went away while it was open (the request failed, the chat ended)
/// closes: the screen under it says what happened.
fn close_stale_questions(app: &mut App) {
    if app.overlay == Some(Overlay::ConfirmQuit) && !quitting_leaves_something(app) {
        app.overlay = None;
    }
}

/// The answer to an open overlay; `None` passes the intent on to the screen below.
fn overlay_answer(app: &mut App, overlay: &Overlay, intent: &Intent) -> Option<Vec<Effect>> {
    // F1 over a question or dialog shows the help of its keys; closing the help brings it back.
    if matches!(intent, Intent::App(AppIntent::Help)) && *overlay != Overlay::Help {
        app.help_over = Some(overlay.clone());
        app.help_scroll = 0;
        app.overlay = Some(Overlay::Help);
        return Some(Vec::new());
    }
    if let Some(effects) = crate::tui::burst::overlay_answer(app, intent) {
        return Some(effects);
    }
    if let Some(effects) = crate::tui::checks::overlay_answer(app, intent) {
        return Some(effects);
    }
    if let Some(effects) = crate::tui::store::overlay_answer(app, overlay, intent) {
        return Some(effects);
    }
    match (overlay, intent) {
        (Overlay::Help, Intent::App(AppIntent::Help | AppIntent::Dismiss)) => {
            app.overlay = app.help_over.take();
            Some(Vec::new())
        }
        (Overlay::Help, Intent::App(AppIntent::HelpScroll(rows))) => {
            let most = app.geometry.help_max_scroll;
            app.help_scroll = app.help_scroll.saturating_add_signed(*rows).min(most);
            Some(Vec::new())
        }
        (Overlay::Help, _) => Some(Vec::new()),
        (Overlay::ConfirmQuit, Intent::App(AppIntent::Confirm | AppIntent::Quit)) => {
            app.overlay = None;
            Some(quit(app))
        }
        // No chat to end yet while its request is on its way.
        (Overlay::ConfirmQuit, Intent::App(AppIntent::ConfirmAlternative))
            if matches!(app.phase, Phase::Submitting { .. }) =>
        {
            Some(Vec::new())
        }
        (Overlay::ConfirmQuit, Intent::App(AppIntent::ConfirmAlternative))
            if crate::tui::burst::has_open_chats(app) =>
        {
            app.overlay = None;
            Some(crate::tui::burst::end_then_quit(app))
        }
        (Overlay::ConfirmQuit, Intent::App(AppIntent::ConfirmAlternative)) => {
            app.overlay = None;
            app.quit_after_end = true;
            Some(session_update::end_chat(app))
        }
        // Ctrl+C closes any question, then quits as from the screen below.
        (_, Intent::App(AppIntent::Quit)) => {
            app.overlay = None;
            app.help_over = None;
            None
        }
        (Overlay::ConfirmResubmit, Intent::App(AppIntent::Confirm)) => {
            app.overlay = None;
            Some(submit(app, true))
        }
        (_, Intent::App(AppIntent::Dismiss)) => {
            app.overlay = None;
            Some(Vec::new())
        }
        _ => Some(Vec::new()),
    }
}

fn quit(app: &mut App) -> Vec<Effect> {
    app.quitting = true;
    vec![Effect::StopSession, Effect::Quit]
}

/// Intents that change the form.
fn form_update(app: &mut App, intent: FormIntent) -> Vec<Effect> {
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
pub(super) fn edited(app: &mut App, focus: &Focus) -> Vec<Effect> {
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
    Some(
        Notice::error(
            format!(
                "{} attention before sending: {}",
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
fn start_lookup(app: &mut App) -> Vec<Effect> {
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

/// A new session view for a created chat.
pub fn session_view(app: &App, id: u64, uri: String) -> SessionView {
    let mut view = SessionView::new(id, uri, app.now);
    view.request = app.form.chat_request();
    view.survey = app.form.survey.survey.clone();
    view
}
