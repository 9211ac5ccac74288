//! Typed models of the service's answers, read from the normalised JSON tree (both formats).
//!
//! Every reader here accepts the shapes of spec §3.1 and never fails on an unknown field or event
//! type; it only fails when the document's root is not what the endpoint returns. Nothing here
//! does I/O.

use serde_json::Value;

use super::value::{bool_field, field, int_field, list, list_field, text, text_field};

/// A document did not have the shape its endpoint returns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unexpected {what} document: {detail}")]
pub struct ModelError {
    /// Which document was being read ("chat", "survey", …).
    pub what: &'static str,
    /// What was wrong with it.
    pub detail: String,
}

impl ModelError {
    fn new(what: &'static str, detail: impl Into<String>) -> Self {
        Self {
            what,
            detail: detail.into(),
        }
    }
}

fn root<'a>(document: &'a Value, name: &'static str) -> Result<&'a Value, ModelError> {
    document
        .get(name)
        .ok_or_else(|| ModelError::new(name, format!("no `{name}` element")))
}

/// A hypermedia link of the service: used exactly as given (Q5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub rel: String,
    pub href: String,
}

/// The links of one resource, found by rel, never by position (Q12).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Links(pub Vec<Link>);

impl Links {
    fn read(object: &Value) -> Self {
        Self(
            list_field(object, "link")
                .into_iter()
                .filter_map(|link| {
                    Some(Link {
                        rel: text_field(link, "rel")?,
                        href: text_field(link, "href")?,
                    })
                })
                .collect(),
        )
    }

    /// The href of the first link with this rel.
    pub fn get(&self, rel: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|link| link.rel == rel)
            .map(|link| link.href.as_str())
    }
}

/// The queue state of a chat.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ChatState {
    Waiting,
    Chatting,
    Ended,
    /// A state this client does not know; kept as sent.
    Other(String),
}

impl ChatState {
    pub fn parse(text: &str) -> Self {
        match text.trim() {
            "waiting" => Self::Waiting,
            "chatting" => Self::Chatting,
            "ended" => Self::Ended,
            other => Self::Other(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::Waiting => "waiting",
            Self::Chatting => "chatting",
            Self::Ended => "ended",
            Self::Other(other) => other,
        }
    }
}

impl std::fmt::Display for ChatState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

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
    /// The text to show a person: HTML lines rendered as plain text, others verbatim.
    pub fn plain_text(&self) -> String {
        if self.text_type.eq_ignore_ascii_case("html") {
            html_to_text(&self.text)
        } else {
            self.text.clone()
        }
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
    },
    /// A type this client does not know (Q22): kept, never fatal.
    Other {
        type_name: String,
    },
}

/// One event of a chat, with the raw object kept for inspection.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The event id; events whose id is missing or not a number have none.
    pub id: Option<u64>,
    pub time: Option<String>,
    pub kind: EventKind,
    pub raw: Value,
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
            },
            _ => EventKind::Other { type_name },
        };
        Self {
            id,
            time: text_field(object, "time"),
            kind,
            raw: object.clone(),
        }
    }

    fn read_all(object: &Value) -> Vec<Self> {
        list_field(object, "event")
            .into_iter()
            .filter(|event| event.is_object())
            .map(Self::read)
            .collect()
    }
}

/// Chat information (spec §3.5). Every field is optional: agent fields are absent while waiting.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Info {
    pub state: Option<ChatState>,
    pub chat_session_key: Option<String>,
    pub skill_name: Option<String>,
    pub skill_id: Option<String>,
    pub agent_name: Option<String>,
    pub agent_id: Option<String>,
    pub start_time: Option<String>,
    pub last_update: Option<String>,
    /// Seconds within which the session must be touched again.
    pub chat_timeout: Option<u64>,
    /// Kept as text: it may exceed what a float holds (Q20).
    pub visitor_id: Option<String>,
    pub visitor_name: Option<String>,
    pub agent_typing: Option<String>,
    pub visitor_typing: Option<String>,
    pub rt_session_id: Option<String>,
    pub links: Links,
}

impl Info {
    fn read(object: &Value) -> Self {
        Self {
            state: text_field(object, "state").map(|s| ChatState::parse(&s)),
            chat_session_key: text_field(object, "chatSessionKey"),
            skill_name: text_field(object, "skillName"),
            skill_id: text_field(object, "skillId"),
            agent_name: text_field(object, "agentName").filter(|name| !name.is_empty()),
            agent_id: text_field(object, "agentId"),
            start_time: text_field(object, "startTime"),
            last_update: text_field(object, "lastUpdate"),
            chat_timeout: int_field(object, "chatTimeout").and_then(|t| u64::try_from(t).ok()),
            visitor_id: text_field(object, "visitorId"),
            visitor_name: text_field(object, "visitorName"),
            agent_typing: text_field(object, "agentTyping"),
            visitor_typing: text_field(object, "visitorTyping"),
            rt_session_id: text_field(object, "rtSessionId"),
            links: Links::read(object),
        }
    }

    /// Reads `{"info":{…}}` (GET info).
    pub fn from_document(document: &Value) -> Result<Self, ModelError> {
        let info = root(document, "info")?;
        if !info.is_object() {
            return Err(ModelError::new("info", "`info` is not an element"));
        }
        Ok(Self::read(info))
    }
}

/// The chat-session resource: links, the events since `from`, and info (spec §2.10).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChatResource {
    pub links: Links,
    pub events: Vec<Event>,
    pub events_links: Links,
    pub info: Option<Info>,
}

impl ChatResource {
    /// Reads `{"chat":{…}}`.
    pub fn from_document(document: &Value) -> Result<Self, ModelError> {
        let chat = root(document, "chat")?;
        if !chat.is_object() {
            return Err(ModelError::new("chat", "`chat` is not an element"));
        }
        let events = field(chat, "events").filter(|e| e.is_object());
        Ok(Self {
            links: Links::read(chat),
            events: events.map(Event::read_all).unwrap_or_default(),
            events_links: events.map(Links::read).unwrap_or_default(),
            info: field(chat, "info")
                .filter(|i| i.is_object())
                .map(Info::read),
        })
    }

    /// Where to poll next: the chat-level `next` (it carries info too, Q12), else the
    /// events-level one.
    pub fn next_link(&self) -> Option<&str> {
        self.links
            .get("next")
            .or_else(|| self.events_links.get("next"))
    }
}

/// An events document (GET events): `{"events":{"link":…,"event":…}}`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventsDocument {
    pub links: Links,
    pub events: Vec<Event>,
}

impl EventsDocument {
    pub fn from_document(document: &Value) -> Result<Self, ModelError> {
        let events = root(document, "events")?;
        Ok(Self {
            links: Links::read(events),
            events: Event::read_all(events),
        })
    }
}

/// Availability answer: one flag, or one per skill when several were asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Availability {
    Single(bool),
    PerSkill(Vec<(String, bool)>),
}

impl Availability {
    pub fn from_document(document: &Value) -> Result<Self, ModelError> {
        let value = root(document, "availability")?;
        if let Some(flag) = text(value).as_deref().and_then(super::value::parse_bool) {
            return Ok(Self::Single(flag));
        }
        let per_skill = field(value, "AvailabilityForSkills")
            .map(|skills| list_field(skills, "skillAvailability"))
            .unwrap_or_default();
        if per_skill.is_empty() {
            return Err(ModelError::new("availability", "neither a flag nor skills"));
        }
        Ok(Self::PerSkill(
            per_skill
                .into_iter()
                .map(|entry| {
                    (
                        text_field(entry, "skill").unwrap_or_default(),
                        bool_field(entry, "isAvailable").unwrap_or(false),
                    )
                })
                .collect(),
        ))
    }

    /// True when any asked skill is available.
    pub fn any(&self) -> bool {
        match self {
            Self::Single(flag) => *flag,
            Self::PerSkill(skills) => skills.iter().any(|(_, available)| *available),
        }
    }
}

fn scalar_document(document: &Value, name: &'static str) -> Result<i64, ModelError> {
    let value = root(document, name)?;
    text(value)
        .and_then(|t| t.trim().parse::<i64>().ok())
        .ok_or_else(|| ModelError::new(name, "not a whole number"))
}

/// Number of chats that can start now; `None` means unlimited (`-1`).
pub fn available_slots_from_document(document: &Value) -> Result<Option<u64>, ModelError> {
    let slots = scalar_document(document, "availableSlots")?;
    Ok(u64::try_from(slots).ok())
}

/// Estimated wait before an agent accepts (spec §2.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EstimatedWait {
    /// `0`: an agent can take the chat now.
    Now,
    /// `-1`: no agent online, or the service is unavailable.
    NoAgents,
    /// `-2`: the service is up but has too little data to predict.
    NoData,
    Seconds(u64),
    /// Any other negative value.
    Unknown(i64),
}

impl EstimatedWait {
    pub fn from_seconds(seconds: i64) -> Self {
        match seconds {
            0 => Self::Now,
            -1 => Self::NoAgents,
            -2 => Self::NoData,
            s => u64::try_from(s).map_or(Self::Unknown(s), Self::Seconds),
        }
    }

    pub fn from_document(document: &Value) -> Result<Self, ModelError> {
        scalar_document(document, "estimatedWaitTime").map(Self::from_seconds)
    }
}

impl std::fmt::Display for EstimatedWait {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Now => f.write_str("an agent can take the chat now"),
            Self::NoAgents => f.write_str("no agent online"),
            Self::NoData => f.write_str("not enough data to estimate"),
            Self::Seconds(s) if *s < 60 => write!(f, "about {s} s"),
            Self::Seconds(s) => write!(f, "about {} min {} s", s / 60, s % 60),
            Self::Unknown(s) => write!(f, "unknown ({s})"),
        }
    }
}

/// The kind of a survey question (spec §3.6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuestionKind {
    Dropdown,
    Checkbox,
    Radio,
    RadioSideBySide,
    TextField,
    TextArea,
    Other(String),
}

impl QuestionKind {
    fn parse(text: &str) -> Self {
        match text.trim() {
            "Dropdown Box" => Self::Dropdown,
            "Checkbox" => Self::Checkbox,
            "Radio Button" => Self::Radio,
            "Radio Button (side by side)" => Self::RadioSideBySide,
            "Text Field" => Self::TextField,
            "Text Area" => Self::TextArea,
            other => Self::Other(other.to_string()),
        }
    }

    /// One answer chosen among the entries.
    pub fn is_single_choice(&self) -> bool {
        matches!(self, Self::Dropdown | Self::Radio | Self::RadioSideBySide)
    }

    /// Several answers among the entries (the only multi-answer type).
    pub fn is_multi_choice(&self) -> bool {
        matches!(self, Self::Checkbox)
    }

    pub fn label(&self) -> &str {
        match self {
            Self::Dropdown => "Dropdown Box",
            Self::Checkbox => "Checkbox",
            Self::Radio => "Radio Button",
            Self::RadioSideBySide => "Radio Button (side by side)",
            Self::TextField => "Text Field",
            Self::TextArea => "Text Area",
            Self::Other(other) => other,
        }
    }
}

/// How a text answer is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValidationType {
    /// `alpha_numeric` (also the docs' `alphanumeric`): anything, spaces included.
    AlphaNumeric,
    Numeric,
    Email,
    Other(String),
}

impl ValidationType {
    fn parse(text: &str) -> Self {
        match text.trim().to_ascii_lowercase().as_str() {
            "" | "alpha_numeric" | "alphanumeric" => Self::AlphaNumeric,
            "numeric" => Self::Numeric,
            "email" => Self::Email,
            _ => Self::Other(text.to_string()),
        }
    }
}

/// A choice of a survey question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The choice's text and the value to send.
    pub value: String,
    /// Text to show instead of the value, when given.
    pub display_value: Option<String>,
    pub checked: bool,
    /// Logic ids of the questions this choice shows when selected.
    pub show_logic_ids: Vec<String>,
}

impl Entry {
    fn read(object: &Value) -> Option<Self> {
        // A lone `<entry>text</entry>` is the value itself.
        let value = text_field(object, "value").or_else(|| text(object))?;
        let show_logic_ids = field(object, "logic")
            .map(|logic| {
                list_field(logic, "showLogicId")
                    .into_iter()
                    .filter_map(text)
                    .collect()
            })
            .unwrap_or_default();
        Some(Self {
            value,
            display_value: text_field(object, "displayValue"),
            checked: bool_field(object, "checked").unwrap_or(false),
            show_logic_ids,
        })
    }

    pub fn shown_text(&self) -> &str {
        self.display_value.as_deref().unwrap_or(&self.value)
    }
}

/// A survey question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub id: String,
    pub logic_id: Option<String>,
    pub order: i64,
    pub mandatory: bool,
    pub kind: QuestionKind,
    pub validation: ValidationType,
    pub label: String,
    /// A previous answer (text questions) to prefill.
    pub last_known_value: Option<String>,
    pub entries: Vec<Entry>,
}

impl Question {
    fn read(object: &Value) -> Option<Self> {
        Some(Self {
            id: text_field(object, "id")?,
            logic_id: text_field(object, "logicId").filter(|id| !id.is_empty()),
            order: int_field(object, "order").unwrap_or(0),
            mandatory: bool_field(object, "mandatory").unwrap_or(false),
            kind: QuestionKind::parse(&text_field(object, "type").unwrap_or_default()),
            validation: ValidationType::parse(
                &text_field(object, "validationType").unwrap_or_default(),
            ),
            label: text_field(object, "label").unwrap_or_default(),
            last_known_value: text_field(object, "lastKnownValue").filter(|v| !v.is_empty()),
            entries: list_field(object, "entry")
                .into_iter()
                .filter_map(Entry::read)
                .collect(),
        })
    }

    /// Whether `value` is one of this question's choices.
    pub fn has_entry(&self, value: &str) -> bool {
        self.entries.iter().any(|entry| entry.value == value)
    }
}

/// A pre-chat (or exit, or offline) survey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Survey {
    pub id: String,
    pub title: String,
    pub header: String,
    /// Questions in display order (ascending `order`).
    pub questions: Vec<Question>,
}

impl Survey {
    /// Reads `{"survey":{…}}`; a survey without questions is still a survey.
    pub fn from_document(document: &Value) -> Result<Self, ModelError> {
        let survey = root(document, "survey")?;
        if !survey.is_object() {
            return Err(ModelError::new("survey", "`survey` is not an element"));
        }
        let id = text_field(survey, "id")
            .ok_or_else(|| ModelError::new("survey", "the survey has no id"))?;
        let mut questions: Vec<Question> = field(survey, "questions")
            .map(|questions| list_field(questions, "question"))
            .unwrap_or_default()
            .into_iter()
            .filter_map(Question::read)
            .collect();
        questions.sort_by_key(|question| question.order);
        Ok(Self {
            id,
            title: text_field(survey, "title").unwrap_or_default(),
            header: text_field(survey, "header").unwrap_or_default(),
            questions,
        })
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|question| question.id == id)
    }

    /// The questions visible given the chosen answers: a question whose logic id some entry
    /// shows is hidden until a visible question has such an entry chosen (spec §3.6).
    pub fn visible_questions(&self, chosen: impl Fn(&str) -> Vec<String>) -> Vec<&Question> {
        let controlled: std::collections::HashSet<&str> = self
            .questions
            .iter()
            .flat_map(|q| q.entries.iter())
            .flat_map(|e| e.show_logic_ids.iter().map(String::as_str))
            .collect();
        let is_controlled = |q: &Question| {
            q.logic_id
                .as_deref()
                .is_some_and(|id| controlled.contains(id))
        };
        let mut visible: Vec<bool> = self.questions.iter().map(|q| !is_controlled(q)).collect();
        // Showing a question can reveal others behind it; iterate until nothing changes.
        loop {
            let mut shown: std::collections::HashSet<String> = Default::default();
            for (question, _) in self.questions.iter().zip(&visible).filter(|(_, v)| **v) {
                let answers = chosen(&question.id);
                for entry in &question.entries {
                    if answers.contains(&entry.value) {
                        shown.extend(entry.show_logic_ids.iter().cloned());
                    }
                }
            }
            let next: Vec<bool> = self
                .questions
                .iter()
                .map(|q| {
                    !is_controlled(q) || q.logic_id.as_ref().is_some_and(|id| shown.contains(id))
                })
                .collect();
            if next == visible {
                break;
            }
            visible = next;
        }
        self.questions
            .iter()
            .zip(visible)
            .filter_map(|(q, v)| v.then_some(q))
            .collect()
    }
}

/// The error document of the service: `{"error":{"time","message","reason","internalCode"}}`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorDocument {
    pub time: Option<String>,
    pub message: Option<String>,
    pub reason: Option<String>,
    pub internal_code: Option<i64>,
}

impl ErrorDocument {
    pub fn from_document(document: &Value) -> Option<Self> {
        let error = document.get("error")?;
        if let Some(message) = text(error).filter(|_| !error.is_object()) {
            return Some(Self {
                message: Some(message),
                ..Self::default()
            });
        }
        Some(Self {
            time: text_field(error, "time"),
            message: text_field(error, "message"),
            reason: text_field(error, "reason"),
            internal_code: int_field(error, "internalCode"),
        })
    }
}

/// The body of a Visitor Authentication answer, when it has one (legacy shape, spec §2.8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthIds {
    pub conversation_id: String,
    pub participant_id: Option<String>,
}

impl AuthIds {
    /// Finds `conversationId` (and `participantId`) at the top level or under one wrapper.
    pub fn from_document(document: &Value) -> Option<Self> {
        let candidates = std::iter::once(document).chain(
            document
                .as_object()
                .into_iter()
                .flat_map(|map| map.values())
                .filter(|v| v.is_object()),
        );
        for object in candidates {
            if let Some(conversation_id) =
                text_field(object, "conversationId").filter(|id| !id.is_empty())
            {
                return Some(Self {
                    conversation_id,
                    participant_id: text_field(object, "participantId").filter(|id| !id.is_empty()),
                });
            }
        }
        None
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

/// Reads an answer that may be empty, or a non-scalar, as absent text.
pub fn non_empty(value: Option<&Value>) -> Option<String> {
    value.and_then(text).filter(|t| !t.is_empty())
}

/// All events of a list value, for callers holding a raw `event` field.
pub fn events_of(value: Option<&Value>) -> Vec<Event> {
    list(value)
        .into_iter()
        .filter(|e| e.is_object())
        .map(Event::read)
        .collect()
}
