//! The console's keys, in one table: each binding's scope, keys, intent, help text and footer
//! label. The same table drives dispatch (`message`), the footer (`footer`), the F1 help
//! (`help`) and the README's key table (`readme_table`, which a test compares with the README).
//! Pure: `(event, &App) -> Option<Msg>`. While a text input has the focus printable keys type;
//! commands there are Ctrl-chords, function keys or navigation keys.

use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
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

/// Rows of the transcript (or inspector) a page key moves.
fn page(app: &App) -> u16 {
    app.size.1.saturating_sub(12).max(3)
}

/// A scroll of the session view: the inspector's detail while it has the arrow keys.
fn session_scroll(app: &App, scroll: Scroll) -> Intent {
    let inspector = app
        .session()
        .is_some_and(|v| v.inspector && v.inspector_focus && v.compose.is_none());
    Intent::Session(if inspector {
        SessionIntent::InspectorScroll(scroll)
    } else {
        SessionIntent::Scroll(scroll)
    })
}

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

/// Columns from which the form's footer also shows the burst and check keys.
const WIDE_FOOTER: u16 = 112;

/// -1 for the key that goes back (`back`), +1 for the other one of its pair.
fn step(code: KeyCode, back: KeyCode) -> isize {
    if code == back { -1 } else { 1 }
}

/// Whether the session view shows its HTTP inspector.
fn inspecting(app: &App) -> bool {
    app.session().is_some_and(|v| v.inspector)
}

/// Every key of the console, in the order the help lists them. Within a scope the first binding
/// whose key matches wins; scopes are tried from the most specific (see [`active_scopes`]).
pub static BINDINGS: &[Binding] = &[
    // Everywhere.
    Binding {
        scope: Scope::Everywhere,
        keys: &[key(KeyCode::F(1))],
        shown: "F1",
        action: app!(Help),
        help: "this help (also ? outside a text field)",
        footer: |_| Some("help"),
    },
    Binding {
        scope: Scope::Everywhere,
        keys: &[ctrl('c')],
        shown: "Ctrl+C",
        action: app!(Quit),
        help: "quit (asks first while a chat is live)",
        footer: |_| Some("quit"),
    },
    Binding {
        scope: Scope::Everywhere,
        keys: &[ctrl('z')],
        shown: "Ctrl+Z",
        action: app!(Suspend),
        help: "suspend to the shell (fg brings the console back)",
        footer: NOT_IN_FOOTER,
    },
    Binding {
        scope: Scope::Screen,
        keys: &[ctrl('s')],
        shown: "Ctrl+S",
        action: form!(Submit),
        help: "send the chat request (from the form)",
        footer: |app| matches!(app.phase, Phase::Editing).then_some("send"),
    },
    // The form.
    Binding {
        scope: Scope::Form,
        keys: &[
            key(KeyCode::Tab),
            key(KeyCode::Down),
            key(KeyCode::BackTab),
            key(KeyCode::Up),
        ],
        shown: "Tab ↓ / Shift+Tab ↑",
        action: Some(|_, code| {
            Some(Intent::Form(match code {
                KeyCode::Tab | KeyCode::Down => FormIntent::FocusNext,
                _ => FormIntent::FocusPrev,
            }))
        }),
        help: "next / previous field",
        footer: NOT_IN_FOOTER,
    },
    Binding {
        scope: Scope::FormText,
        keys: &[],
        shown: "typing",
        action: None,
        help: "edits the field; ← → Home End move in it",
        footer: NOT_IN_FOOTER,
    },
    Binding {
        scope: Scope::FormText,
        keys: &[],
        shown: "Ctrl+W Ctrl+U Ctrl+K",
        action: None,
        help: "delete word / line / to end",
        footer: NOT_IN_FOOTER,
    },
    Binding {
        scope: Scope::FormText,
        keys: &[key(KeyCode::Enter)],
        shown: "Enter",
        action: form!(FocusNext),
        help: LISTED_ELSEWHERE,
        footer: NOT_IN_FOOTER,
    },
    Binding {
        scope: Scope::FormChoice,
        keys: &[key(KeyCode::Left), key(KeyCode::Right)],
        shown: "Space ← →",
        action: Some(|_, code| Some(Intent::Form(FormIntent::Cycle(step(code, KeyCode::Left))))),
        help: "switch a toggle, choose in a choice list",
        footer: NOT_IN_FOOTER,
    },
    Binding {
        scope: Scope::FormChoice,
        keys: &[ch(' '), key(KeyCode::Enter)],
        shown: "Space / Enter",
        action: form!(Choose),
        help: "choose; check or uncheck a check box",
        footer: NOT_IN_FOOTER,
    },
    Binding {
        scope: Scope::FormChoice,
        keys: &[ch('?')],
        shown: "?",
        action: app!(Help),
        help: LISTED_ELSEWHERE,
        footer: NOT_IN_FOOTER,
    },
    Binding {
        scope: Scope::FormPreChat,
        keys: &[key(KeyCode::Enter)],
        shown: "Enter",
        action: form!(AddPreChatLine),
        help: LISTED_ELSEWHERE,
        footer: NOT_IN_FOOTER,
    },
    Binding {
        scope: Scope::Form,
        keys: &[ctrl('n')],
        shown: "Enter, Ctrl+N",
        action: form!(AddPreChatLine),
        help: "pre-chat: add a line below",
        footer: NOT_IN_FOOTER,
    },
    Binding {
        scope: Scope::FormPreChat,
        keys: &[ctrl('x')],
        shown: "Ctrl+X",
        action: form!(DeletePreChatLine),
        help: "pre-chat: delete the line",
        footer: NOT_IN_FOOTER,
    },
    Binding {
        scope: Scope::FormPreChat,
        keys: &[alt(KeyCode::Up), alt(KeyCode::Down)],
        shown: "Alt+↑ / Alt+↓",
        action: Some(|_, code| {
            Some(Intent::Form(FormIntent::MovePreChatLine(step(
                code,
                KeyCode::Up,
            ))))
        }),
        help: "pre-chat: move the line up / down",
        footer: NOT_IN_FOOTER,
    },
    Binding {
        scope: Scope::Form,
        keys: &[ctrl('e')],
        shown: "Ctrl+E",
        action: form!(OpenEditor),
        help: "edit the pre-chat lines in $EDITOR",
        footer: NOT_IN_FOOTER,
    },
    // Ctrl+K stays "delete to the end" in text fields; F6/F7 also work inside tmux, whose
    // prefix is Ctrl+B. Burst and checks show in the footer only where it is wide enough.
    Binding {
        scope: Scope::Form,
        keys: &[ctrl('b'), key(KeyCode::F(6))],
        shown: "Ctrl+B, F6",
        action: Some(|_, _| Some(Intent::Burst(BurstIntent::Open))),
        help: "burst: many chats of this request at once",
        footer: |app| (app.size.0 >= WIDE_FOOTER).then_some("burst"),
    },
    Binding {
        scope: Scope::Form,
        keys: &[ctrl('t'), key(KeyCode::F(7))],
        shown: "Ctrl+T, F7",
        action: Some(|_, _| Some(Intent::Checks(ChecksIntent::Open))),
        help: "run a check file with this connection",
        footer: |app| (app.size.0 >= WIDE_FOOTER).then_some("checks"),
    },
    Binding {
        scope: Scope::Form,
        keys: &[ctrl('p')],
        shown: "Ctrl+P",
        action: store!(OpenProfiles),
        help: "profiles: load one into the form",
        footer: |_| Some("profiles"),
    },
    Binding {
        scope: Scope::Form,
        keys: &[ctrl('f'), key(KeyCode::F(8))],
        shown: "Ctrl+F, F8",
        action: Some(|_, _| Some(Intent::Visitor(VisitorIntent::OpenOfflineSurvey))),
        help: "offline survey, for when no agent can take a chat",
        footer: |app| crate::tui::visitor::no_agent_available(app).then_some("offline survey"),
    },
    Binding {
        scope: Scope::Form,
        keys: &[ctrl('o')],
        shown: "Ctrl+O",
        action: store!(SaveAsProfile),
        help: "save the form as a profile (secrets never)",
        footer: NOT_IN_FOOTER,
    },
    Binding {
        scope: Scope::Form,
        keys: &[ctrl('r')],
        shown: "Ctrl+R",
        action: store!(OpenHistory),
        help: "history: re-run, watch again or end a session",
        footer: |_| Some("history"),
    },
    Binding {
        scope: Scope::Form,
        keys: &[key(KeyCode::F(5)), ctrl('l')],
        shown: "F5, Ctrl+L",
        action: form!(RefreshLookup),
        help: "fetch the survey and availability again",
        footer: NOT_IN_FOOTER,
    },
    Binding {
        scope: Scope::Form,
        keys: &[key(KeyCode::Esc)],
        shown: "Esc",
        action: app!(Dismiss),
        help: "clear the message",
        footer: NOT_IN_FOOTER,
    },
    Binding {
        scope: Scope::Form,
        keys: &[],
        shown: "mouse",
        action: None,
        help: "click a field to focus it; wheel moves",
        footer: NOT_IN_FOOTER,
    },
    // The session view.
    Binding {
        scope: Scope::Session,
        keys: &[ch('c')],
        shown: "c",
        action: session!(CopyUri),
        help: "copy the session URI",
        footer: |app| (!inspecting(app)).then_some("copy URI"),
    },
    Binding {
        scope: Scope::Session,
        keys: &[ch('i'), key(KeyCode::Enter)],
        shown: "i, Enter",
        action: session!(Compose),
        help: "write a line (sent while chatting)",
        // Lines are sent only while chatting: `i` shows from then on.
        footer: |app| {
            app.session()
                .filter(|v| v.is_chatting() && !v.inspector)
                .map(|_| "write")
        },
    },
    Binding {
        scope: Scope::Session,
        keys: &[ch('e')],
        shown: "e",
        action: session!(EndChat),
        help: "end the chat",
        footer: |app| {
            app.session()
                .filter(|v| v.is_live() && !v.inspector)
                .map(|_| "end")
        },
    },
    Binding {
        scope: Scope::Session,
        keys: &[ch('r')],
        shown: "r",
        action: session!(ToggleInspector),
        help: "show / hide the HTTP inspector",
        footer: |app| {
            Some(if inspecting(app) {
                "close"
            } else {
                "inspector"
            })
        },
    },
    Binding {
        scope: Scope::Session,
        keys: &[ch('n')],
        shown: "n",
        action: session!(NewRequest),
        help: "new request (the form keeps its content)",
        footer: |app| match app.session() {
            Some(v) if v.inspector => None,
            Some(v) if v.is_live() => Some("new"),
            Some(_) if app.return_to.is_some() => Some("back to the checks"),
            Some(_) => Some("new request"),
            None => None,
        },
    },
    Binding {
        scope: Scope::Session,
        keys: &[ch('t')],
        shown: "t",
        action: Some(|_, _| Some(Intent::Visitor(VisitorIntent::OpenTranscript))),
        help: "e-mail the transcript (address and subject asked)",
        footer: |app| {
            app.session()
                .filter(|v| !v.inspector && v.visitor.links.transcript.is_some())
                .map(|_| "transcript")
        },
    },
    Binding {
        scope: Scope::Session,
        keys: &[ch('y')],
        shown: "y",
        action: session!(CopyCurl),
        help: "copy the request as curl (key: $CHATSTART_APP_KEY)",
        footer: NOT_IN_FOOTER,
    },
    Binding {
        scope: Scope::Session,
        keys: &[ch('['), ch(']')],
        shown: "[ ]",
        action: Some(|_, code| {
            Some(Intent::Session(SessionIntent::InspectorSelect(step(
                code,
                KeyCode::Char('['),
            ))))
        }),
        help: "inspector: previous / next exchange",
        footer: |app| inspecting(app).then_some("exchange"),
    },
    Binding {
        scope: Scope::Session,
        keys: &[ch('{'), ch('}')],
        shown: "{ }",
        action: Some(|app, code| {
            let rows = page(app) / 2;
            let scroll = if code == KeyCode::Char('{') {
                Scroll::Up(rows)
            } else {
                Scroll::Down(rows)
            };
            Some(Intent::Session(SessionIntent::InspectorScroll(scroll)))
        }),
        help: "inspector: scroll the exchange up / down",
        footer: |app| inspecting(app).then_some("scroll"),
    },
    Binding {
        scope: Scope::Session,
        keys: &[key(KeyCode::Tab), key(KeyCode::BackTab)],
        shown: "Tab",
        action: Some(|app, _| {
            inspecting(app).then_some(Intent::Session(SessionIntent::InspectorFocus))
        }),
        help: "inspector: give it ↑↓ PgUp PgDn Home End (again: back)",
        footer: |app| match app.session() {
            Some(v) if v.inspector && v.inspector_focus => Some("transcript"),
            Some(v) if v.inspector => Some("focus"),
            _ => None,
        },
    },
    Binding {
        scope: Scope::Session,
        keys: &[
            key(KeyCode::PageUp),
            key(KeyCode::PageDown),
            key(KeyCode::Up),
            key(KeyCode::Down),
        ],
        shown: "PgUp PgDn ↑ ↓",
        action: Some(|app, code| {
            let scroll = match code {
                KeyCode::PageUp => Scroll::Up(page(app)),
                KeyCode::PageDown => Scroll::Down(page(app)),
                KeyCode::Up => Scroll::Up(1),
                _ => Scroll::Down(1),
            };
            Some(session_scroll(app, scroll))
        }),
        help: "scroll the transcript (wheel: the pane under it)",
        footer: NOT_IN_FOOTER,
    },
    Binding {
        scope: Scope::Session,
        keys: &[key(KeyCode::Home), key(KeyCode::End)],
        shown: "Home / End",
        action: Some(|app, code| {
            let scroll = if code == KeyCode::Home {
                Scroll::Top
            } else {
                Scroll::Bottom
            };
            Some(session_scroll(app, scroll))
        }),
        help: "oldest line / follow the newest",
        footer: NOT_IN_FOOTER,
    },
    Binding {
        scope: Scope::Session,
        keys: &[key(KeyCode::Esc)],
        shown: "Esc",
        action: app!(Dismiss),
        help: "clear the message",
        footer: NOT_IN_FOOTER,
    },
    Binding {
        scope: Scope::Session,
        keys: &[ch('q')],
        shown: "q",
        action: app!(Quit),
        help: "quit (asks first while a chat is live)",
        footer: NOT_IN_FOOTER,
    },
    Binding {
        scope: Scope::Session,
        keys: &[ch('?')],
        shown: "?",
        action: app!(Help),
        help: LISTED_ELSEWHERE,
        footer: NOT_IN_FOOTER,
    },
    Binding {
        scope: Scope::Compose,
        keys: &[key(KeyCode::Enter)],
        shown: "Enter",
        action: session!(ComposeSend),
        help: "send the line (while chatting)",
        footer: |_| Some("send"),
    },
    Binding {
        scope: Scope::Compose,
        keys: &[key(KeyCode::Esc)],
        shown: "Esc",
        action: app!(Dismiss),
        help: "leave the input",
        footer: |_| Some("leave"),
    },
    Binding {
        scope: Scope::Compose,
        keys: &[key(KeyCode::PageUp), key(KeyCode::PageDown)],
        shown: "PgUp/PgDn",
        action: Some(|app, code| {
            let scroll = if code == KeyCode::PageUp {
                Scroll::Up(page(app))
            } else {
                Scroll::Down(page(app))
            };
            Some(Intent::Session(SessionIntent::Scroll(scroll)))
        }),
        help: "scroll the transcript",
        footer: |_| Some("scroll"),
    },
    // Bursts.
    Binding {
        scope: Scope::BurstRunning,
        keys: &[key(KeyCode::Esc), ch('q')],
        shown: "Esc, q",
        action: Some(|_, _| Some(Intent::Burst(BurstIntent::Stop))),
        help: "while it runs: stop (every chat created is ended)",
        footer: |app| {
            matches!(&app.phase, Phase::Burst(v) if !v.stopping).then_some("stop & end chats")
        },
    },
    Binding {
        scope: Scope::BurstRunning,
        keys: &[ch('e')],
        shown: "e",
        action: Some(|_, _| Some(Intent::Burst(BurstIntent::EndChats))),
        help: "while it runs: end the chats created so far",
        footer: NOT_IN_FOOTER,
    },
    Binding {
        scope: Scope::BurstDone,
        keys: &[ch('e')],
        shown: "e",
        action: Some(|_, _| Some(Intent::Burst(BurstIntent::EndChats))),
        help: "when done: end the chats still open",
        footer: |app| {
            matches!(&app.phase, Phase::Burst(v) if !v.open_chats().is_empty())
                .then_some("end open chats")
        },
    },
    Binding {
        scope: Scope::BurstDone,
        keys: &[key(KeyCode::Esc)],
        shown: "Esc",
        action: Some(|_, _| Some(Intent::Burst(BurstIntent::Back))),
        help: "when done: back to the form (its content kept)",
        footer: |_| Some("back to the form"),
    },
    Binding {
        scope: Scope::BurstDone,
        keys: &[ch('q')],
        shown: "q",
        action: app!(Quit),
        help: "when done: quit (asks first while chats are open)",
        footer: NOT_IN_FOOTER,
    },
    Binding {
        scope: Scope::BurstRunning,
        keys: &[ch('?')],
        shown: "?",
        action: app!(Help),
        help: LISTED_ELSEWHERE,
        footer: NOT_IN_FOOTER,
    },
    Binding {
        scope: Scope::BurstDone,
        keys: &[ch('?')],
        shown: "?",
        action: app!(Help),
        help: LISTED_ELSEWHERE,
        footer: NOT_IN_FOOTER,
    },
    // Check runs.
    Binding {
        scope: Scope::Checks,
        keys: &[key(KeyCode::Up), key(KeyCode::Down)],
        shown: "↑↓",
        action: Some(|_, code| Some(Intent::App(AppIntent::Select(step(code, KeyCode::Up))))),
        help: "choose a case",
        footer: |_| Some("choose"),
    },
    Binding {
        scope: Scope::Checks,
        keys: &[key(KeyCode::Home), key(KeyCode::End)],
        shown: "Home / End",
        action: Some(|_, code| {
            let jump = if code == KeyCode::Home {
                Scroll::Top
            } else {
                Scroll::Bottom
            };
            Some(Intent::Checks(ChecksIntent::Jump(jump)))
        }),
        help: "the first / the last case",
        footer: NOT_IN_FOOTER,
    },
    Binding {
        scope: Scope::Checks,
        keys: &[key(KeyCode::Enter)],
        shown: "Enter",
        action: Some(|_, _| Some(Intent::Checks(ChecksIntent::OpenCase))),
        help: "follow the case's chat (once every case is done)",
        footer: |app| {
            matches!(&app.phase, Phase::Checks(v) if !v.is_running()).then_some("open its chat")
        },
    },
    Binding {
        scope: Scope::Checks,
        keys: &[key(KeyCode::Esc)],
        shown: "Esc",
        action: Some(|_, _| Some(Intent::Checks(ChecksIntent::Back))),
        help: "back to the form (once every case is done)",
        footer: |app| {
            matches!(&app.phase, Phase::Checks(v) if !v.is_running()).then_some("back to the form")
        },
    },
    Binding {
        scope: Scope::Checks,
        keys: &[ch('q')],
        shown: "q",
        action: app!(Quit),
        help: "quit (waits for the running cases)",
        footer: NOT_IN_FOOTER,
    },
    Binding {
        scope: Scope::Checks,
        keys: &[ch('?')],
        shown: "?",
        action: app!(Help),
        help: LISTED_ELSEWHERE,
        footer: NOT_IN_FOOTER,
    },
    // The help overlay.
    Binding {
        scope: Scope::Help,
        keys: &[key(KeyCode::Esc), ch('?'), ch('q'), ch('n')],
        shown: "Esc",
        action: app!(Dismiss),
        help: "close the help",
        footer: |_| Some("close"),
    },
    Binding {
        scope: Scope::Help,
        keys: &[
            key(KeyCode::Up),
            key(KeyCode::Down),
            key(KeyCode::PageUp),
            key(KeyCode::PageDown),
            key(KeyCode::Home),
            key(KeyCode::End),
        ],
        shown: "↑↓ PgUp PgDn Home End",
        action: Some(|_, code| {
            let rows = match code {
                KeyCode::Up => -1,
                KeyCode::Down => 1,
                KeyCode::PageUp => -10,
                KeyCode::PageDown => 10,
                KeyCode::Home => i16::MIN,
                _ => i16::MAX,
            };
            Some(Intent::App(AppIntent::HelpScroll(rows)))
        }),
        help: "scroll the help (when it is taller than the screen)",
        footer: NOT_IN_FOOTER,
    },
    // Questions and dialogs.
    Binding {
        scope: Scope::QuitQuestion,
        keys: &[ch('e')],
        shown: "e",
        action: app!(ConfirmAlternative),
        help: "end the chat (or the burst's chats), then quit",
        footer: |app| {
            Some(if crate::tui::burst::has_open_chats(app) {
                "end chats & quit"
            } else {
                "end chat & quit"
            })
        },
    },
    Binding {
        scope: Scope::QuitQuestion,
        keys: &[ch('q'), ch('y')],
        shown: "q, y",
        action: app!(Confirm),
        help: "quit and leave it open (the history keeps it)",
        footer: |_| Some("quit, leave it"),
    },
    Binding {
        scope: Scope::QuitQuestion,
        keys: &[key(KeyCode::Esc), ch('n')],
        shown: "Esc, n",
        action: app!(Dismiss),
        help: "stay",
        footer: |_| Some("stay"),
    },
    Binding {
        scope: Scope::QuitWhileSending,
        keys: &[ch('q'), ch('y')],
        shown: "q, y",
        action: app!(Confirm),
        help: "quit anyway (the history keeps the request)",
        footer: |_| Some("quit anyway"),
    },
    Binding {
        scope: Scope::QuitWhileSending,
        keys: &[key(KeyCode::Esc), ch('n')],
        shown: "Esc, n",
        action: app!(Dismiss),
        help: "stay",
        footer: |_| Some("stay"),
    },
    Binding {
        scope: Scope::ResendQuestion,
        keys: &[ch('y')],
        shown: "y",
        action: app!(Confirm),
        help: "send it again",
        footer: |_| Some("send again"),
    },
    Binding {
        scope: Scope::ResendQuestion,
        keys: &[key(KeyCode::Esc), ch('n')],
        shown: "Esc, n",
        action: app!(Dismiss),
        help: "do not send",
        footer: |_| Some("cancel"),
    },
    Binding {
        scope: Scope::SecretPrompt,
        keys: &[key(KeyCode::Enter)],
        shown: "Enter",
        action: app!(Confirm),
        help: "use the secret typed (masked)",
        footer: |_| Some("use it"),
    },
    Binding {
        scope: Scope::SecretPrompt,
        keys: &[key(KeyCode::Esc)],
        shown: "Esc",
        action: app!(Dismiss),
        help: "leave it empty (type it in its field later)",
        footer: |_| Some("leave empty"),
    },
    Binding {
        scope: Scope::SaveProfile,
        keys: &[key(KeyCode::Enter)],
        shown: "Enter",
        action: app!(Confirm),
        help: "save the form under this name",
        footer: |_| Some("save"),
    },
    Binding {
        scope: Scope::SaveProfile,
        keys: &[key(KeyCode::Esc)],
        shown: "Esc",
        action: app!(Dismiss),
        help: "do not save",
        footer: |_| Some("cancel"),
    },
    Binding {
        scope: Scope::OverwriteQuestion,
        keys: &[ch('y')],
        shown: "y",
        action: app!(Confirm),
        help: "replace the profile",
        footer: |_| Some("replace it"),
    },
    Binding {
        scope: Scope::OverwriteQuestion,
        keys: &[key(KeyCode::Esc), ch('n')],
        shown: "Esc, n",
        action: app!(Dismiss),
        help: "keep it",
        footer: |_| Some("cancel"),
    },
    // Esc does not throw a draft away: only `d` does.
    Binding {
        scope: Scope::DraftOffer,
        keys: &[ch('r')],
        shown: "r",
        action: store!(RestoreDraft),
        help: "restore the unsent form (secrets stay as they are now)",
        footer: |_| Some("restore"),
    },
    Binding {
        scope: Scope::DraftOffer,
        keys: &[ch('d')],
        shown: "d",
        action: store!(DiscardDraft),
        help: "discard it and start from this form",
        footer: |_| Some("discard"),
    },
    Binding {
        scope: Scope::Profiles,
        keys: &[key(KeyCode::Up), key(KeyCode::Down)],
        shown: "↑↓",
        action: Some(|_, code| Some(Intent::App(AppIntent::Select(step(code, KeyCode::Up))))),
        help: "choose a profile",
        footer: |_| Some("choose"),
    },
    Binding {
        scope: Scope::Profiles,
        keys: &[key(KeyCode::Enter)],
        shown: "Enter",
        action: app!(Confirm),
        help: "load it into the form (flags still win)",
        footer: |_| Some("load"),
    },
    Binding {
        scope: Scope::Profiles,
        keys: &[key(KeyCode::Esc), ch('n')],
        shown: "Esc",
        action: app!(Dismiss),
        help: "close",
        footer: |_| Some("close"),
    },
    Binding {
        scope: Scope::History,
        keys: &[key(KeyCode::Up), key(KeyCode::Down)],
        shown: "↑↓",
        action: Some(|_, code| Some(Intent::App(AppIntent::Select(step(code, KeyCode::Up))))),
        help: "choose a session (the newest first)",
        footer: |_| Some("choose"),
    },
    Binding {
        scope: Scope::History,
        keys: &[key(KeyCode::Enter), ch('r')],
        shown: "Enter, r",
        action: store!(RerunEntry),
        help: "re-run it: its fields, sent to the form's API",
        footer: |_| Some("re-run"),
    },
    Binding {
        scope: Scope::History,
        keys: &[ch('w')],
        shown: "w",
        action: store!(WatchEntry),
        help: "watch the chat again",
        footer: |_| Some("watch"),
    },
    Binding {
        scope: Scope::History,
        keys: &[ch('x')],
        shown: "x",
        action: store!(EndEntry),
        help: "end the chat",
        footer: |_| Some("end"),
    },
    Binding {
        scope: Scope::History,
        keys: &[key(KeyCode::Esc), ch('n')],
        shown: "Esc",
        action: app!(Dismiss),
        help: "close",
        footer: |_| Some("close"),
    },
    Binding {
        scope: Scope::BurstSetup,
        keys: &[
            key(KeyCode::Tab),
            key(KeyCode::Down),
            key(KeyCode::BackTab),
            key(KeyCode::Up),
        ],
        shown: "Tab ↓ / Shift+Tab ↑",
        action: Some(|_, code| {
            Some(Intent::Form(match code {
                KeyCode::Tab | KeyCode::Down => FormIntent::FocusNext,
                _ => FormIntent::FocusPrev,
            }))
        }),
        help: "next / previous setting",
        footer: |_| Some("next"),
    },
    Binding {
        scope: Scope::BurstSetup,
        keys: &[ch(' ')],
        shown: "Space",
        action: form!(Choose),
        help: "switch the setting (until which state, end after)",
        footer: |_| Some("switch"),
    },
    Binding {
        scope: Scope::BurstSetup,
        keys: &[key(KeyCode::Left), key(KeyCode::Right)],
        shown: "← →",
        action: Some(|app, _| {
            app.burst_setup
                .focused_input_is_none()
                .then_some(Intent::Form(FormIntent::Cycle(1)))
        }),
        help: "switch the setting",
        footer: NOT_IN_FOOTER,
    },
    Binding {
        scope: Scope::BurstSetup,
        keys: &[key(KeyCode::Enter)],
        shown: "Enter",
        action: app!(Confirm),
        help: "start the burst",
        footer: |_| Some("start"),
    },
    Binding {
        scope: Scope::BurstSetup,
        keys: &[key(KeyCode::Esc)],
        shown: "Esc",
        action: app!(Dismiss),
        help: "cancel",
        footer: |_| Some("cancel"),
    },
    Binding {
        scope: Scope::CheckPath,
        keys: &[key(KeyCode::Enter)],
        shown: "Enter",
        action: app!(Confirm),
        help: "run the check file",
        footer: |_| Some("run"),
    },
    Binding {
        scope: Scope::CheckPath,
        keys: &[key(KeyCode::Esc)],
        shown: "Esc",
        action: app!(Dismiss),
        help: "cancel",
        footer: |_| Some("cancel"),
    },
    // The transcript dialog.
    Binding {
        scope: Scope::TranscriptDialog,
        keys: &[key(KeyCode::Enter), ctrl('s')],
        shown: "Enter, Ctrl+S",
        action: app!(Confirm),
        help: "ask the service to e-mail the transcript",
        footer: |_| Some("send"),
    },
    Binding {
        scope: Scope::TranscriptDialog,
        keys: &[key(KeyCode::Tab), key(KeyCode::BackTab)],
        shown: "Tab",
        action: Some(|_, _| Some(Intent::Visitor(VisitorIntent::Focus(1)))),
        help: "address / subject",
        footer: |_| Some("other field"),
    },
    Binding {
        scope: Scope::TranscriptDialog,
        keys: &[key(KeyCode::Esc)],
        shown: "Esc",
        action: app!(Dismiss),
        help: "cancel",
        footer: |_| Some("cancel"),
    },
    // The survey dialog (exit survey after the end, offline survey from the form).
    Binding {
        scope: Scope::SurveyDialog,
        keys: &[ctrl('s')],
        shown: "Ctrl+S",
        action: Some(|_, _| Some(Intent::Visitor(VisitorIntent::Submit))),
        help: "submit the answers (checked first)",
        footer: |_| Some("submit"),
    },
    Binding {
        scope: Scope::SurveyDialog,
        keys: &[
            key(KeyCode::Tab),
            key(KeyCode::Down),
            key(KeyCode::BackTab),
            key(KeyCode::Up),
        ],
        shown: "Tab, ↓ ↑",
        action: Some(|_, code| {
            let step = if matches!(code, KeyCode::BackTab | KeyCode::Up) {
                -1
            } else {
                1
            };
            Some(Intent::Visitor(VisitorIntent::Focus(step)))
        }),
        help: "next / previous question",
        footer: |_| Some("question"),
    },
    Binding {
        scope: Scope::SurveyDialog,
        keys: &[key(KeyCode::Left), key(KeyCode::Right)],
        shown: "← →",
        action: Some(|app, code| {
            let text = survey_text_focused(app);
            Some(Intent::Visitor(match (text, code) {
                (true, KeyCode::Left) => VisitorIntent::Edit(tui_input::InputRequest::GoToPrevChar),
                (true, _) => VisitorIntent::Edit(tui_input::InputRequest::GoToNextChar),
                (false, code) => VisitorIntent::Cycle(step(code, KeyCode::Left)),
            }))
        }),
        help: "move along the choices (a single choice is picked)",
        footer: |app| (!survey_text_focused(app)).then_some("choice"),
    },
    Binding {
        scope: Scope::SurveyDialog,
        keys: &[ch(' ')],
        shown: "Space",
        action: Some(|app, _| {
            Some(Intent::Visitor(if survey_text_focused(app) {
                VisitorIntent::Edit(tui_input::InputRequest::InsertChar(' '))
            } else {
                VisitorIntent::Choose
            }))
        }),
        help: "pick / unpick a choice (a space in a text answer)",
        footer: |app| (!survey_text_focused(app)).then_some("pick"),
    },
    Binding {
        scope: Scope::SurveyDialog,
        keys: &[key(KeyCode::Esc)],
        shown: "Esc",
        action: app!(Dismiss),
        help: "skip the survey",
        footer: |_| Some("skip"),
    },
];

/// Whether the survey dialog's focused question takes text.
fn survey_text_focused(app: &App) -> bool {
    app.survey_dialog.as_ref().is_some_and(|dialog| {
        dialog
            .focused()
            .is_some_and(|id| dialog.form.is_text_question(&id))
    })
}

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
    for binding in BINDINGS {
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
