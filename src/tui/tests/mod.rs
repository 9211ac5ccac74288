//! Test fixtures for the console: apps in known states, key presses, chat events, a fixed clock.

mod bindings;
mod derived;
mod dialogs;
mod evidence;
mod faults;
mod paste;
mod routing;
mod runs;
mod runs_snapshots;
mod secrets;
mod session_view;
mod small_screens;
mod snapshots;
mod update;
mod validation;
mod visitor;
mod visitor_dialogs;

use crate::tui::msg::{FormIntent, SessionOutcome};
use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use serde_json::{Value, json};

use super::app::App;
use super::form::{Focus, Form, TextField};
use super::keymap;
use super::msg::{Effect, Msg};
use super::update::update;
use crate::api::model::{Event as ChatEvent, EventsDocument};
use crate::session::SessionUpdate;
use crate::tui::form::prefill;

/// The appKey of the fixtures: must never appear on screen.
pub const APP_KEY: &str = "SECRET-app-key-4711";
/// The SSO key of the fixtures: must never appear on screen.
pub const SSO_KEY: &str = "SECRET-sso-key-0815";
/// The URI of the fixtures' chat.
pub const URI: &str = "http://127.0.0.1:8480/api/account/12345678/chat/H1234567890-abcdef?v=1";

/// A fixed starting instant per test, so drawings depend only on offsets from it.
pub fn t0() -> Instant {
    Instant::now()
}

/// A form with a complete connection and a skill.
pub fn form() -> Form {
    let mut form = prefill::demo("http://127.0.0.1:8480", "12345678", APP_KEY);
    form.focus = Focus::Text(TextField::Skill);
    form
}

/// An app on that form.
pub fn app() -> App {
    App::new(form(), "DEMO · emulator on 127.0.0.1:8480", t0())
}

/// Applies messages, collecting the effects.
pub fn send(app: &mut App, msgs: impl IntoIterator<Item = Msg>) -> Vec<Effect> {
    msgs.into_iter()
        .flat_map(|m| {
            let effects = update(app, m);
            drawn(app);
            effects
        })
        .collect()
}

/// Records the geometry of the screen as the loop does when it draws after each batch.
pub fn drawn(app: &mut App) {
    app.geometry = crate::tui::view::geometry(app);
}

/// A key with modifiers, as the terminal reports it.
pub fn key(code: KeyCode, modifiers: KeyModifiers) -> Event {
    Event::Key(KeyEvent::new(code, modifiers))
}

/// Presses one key: maps it as the loop does, applies the message.
pub fn press(app: &mut App, event: Event) -> Vec<Effect> {
    drawn(app);
    let effects = match keymap::message(&event, app) {
        Some(msg) => update(app, msg),
        None => Vec::new(),
    };
    drawn(app);
    effects
}

/// Types text key by key.
pub fn type_text(app: &mut App, text: &str) -> Vec<Effect> {
    text.chars()
        .flat_map(|c| press(app, key(KeyCode::Char(c), KeyModifiers::NONE)))
        .collect()
}

/// Chat events from JSON objects (`@id`, `@type`, …).
pub fn events(objects: Vec<Value>) -> Vec<ChatEvent> {
    EventsDocument::from_document(&json!({"events": {"event": objects}}))
        .map(|d| d.events)
        .unwrap_or_default()
}

pub fn state_event(id: u64, time: &str, state: &str) -> Value {
    json!({"@id": id.to_string(), "@type": "state", "time": time, "state": state})
}

pub fn line_event(id: u64, time: &str, source: &str, by: &str, text: &str) -> Value {
    json!({"@id": id.to_string(), "@type": "line", "time": time, "source": source,
           "by": by, "text": text, "textType": if source == "agent" {"html"} else {"plain"}})
}

pub fn system_event(id: u64, time: &str, message_id: i64, text: &str) -> Value {
    json!({"@id": id.to_string(), "@type": "line", "time": time, "source": "system",
           "by": "info", "text": text, "textType": "plain", "systemMessageId": message_id.to_string()})
}

/// A batch update of these events.
pub fn batch(objects: Vec<Value>) -> SessionUpdate {
    SessionUpdate::Batch {
        events: events(objects),
        info: None,
    }
}

/// Submits the app's form and reports the chat created: the session's id.
pub fn created(app: &mut App) -> u64 {
    let effects = send(app, [Msg::from(FormIntent::Submit)]);
    assert!(
        matches!(effects.as_slice(), [Effect::StartSession { .. }]),
        "{effects:?}"
    );
    let id = app.last_id;
    send(
        app,
        [Msg::from(SessionOutcome::Created {
            id,
            uri: URI.into(),
            journal: None,
        })],
    );
    id
}

/// A session that waited, was accepted by Natalie, and exchanged a few lines.
pub fn chatting(app: &mut App) -> u64 {
    let id = created(app);
    let start = app.now;
    send(
        app,
        [
            Msg::from(SessionOutcome::Update {
                id,
                update: batch(vec![
                    state_event(1, "2025-11-25T10:12:00.000+0000", "waiting"),
                    system_event(
                        2,
                        "2025-11-25T10:12:00.000+0000",
                        1,
                        "Thank you for choosing to chat with us.",
                    ),
                    system_event(
                        3,
                        "2025-11-25T10:12:00.000+0000",
                        0,
                        "Hi, I'd like to know more about the Gold plan.",
                    ),
                ]),
            }),
            Msg::from(SessionOutcome::Update {
                id,
                update: SessionUpdate::EstimatedWait(crate::api::model::EstimatedWait::Seconds(3)),
            }),
        ],
    );
    app.now = start + Duration::from_secs(3);
    send(
        app,
        [Msg::from(SessionOutcome::Update {
            id,
            update: batch(vec![
                state_event(4, "2025-11-25T10:12:03.000+0000", "chatting"),
                system_event(
                    5,
                    "2025-11-25T10:12:03.000+0000",
                    3,
                    "You are now chatting with Natalie.",
                ),
                line_event(
                    6,
                    "2025-11-25T10:12:03.000+0000",
                    "agent",
                    "Natalie",
                    "<div dir=\"ltr\">Hi, I'm <b>Natalie</b> &amp; happy to help.</div>",
                ),
                line_event(
                    7,
                    "2025-11-25T10:12:09.000+0000",
                    "visitor",
                    "you",
                    "Does the Gold plan include phone support?",
                ),
                line_event(
                    8,
                    "2025-11-25T10:12:11.000+0000",
                    "agent",
                    "Natalie",
                    "<div>Our <b>Gold</b> plan includes that &mdash; shall I send you a link?</div>",
                ),
            ]),
        })],
    );
    app.now = start + Duration::from_secs(75);
    id
}
