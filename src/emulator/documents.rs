//! The emulator's answer documents, built as plain JSON values shaped like the spec's examples
//! (never from `crate::api::model`, so a wrong field name cannot pass on both sides), and the
//! service's habits: one element as an object, no key for no element, scalars as strings (§3.1).

use super::queue::{ChatView, Event, EventKind};
use super::scenario::{JsonShape, Survey};
use serde_json::{Map, Value, json};
use std::time::{SystemTime, UNIX_EPOCH};

/// The offset the emulated server writes its times in (the examples' `-05:00`).
const SERVER_OFFSET_SECS: i64 = -5 * 3600;

/// `2017-02-27T06:24:15.424-05:00`: ISO-8601 in the server's offset, with milliseconds.
pub fn format_time(time: SystemTime) -> String {
    let millis = match time.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX),
    };
    let local = millis + SERVER_OFFSET_SECS * 1000;
    let days = local.div_euclid(86_400_000);
    let in_day = local.rem_euclid(86_400_000);
    let (year, month, day) = civil_from_days(days);
    let (hours, minutes) = (
        SERVER_OFFSET_SECS.abs() / 3600,
        SERVER_OFFSET_SECS.abs() % 3600 / 60,
    );
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}{}{hours:02}:{minutes:02}",
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1000 % 60,
        in_day % 1000,
        if SERVER_OFFSET_SECS < 0 { '-' } else { '+' },
    )
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Writes scalars and lists the way the scenario's `json_shape` asks.
#[derive(Debug, Clone, Copy)]
pub struct Shape(pub JsonShape);

impl Shape {
    /// A number: a string like the service (`"4"`), or a JSON number when typed.
    pub fn number(self, n: i64) -> Value {
        match self.0 {
            JsonShape::Hard => Value::String(n.to_string()),
            JsonShape::Typed => json!(n),
        }
    }

    /// A boolean: `"true"` like the service, or a JSON boolean when typed.
    pub fn flag(self, b: bool) -> Value {
        match self.0 {
            JsonShape::Hard => Value::String(b.to_string()),
            JsonShape::Typed => Value::Bool(b),
        }
    }

    /// A list: absent when empty, a bare object when single (Q1), else an array; always an
    /// array (even empty) when typed.
    pub fn list(self, mut items: Vec<Value>) -> Option<Value> {
        match (self.0, items.len()) {
            (JsonShape::Typed, _) => Some(Value::Array(items)),
            (JsonShape::Hard, 0) => None,
            (JsonShape::Hard, 1) => items.pop(),
            (JsonShape::Hard, _) => Some(Value::Array(items)),
        }
    }

    /// Inserts `list(items)` under `key` unless it is absent.
    pub fn put_list(self, object: &mut Map<String, Value>, key: &str, items: Vec<Value>) {
        if let Some(value) = self.list(items) {
            object.insert(key.to_string(), value);
        }
    }
}

/// The error body of the service: `{"error":{"time","message","internalCode"}}` (Q10).
pub fn error(message: &str, internal_code: i64) -> Value {
    json!({"error": {
        "time": format_time(SystemTime::now()),
        "message": message,
        "internalCode": internal_code,
    }})
}

/// A link object `{"@href":…,"@rel":…}`.
pub fn link(href: String, rel: &str) -> Value {
    json!({"@href": href, "@rel": rel})
}

/// CSDS answer for one service (§2.1).
pub fn csds(service: &str, account: &str, base_uri: &str) -> Value {
    json!({"service": service, "account": account, "baseURI": base_uri})
}

/// CSDS answer for all services (§2.1).
pub fn csds_all(shape: Shape, account: &str, base_uri: &str) -> Value {
    let entries = ["conversationVep", "agentVep", "acCdnDomain"]
        .iter()
        .map(|service| csds(service, account, base_uri))
        .collect();
    let mut object = Map::new();
    shape.put_list(&mut object, "baseURIs", entries);
    Value::Object(object)
}

/// The account base resource with its entry links (§2.2); `account_url` is absolute.
pub fn account(shape: Shape, account_url: &str) -> Value {
    let links = [
        ("chat/request", "chat-request"),
        ("chat/availability", "chat-availability"),
        ("chat/availableSlots", "chat-available-slots"),
        ("chat/estimatedWaitTime", "chat-estimatedWaitTime"),
        ("chat/preSurvey", "prechat-survey"),
        ("chat/offlineSurvey", "chat-offline-survey"),
    ]
    .iter()
    .map(|(path, rel)| link(format!("{account_url}/{path}"), rel))
    .collect();
    let mut object = Map::new();
    shape.put_list(&mut object, "link", links);
    json!({"account": object})
}

/// The survey document (§2.6), questions in ascending `order`.
pub fn survey(shape: Shape, survey: &Survey) -> Value {
    let mut questions: Vec<_> = survey.questions.iter().collect();
    questions.sort_by_key(|q| q.order);
    let questions = questions
        .into_iter()
        .map(|q| {
            let mut object = Map::new();
            object.insert("id".into(), shape.number(to_i64(q.id)));
            object.insert("logicId".into(), shape.number(to_i64(q.logic_id)));
            object.insert("order".into(), shape.number(i64::from(q.order)));
            object.insert("mandatory".into(), shape.flag(q.mandatory));
            object.insert("type".into(), json!(q.kind));
            let validation = if q.validation_type.is_empty() {
                "alpha_numeric"
            } else {
                q.validation_type.as_str()
            };
            object.insert("validationType".into(), json!(validation));
            object.insert("label".into(), json!(q.label));
            if let Some(value) = &q.last_known_value {
                object.insert("lastKnownValue".into(), json!(value));
            }
            let entries = q
                .entries
                .iter()
                .map(|entry| {
                    let mut e = Map::new();
                    e.insert("value".into(), json!(entry.value));
                    if let Some(shown) = &entry.display_value {
                        e.insert("displayValue".into(), json!(shown));
                    }
                    e.insert("checked".into(), shape.flag(entry.checked));
                    let ids = entry
                        .show_logic_ids
                        .iter()
                        .map(|id| shape.number(to_i64(*id)))
                        .collect();
                    if let Some(ids) = shape.list(ids) {
                        e.insert("logic".into(), json!({"showLogicId": ids}));
                    }
                    Value::Object(e)
                })
                .collect();
            shape.put_list(&mut object, "entry", entries);
            Value::Object(object)
        })
        .collect();
    let mut holder = Map::new();
    shape.put_list(&mut holder, "question", questions);
    json!({"survey": {
        "id": shape.number(to_i64(survey.id)),
        "title": survey.title,
        "header": survey.header,
        "questions": holder,
    }})
}

/// One event (§3.3) as the service writes it.
pub fn event(shape: Shape, event: &Event) -> Value {
    let mut object = Map::new();
    object.insert("@id".into(), json!(event.id.to_string()));
    match &event.kind {
        EventKind::State(state) => {
            object.insert("@type".into(), json!("state"));
            object.insert("time".into(), json!(format_time(event.time)));
            object.insert("state".into(), json!(state.as_str()));
        }
        EventKind::Line(line) => {
            object.insert("@type".into(), json!("line"));
            object.insert("time".into(), json!(format_time(event.time)));
            object.insert("textType".into(), json!(line.text_type));
            object.insert("text".into(), json!(line.text));
            object.insert("by".into(), json!(line.by));
            object.insert("source".into(), json!(line.source));
            if let Some(id) = line.system_message_id {
                object.insert("systemMessageId".into(), shape.number(i64::from(id)));
            }
            object.insert("subType".into(), json!("REGULAR"));
        }
    }
    Value::Object(object)
}

/// The `events` object: self/next links and the events from `from` on (§2.11).
pub fn events(shape: Shape, chat_url: &str, view: &ChatView) -> Value {
    let mut object = Map::new();
    let links = vec![
        link(format!("{chat_url}/events"), "self"),
        link(format!("{chat_url}/events?from={}", view.next_from), "next"),
    ];
    shape.put_list(&mut object, "link", links);
    let events = view.events.iter().map(|e| event(shape, e)).collect();
    shape.put_list(&mut object, "event", events);
    Value::Object(object)
}

/// The `info` object (§3.5).
pub fn info(shape: Shape, chat_url: &str, view: &ChatView) -> Value {
    let info = &view.info;
    let mut object = Map::new();
    let links = vec![
        link(format!("{chat_url}/info"), "self"),
        link(format!("{chat_url}/info/visitorName"), "visitor-name"),
        link(format!("{chat_url}/info/visitorTyping"), "visitor-typing"),
        link(format!("{chat_url}/info/agentTyping"), "agent-typing"),
    ];
    shape.put_list(&mut object, "link", links);
    object.insert("state".into(), json!(info.state.as_str()));
    object.insert("chatSessionKey".into(), json!(view.chat_id));
    object.insert("skillName".into(), json!(info.skill_name));
    object.insert("skillId".into(), shape.number(to_i64(info.skill_id)));
    if let Some((name, id)) = &info.agent {
        object.insert("agentName".into(), json!(name));
        object.insert("agentId".into(), shape.number(to_i64(*id)));
    }
    object.insert("startTime".into(), json!(format_time(info.start_time)));
    object.insert("duration".into(), shape.number(0));
    object.insert("lastUpdate".into(), json!(format_time(info.last_update)));
    object.insert(
        "chatTimeout".into(),
        shape.number(to_i64(info.chat_timeout_secs)),
    );
    object.insert("visitorId".into(), shape.number(to_i64(info.visitor_id)));
    object.insert("agentTyping".into(), json!(info.agent_typing));
    object.insert("visitorTyping".into(), json!(info.visitor_typing));
    object.insert("visitorName".into(), json!(info.visitor_name));
    object.insert(
        "rtSessionId".into(),
        shape.number(to_i64(info.rt_session_id)),
    );
    for (key, value) in &info.echoes {
        object.insert(key.clone(), json!(value));
    }
    Value::Object(object)
}

/// The whole chat resource (§2.10).
pub fn chat(shape: Shape, chat_url: &str, view: &ChatView) -> Value {
    let mut object = Map::new();
    let links = vec![
        link(chat_url.to_string(), "self"),
        link(format!("{chat_url}/events"), "events"),
        link(format!("{chat_url}/info"), "info"),
        link(format!("{chat_url}?from={}", view.next_from), "next"),
        link(
            format!("{chat_url}/transcriptRequest"),
            "transcript-request",
        ),
        link(
            format!("{chat_url}/transcriptWithSubjectRequest"),
            "transcript-with-subject-request",
        ),
        link(format!("{chat_url}/exitSurvey"), "exit-survey"),
        link(format!("{chat_url}/customVariables"), "custom-variables"),
    ];
    shape.put_list(&mut object, "link", links);
    object.insert("events".into(), events(shape, chat_url, view));
    object.insert("info".into(), info(shape, chat_url, view));
    json!({"chat": object})
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn times_are_written_in_the_server_offset() {
        // 2017-02-27T11:24:15.424Z
        let t = UNIX_EPOCH + Duration::from_millis(1_488_194_655_424);
        assert_eq!(format_time(t), "2017-02-27T06:24:15.424-05:00");
        assert_eq!(format_time(UNIX_EPOCH), "1969-12-31T19:00:00.000-05:00");
    }

    #[test]
    fn hard_lists_collapse_and_typed_lists_stay_arrays() {
        let hard = Shape(JsonShape::Hard);
        assert_eq!(hard.list(vec![]), None);
        assert_eq!(hard.list(vec![json!(1)]), Some(json!(1)));
        assert_eq!(hard.list(vec![json!(1), json!(2)]), Some(json!([1, 2])));
        assert_eq!(hard.number(4), json!("4"));
        let typed = Shape(JsonShape::Typed);
        assert_eq!(typed.list(vec![json!(1)]), Some(json!([1])));
        assert_eq!(typed.number(4), json!(4));
        assert_eq!(typed.flag(true), json!(true));
    }

    #[test]
    fn errors_have_time_message_and_code() {
        let body = error("Bad captcha", 10);
        assert_eq!(body["error"]["message"], "Bad captcha");
        assert_eq!(body["error"]["internalCode"], 10);
        assert!(
            body["error"]["time"]
                .as_str()
                .is_some_and(|t| t.ends_with("-05:00"))
        );
    }
}
