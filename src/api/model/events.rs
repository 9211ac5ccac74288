//! Chat events: state changes, lines (with HTML rendering) and the types the client only shows.

use serde_json::Value;

use super::ChatState;
use crate::api::value::{field, int_field, list_field, text_field};

/// Who wrote a line (`source`; `by` is only a display name, Q19).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineSource {
    System,
    Agent,
    Visitor,
    Other(String),
}

impl LineSource {
    fn parse(text: &str) -> Self {
        match text.trim() {
            "system" => Self::System,
            "agent" => Self::Agent,
            "visitor" => Self::Visitor,
            other => Self::Other(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::System => "system",
            Self::Agent => "agent",
            Self::Visitor => "visitor",
            Self::Other(other) => other,
        }
    }
}

/// System message ids that carry meaning for the client (spec §3.4).
pub mod system_message {
    pub const PRE_CHAT_ECHO: i64 = 0;
    pub const OPERATORS_BUSY: i64 = 2;
    pub const AGENT_ACCEPTED: i64 = 3;
    pub const ROUTING: i64 = 4;
    pub const AGENT_ENDED: i64 = 5;
    pub const DISCONNECTED: i64 = 6;
    pub const TRANSFERRED_TO_AGENT: i64 = 13;
    pub const TRANSFERRED_TO_SKILL: i64 = 15;
    pub const REQUEUED: i64 = 23;

    /// What a system message means (§3.4), to show when its text is empty.
    pub fn meaning(id: i64) -> Option<&'static str> {
        Some(match id {
            OPERATORS_BUSY => "site operators are busy",
            AGENT_ACCEPTED => "an agent accepted the chat",
            ROUTING => "routing the chat to an agent",
            AGENT_ENDED => "the agent ended the chat",
            DISCONNECTED => "the chat was disconnected",
            TRANSFERRED_TO_AGENT => "the chat was transferred to another agent",
            TRANSFERRED_TO_SKILL => "the chat was transferred to another skill",
            22 => "a ticket id was associated with the chat",
            REQUEUED => "the chat was requeued by the system",
            _ => return None,
        })
    }
}

/// A chat line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The text exactly as sent (HTML when `text_type` says so).
    pub text: String,
    /// `plain`, `html` or anything else the server says.
    pub text_type: String,
    /// Display name of the author.
    pub by: String,
    pub source: LineSource,
    /// Set on system lines only.
    pub system_message_id: Option<i64>,
    pub sub_type: Option<String>,
}

impl Line {
    /// The text to show a person: HTML lines rendered as plain text, others verbatim; a system
    /// line with no text says what its id means, in brackets (§3.4: empty ones exist).
    pub fn plain_text(&self) -> String {
        let text = if self.text_type.eq_ignore_ascii_case("html") {
            html_to_text(&self.text)
        } else {
            self.text.clone()
        };
        match self.system_message_id.and_then(system_message::meaning) {
            Some(meaning) if self.source == LineSource::System && text.trim().is_empty() => {
                format!("({meaning})")
            }
            _ => text,
        }
    }

    /// A line meant for agents only (`subType` `ONLY_TO_REP`, §3.3): the service should keep it
    /// from the visitor, so one that arrives is shown marked, not as something the visitor saw.
    pub fn is_agents_only(&self) -> bool {
        self.sub_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("ONLY_TO_REP"))
    }

    /// The visitor's own pre-chat line echoed back as a system line with id 0 (Q18).
    pub fn is_pre_chat_echo(&self) -> bool {
        self.source == LineSource::System
            && self.system_message_id == Some(system_message::PRE_CHAT_ECHO)
    }
}

/// What an event says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    State(ChatState),
    Line(Line),
    /// Acknowledgement of an earlier line (never a chat line).
    LineStatus {
        status: Option<String>,
        ref_sequence_id: Option<String>,
    },
    /// An agent's URL push.
    Url {
        url: Option<String>,
    },
    /// Account-to-account transfer: shown, never followed automatically.
    A2aTransfer {
        domain: Option<String>,
        skill: Option<String>,
        /// The target account's id.
        remote_site_id: Option<String>,
        /// The body of the chat request to send at the target account, unchanged (§3.3).
        chat_request_parameters: Option<Value>,
    },
    /// A type this client does not know (Q22): kept, never fatal.
    Other {
        type_name: String,
    },
}

/// One event of a chat. An event of a type this client does not know keeps its raw object.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The event id; events whose id is missing or not a number have none.
    pub id: Option<u64>,
    pub time: Option<String>,
    pub kind: EventKind,
    /// The event as sent, for types this client does not know (the others are read whole).
    pub raw: Option<Value>,
}

impl Event {
    fn read(object: &Value) -> Self {
        let id = text_field(object, "id").and_then(|id| id.trim().parse().ok());
        let type_name = text_field(object, "type").unwrap_or_default();
        let kind = match type_name.as_str() {
            "state" => match text_field(object, "state") {
                Some(state) => EventKind::State(ChatState::parse(&state)),
                None => EventKind::Other { type_name },
            },
            "line" => EventKind::Line(Line {
                text: text_field(object, "text").unwrap_or_default(),
                text_type: text_field(object, "textType").unwrap_or_else(|| "plain".into()),
                by: text_field(object, "by").unwrap_or_default(),
                source: LineSource::parse(&text_field(object, "source").unwrap_or_default()),
                system_message_id: int_field(object, "systemMessageId"),
                sub_type: text_field(object, "subType"),
            }),
            "line-status" => EventKind::LineStatus {
                status: text_field(object, "lineStatus"),
                ref_sequence_id: text_field(object, "refSequenceId"),
            },
            "url" => EventKind::Url {
                url: text_field(object, "url").or_else(|| text_field(object, "text")),
            },
            "a2a-transfer" => EventKind::A2aTransfer {
                domain: text_field(object, "domain"),
                skill: text_field(object, "skill"),
                remote_site_id: text_field(object, "remoteSiteId"),
                chat_request_parameters: field(object, "chatRequestParameters").cloned(),
            },
            _ => EventKind::Other { type_name },
        };
        let raw = matches!(kind, EventKind::Other { .. }).then(|| object.clone());
        Self {
            id,
            time: text_field(object, "time"),
            kind,
            raw,
        }
    }

    pub(crate) fn read_all(object: &Value) -> Vec<Self> {
        list_field(object, "event")
            .into_iter()
            .filter(|event| event.is_object())
            .map(Self::read)
            .collect()
    }
}

/// Renders an HTML agent line as text: tags dropped, line breaks kept, entities decoded.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('>') else {
            // A lone `<` is text, not a tag.
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let tag = rest[start + 1..start + end].trim().to_ascii_lowercase();
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let closing = tag.starts_with('/');
        let breaks = matches!(name.as_str(), "br")
            || (closing
                && matches!(
                    name.as_str(),
                    "p" | "div" | "li" | "tr" | "h1" | "h2" | "h3"
                ));
        if breaks && !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    let decoded = html_escape::decode_html_entities(&out).into_owned();
    decoded.trim_end_matches('\n').to_string()
}
