//! `update(&mut App, Msg) -> Vec<Effect>`: every state change of the console. Pure — no I/O, no
//! clock (the loop sets `app.now`), no async — so each interaction is a plain unit test.

use crate::tui::app::{App, Notice, Overlay, Phase};
use crate::tui::form::update as form;
use crate::tui::msg::{
    AppIntent, BurstIntent, BurstOutcome, ChecksIntent, Effect, FormIntent, FormOutcome, Intent,
    Msg, Outcome, SessionOutcome, StoreIntent, StoreOutcome, TerminalOutcome,
};
use crate::tui::session::update as session_update;

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
    // A survey that arrived while a question was open shows once nothing else is.
    if app.overlay.is_none() && app.survey_dialog.is_some() {
        app.overlay = Some(Overlay::Survey);
    }
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
        Outcome::Form(outcome) => form::outcome(app, outcome),
        Outcome::Session(outcome) => session_update::outcome(app, outcome),
        Outcome::Burst(outcome) => crate::tui::burst::outcome(app, outcome),
        Outcome::Checks(outcome) => crate::tui::checks::outcome(app, outcome),
        Outcome::Store(outcome) => crate::tui::store::outcome(app, outcome),
        Outcome::Visitor(outcome) => crate::tui::visitor::outcome(app, outcome),
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
                Some(view) if view.compose.is_some() => {
                    view.compose = None;
                    return crate::tui::visitor::typing::stopped_typing(app);
                }
                _ => app.notice = None,
            }
            Vec::new()
        }
        Intent::Visitor(intent @ crate::tui::msg::VisitorIntent::OpenOfflineSurvey) if editing => {
            crate::tui::visitor::intent(app, intent)
        }
        Intent::Visitor(intent @ crate::tui::msg::VisitorIntent::OpenTranscript) if !editing => {
            crate::tui::visitor::intent(app, intent)
        }
        Intent::Form(FormIntent::Submit) => form::submit(app, false),
        Intent::Form(FormIntent::RefreshLookup) => form::start_lookup(app),
        Intent::Store(
            intent @ (StoreIntent::OpenProfiles
            | StoreIntent::SaveAsProfile
            | StoreIntent::OpenHistory),
        ) if editing => crate::tui::store::intent(app, intent),
        Intent::Form(intent) if editing => form::intent(app, intent),
        Intent::Session(intent) if !editing => session_update::intent(app, intent),
        // Asked where nothing takes it (a question's answer with no question, a form key off
        // the form, help scrolling without the help): nothing to do.
        Intent::App(_)
        | Intent::Form(_)
        | Intent::Session(_)
        | Intent::Burst(_)
        | Intent::Checks(_)
        | Intent::Store(_)
        | Intent::Visitor(_) => Vec::new(),
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
    if let Some(effects) = crate::tui::visitor::overlay_answer(app, intent) {
        return Some(effects);
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
            Some(form::submit(app, true))
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
