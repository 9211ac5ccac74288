//! The plain data of a chat: states, events and lines, the validated request parameters, and
//! the views answers are built from. No behaviour beyond naming.

use std::time::SystemTime;

/// Server-side chat states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatState {
    /// In the queue, no agent yet.
    Waiting,
    /// An agent accepted.
    Chatting,
    /// Over, by anyone.
    Ended,
}

impl ChatState {
    /// The service's word for the state.
    pub fn as_str(self) -> &'static str {
        match self {
            ChatState::Waiting => "waiting",
            ChatState::Chatting => "chatting",
            ChatState::Ended => "ended",
        }
    }
}

/// A chat line.
#[derive(Debug, Clone)]
pub struct Line {
    /// The text, plain or HTML.
    pub text: String,
    /// `plain` or `html`.
    pub text_type: &'static str,
    /// Display name of the author (`info` for system lines).
    pub by: String,
    /// `system`, `agent` or `visitor`.
    pub source: &'static str,
    /// Only on system lines (§3.4).
    pub system_message_id: Option<u32>,
}

impl Line {
    /// A system line (`by` info) with its `systemMessageId`.
    pub(super) fn system(id: u32, text: impl Into<String>) -> Line {
        Line {
            text: text.into(),
            text_type: "plain",
            by: "info".into(),
            source: "system",
            system_message_id: Some(id),
        }
    }
}

/// What an event is.
#[derive(Debug, Clone)]
pub enum EventKind {
    /// `@type: state`.
    State(ChatState),
    /// `@type: line`.
    Line(Line),
}

/// One event of a chat, with its id and time.
#[derive(Debug, Clone)]
pub struct Event {
    /// Increasing from 0 within a chat.
    pub id: u64,
    /// When it happened.
    pub time: SystemTime,
    /// What happened.
    pub kind: EventKind,
}

/// Why a visitor line was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LineRefused {
    /// Still waiting for an agent (Q27: 400, internalCode 5).
    #[error("Cannot add line while not in chat")]
    NotInChat,
    /// The chat ended.
    #[error("chat is not active")]
    NotActive,
}

/// What the chat request asked for, already validated.
#[derive(Debug, Clone, Default)]
pub struct ChatParams {
    /// Requested skill name, if any.
    pub skill: Option<String>,
    /// Seconds the visitor is ready to wait for an agent.
    pub max_wait_secs: Option<u64>,
    /// Idle timeout (`interactionTimeout`).
    pub chat_timeout_secs: u64,
    /// Lines for the agent, echoed as system lines with id 0 (Q18).
    pub pre_chat_lines: Vec<String>,
    /// The visitor id to reuse, digits.
    pub visitor_id: Option<u64>,
    /// Request fields echoed in `info` (LETag ids as shark*, engagementId, …).
    pub echoes: Vec<(String, String)>,
}

/// The `info` view of a chat.
#[derive(Debug, Clone)]
pub struct InfoView {
    /// Current state.
    pub state: ChatState,
    /// The skill asked for (or routed to).
    pub skill_name: String,
    /// Its id (0 when unknown).
    pub skill_id: u64,
    /// Agent name and id, once chatting.
    pub agent: Option<(String, u64)>,
    /// When the chat was requested.
    pub start_time: SystemTime,
    /// Last request that touched the chat.
    pub last_update: SystemTime,
    /// Idle timeout.
    pub chat_timeout_secs: u64,
    /// Visitor id, digits.
    pub visitor_id: u64,
    /// `typing` while a reply is due, else `not-typing`.
    pub agent_typing: &'static str,
    /// As last set by the visitor.
    pub visitor_typing: String,
    /// As last set by the visitor.
    pub visitor_name: String,
    /// Real-time session id.
    pub rt_session_id: u64,
    /// Echoed request fields.
    pub echoes: Vec<(String, String)>,
}

/// A snapshot of a chat from some event id on.
#[derive(Debug, Clone)]
pub struct ChatView {
    /// The chat id (= chatSessionKey).
    pub chat_id: String,
    /// Events with id ≥ the `from` asked for.
    pub events: Vec<Event>,
    /// `from` of the next link: highest returned id + 1, or the same `from` if none (Q11).
    pub next_from: u64,
    /// The info block.
    pub info: InfoView,
}
