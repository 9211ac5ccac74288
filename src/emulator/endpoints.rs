//! The endpoints outside a chat: CSDS (§2.1), account base (§2.2), availability, slots and
//! estimated wait time (§2.3–2.5) and visitor authentication (§2.8); the surveys are `surveys.rs`.

use super::checks::{self, Rejection};
use super::documents;
use super::queue::{Chat, ChatParams, new_chat_id, new_uuid};
use super::routes::{Format, Incoming, Reply, State, Urls};
use super::scenario::{AuthResponse, Skill};
use serde_json::json;
use std::time::Instant;

/// CSDS: `baseURI` is host:port without scheme; no appKey needed.
pub fn csds(
    state: &State,
    account: &str,
    service: Option<&str>,
    urls: &Urls,
    format: Format,
) -> Result<Reply, Rejection> {
    if account != state.scenario.account {
        return Err(Rejection::unauthorized(format!(
            "Invalid account {account}"
        )));
    }
    let document = match service {
        Some(service) => documents::csds(service, account, urls.base_uri()),
        None => documents::csds_all(state.shape(), account, urls.base_uri()),
    };
    Ok(Reply::document(200, format, &document))
}

/// The account base resource with its entry links.
pub fn account(state: &State, urls: &Urls, format: Format) -> Reply {
    Reply::document(
        200,
        format,
        &documents::account(state.shape(), &urls.account),
    )
}

/// `maxWaitTime` of a query, checked like the service does (0–86400).
fn max_wait(incoming: &Incoming) -> Result<Option<u64>, Rejection> {
    match incoming.query_value("maxWaitTime") {
        None => Ok(None),
        Some(text) => match text.trim().parse::<u64>() {
            Ok(wait) if wait <= 86_400 => Ok(Some(wait)),
            _ => Err(Rejection::bad_request(format!(
                "maxWaitTime must be an integer between 0 and 86400, got {text:?}"
            ))),
        },
    }
}

fn skill_available(skill: &Skill, max_wait: Option<u64>) -> bool {
    match max_wait {
        // 0: only when an agent can take the chat right now.
        Some(0) => skill.available && skill.agent_name.is_some() && skill.estimated_wait_secs == 0,
        _ => skill.available,
    }
}

/// Availability per skill; several `skill=` give the multi-skill answer.
pub fn availability(
    state: &State,
    incoming: &Incoming,
    format: Format,
) -> Result<Reply, Rejection> {
    let wait = max_wait(incoming)?;
    let skills = incoming.query_values("skill");
    let available = |name: &str| {
        state
            .scenario
            .skill(name)
            .is_some_and(|s| skill_available(s, wait))
    };
    let document = match skills.as_slice() {
        [] => {
            json!({"availability": state.scenario.skills.iter().any(|s| skill_available(s, wait))})
        }
        [one] => json!({"availability": available(one)}),
        many => {
            let entries = many
                .iter()
                .map(|name| json!({"skill": name, "isAvailable": available(name)}))
                .collect();
            let mut holder = serde_json::Map::new();
            state
                .shape()
                .put_list(&mut holder, "skillAvailability", entries);
            json!({"availability": {"AvailabilityForSkills": holder}})
        }
    };
    Ok(Reply::document(200, format, &document))
}

/// Free slots for the skill (-1 unlimited, 0 for an unknown skill).
pub fn available_slots(
    state: &State,
    incoming: &Incoming,
    format: Format,
) -> Result<Reply, Rejection> {
    max_wait(incoming)?;
    let slots = match incoming.query_value("skill") {
        Some(name) => state.scenario.skill(&name).map_or(0, |s| s.slots),
        None if state.scenario.skills.iter().any(|s| s.slots < 0) => -1,
        None => state.scenario.skills.iter().map(|s| s.slots.max(0)).sum(),
    };
    Ok(Reply::document(
        200,
        format,
        &json!({"availableSlots": slots}),
    ))
}

/// Estimated wait in seconds (-1 no agent / unknown skill).
pub fn estimated_wait_time(
    state: &State,
    incoming: &Incoming,
    format: Format,
) -> Result<Reply, Rejection> {
    let seconds = match incoming.query_value("skill") {
        Some(name) => state
            .scenario
            .skill(&name)
            .map_or(-1, |s| s.estimated_wait_secs),
        None => state
            .scenario
            .skills
            .iter()
            .filter(|s| s.agent_name.is_some() && s.estimated_wait_secs >= 0)
            .map(|s| s.estimated_wait_secs)
            .min()
            .unwrap_or(-1),
    };
    Ok(Reply::document(
        200,
        format,
        &json!({"estimatedWaitTime": seconds}),
    ))
}

/// Visitor authentication: validates, then answers in the scenario's `auth_response` shape.
pub fn authenticate(
    state: &State,
    incoming: &Incoming,
    urls: &Urls,
    format: Format,
) -> Result<Reply, Rejection> {
    let document = checks::body(incoming)?;
    // XML has a root element; the JSON body has none (§2.8).
    let document = match (&document, incoming.header("content-type")) {
        (serde_json::Value::Object(map), Some(t)) if t.contains("xml") && map.len() == 1 => {
            map.values().next().cloned().unwrap_or(document)
        }
        _ => document,
    };
    let sso_key = checks::auth_request(&document)?;
    let scenario = &state.scenario;
    if sso_key == "bad" || scenario.rejected_sso_keys.contains(&sso_key) {
        return Err(Rejection::unauthorized(
            "ssoKey was rejected by the identity provider",
        ));
    }
    let conversation_id = new_uuid();
    let participant_id = new_uuid();
    match scenario.auth_response {
        AuthResponse::Seed => {
            state
                .conversations()
                .insert(conversation_id.clone(), participant_id);
            Ok(Reply::created(format!(
                "{}/conversation/{conversation_id}",
                urls.account
            )))
        }
        AuthResponse::Legacy => {
            state
                .conversations()
                .insert(conversation_id.clone(), participant_id.clone());
            let body = json!({"participantId": participant_id, "conversationId": conversation_id});
            let body = match format {
                Format::Json => body,
                Format::Xml => json!({"conversation": body}),
            };
            Ok(Reply::document(200, format, &body))
        }
        AuthResponse::Chat => {
            let skill_name = crate::api::value::text_field(&document, "skill");
            let (skill, _) = scenario.route(skill_name.as_deref());
            let params = ChatParams {
                skill: skill_name,
                chat_timeout_secs: scenario.default_chat_timeout_secs,
                ..ChatParams::default()
            };
            let chat = Chat::new(new_chat_id(), params, skill, Instant::now());
            let location = urls.chat(chat.id());
            state.chats().insert(chat.id().to_string(), chat);
            Ok(Reply::created(location))
        }
    }
}
