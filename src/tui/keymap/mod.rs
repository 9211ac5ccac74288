//! The console's keys, in one table: each binding's scope, keys, intent, help text and footer
//! label. The same table drives dispatch (`message`), the footer (`footer`), the F1 help
//! (`help`) and the README's key table (`readme_table`, which a test compares with the README).
//! Pure: `(event, &App) -> Option<Msg>`. While a text input has the focus printable keys type;
//! commands there are Ctrl-chords, function keys or navigation keys. The table's rows live by
//! area in `form`, `session`, `runs` and `dialogs`, declared after the helpers and macros they
//! use.

use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use std::sync::LazyLock;

use tui_input::backend::crossterm::to_input_request;

use crate::tui::app::{App, Overlay, Phase};
use crate::tui::form::Focus;
use crate::tui::msg::{
    AppIntent, BurstIntent, ChecksIntent, FormIntent, Intent, Msg, Scroll, SessionIntent,
    StoreIntent, VisitorIntent,
};

/// One line of the help overlay or the footer: the keys and what they do.
pub type HelpEntry = (&'static str, &'static str);

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Anywhere, even over a question or dialog.
    Everywhere,
    /// Any screen with no question or dialog over it.
    Screen,
    /// The form (also while its request is on its way).
    Form,
    /// The form, a pre-chat line focused.
    FormPreChat,
    /// The form, a text input focused.
    FormText,
    /// The form, a toggle or a choice question focused.
    FormChoice,
    /// The session view.
    Session,
    /// The session view, writing a line.
    Compose,
    /// The burst view while its chats are being made and followed.
    BurstRunning,
    /// The burst view once done.
    BurstDone,
    /// The check view.
    Checks,
    /// The help overlay.
    Help,
    /// The quit question.
    QuitQuestion,
    /// The quit question while a chat request is on its way.
    QuitWhileSending,
    /// The question before sending again after a request whose answer was lost.
    ResendQuestion,
    /// A profile's secret, typed masked.
    SecretPrompt,
    /// The name to save the form under.
    SaveProfile,
    /// A profile of that name exists.
    OverwriteQuestion,
    /// A draft from an earlier run.
    DraftOffer,
    /// The profile picker.
    Profiles,
    /// The history list.
    History,
    /// The burst dialog.
    BurstSetup,
    /// The check file question.
    CheckPath,
    /// The transcript dialog.
    TranscriptDialog,
    /// The exit or offline survey dialog.
    SurveyDialog,
}

impl Scope {
    /// How the README and the help name the scope.
    pub fn name(self) -> &'static str {
        match self {
            Self::Everywhere => "everywhere",
            Self::Screen => "any screen",
            Self::Form => "form",
            Self::FormPreChat => "form, on a pre-chat line",
            Self::FormText => "form, in a text field",
            Self::FormChoice => "form, on a toggle or choice",
            Self::Session => "session",
            Self::Compose => "session, writing a line",
            Self::BurstRunning => "burst, running",
            Self::BurstDone => "burst, done",
            Self::Checks => "checks",
            Self::Help => "help",
            Self::QuitQuestion => "quit question",
            Self::QuitWhileSending => "quit question, request on its way",
            Self::ResendQuestion => "send-again question",
            Self::SecretPrompt => "secret prompt",
            Self::SaveProfile => "save as profile",
            Self::OverwriteQuestion => "replace-profile question",
            Self::DraftOffer => "draft offer",
            Self::Profiles => "profiles",
            Self::History => "history",
            Self::BurstSetup => "burst dialog",
            Self::CheckPath => "check file question",
            Self::TranscriptDialog => "transcript dialog",
            Self::SurveyDialog => "survey dialog",
        }
    }

    /// Whether the scope takes text its bindings leave alone, and as what.
    fn text_input(self) -> Option<fn(tui_input::InputRequest) -> Intent> {
        match self {
            Self::FormText => Some(|request| Intent::Form(FormIntent::Edit(request))),
            Self::Compose => Some(|request| Intent::Session(SessionIntent::ComposeEdit(request))),
            Self::SecretPrompt
            | Self::SaveProfile
            | Self::BurstSetup
            | Self::CheckPath
            | Self::TranscriptDialog => Some(|request| Intent::App(AppIntent::DialogEdit(request))),
            Self::SurveyDialog => Some(|request| Intent::Visitor(VisitorIntent::Edit(request))),
            _ => None,
        }
    }
}

/// A key: its code, and whether Ctrl or Alt is held (Shift is part of the character).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    code: KeyCode,
    ctrl: bool,
    alt: bool,
}

const fn key(code: KeyCode) -> Key {
    Key {
        code,
        ctrl: false,
        alt: false,
    }
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: true,
        alt: false,
    }
}

const fn alt(code: KeyCode) -> Key {
    Key {
        code,
        ctrl: false,
        alt: true,
    }
}

const fn ch(c: char) -> Key {
    key(KeyCode::Char(c))
}

impl Key {
    fn matches(&self, event: &KeyEvent) -> bool {
        self.code == event.code
            && self.ctrl == event.modifiers.contains(KeyModifiers::CONTROL)
            && self.alt == event.modifiers.contains(KeyModifiers::ALT)
    }
}

/// What a binding does: the intent for the app as it is and the key pressed (the two keys of
/// one row may go two ways), or nothing just now.
type Action = fn(&App, KeyCode) -> Option<Intent>;

/// The footer label for the app as it is; `None` keeps the binding out of the footer.
type FooterLabel = fn(&App) -> Option<&'static str>;

/// One row of the table.
#[derive(Clone, Copy)]
pub struct Binding {
    pub scope: Scope,
    keys: &'static [Key],
    /// The keys as people read them (help, footer, README).
    pub shown: &'static str,
    /// `None`: documented only; the text input itself takes these keys.
    action: Option<Action>,
    /// What it does, for the help and the README.
    pub help: &'static str,
    footer: FooterLabel,
}

impl Binding {
    /// The keys that trigger it (none for a row that only documents what a text input does).
    pub fn keys(&self) -> &'static [Key] {
        self.keys
    }
}

const NOT_IN_FOOTER: FooterLabel = |_| None;

macro_rules! app {
    ($variant:ident $(($value:expr))?) => {
        Some(|_, _| Some(Intent::App(AppIntent::$variant $(($value))?)))
    };
}

macro_rules! form {
    ($variant:ident $(($value:expr))?) => {
        Some(|_, _| Some(Intent::Form(FormIntent::$variant $(($value))?)))
    };
}

macro_rules! session {
    ($variant:ident $(($value:expr))?) => {
        Some(|_, _| Some(Intent::Session(SessionIntent::$variant $(($value))?)))
    };
}

macro_rules! store {
    ($variant:ident) => {
        Some(|_, _| Some(Intent::Store(StoreIntent::$variant)))
    };
}

/// The help text of a binding another row already explains (`?` by F1's row, Enter on a
/// pre-chat line by Ctrl+N's): left out of the help and the README.
const LISTED_ELSEWHERE: &str = "";

/// -1 for the key that goes back (`back`), +1 for the other one of its pair.
fn step(code: KeyCode, back: KeyCode) -> isize {
    if code == back { -1 } else { 1 }
}

// After the macros: a macro is seen by the modules declared below it.
mod dialogs;
mod form;
mod runs;
mod session;

/// Every key of the console, in the order the help lists them: the tables of `form`,
/// `session`, `runs` and `dialogs`, one after the other. Within a scope the first binding whose
/// key matches wins; scopes are tried from the most specific (see [`active_scopes`]).
pub static BINDINGS: LazyLock<Vec<Binding>> = LazyLock::new(|| {
    [
        form::BINDINGS,
        session::BINDINGS,
        runs::BINDINGS,
        dialogs::BINDINGS,
    ]
    .concat()
});

/// The scopes that take keys now, the most specific first.
pub fn active_scopes(app: &App) -> Vec<Scope> {
    let mut scopes = vec![Scope::Everywhere];
    if let Some(overlay) = &app.overlay {
        scopes.push(overlay_scope(app, overlay));
        return scopes;
    }
    scopes.push(Scope::Screen);
    match &app.phase {
        Phase::Editing | Phase::Submitting { .. } => {
            if matches!(app.form.focus, Focus::PreChat(_)) {
                scopes.push(Scope::FormPreChat);
            }
            scopes.push(Scope::Form);
            // The form stays on screen but is not edited while the request is on its way.
            if matches!(app.phase, Phase::Editing) {
                scopes.push(if app.form.focus_is_text() {
                    Scope::FormText
                } else {
                    Scope::FormChoice
                });
            }
        }
        Phase::Session(view) if view.compose.is_some() => scopes.push(Scope::Compose),
        Phase::Session(_) => scopes.push(Scope::Session),
        Phase::Burst(view) if view.is_running() => scopes.push(Scope::BurstRunning),
        Phase::Burst(_) => scopes.push(Scope::BurstDone),
        Phase::Checks(_) => scopes.push(Scope::Checks),
    }
    scopes
}

fn overlay_scope(app: &App, overlay: &Overlay) -> Scope {
    match overlay {
        Overlay::Help => Scope::Help,
        Overlay::ConfirmQuit if matches!(app.phase, Phase::Submitting { .. }) => {
            Scope::QuitWhileSending
        }
        Overlay::ConfirmQuit => Scope::QuitQuestion,
        Overlay::ConfirmResubmit => Scope::ResendQuestion,
        Overlay::SecretPrompt(_) => Scope::SecretPrompt,
        Overlay::RestoreDraft => Scope::DraftOffer,
        Overlay::Profiles { .. } => Scope::Profiles,
        Overlay::SaveProfile => Scope::SaveProfile,
        Overlay::ConfirmOverwrite(_) => Scope::OverwriteQuestion,
        Overlay::History { .. } => Scope::History,
        Overlay::BurstSetup => Scope::BurstSetup,
        Overlay::CheckPath { .. } => Scope::CheckPath,
        Overlay::Transcript => Scope::TranscriptDialog,
        Overlay::Survey => Scope::SurveyDialog,
    }
}

/// The message for a terminal event, if any.
pub fn message(event: &Event, app: &App) -> Option<Msg> {
    let intent = match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => key_intent(key, event, app),
        Event::Mouse(mouse) => mouse_intent(mouse, app),
        Event::Resize(width, height) => Some(Intent::App(AppIntent::Resize(*width, *height))),
        Event::Paste(text) => Some(Intent::App(AppIntent::Paste(text.clone()))),
        _ => None,
    };
    intent.map(Msg::Intent)
}

fn key_intent(key: &KeyEvent, event: &Event, app: &App) -> Option<Intent> {
    let scopes = active_scopes(app);
    for scope in &scopes {
        let bound = BINDINGS
            .iter()
            .filter(|b| b.scope == *scope)
            .find(|b| b.keys.iter().any(|k| k.matches(key)));
        if let Some(binding) = bound {
            return binding.action.and_then(|action| action(app, key.code));
        }
    }
    let text = scopes.iter().rev().find_map(|scope| scope.text_input())?;
    to_input_request(event).map(text)
}

fn mouse_intent(mouse: &MouseEvent, app: &App) -> Option<Intent> {
    if app.overlay.is_some() {
        return None;
    }
    match (&app.phase, mouse.kind) {
        (Phase::Session(_), MouseEventKind::ScrollUp | MouseEventKind::ScrollDown) => {
            let scroll = if mouse.kind == MouseEventKind::ScrollUp {
                Scroll::Up(3)
            } else {
                Scroll::Down(3)
            };
            // The wheel scrolls the pane under the pointer (where it was at the last draw).
            let over_inspector = app.geometry.inspector.is_some_and(|area| {
                area.contains(ratatui::layout::Position::new(mouse.column, mouse.row))
            });
            Some(Intent::Session(if over_inspector {
                SessionIntent::InspectorScroll(scroll)
            } else {
                SessionIntent::Scroll(scroll)
            }))
        }
        (Phase::Editing, MouseEventKind::ScrollUp) => Some(Intent::Form(FormIntent::FocusPrev)),
        (Phase::Editing, MouseEventKind::ScrollDown) => Some(Intent::Form(FormIntent::FocusNext)),
        (Phase::Editing, MouseEventKind::Down(MouseButton::Left)) => app
            .geometry
            .form_item_at(mouse.column, mouse.row)
            .map(|focus| Intent::Form(FormIntent::FocusOn(focus))),
        _ => None,
    }
}

/// The scopes whose keys the help lists: the screen's (or the dialog's under the help), and
/// the keys of everywhere.
fn help_scopes(app: &App) -> Vec<Scope> {
    let below = match (&app.overlay, &app.help_over) {
        (Some(Overlay::Help), Some(overlay)) => Some(overlay_scope(app, overlay)),
        _ => None,
    };
    let mut scopes = vec![Scope::Everywhere];
    if below.is_none() {
        scopes.push(Scope::Screen);
    }
    match below {
        Some(scope) => scopes.push(scope),
        None => match &app.phase {
            Phase::Editing | Phase::Submitting { .. } => scopes.extend([
                Scope::Form,
                Scope::FormPreChat,
                Scope::FormText,
                Scope::FormChoice,
            ]),
            Phase::Session(view) if view.compose.is_some() => scopes.push(Scope::Compose),
            Phase::Session(_) => scopes.push(Scope::Session),
            Phase::Burst(_) => scopes.extend([Scope::BurstRunning, Scope::BurstDone]),
            Phase::Checks(_) => scopes.push(Scope::Checks),
        },
    }
    scopes
}

/// Every key of the current screen (or of the dialog the help was opened over), for the help
/// overlay. Keys of a scope narrower than the screen say where they work.
pub fn help(app: &App) -> Vec<HelpEntry> {
    let scopes = help_scopes(app);
    BINDINGS
        .iter()
        .filter(|b| scopes.contains(&b.scope) && b.help != LISTED_ELSEWHERE)
        .map(|b| (b.shown, b.help))
        .collect()
}

/// The few keys that matter now, for the footer, most important first. A screen's ends with
/// the keys of everywhere (help, quit); a question or dialog shows only its own answers.
pub fn footer(app: &App) -> Vec<HelpEntry> {
    let scopes = active_scopes(app);
    // Sending first, then the screen's or the dialog's own keys, the most specific first.
    let own = scopes
        .iter()
        .rev()
        .filter(|scope| !matches!(scope, Scope::Everywhere | Scope::Screen));
    let screen = scopes.iter().filter(|scope| **scope == Scope::Screen);
    let mut keys = footer_entries(app, screen.chain(own));
    if app.overlay.is_none() {
        keys.extend(footer_entries(app, [&Scope::Everywhere]));
    }
    keys
}

/// The footer entries of the bindings of these scopes, in order.
fn footer_entries<'a>(app: &App, scopes: impl IntoIterator<Item = &'a Scope>) -> Vec<HelpEntry> {
    scopes
        .into_iter()
        .flat_map(|scope| BINDINGS.iter().filter(move |b| b.scope == *scope))
        .filter_map(|binding| Some((footer_key(binding.shown), (binding.footer)(app)?)))
        .collect()
}

/// A binding's keys as the footer shows them: the first of a list (`Ctrl+B, F6` → `Ctrl+B`).
fn footer_key(shown: &'static str) -> &'static str {
    shown.split(", ").next().unwrap_or(shown)
}

/// Columns one footer entry takes, as the footer draws it (` key ` then ` what  `).
pub fn footer_entry_width((key, what): &HelpEntry) -> usize {
    use ratatui::text::Span;
    Span::raw(*key).width() + Span::raw(*what).width() + 5
}

/// The footer for a screen `width` columns wide: the keys that fit, dropped from the least
/// important (the last of the screen's own) — never help and quit, nor the way out of a
/// question or dialog (its last key).
pub fn footer_fitted(app: &App, width: u16) -> Vec<HelpEntry> {
    let mut keys = footer(app);
    let always = if app.overlay.is_some() {
        1
    } else {
        footer_entries(app, [&Scope::Everywhere]).len()
    };
    let kept = keys.split_off(keys.len().saturating_sub(always));
    let mut room =
        usize::from(width).saturating_sub(kept.iter().map(footer_entry_width).sum::<usize>());
    // The most important first; one that does not fit leaves room for a shorter one after it.
    keys.retain(|entry| {
        let fits = footer_entry_width(entry) <= room;
        if fits {
            room -= footer_entry_width(entry);
        }
        fits
    });
    keys.extend(kept);
    keys
}

/// The README's key table, made from the bindings: `| where | key | does |`, grouped by scope
/// in the order scopes first appear, each scope's first row naming it. A test keeps the README's
/// copy equal to this.
pub fn readme_table() -> String {
    let mut scopes: Vec<Scope> = Vec::new();
    for binding in BINDINGS.iter() {
        if !scopes.contains(&binding.scope) {
            scopes.push(binding.scope);
        }
    }
    let mut table = String::from("| where | key | does |\n|---|---|---|\n");
    for scope in scopes {
        let rows = BINDINGS
            .iter()
            .filter(|b| b.scope == scope && b.help != LISTED_ELSEWHERE);
        for (n, binding) in rows.enumerate() {
            let place = if n == 0 { scope.name() } else { "" };
            let cell = |text: &str| text.replace('|', "\\|");
            table.push_str(&format!(
                "| {place} | {} | {} |\n",
                cell(binding.shown),
                cell(binding.help)
            ));
        }
    }
    table
}
