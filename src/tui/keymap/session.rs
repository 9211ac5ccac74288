//! The keys of the session view and of its line composer: one part of the one table,
//! [`super::BINDINGS`].

use super::*;

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

/// Whether the session view shows its HTTP inspector.
fn inspecting(app: &App) -> bool {
    app.session().is_some_and(|v| v.inspector)
}

pub(super) static BINDINGS: &[Binding] = &[
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
        keys: &[ch('s')],
        shown: "s",
        action: session!(SaveEvidence),
        help: "save evidence for a ticket (HAR, transcript) in ./",
        footer: |app| (!inspecting(app)).then_some("evidence"),
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
];
