//! The keys of everywhere and of the form: one part of the one table, [`super::BINDINGS`].

use super::*;

/// Columns from which the form's footer also shows the burst and check keys.
const WIDE_FOOTER: u16 = 112;

pub(super) static BINDINGS: &[Binding] = &[
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
        keys: &[ctrl('f'), key(KeyCode::F(8))],
        shown: "Ctrl+F, F8",
        action: Some(|_, _| Some(Intent::Visitor(VisitorIntent::OpenOfflineSurvey))),
        help: "offline survey, for when no agent can take a chat",
        // Before the profiles and the history: while no agent can take a chat, it is what a
        // visitor gets.
        footer: |app| crate::tui::visitor::no_agent_available(app).then_some("offline survey"),
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
];
