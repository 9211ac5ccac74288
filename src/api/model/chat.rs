//! The chat-session resource, its events document and chat information (spec §2.10–2.13).

use serde_json::Value;

use super::{ChatState, Event, Links, ModelError, root};
use crate::api::value::{field, int_field, text_field};

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

    /// Whether the service says it does not know the skill the chat was requested for
    /// (`asked`): its info gives the chat no skill id — `skillId` 0 (or below; no skill has
    /// such an id) — though a skill was asked for. A missing `skillId`, or a skill name that
    /// differs, says nothing either way (a routing rule may move a chat to another skill, and
    /// that one has an id). See docs/api-choices.md.
    pub fn skill_not_recognised(&self, asked: &str) -> bool {
        !asked.trim().is_empty()
            && self
                .skill_id
                .as_deref()
                .and_then(|id| id.trim().parse::<i64>().ok())
                .is_some_and(|id| id <= 0)
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

/// What chatstart says, everywhere, when [`Info::skill_not_recognised`]: the chat waits for an
/// agent of a skill the service does not have, and would look like one with no agent online.
pub fn skill_not_recognised_text(skill: &str) -> String {
    format!(
        "skill `{}` not recognised by the service (check its spelling): the chat's info says \
         skillId 0, so no agent of that skill will take it",
        crate::terminal_text::clipped(skill.trim(), 60)
    )
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
    /// Reads `{"chat":{…}}`, or the `{"events":{…}}` answer of an events-level `next` link
    /// (followed when a server gives no chat-level one): its events and links, with no info.
    pub fn from_document(document: &Value) -> Result<Self, ModelError> {
        if document.get("chat").is_none() && document.get("events").is_some() {
            let events = EventsDocument::from_document(document)?;
            return Ok(Self {
                events: events.events,
                events_links: events.links,
                ..Self::default()
            });
        }
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

    /// Makes every relative link of the resource absolute against `base`, the URL it was read
    /// from (see [`Links::resolve_against`]).
    pub fn resolve_links(&mut self, base: &url::Url) {
        self.links.resolve_against(base);
        self.events_links.resolve_against(base);
        if let Some(info) = &mut self.info {
            info.links.resolve_against(base);
        }
    }

    /// Where lines and the end are posted: the `events` link, else the events element's own.
    pub fn events_link(&self) -> Option<&str> {
        self.links
            .get("events")
            .or_else(|| self.events_links.get("self"))
    }

    /// Whether this read of the chat shows it over: its latest state event or its info says
    /// `ended` (a server that hands out its events a few at a time may hold the `ended` event
    /// back while its info already says so).
    pub fn has_ended(&self) -> bool {
        let latest = self
            .events
            .iter()
            .rev()
            .find_map(|event| match &event.kind {
                super::EventKind::State(state) => Some(state),
                _ => None,
            });
        let info = self.info.as_ref().and_then(|info| info.state.as_ref());
        [latest, info]
            .into_iter()
            .any(|state| state == Some(&super::ChatState::Ended))
    }

    /// Where to poll next: the chat-level `next` (it carries info too, Q12), else the
    /// events-level one.
    pub fn next_link(&self) -> Option<&str> {
        self.links
            .get("next")
            .or_else(|| self.events_links.get("next"))
    }
}

/// Where the visitor's own calls about a chat go, found by rel (Q12): the chat's
/// `exit-survey` and transcript links, and its info's name and typing links. An absent link is
/// `None`; nothing is rebuilt from parts (Q5).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VisitorLinks {
    pub exit_survey: Option<String>,
    pub transcript: Option<String>,
    pub transcript_with_subject: Option<String>,
    pub visitor_name: Option<String>,
    pub visitor_typing: Option<String>,
}

impl VisitorLinks {
    /// Whether no link at all is known.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

impl ChatResource {
    /// The visitor's links of this read (see [`VisitorLinks`]).
    pub fn visitor_links(&self) -> VisitorLinks {
        let chat = |rel: &str| self.links.get(rel).map(str::to_string);
        let info = |rel: &str| {
            self.info
                .as_ref()
                .and_then(|info| info.links.get(rel))
                .map(str::to_string)
        };
        VisitorLinks {
            exit_survey: chat("exit-survey"),
            transcript: chat("transcript-request"),
            transcript_with_subject: chat("transcript-with-subject-request"),
            visitor_name: info("visitor-name"),
            visitor_typing: info("visitor-typing"),
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_skill_is_called_unknown_only_when_the_info_gives_the_chat_no_skill_id() {
        let info =
            |fields: Value| Info::from_document(&serde_json::json!({ "info": fields })).unwrap();
        let zero = info(serde_json::json!({"skillName": "Salse", "skillId": 0}));
        assert!(zero.skill_not_recognised("Salse"));
        assert!(info(serde_json::json!({"skillId": "0"})).skill_not_recognised("Salse"));
        assert!(info(serde_json::json!({"skillId": "-1"})).skill_not_recognised("Salse"));
        assert!(
            !zero.skill_not_recognised(" "),
            "no skill asked for: the default routing"
        );
        for weak in [
            serde_json::json!({"skillName": "Salse"}),
            serde_json::json!({"skillName": "Sales", "skillId": 25975313}),
            serde_json::json!({"skillName": "", "skillId": ""}),
            serde_json::json!({"skillId": "n/a"}),
        ] {
            assert!(!info(weak.clone()).skill_not_recognised("Salse"), "{weak}");
        }
    }
}
