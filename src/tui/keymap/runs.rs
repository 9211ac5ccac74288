//! The keys of the burst and check views: one part of the one table, [`super::BINDINGS`].

use super::*;

pub(super) static BINDINGS: &[Binding] = &[
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
];
