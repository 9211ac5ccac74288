//! The chat simulation (spec §3.7): queue, scripted agent, visitor lines, ends and idle timeout.
//!
//! Evaluated lazily: every chat keeps a list of due actions (accept, greeting, reply, agent end,
//! "busy")
//! and `advance(now)` plays those that are due, in order, stamping each event with the moment it
//! was due, not the moment it was observed. The outcome therefore depends only on the request
//! times, never on a timer task's scheduling. Knows nothing of HTTP or formats.

mod types;

pub use types::{ChatParams, ChatState, ChatView, Event, EventKind, InfoView, Line, LineRefused};

use super::answers::SurveySubmission;
use super::scenario::Skill;
use super::transcript::TranscriptRequest;
use std::time::{Duration, Instant, SystemTime};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Accept,
    Greet,
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
    /// The visitor set a name (so the agent may greet them by it).
    named: bool,
    /// The greeting the agent is typing (decided when the agent accepted).
    greeting: Option<String>,
    /// The latest moment the chat was played to: what `info.agentTyping` is answered for.
    observed: Instant,
    visitor_typing: String,
    reply_index: usize,
    exit_surveys: Vec<SurveySubmission>,
    transcripts: Vec<TranscriptRequest>,
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
            named: false,
            greeting: None,
            observed: now,
            visitor_typing: "not-typing".into(),
            reply_index: 0,
            exit_surveys: Vec::new(),
            transcripts: Vec::new(),
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

    /// The skill that serves the chat, if the scenario has it.
    pub fn skill(&self) -> Option<&Skill> {
        self.skill.as_ref()
    }

    /// Plays every action due by `now`, and the idle timeout, in time order.
    pub fn advance(&mut self, now: Instant) {
        self.observed = self.observed.max(now);
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

    /// Sets the visitor's display name (used as `by` of later visitor lines, and by the
    /// agent's `greeting_by_name` when set before the agent accepted).
    pub fn set_visitor_name(&mut self, name: &str) {
        self.visitor_name = name.to_string();
        self.named = true;
    }

    /// Keeps an exit survey the visitor submitted.
    pub fn record_exit_survey(&mut self, submission: SurveySubmission) {
        self.exit_surveys.push(submission);
    }

    /// The exit surveys submitted, in order.
    pub fn exit_surveys(&self) -> &[SurveySubmission] {
        &self.exit_surveys
    }

    /// Keeps a transcript request.
    pub fn record_transcript(&mut self, request: TranscriptRequest) {
        self.transcripts.push(request);
    }

    /// The transcript requests, in order.
    pub fn transcripts(&self) -> &[TranscriptRequest] {
        &self.transcripts
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
            agent_typing: if self.agent_typing() {
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

    /// Whether the agent is typing at the moment last played: within `typing_before_ms` (or the
    /// whole wait, when unset) of a greeting or reply that is due.
    fn agent_typing(&self) -> bool {
        let before = self
            .skill
            .as_ref()
            .and_then(|s| s.typing_before_ms)
            .map(Duration::from_millis);
        self.due.iter().any(|(at, action)| {
            let from = match before {
                Some(before) => at.checked_sub(before).unwrap_or(*at),
                None => self.created,
            };
            matches!(action, Action::Reply | Action::Greet) && from <= self.observed
        })
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
                let by_name = skill
                    .greeting_by_name
                    .as_ref()
                    .filter(|_| self.named)
                    .map(|text| {
                        text.replace("{name}", &html_escape::encode_text(&self.visitor_name))
                    });
                if let Some(greeting) = by_name.or_else(|| skill.greeting.clone()) {
                    if skill.greeting_after_ms == 0 {
                        self.push(at, EventKind::Line(agent_line(&agent, &greeting)));
                    } else {
                        self.greeting = Some(greeting);
                        self.due.push((
                            at + Duration::from_millis(skill.greeting_after_ms),
                            Action::Greet,
                        ));
                    }
                }
                if let Some(end_after) = skill.end_after_ms {
                    self.due
                        .push((at + Duration::from_millis(end_after), Action::AgentEnd));
                }
            }
            Action::Greet => {
                if let Some(greeting) = self.greeting.take() {
                    self.push(at, EventKind::Line(agent_line(&agent, &greeting)));
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
mod tests;
