//! The chat simulation (spec §3.7): queue, scripted agent, visitor lines, ends and idle timeout.
//!
//! Evaluated lazily: every chat keeps a list of due actions (accept, reply, agent end, "busy")
//! and `advance(now)` plays those that are due, in order, stamping each event with the moment it
//! was due, not the moment it was observed. The outcome therefore depends only on the request
//! times, never on a timer task's scheduling. Knows nothing of HTTP or formats.

use super::scenario::Skill;
use std::time::{Duration, Instant, SystemTime};

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
    fn system(id: u32, text: impl Into<String>) -> Line {
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Accept,
    Busy,
    Reply,
    AgentEnd,
}

/// One simulated chat.
#[derive(Debug)]
pub struct Chat {
    id: String,
    created: Instant,
    created_wall: SystemTime,
    skill: Option<Skill>,
    skill_name: String,
    state: ChatState,
    events: Vec<Event>,
    due: Vec<(Instant, Action)>,
    last_touch: Instant,
    chat_timeout: Duration,
    ended_at: Option<Instant>,
    visitor_name: String,
    visitor_typing: String,
    reply_index: usize,
    visitor_id: u64,
    rt_session_id: u64,
    echoes: Vec<(String, String)>,
}

impl Chat {
    /// Opens a chat: `state waiting`, system line 4, the pre-chat lines; schedules the agent.
    pub fn new(id: String, params: ChatParams, skill: Option<&Skill>, now: Instant) -> Chat {
        let skill_name = params
            .skill
            .clone()
            .or_else(|| skill.map(|s| s.name.clone()))
            .unwrap_or_default();
        let mut chat = Chat {
            id,
            created: now,
            created_wall: SystemTime::now(),
            skill: skill.cloned(),
            skill_name,
            state: ChatState::Waiting,
            events: Vec::new(),
            due: Vec::new(),
            last_touch: now,
            chat_timeout: Duration::from_secs(params.chat_timeout_secs.max(1)),
            ended_at: None,
            visitor_name: "You".into(),
            visitor_typing: "not-typing".into(),
            reply_index: 0,
            visitor_id: params
                .visitor_id
                .unwrap_or_else(|| fastrand::u64(1_000_000_000_000_000..10_000_000_000_000_000)),
            rt_session_id: fastrand::u64(4_000_000_000..5_000_000_000),
            echoes: params.echoes,
        };
        chat.push(now, EventKind::State(ChatState::Waiting));
        chat.push(
            now,
            EventKind::Line(Line::system(
                4,
                "Thank you for choosing to chat with us.  An agent will be with you shortly.",
            )),
        );
        for line in params.pre_chat_lines {
            chat.push(now, EventKind::Line(Line::system(0, line)));
        }
        let accept_after = chat
            .skill
            .as_ref()
            .filter(|s| s.agent_name.is_some())
            .map(|s| Duration::from_millis(s.accept_after_ms));
        let max_wait = params.max_wait_secs.map(Duration::from_secs);
        match (accept_after, max_wait) {
            (Some(accept), Some(wait)) if accept > wait => {
                chat.due.push((now + wait, Action::Busy))
            }
            (Some(accept), _) => chat.due.push((now + accept, Action::Accept)),
            (None, Some(wait)) => chat.due.push((now + wait, Action::Busy)),
            (None, None) => {}
        }
        chat
    }

    /// The chat was moved to the skill it was created with: say so (system message 15) and name
    /// that skill in `info` from now on.
    pub fn rerouted(&mut self, now: Instant) {
        if let Some(skill) = &self.skill {
            self.skill_name.clone_from(&skill.name);
        }
        self.push(
            now,
            EventKind::Line(Line::system(
                15,
                "Your chat has been transferred to another skill group.",
            )),
        );
    }

    /// The chat id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The current state (after `advance`).
    pub fn state(&self) -> ChatState {
        self.state
    }

    /// Plays every action due by `now`, and the idle timeout, in time order.
    pub fn advance(&mut self, now: Instant) {
        while self.state != ChatState::Ended {
            let next = self
                .due
                .iter()
                .enumerate()
                .filter(|(_, (at, _))| *at <= now)
                .min_by_key(|(_, (at, _))| *at)
                .map(|(index, (at, action))| (index, *at, *action));
            let idle_at = self.last_touch + self.chat_timeout;
            match next {
                Some((_, at, _)) if idle_at < at => self.idle_end(idle_at),
                None if idle_at <= now => self.idle_end(idle_at),
                Some((index, at, action)) => {
                    self.due.remove(index);
                    self.play(at, action);
                }
                None => break,
            }
        }
    }

    /// A request touched the chat: play what is due, then restart the idle clock.
    pub fn touch(&mut self, now: Instant) {
        self.advance(now);
        if self.state != ChatState::Ended {
            self.last_touch = now;
        }
    }

    /// True once the chat ended more than `ttl` ago (Q28).
    pub fn expired(&self, now: Instant, ttl: Duration) -> bool {
        self.ended_at.is_some_and(|at| now >= at + ttl)
    }

    /// Adds a visitor line; returns its event id.
    pub fn add_visitor_line(&mut self, text: &str, now: Instant) -> Result<u64, LineRefused> {
        match self.state {
            ChatState::Waiting => return Err(LineRefused::NotInChat),
            ChatState::Ended => return Err(LineRefused::NotActive),
            ChatState::Chatting => {}
        }
        let line = Line {
            text: text.to_string(),
            text_type: "plain",
            by: self.visitor_name.clone(),
            source: "visitor",
            system_message_id: None,
        };
        let id = self.push(now, EventKind::Line(line));
        if let Some(skill) = self.skill.as_ref().filter(|s| !s.replies.is_empty()) {
            self.due.push((
                now + Duration::from_millis(skill.reply_after_ms),
                Action::Reply,
            ));
        }
        Ok(id)
    }

    /// The visitor ends the chat; returns the id of the `state ended` event (the existing one
    /// when the chat had already ended, so a repeated end is harmless).
    pub fn end_by_visitor(&mut self, now: Instant) -> u64 {
        if self.state != ChatState::Ended {
            self.end(now);
        }
        self.events
            .iter()
            .rev()
            .find(|e| matches!(e.kind, EventKind::State(ChatState::Ended)))
            .map_or(0, |e| e.id)
    }

    /// The server ends the chat now as if the agent left: system line 5, then `state ended`
    /// (nothing when it already ended). For the fault layer's scripted ends.
    pub fn end_by_agent(&mut self, now: Instant) {
        if self.state == ChatState::Ended {
            return;
        }
        let agent = self
            .skill
            .as_ref()
            .and_then(|s| s.agent_name.clone())
            .unwrap_or_else(|| "The agent".into());
        let text = format!("{agent} has left the chat.");
        self.push(now, EventKind::Line(Line::system(5, text)));
        self.end(now);
    }

    /// The server ends the chat now as if it had been idle too long: system line 6, then
    /// `state ended` (nothing when it already ended).
    pub fn end_by_idle(&mut self, now: Instant) {
        if self.state != ChatState::Ended {
            self.idle_end(now);
        }
    }

    /// Sets the visitor's display name (used as `by` of later visitor lines).
    pub fn set_visitor_name(&mut self, name: &str) {
        self.visitor_name = name.to_string();
    }

    /// Sets the visitor's typing status.
    pub fn set_visitor_typing(&mut self, typing: &str) {
        self.visitor_typing = typing.to_string();
    }

    /// The ids of every event so far, in order (without playing what is due).
    pub fn event_ids(&self) -> Vec<u64> {
        self.events.iter().map(|e| e.id).collect()
    }

    /// One event by id.
    pub fn event(&self, id: u64) -> Option<&Event> {
        self.events.iter().find(|e| e.id == id)
    }

    /// Events from `from` on, the next cursor and the info block.
    pub fn view(&self, from: u64) -> ChatView {
        let events: Vec<Event> = self
            .events
            .iter()
            .filter(|e| e.id >= from)
            .cloned()
            .collect();
        let next_from = events.last().map_or(from, |e| e.id + 1);
        ChatView {
            chat_id: self.id.clone(),
            events,
            next_from,
            info: self.info(),
        }
    }

    fn info(&self) -> InfoView {
        let agent = match self.state {
            ChatState::Waiting => None,
            _ => self.accepted_agent(),
        };
        InfoView {
            state: self.state,
            skill_name: self.skill_name.clone(),
            skill_id: self.skill.as_ref().map_or(0, |s| s.id),
            agent,
            start_time: self.created_wall,
            last_update: self.wall(self.last_touch),
            chat_timeout_secs: self.chat_timeout.as_secs(),
            visitor_id: self.visitor_id,
            agent_typing: if self.due.iter().any(|(_, a)| *a == Action::Reply) {
                "typing"
            } else {
                "not-typing"
            },
            visitor_typing: self.visitor_typing.clone(),
            visitor_name: self.visitor_name.clone(),
            rt_session_id: self.rt_session_id,
            echoes: self.echoes.clone(),
        }
    }

    /// The agent, if the chat was ever accepted.
    fn accepted_agent(&self) -> Option<(String, u64)> {
        let accepted = self
            .events
            .iter()
            .any(|e| matches!(e.kind, EventKind::State(ChatState::Chatting)));
        let skill = self.skill.as_ref()?;
        let name = skill.agent_name.clone()?;
        accepted.then_some((name, skill.agent_id))
    }

    fn wall(&self, at: Instant) -> SystemTime {
        self.created_wall + at.saturating_duration_since(self.created)
    }

    fn push(&mut self, at: Instant, kind: EventKind) -> u64 {
        let id = self.events.last().map_or(0, |e| e.id + 1);
        let time = self.wall(at);
        self.events.push(Event { id, time, kind });
        id
    }

    fn play(&mut self, at: Instant, action: Action) {
        let Some(skill) = self.skill.clone() else {
            if action == Action::Busy {
                self.busy(at);
            }
            return;
        };
        let agent = skill.agent_name.clone().unwrap_or_default();
        match action {
            Action::Accept => {
                self.state = ChatState::Chatting;
                self.push(at, EventKind::State(ChatState::Chatting));
                let text = format!("You are now chatting with {agent}.");
                self.push(at, EventKind::Line(Line::system(3, text)));
                if let Some(greeting) = &skill.greeting {
                    self.push(at, EventKind::Line(agent_line(&agent, greeting)));
                }
                if let Some(end_after) = skill.end_after_ms {
                    self.due
                        .push((at + Duration::from_millis(end_after), Action::AgentEnd));
                }
            }
            Action::Reply => {
                if let Some(reply) = skill
                    .replies
                    .get(self.reply_index % skill.replies.len().max(1))
                {
                    self.push(at, EventKind::Line(agent_line(&agent, reply)));
                    self.reply_index += 1;
                }
            }
            Action::AgentEnd => {
                let text = format!("{agent} has left the chat.");
                self.push(at, EventKind::Line(Line::system(5, text)));
                self.end(at);
            }
            Action::Busy => self.busy(at),
        }
    }

    fn busy(&mut self, at: Instant) {
        self.push(
            at,
            EventKind::Line(Line::system(
                2,
                "All our operators are currently busy. Please try again later.",
            )),
        );
        self.end(at);
    }

    fn idle_end(&mut self, at: Instant) {
        self.push(
            at,
            EventKind::Line(Line::system(
                6,
                "The chat was disconnected due to inactivity.",
            )),
        );
        self.end(at);
    }

    fn end(&mut self, at: Instant) {
        self.state = ChatState::Ended;
        self.push(at, EventKind::State(ChatState::Ended));
        self.due.clear();
        self.ended_at = Some(at);
    }
}

fn agent_line(agent: &str, html: &str) -> Line {
    Line {
        text: html.to_string(),
        text_type: "html",
        by: agent.to_string(),
        source: "agent",
        system_message_id: None,
    }
}

/// A fresh chat id like `H3079121553394024223-70f331aba40b4ae58fe9e1af832e31b9K8388834`.
pub fn new_chat_id() -> String {
    let hex: String = (0..32)
        .map(|_| char::from_digit(fastrand::u32(0..16), 16).unwrap_or('0'))
        .collect();
    format!(
        "H{}-{hex}K{}",
        fastrand::u64(1_000_000_000_000_000_000..10_000_000_000_000_000_000),
        fastrand::u32(8_000_000..9_000_000)
    )
}

/// A fresh UUID-formatted id (conversationId, participantId).
pub fn new_uuid() -> String {
    let hex: String = (0..32)
        .map(|_| char::from_digit(fastrand::u32(0..16), 16).unwrap_or('0'))
        .collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sales() -> Skill {
        Skill {
            name: "Sales".into(),
            id: 7,
            agent_name: Some("Natalie".into()),
            agent_id: 9,
            accept_after_ms: 1000,
            greeting: Some("<b>hi</b>".into()),
            replies: vec!["r1".into(), "r2".into()],
            reply_after_ms: 500,
            ..Skill::default()
        }
    }

    fn params(timeout: u64) -> ChatParams {
        ChatParams {
            skill: Some("Sales".into()),
            chat_timeout_secs: timeout,
            pre_chat_lines: vec!["order 1".into()],
            ..ChatParams::default()
        }
    }

    fn system_ids(chat: &Chat) -> Vec<u32> {
        chat.view(0)
            .events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Line(l) => l.system_message_id,
                EventKind::State(_) => None,
            })
            .collect()
    }

    #[test]
    fn a_chat_waits_then_is_accepted_with_greeting_and_replies() {
        let t0 = Instant::now();
        let skill = sales();
        let mut chat = Chat::new("c".into(), params(40), Some(&skill), t0);
        assert_eq!(chat.state(), ChatState::Waiting);
        assert_eq!(system_ids(&chat), vec![4, 0]);
        assert!(chat.view(0).info.agent.is_none());
        assert_eq!(chat.add_visitor_line("hi", t0), Err(LineRefused::NotInChat));
        chat.touch(t0 + Duration::from_millis(1200));
        assert_eq!(chat.state(), ChatState::Chatting);
        assert_eq!(system_ids(&chat), vec![4, 0, 3]);
        assert_eq!(chat.view(0).info.agent, Some(("Natalie".into(), 9)));
        let id = chat
            .add_visitor_line("question", t0 + Duration::from_millis(1300))
            .expect("line");
        assert_eq!(chat.view(0).info.agent_typing, "typing");
        chat.touch(t0 + Duration::from_millis(1900));
        let view = chat.view(id + 1);
        assert_eq!(view.events.len(), 1);
        assert!(
            matches!(&view.events[0].kind, EventKind::Line(l) if l.text == "r1" && l.source == "agent")
        );
        assert_eq!(view.next_from, id + 2);
        assert_eq!(chat.view(id + 2).next_from, id + 2);
    }

    #[test]
    fn an_idle_chat_ends_with_system_message_6_at_the_idle_moment() {
        let t0 = Instant::now();
        let skill = sales();
        let mut chat = Chat::new("c".into(), params(2), Some(&skill), t0);
        chat.touch(t0 + Duration::from_secs(10));
        assert_eq!(chat.state(), ChatState::Ended);
        // Accepted at 1 s, then idle from t0 (the last touch) until 2 s.
        assert_eq!(system_ids(&chat), vec![4, 0, 3, 6]);
        assert!(!chat.expired(t0 + Duration::from_secs(10), Duration::from_secs(600)));
        assert!(chat.expired(t0 + Duration::from_secs(603), Duration::from_secs(600)));
    }

    #[test]
    fn no_agent_means_busy_after_max_wait() {
        let t0 = Instant::now();
        let p = ChatParams {
            skill: Some("Nobody".into()),
            max_wait_secs: Some(1),
            chat_timeout_secs: 40,
            ..ChatParams::default()
        };
        let mut chat = Chat::new("c".into(), p, None, t0);
        chat.touch(t0 + Duration::from_millis(500));
        assert_eq!(chat.state(), ChatState::Waiting);
        chat.touch(t0 + Duration::from_millis(1500));
        assert_eq!(chat.state(), ChatState::Ended);
        assert_eq!(system_ids(&chat), vec![4, 2]);
        assert_eq!(chat.add_visitor_line("x", t0), Err(LineRefused::NotActive));
    }

    #[test]
    fn ids_have_the_documented_forms() {
        let id = new_chat_id();
        assert!(
            id.starts_with('H') && id.contains('-') && id.contains('K'),
            "{id}"
        );
        assert_eq!(new_uuid().len(), 36);
    }
}
