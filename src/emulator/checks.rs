//! The checks the real service makes before it acts: appKey (header or query, Q8), `v=1`,
//! request-body parsing (JSON or XML) and validation of the chat request, the authentication
//! call (§2.8, §2.9, §4); survey answers are `answers.rs`. No HTTP types, no state changes.

use super::queue::ChatParams;
use super::routes::Incoming;
use super::scenario::Scenario;
use crate::api::value::{field, list, text};
use serde_json::Value;
use std::net::IpAddr;

/// Internal code of an unknown path or suffix (Q10, observed).
pub const CODE_UNKNOWN_URI: i64 = 28;
/// Internal code of captcha / user / key refusals (observed for "Bad captcha", "Invalid User").
pub const CODE_UNAUTHORIZED: i64 = 10;
/// Internal code of a line refused outside `chatting` (Q27, observed).
pub const CODE_NOT_IN_CHAT: i64 = 5;
/// Internal code of a vanished chat (Q28, observed).
pub const CODE_SESSION_NOT_FOUND: i64 = 12;
/// Internal code of a malformed or invalid request (emulator choice; not documented).
pub const CODE_BAD_REQUEST: i64 = 1;
/// Internal code of a missing survey (emulator choice; not documented).
pub const CODE_NO_SURVEY: i64 = 11;

/// Why the emulator refuses a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// An error answered with the service's error body.
    #[error("{status} {message} (internalCode {code})")]
    Api {
        /// HTTP status.
        status: u16,
        /// `error.message`.
        message: String,
        /// `error.internalCode`.
        code: i64,
    },
    /// The OAuth-style form-encoded refusal of the header appKey (PR #922).
    #[error("consumer_key_rejected")]
    ConsumerKeyRejected,
}

impl Rejection {
    /// A 400 naming what is wrong.
    pub fn bad_request(message: impl Into<String>) -> Rejection {
        Rejection::Api {
            status: 400,
            message: message.into(),
            code: CODE_BAD_REQUEST,
        }
    }

    /// A 401 with the given message.
    pub fn unauthorized(message: impl Into<String>) -> Rejection {
        Rejection::Api {
            status: 401,
            message: message.into(),
            code: CODE_UNAUTHORIZED,
        }
    }
}

/// The appKey must come in `Authorization: LivePerson appKey=KEY` or in `?appKey=KEY`.
pub fn app_key(incoming: &Incoming, scenario: &Scenario) -> Result<(), Rejection> {
    if let Some(header) = incoming.header("authorization") {
        if scenario.refuse_app_key_header {
            return Err(Rejection::ConsumerKeyRejected);
        }
        let key = header
            .trim()
            .split_once(char::is_whitespace)
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("LivePerson"))
            .and_then(|(_, rest)| rest.trim().strip_prefix("appKey="));
        return match key {
            Some(key) if key.trim() == scenario.app_key => Ok(()),
            Some(_) => Err(Rejection::unauthorized("Invalid appKey")),
            None => Err(Rejection::unauthorized(
                "Malformed Authorization header, expected: LivePerson appKey=…",
            )),
        };
    }
    match incoming.query_value("appKey") {
        Some(key) if key.trim() == scenario.app_key => Ok(()),
        Some(_) => Err(Rejection::unauthorized("Invalid appKey")),
        None => Err(Rejection::unauthorized("Missing appKey")),
    }
}

/// Every API call carries `v=1`.
pub fn version(incoming: &Incoming) -> Result<(), Rejection> {
    match incoming.query_value("v").as_deref() {
        Some("1") => Ok(()),
        Some(other) => Err(Rejection::bad_request(format!(
            "Unsupported API version v={other}, only v=1 exists"
        ))),
        None => Err(Rejection::bad_request("Missing API version parameter v=1")),
    }
}

/// The body as the service's JSON mapping: XML when the Content-Type says so, else JSON.
pub fn body(incoming: &Incoming) -> Result<Value, Rejection> {
    if incoming.body.trim().is_empty() {
        return Err(Rejection::bad_request("Missing request body"));
    }
    let is_xml = incoming
        .header("content-type")
        .is_some_and(|t| t.to_ascii_lowercase().contains("xml"));
    if is_xml {
        crate::xmljson::xml_to_value(&incoming.body)
            .map_err(|e| Rejection::bad_request(format!("Malformed XML body: {e}")))
    } else {
        serde_json::from_str(&incoming.body)
            .map_err(|e| Rejection::bad_request(format!("Malformed JSON body: {e}")))
    }
}

/// A validated chat request.
#[derive(Debug, Clone, Default)]
pub struct ChatRequest {
    /// What the queue needs.
    pub params: ChatParams,
    /// Auth flow: the conversation from `conversation.json`.
    pub conversation_id: Option<String>,
    /// Auth flow: the participant, when the auth answer gave one.
    pub participant_id: Option<String>,
    /// Pre-chat survey answers, unvalidated against the survey yet.
    pub survey: Option<Value>,
}

/// Checks the chat request body (§2.9, §4) and extracts what the emulator uses.
pub fn chat_request(document: &Value, default_timeout: u64) -> Result<ChatRequest, Rejection> {
    let request = match document.get("request") {
        Some(Value::Object(_)) => &document["request"],
        // `<request/>` maps to an empty string: an empty request.
        Some(Value::String(s)) if s.trim().is_empty() => &Value::Null,
        _ => {
            return Err(Rejection::bad_request(
                "The chat request must be wrapped in a \"request\" element",
            ));
        }
    };
    let mut params = ChatParams {
        skill: optional_text(request, "skill")?,
        chat_timeout_secs: default_timeout,
        ..ChatParams::default()
    };
    if let Some(wait) = optional_integer(request, "maxWaitTime")? {
        params.max_wait_secs = Some(in_range(wait, "maxWaitTime", 0, 86_400)?);
    }
    if let Some(timeout) = optional_integer(request, "interactionTimeout")? {
        // A year at most: the service's own limit is not known, and more would overflow the
        // simulated clock.
        params.chat_timeout_secs = in_range(timeout, "interactionTimeout", 1, 31_536_000)?;
    }
    if let Some(visitor) = optional_text(request, "visitorId")? {
        params.visitor_id = Some(digits(&visitor, "visitorId")?);
    }
    if let Some(ip) = optional_text(request, "visitorIp")? {
        ip.parse::<IpAddr>().map_err(|_| {
            Rejection::bad_request(format!("visitorIp {ip:?} is not an IP address"))
        })?;
    }
    for name in ["engagementId", "campaignId"] {
        if let Some(value) = optional_text(request, name)? {
            digits(&value, name)?;
            params.echoes.push((name.to_string(), value));
        }
    }
    if let Some(context) = optional_text(request, "LETagContextId")? {
        digits(&context, "LETagContextId")?;
        params.echoes.push(("sharkContextId".into(), context));
    }
    for (name, echo) in [
        ("LETagVisitorId", "sharkVisitorId"),
        ("LETagSessionId", "sharkSessionId"),
        ("language", "language"),
    ] {
        if let Some(value) = optional_text(request, name)? {
            params.echoes.push((echo.to_string(), value));
        }
    }
    params.pre_chat_lines = pre_chat_lines(request)?;
    Ok(ChatRequest {
        params,
        conversation_id: optional_text(request, "conversationId")?,
        participant_id: optional_text(request, "participantId")?,
        survey: field(request, "survey").cloned(),
    })
}

/// `{"line":[…]}` (docs), `{"lines":[…]}` (legacy JS SDK, Q17), a single line as a bare
/// string in either, or the whole field as one string.
fn pre_chat_lines(request: &Value) -> Result<Vec<String>, Rejection> {
    let Some(holder) = field(request, "preChatLines") else {
        return Ok(Vec::new());
    };
    let items = match holder {
        Value::String(s) if s.trim().is_empty() => Vec::new(),
        Value::String(_) => vec![holder],
        Value::Object(_) => match field(holder, "line").or_else(|| field(holder, "lines")) {
            Some(lines) => list(Some(lines)),
            None => Vec::new(),
        },
        Value::Array(items) => items.iter().collect(),
        _ => return Err(Rejection::bad_request("preChatLines must hold lines")),
    };
    items
        .into_iter()
        .map(|item| {
            text(item)
                .filter(|t| !t.trim().is_empty())
                .ok_or_else(|| Rejection::bad_request("preChatLines must be non-empty strings"))
        })
        .collect()
}

/// The authentication body (§2.8): all of these are required.
pub const AUTH_FIELDS: [&str; 6] = [
    "authChatConnId",
    "ssoKey",
    "engagementId",
    "LETagVisitorId",
    "LETagSessionId",
    "LETagContextId",
];

/// Checks the authentication body; returns the ssoKey.
pub fn auth_request(document: &Value) -> Result<String, Rejection> {
    for name in AUTH_FIELDS {
        if optional_text(document, name)?.is_none() {
            return Err(Rejection::bad_request(format!(
                "Missing mandatory field {name}"
            )));
        }
    }
    for name in ["authChatConnId", "engagementId", "LETagContextId"] {
        if let Some(value) = optional_text(document, name)? {
            digits(&value, name)?;
        }
    }
    optional_text(document, "ssoKey")?.ok_or_else(|| Rejection::bad_request("Missing ssoKey"))
}

fn optional_text(object: &Value, name: &str) -> Result<Option<String>, Rejection> {
    match field(object, name) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => match text(value) {
            Some(t) if t.trim().is_empty() => Ok(None),
            Some(t) => Ok(Some(t)),
            None => Err(Rejection::bad_request(format!(
                "{name} must be a single value"
            ))),
        },
    }
}

fn optional_integer(object: &Value, name: &str) -> Result<Option<i64>, Rejection> {
    match optional_text(object, name)? {
        None => Ok(None),
        Some(t) => {
            t.trim().parse::<i64>().map(Some).map_err(|_| {
                Rejection::bad_request(format!("{name} must be an integer, got {t:?}"))
            })
        }
    }
}

fn in_range(value: i64, name: &str, low: i64, high: i64) -> Result<u64, Rejection> {
    if value < low || value > high {
        let range = if high == i64::MAX {
            format!("at least {low}")
        } else {
            format!("between {low} and {high}")
        };
        return Err(Rejection::bad_request(format!(
            "{name} must be {range}, got {value}"
        )));
    }
    u64::try_from(value).map_err(|_| Rejection::bad_request(format!("{name} out of range")))
}

fn digits(value: &str, name: &str) -> Result<u64, Rejection> {
    let trimmed = value.trim();
    if trimmed.is_empty() || !trimmed.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Rejection::bad_request(format!(
            "{name} must be digits, got {value:?}"
        )));
    }
    trimmed
        .parse()
        .map_err(|_| Rejection::bad_request(format!("{name} is too large")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn chat_requests_need_the_wrapper_and_valid_ranges() {
        assert!(chat_request(&json!({"skill":"Sales"}), 40).is_err());
        assert!(chat_request(&json!({"request":{"maxWaitTime":86401}}), 40).is_err());
        assert!(chat_request(&json!({"request":{"maxWaitTime":"-1"}}), 40).is_err());
        assert!(chat_request(&json!({"request":{"visitorId":"12a"}}), 40).is_err());
        assert!(chat_request(&json!({"request":{"visitorIp":"1.2.3"}}), 40).is_err());
        assert!(chat_request(&json!({"request":{"engagementId":"x1"}}), 40).is_err());
        assert!(chat_request(&json!({"request":{"LETagContextId":"two"}}), 40).is_err());
        assert!(chat_request(&json!({"request":{"interactionTimeout":0}}), 40).is_err());
        let err = chat_request(&json!({"request":{"maxWaitTime":"soon"}}), 40).unwrap_err();
        assert!(err.to_string().contains("maxWaitTime"), "{err}");
        let ok = chat_request(
            &json!({"request":{"skill":"Sales","maxWaitTime":"600","engagementId":27469613,
                "campaignId":"26948813","visitorIp":"::1","LETagContextId":"2","interactionTimeout":120}}),
            40,
        )
        .expect("valid");
        assert_eq!(ok.params.max_wait_secs, Some(600));
        assert_eq!(ok.params.chat_timeout_secs, 120);
    }

    #[test]
    fn pre_chat_lines_come_in_every_shape() {
        for lines in [
            json!({"line":["a","b"]}),
            json!({"lines":["a","b"]}),
            json!(["a", "b"]),
        ] {
            let r = chat_request(&json!({"request":{"preChatLines":lines}}), 40).expect("ok");
            assert_eq!(r.params.pre_chat_lines, vec!["a", "b"]);
        }
        let r = chat_request(&json!({"request":{"preChatLines":{"line":"a"}}}), 40).expect("ok");
        assert_eq!(r.params.pre_chat_lines, vec!["a"]);
        let r = chat_request(&json!({"request":{"preChatLines":"a"}}), 40).expect("ok");
        assert_eq!(r.params.pre_chat_lines, vec!["a"]);
    }

    #[test]
    fn auth_bodies_need_every_field() {
        let full = json!({"authChatConnId":568046210,"ssoKey":"k12197","engagementId":567609310,
            "LETagContextId":"2","LETagSessionId":"s","LETagVisitorId":"v"});
        assert_eq!(auth_request(&full).as_deref(), Ok("k12197"));
        for name in AUTH_FIELDS {
            let mut partial = full.clone();
            partial.as_object_mut().map(|o| o.remove(name));
            let err = auth_request(&partial).unwrap_err();
            assert!(err.to_string().contains(name), "{err}");
        }
    }
}
