//! The chat endpoints: the chat request (§2.9) and the chat-session resources — session,
//! events, add line / end, info, visitor name and typing (§2.10–2.16). Each request that names a
//! chat first plays what is due (`Chat::touch`), so answers reflect the simulated clock.

use super::answers::{self, AnswerKey};
use super::checks::{self, CODE_NOT_IN_CHAT, CODE_SESSION_NOT_FOUND, Rejection};
use super::documents;
use super::queue::{Chat, ChatState, new_chat_id};
use super::routes::{Format, Incoming, Reply, State, Urls};
use crate::api::value::text_field;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// `POST chat/request`: 201, no body, `Location` = chat-session-uri.
pub fn request(state: &State, incoming: &Incoming, urls: &Urls) -> Result<Reply, Rejection> {
    let scenario = &state.scenario;
    if scenario.captcha {
        return Err(Rejection::unauthorized("Bad captcha"));
    }
    let document = checks::body(incoming)?;
    let request = checks::chat_request(&document, scenario.default_chat_timeout_secs)?;
    if let Some(conversation) = &request.conversation_id {
        let conversations = state.conversations();
        let participant = conversations.get(conversation).ok_or_else(|| {
            Rejection::unauthorized(format!("Unknown conversationId {conversation}"))
        })?;
        if request
            .participant_id
            .as_ref()
            .is_some_and(|given| given != participant)
        {
            return Err(Rejection::unauthorized(
                "participantId does not match the conversation",
            ));
        }
    }
    if let (Some(answers), Some(survey)) = (&request.survey, &scenario.survey) {
        answers::check(answers, survey, AnswerKey::Answer)?;
    }
    // No skill asked: route to the first skill that has an agent, like a default queue.
    let (skill, rerouted) = scenario.route(request.params.skill.as_deref());
    let now = Instant::now();
    let mut chat = Chat::new(new_chat_id(), request.params, skill, now);
    if rerouted {
        chat.rerouted(now);
    }
    let location = urls.chat(chat.id());
    state.chats().insert(chat.id().to_string(), chat);
    Ok(Reply::created(location))
}

fn not_found() -> Rejection {
    Rejection::Api {
        status: 404,
        message: "Chat session not found".into(),
        code: CODE_SESSION_NOT_FOUND,
    }
}

/// Runs `act` on the chat after playing what is due; 404 when unknown or ended too long ago.
pub(super) fn with_chat<T>(
    state: &State,
    chat_id: &str,
    act: impl FnOnce(&mut Chat, Instant) -> Result<T, Rejection>,
) -> Result<T, Rejection> {
    let now = Instant::now();
    let ttl = Duration::from_secs(state.scenario.ended_chat_ttl_secs);
    let mut chats = state.chats();
    let chat = chats.get_mut(chat_id).ok_or_else(not_found)?;
    chat.touch(now);
    if chat.expired(now, ttl) {
        chats.remove(chat_id);
        return Err(not_found());
    }
    act(chat, now)
}

fn from(incoming: &Incoming) -> Result<u64, Rejection> {
    match incoming.query_value("from") {
        None => Ok(0),
        Some(text) => text
            .trim()
            .parse()
            .map_err(|_| Rejection::bad_request(format!("from must be an event id, got {text:?}"))),
    }
}

/// `GET chat-session-uri[?from=N]`: links, events from N, info.
pub fn session(
    state: &State,
    incoming: &Incoming,
    chat_id: &str,
    urls: &Urls,
    format: Format,
) -> Result<Reply, Rejection> {
    let from = from(incoming)?;
    let view = with_chat(state, chat_id, |chat, _| Ok(chat.view(from)))?;
    let document = documents::chat(state.shape(), &urls.chat(chat_id), &view);
    Ok(Reply::document(200, format, &document))
}

/// `GET …/events[?from=N]`.
pub fn events(
    state: &State,
    incoming: &Incoming,
    chat_id: &str,
    urls: &Urls,
    format: Format,
) -> Result<Reply, Rejection> {
    let from = from(incoming)?;
    let view = with_chat(state, chat_id, |chat, _| Ok(chat.view(from)))?;
    let events = documents::events(state.shape(), &urls.chat(chat_id), &view);
    Ok(Reply::document(200, format, &json!({"events": events})))
}

/// `GET …/events/{id}`: the event a `Location` named.
pub fn one_event(
    state: &State,
    chat_id: &str,
    event_id: &str,
    format: Format,
) -> Result<Reply, Rejection> {
    let event = with_chat(state, chat_id, |chat, _| {
        let event = event_id
            .parse::<u64>()
            .ok()
            .and_then(|id| chat.event(id))
            .ok_or_else(|| Rejection::Api {
                status: 404,
                message: format!("Event {event_id} not found"),
                code: CODE_SESSION_NOT_FOUND,
            })?;
        Ok(documents::event(state.shape(), event))
    })?;
    Ok(Reply::document(200, format, &json!({"event": event})))
}

/// `POST …/events`: one line or the end; 201 + `Location` of the new event.
pub fn post_event(
    state: &State,
    incoming: &Incoming,
    chat_id: &str,
    urls: &Urls,
) -> Result<Reply, Rejection> {
    let document = checks::body(incoming)?;
    let event = match document.get("event") {
        Some(event @ Value::Object(_)) => event,
        _ => {
            return Err(Rejection::bad_request(
                "The body must hold one \"event\" object",
            ));
        }
    };
    let kind = text_field(event, "type").unwrap_or_default();
    let event_id = with_chat(state, chat_id, |chat, now| match kind.as_str() {
        "line" => {
            let text = text_field(event, "text").unwrap_or_default();
            if text.trim().is_empty() {
                return Err(Rejection::bad_request("A line needs a non-empty text"));
            }
            chat.add_visitor_line(&text, now)
                .map_err(|refused| Rejection::Api {
                    status: 400,
                    message: refused.to_string(),
                    code: CODE_NOT_IN_CHAT,
                })
        }
        "state" => match text_field(event, "state").as_deref() {
            Some("ended") => Ok(chat.end_by_visitor(now)),
            other => Err(Rejection::bad_request(format!(
                "A visitor can only set the state to ended, not {other:?}"
            ))),
        },
        other => Err(Rejection::bad_request(format!(
            "Unknown event type {other:?}, expected line or state"
        ))),
    })?;
    Ok(Reply::created(format!(
        "{}/events/{event_id}",
        urls.chat(chat_id)
    )))
}

/// `GET …/info`.
pub fn info(state: &State, chat_id: &str, urls: &Urls, format: Format) -> Result<Reply, Rejection> {
    let view = with_chat(state, chat_id, |chat, _| Ok(chat.view(u64::MAX)))?;
    let info = documents::info(state.shape(), &urls.chat(chat_id), &view);
    Ok(Reply::document(200, format, &json!({"info": info})))
}

/// Reads the single field of a PUT body such as `{"visitorName":"Ann"}` (or XML root).
fn put_value(incoming: &Incoming, name: &str) -> Result<String, Rejection> {
    let document = checks::body(incoming)?;
    let value = match document.get(name) {
        Some(Value::Object(inner)) => inner.get("$").and_then(crate::api::value::text),
        Some(value) => crate::api::value::text(value),
        None => None,
    };
    value.ok_or_else(|| Rejection::bad_request(format!("The body must hold {name}")))
}

/// `GET`/`PUT` (POST + `X-HTTP-Method-Override: PUT`) `…/info/visitorName`; PUT answers the
/// scenario's `visitor_name_status` (200, or 201 as the doc page says, Q33).
pub fn visitor_name(
    state: &State,
    incoming: &Incoming,
    chat_id: &str,
    format: Format,
) -> Result<Reply, Rejection> {
    if incoming.method == "PUT" {
        let name = put_value(incoming, "visitorName")?;
        with_chat(state, chat_id, |chat, _| {
            chat.set_visitor_name(&name);
            Ok(())
        })?;
        return Ok(Reply::empty(state.scenario.visitor_name_status));
    }
    let view = with_chat(state, chat_id, |chat, _| Ok(chat.view(u64::MAX)))?;
    let body = json!({"visitorName": view.info.visitor_name});
    Ok(Reply::document(200, format, &body))
}

/// `GET`/`PUT` `…/info/visitorTyping` (`typing` / `not-typing`).
pub fn visitor_typing(
    state: &State,
    incoming: &Incoming,
    chat_id: &str,
    format: Format,
) -> Result<Reply, Rejection> {
    if incoming.method == "PUT" {
        let typing = put_value(incoming, "visitorTyping")?;
        if typing != "typing" && typing != "not-typing" {
            return Err(Rejection::bad_request(format!(
                "visitorTyping must be typing or not-typing, got {typing:?}"
            )));
        }
        with_chat(state, chat_id, |chat, _| {
            if chat.state() == ChatState::Ended {
                return Err(Rejection::bad_request(
                    "Cannot set visitor's typing status. Chat was ended",
                ));
            }
            chat.set_visitor_typing(&typing);
            Ok(())
        })?;
        return Ok(Reply::empty(200));
    }
    let view = with_chat(state, chat_id, |chat, _| Ok(chat.view(u64::MAX)))?;
    let body = json!({"visitorTyping": view.info.visitor_typing});
    Ok(Reply::document(200, format, &body))
}

/// `GET …/info/agentTyping`.
pub fn agent_typing(state: &State, chat_id: &str, format: Format) -> Result<Reply, Rejection> {
    let view = with_chat(state, chat_id, |chat, _| Ok(chat.view(u64::MAX)))?;
    let body = json!({"agentTyping": view.info.agent_typing});
    Ok(Reply::document(200, format, &body))
}
