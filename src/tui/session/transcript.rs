//! The transcript: chat events turned into lines a person reads — system messages marked, agent
//! HTML as text, visitor lines apart, pre-chat echoes labelled. Pure conversion.

use crate::api::model::{Event, EventKind, LineSource};

/// Who a transcript line is from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Speaker {
    System,
    /// The visitor's own pre-chat line, echoed back by the service.
    PreChatEcho,
    Agent,
    Visitor,
    /// A state change or another event, not a chat line.
    Event,
}

impl Speaker {
    /// The marker before the line, readable without colour.
    pub fn marker(self) -> &'static str {
        match self {
            Self::System => "[system]",
            Self::PreChatEcho => "[pre-chat]",
            Self::Agent => "",
            Self::Visitor => "",
            Self::Event => "·",
        }
    }
}

/// One line of the transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscriptLine {
    pub speaker: Speaker,
    /// The display name (`by`), when the line has one.
    pub by: String,
    pub text: String,
    /// The server's time, as sent.
    pub time: Option<String>,
    pub system_message_id: Option<i64>,
}

impl TranscriptLine {
    /// The line for an event; `None` for events not worth a line (line acknowledgements).
    pub fn from_event(event: &Event) -> Option<Self> {
        let (speaker, by, text, system_message_id) = match &event.kind {
            EventKind::Line(line) => {
                let speaker = if line.is_pre_chat_echo() {
                    Speaker::PreChatEcho
                } else {
                    match line.source {
                        LineSource::System => Speaker::System,
                        LineSource::Agent => Speaker::Agent,
                        LineSource::Visitor => Speaker::Visitor,
                        LineSource::Other(_) => Speaker::System,
                    }
                };
                let text = if line.is_agents_only() {
                    format!(
                        "(for agents only, not shown to visitors) {}",
                        line.plain_text()
                    )
                } else {
                    line.plain_text()
                };
                (speaker, line.by.clone(), text, line.system_message_id)
            }
            EventKind::State(state) => (
                Speaker::Event,
                String::new(),
                format!("state: {state}"),
                None,
            ),
            EventKind::Url { url } => (
                Speaker::Event,
                String::new(),
                format!("the agent pushed a link: {}", url.as_deref().unwrap_or("?")),
                None,
            ),
            EventKind::A2aTransfer {
                domain,
                skill,
                remote_site_id,
                ..
            } => (
                Speaker::Event,
                String::new(),
                format!(
                    "transfer to another account offered: account {} on {}, skill {} (not followed)",
                    remote_site_id.as_deref().unwrap_or("?"),
                    domain.as_deref().unwrap_or("?"),
                    skill.as_deref().unwrap_or("?")
                ),
                None,
            ),
            EventKind::LineStatus { .. } => return None,
            EventKind::Other { type_name } => (
                Speaker::Event,
                String::new(),
                format!("event of type `{type_name}`"),
                None,
            ),
        };
        // What the server sent, with what could reorder or drive the terminal made visible.
        let safe = |text: &str| crate::terminal_text::terminal_safe(text).into_owned();
        Some(Self {
            speaker,
            by: safe(&by),
            text: safe(&text),
            time: event.time.clone(),
            system_message_id,
        })
    }

    /// Time of day from the server's timestamp (`…T10:12:03…` → `10:12:03`).
    pub fn clock(&self) -> Option<&str> {
        let time = self.time.as_deref()?;
        let after = time.split_once('T').map_or(time, |(_, rest)| rest);
        after.get(..8)
    }

    /// The zone of the server's timestamp as `UTC-05:00` (`Z` is `UTC`), when it carries one:
    /// the clock above is the server's time of day, which may not be the reader's.
    pub fn zone(&self) -> Option<String> {
        let time = self.time.as_deref()?;
        let (_, after) = time.split_once('T')?;
        let at = after.get(8..)?.find(['+', '-', 'Z'])? + 8;
        let zone = &after[at..];
        if zone == "Z" {
            return Some("UTC".into());
        }
        let (sign, rest) = zone.split_at(1);
        let digits: String = rest.chars().filter(|c| *c != ':').collect();
        if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if digits == "0000" {
            return Some("UTC".into());
        }
        Some(format!("UTC{sign}{}:{}", &digits[..2], &digits[2..]))
    }
}
