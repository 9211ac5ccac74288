//! Typed models of the service's answers, read from the normalised JSON tree (both formats).
//!
//! Every reader here accepts the shapes of spec §3.1 and never fails on an unknown field or event
//! type; it only fails when the document's root is not what the endpoint returns. Nothing here
//! does I/O.

mod answers;
mod chat;
mod events;
mod survey;

pub use answers::{
    AuthIds, Availability, ErrorDocument, EstimatedWait, available_slots_from_document,
};
pub use chat::{ChatResource, EventsDocument, Info, VisitorLinks, skill_not_recognised_text};
pub use events::{Event, EventKind, Line, LineSource, html_to_text, system_message};
pub use survey::{Entry, Question, QuestionKind, Survey, ValidationType};

use serde_json::Value;

use super::value::{list_field, text_field};

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
    pub(crate) fn new(what: &'static str, detail: impl Into<String>) -> Self {
        Self {
            what,
            detail: detail.into(),
        }
    }
}

pub(crate) fn root<'a>(document: &'a Value, name: &'static str) -> Result<&'a Value, ModelError> {
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
    pub(crate) fn read(object: &Value) -> Self {
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

    /// Makes relative hrefs absolute against the URL of the answer they came in: the service
    /// sends absolute links (Q5), so this is only the fallback for servers that do not.
    /// Absolute hrefs are kept exactly as given.
    pub fn resolve_against(&mut self, base: &url::Url) {
        for link in &mut self.0 {
            // The usual case costs a prefix test, not a parse: every poll reads a handful of links.
            let href = link.href.trim();
            let scheme = href.get(..8).unwrap_or(href).to_ascii_lowercase();
            if scheme.starts_with("https://") || scheme.starts_with("http://") {
                continue;
            }
            if url::Url::parse(href) == Err(url::ParseError::RelativeUrlWithoutBase) {
                if let Ok(absolute) = base.join(href) {
                    link.href = absolute.to_string();
                }
            }
        }
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

    /// Whether a chat in this state has reached `awaited`. A chat already chatting has been
    /// through the queue, so it satisfies a wait for `waiting`: an agent may accept before the
    /// first poll, and that wait must not then last until the chat ends.
    pub fn has_reached(&self, awaited: &ChatState) -> bool {
        self == awaited || (*awaited == Self::Waiting && *self == Self::Chatting)
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
