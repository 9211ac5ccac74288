//! The visitor's typing status, told to the service on change only (§2.15, Q35): `typing` at
//! the first key that changes the line, `not-typing` once the keys pause for [`TYPING_IDLE`],
//! when the line is sent and when the input is left — never after the end, never before the
//! chat's `visitor-typing` link is known. The pause is a timer effect tagged with a generation:
//! a key bumps it, so only the last key's timer counts. Pure.

use std::time::Duration;

use crate::api::model::ChatState;
use crate::tui::app::App;
use crate::tui::msg::{Effect, SessionId};

/// Quiet time after the last key before the service is told the visitor stopped typing.
pub const TYPING_IDLE: Duration = Duration::from_secs(3);

/// A key changed the line being written: `typing` the first time, and an idle timer each time.
pub fn typed(app: &mut App) -> Vec<Effect> {
    let Some(view) = app.session_mut() else {
        return Vec::new();
    };
    if view.state != Some(ChatState::Chatting) || !view.is_live() {
        return Vec::new();
    }
    let Some(href) = view.visitor.links.visitor_typing.clone() else {
        return Vec::new();
    };
    let visitor = &mut view.visitor;
    visitor.typing_generation += 1;
    let mut effects = Vec::new();
    if !visitor.typing_told {
        visitor.typing_told = true;
        effects.push(Effect::SetTyping {
            id: view.id,
            href,
            typing: true,
        });
    }
    effects.push(Effect::TypingIdleAfter {
        id: view.id,
        generation: visitor.typing_generation,
        after: TYPING_IDLE,
    });
    effects
}

/// The visitor stopped typing (sent the line, left the input, went idle): `not-typing`, once.
pub fn stopped_typing(app: &mut App) -> Vec<Effect> {
    let Some(view) = app.session_mut() else {
        return Vec::new();
    };
    let visitor = &mut view.visitor;
    if !visitor.typing_told {
        return Vec::new();
    }
    visitor.typing_told = false;
    // The timer of the last key has nothing left to say.
    visitor.typing_generation += 1;
    if !view.is_live() {
        return Vec::new();
    }
    match view.visitor.links.visitor_typing.clone() {
        Some(href) => vec![Effect::SetTyping {
            id: view.id,
            href,
            typing: false,
        }],
        None => Vec::new(),
    }
}

/// The quiet time after key `generation` is over: `not-typing`, unless a later key came.
pub fn idle(app: &mut App, id: SessionId, generation: u64) -> Vec<Effect> {
    let current = app
        .session()
        .is_some_and(|v| v.id == id && v.visitor.typing_generation == generation);
    if current {
        stopped_typing(app)
    } else {
        Vec::new()
    }
}

/// The service took the typing status, or refused it. A refusal is said under the state (an
/// agent who cannot see the visitor typing is what a support engineer is asked about) and not
/// retried at the next key: what was meant stays what was told, so the next change is the next
/// call.
pub fn told(app: &mut App, id: SessionId, typing: bool, result: Result<(), String>) {
    let Some(view) = app.session_mut().filter(|v| v.id == id) else {
        return;
    };
    view.visitor.typing_refused = result.err().map(|error| {
        let status = if typing { "typing" } else { "not-typing" };
        format!("{status}: {error}")
    });
}
