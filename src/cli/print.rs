//! Everything the headless commands write goes through here: text for people, with control
//! characters escaped ([`terminal_safe`]), or typed JSON Lines for scripts — and how they print a
//! session.
//!
//! stdout carries the command's results (for `request`: the session URI, state changes and chat
//! lines); diagnostics go to stderr. No other module of the command line prints by itself (a test
//! keeps it so), so no server text reaches the terminal unescaped.

use std::io::Write;

use serde_json::{Value, json};

use crate::api::AuthOutcome;
use crate::api::model::{ChatState, Event, EventKind, Info, Line, LineSource};
use crate::session::SessionUpdate;

pub use crate::terminal_text::{note, terminal_safe};

/// Writes a line on stdout, made safe for the terminal. A closed stdout (a pipe into `head`)
/// is not worth dying for: the write is let go.
pub fn say(line: impl std::fmt::Display) {
    let _ = writeln!(
        std::io::stdout().lock(),
        "{}",
        terminal_safe(&line.to_string())
    );
}

/// Writes a question without a newline, made safe for the terminal: on stderr, so stdout keeps
/// only the command's results (JSON Lines stay JSON Lines).
pub fn ask(text: impl std::fmt::Display) {
    let mut out = std::io::stderr().lock();
    let _ = write!(out, "{}", terminal_safe(&text.to_string()));
    let _ = out.flush();
}

/// Writes a whole file's content on stdout as it is (`export --har -`): a document for a
/// pipe, not lines for a terminal. The export escaped its control characters already.
pub fn document(content: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(content.as_bytes())?;
    out.flush()
}

/// Writes one JSON line on stdout. Every line a command prints says what it is in `type`.
pub fn json_line(object: &Value) {
    debug_assert!(
        object.get("type").is_some(),
        "a JSON line without a type: {object}"
    );
    let _ = writeln!(std::io::stdout().lock(), "{object}");
}

/// A command's output: text for people or JSON Lines for scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Output {
    json: bool,
}

impl Output {
    pub fn new(output: super::args::OutputArg) -> Self {
        Self {
            json: output == super::args::OutputArg::Json,
        }
    }

    pub fn is_json(self) -> bool {
        self.json
    }

    /// `text` for people, or `object` for scripts.
    pub fn emit(self, text: impl std::fmt::Display, object: &Value) {
        if self.json {
            json_line(object);
        } else {
            say(text);
        }
    }

    /// A line only people get (a heading, an empty list's note): nothing in JSON.
    pub fn text(self, text: impl std::fmt::Display) {
        if !self.json {
            say(text);
        }
    }

    /// A line only scripts get.
    pub fn json(self, object: &Value) {
        if self.json {
            json_line(object);
        }
    }

    /// A command's failure: `error:`, `why:`, `hint:` on stderr, or one `error` JSON line.
    pub fn failure(self, failure: &super::run::Failure) {
        if self.json {
            json_line(
                &json!({"type": "error", "code": failure.code, "message": failure.message,
                              "why": failure.why, "hint": failure.hint}),
            );
            return;
        }
        note(format!("error: {}", failure.message));
        if let Some(why) = &failure.why {
            note(format!("why: {why}"));
        }
        if let Some(hint) = &failure.hint {
            note(format!("hint: {hint}"));
        }
    }
}

/// Prints what the commands produce, in the chosen output.
pub struct Printer<W: Write> {
    out: W,
    json: bool,
    state: Option<ChatState>,
    /// The agent's name as the info last gave it, to say who is typing.
    agent: Option<String>,
    /// Whether the agent was last said to be typing: each change is said once.
    typing: bool,
}

impl Printer<std::io::Stdout> {
    /// A printer on stdout.
    pub fn stdout(output: super::args::OutputArg) -> Self {
        Self::new(std::io::stdout(), output == super::args::OutputArg::Json)
    }
}

impl<W: Write> Printer<W> {
    pub fn new(out: W, json: bool) -> Self {
        Self {
            out,
            json,
            state: None,
            agent: None,
            typing: false,
        }
    }

    pub fn into_inner(self) -> W {
        self.out
    }

    /// The chat state last printed.
    pub fn state(&self) -> Option<&ChatState> {
        self.state.as_ref()
    }

    fn emit(&mut self, text: &str, object: Value) {
        // A closed stdout (a pipe into `head`) is not an error worth dying for.
        let _ = if self.json {
            writeln!(self.out, "{object}")
        } else {
            writeln!(self.out, "{}", terminal_safe(text))
        };
        let _ = self.out.flush();
    }

    /// The session URI: alone on the first line of text output.
    pub fn session(&mut self, uri: &str) {
        self.emit(uri, json!({"type": "session", "uri": uri}));
    }

    /// The authentication outcome (JSON output only: text output keeps the URI first).
    pub fn auth(&mut self, outcome: &AuthOutcome) -> Option<String> {
        let (object, summary) = match outcome {
            AuthOutcome::Ids {
                status,
                conversation_id,
                participant_id,
            } => (
                json!({"type": "auth", "status": status, "outcome": "ids",
                       "conversationId": conversation_id, "participantId": participant_id}),
                format!("authenticated (HTTP {status}): conversation {conversation_id}"),
            ),
            AuthOutcome::ChatOpened {
                status,
                session_uri,
            } => (
                json!({"type": "auth", "status": status, "outcome": "chat", "location": session_uri.as_str()}),
                format!(
                    "authenticated (HTTP {status}): the service opened the chat itself; no chat request sent"
                ),
            ),
            AuthOutcome::Conversation {
                status,
                location,
                conversation_id,
            } => (
                json!({"type": "auth", "status": status, "outcome": "conversation",
                       "location": location.as_str(), "conversationId": conversation_id}),
                format!(
                    "authenticated (HTTP {status}): conversation {conversation_id} ({location})"
                ),
            ),
        };
        if self.json {
            self.emit("", object);
            None
        } else {
            Some(summary)
        }
    }

    /// The service does not know the skill the chat was requested for
    /// ([`Info::skill_not_recognised`]).
    pub fn skill_not_recognised(&mut self, skill: &str) {
        let text = crate::api::model::skill_not_recognised_text(skill);
        self.emit(
            &format!("warning: {text}"),
            json!({"type": "warning", "warning": "skillNotRecognised", "skill": skill.trim(),
                   "text": text}),
        );
    }

    /// Prints one tracker update. Returns true when `awaited` was reached in this update, after
    /// the whole batch has been printed (so the greeting that comes with `chatting` shows).
    pub fn update(&mut self, update: &SessionUpdate, awaited: Option<&ChatState>) -> bool {
        match update {
            SessionUpdate::Batch { events, info } => self.batch(events, info.as_deref(), awaited),
            SessionUpdate::AgentTyping(typing) => {
                self.agent_typing(*typing);
                false
            }
            SessionUpdate::EstimatedWait(estimate) if self.json => {
                let seconds = match estimate {
                    crate::api::model::EstimatedWait::Seconds(s) => json!(s),
                    _ => Value::Null,
                };
                self.emit("", json!({"type": "estimatedWait", "seconds": seconds, "text": estimate.to_string()}));
                false
            }
            _ => false,
        }
    }

    /// The agent started or stopped typing (on change only, Q35): a line when it starts; in
    /// JSON also one when it stops.
    fn agent_typing(&mut self, typing: bool) {
        if typing == self.typing {
            return;
        }
        self.typing = typing;
        let agent = self.agent.clone();
        let object = json!({"type": "typing", "typing": typing, "agent": agent});
        if self.json {
            self.emit("", object);
        } else if typing {
            let who = agent.map_or_else(|| "the agent".to_string(), |name| format!("agent {name}"));
            self.emit(&format!("{who} is typing…"), object);
        }
    }

    /// The visitor's name set (or not, or perhaps) for the chat: a `visitorName` line in JSON;
    /// for people the sentence to say on stderr (stdout keeps the URI, states and lines), with
    /// why and the next step when they are known.
    pub fn visitor_named(
        &mut self,
        name: &str,
        result: &Result<(), crate::api::error::CallFailure>,
    ) -> Option<String> {
        let (object, said) = match result {
            Ok(()) => (
                json!({"type": "visitorName", "name": name, "set": true, "outcome": "set"}),
                format!("visitor name set: {name}"),
            ),
            Err(failure) => {
                let why = failure.explanation.map(|e| e.why);
                let hint = failure.explanation.map(|e| e.next.command_line);
                let (set, outcome, said) = if failure.outcome_unknown {
                    (
                        Value::Null,
                        "unknown",
                        format!(
                            "warning: the visitor's name may have been set: the request went out \
                             and no answer came ({failure}); the chat goes on"
                        ),
                    )
                } else {
                    (
                        Value::Bool(false),
                        "notSet",
                        format!(
                            "warning: the visitor's name was not set ({failure}); the chat goes \
                             on without it"
                        ),
                    )
                };
                let mut said = said;
                for (label, text) in [("why", why), ("hint", hint)] {
                    if let Some(text) = text {
                        said.push_str(&format!("\n{label}: {text}"));
                    }
                }
                (
                    json!({"type": "visitorName", "name": name, "set": set, "outcome": outcome,
                           "error": failure.message, "why": why, "hint": hint}),
                    said,
                )
            }
        };
        if self.json {
            self.emit("", object);
            None
        } else {
            Some(said)
        }
    }

    fn batch(
        &mut self,
        events: &[Event],
        info: Option<&Info>,
        awaited: Option<&ChatState>,
    ) -> bool {
        let agent = info.and_then(|i| i.agent_name.as_deref());
        if let Some(name) = agent.filter(|name| !name.trim().is_empty()) {
            self.agent = Some(name.to_string());
        }
        let mut reached = false;
        for event in events {
            match &event.kind {
                EventKind::State(state) => reached |= self.state_change(state, agent, awaited),
                EventKind::Line(line) => self.line(line),
                EventKind::Url { url: Some(url) } => {
                    self.emit(&format!("url: {url}"), json!({"type": "url", "url": url}));
                }
                EventKind::A2aTransfer {
                    domain,
                    skill,
                    remote_site_id,
                    chat_request_parameters,
                } => self.emit(
                    &format!(
                        "transfer to another account ({} on {}), skill {} — not followed{}",
                        remote_site_id.as_deref().unwrap_or("?"),
                        domain.as_deref().unwrap_or("?"),
                        skill.as_deref().unwrap_or("?"),
                        chat_request_parameters
                            .as_ref()
                            .map(|p| format!("; its chat request there: {p}"))
                            .unwrap_or_default()
                    ),
                    json!({"type": "a2aTransfer", "domain": domain, "skill": skill,
                           "remoteSiteId": remote_site_id,
                           "chatRequestParameters": chat_request_parameters}),
                ),
                EventKind::Url { url: None }
                | EventKind::LineStatus { .. }
                | EventKind::Other { .. } => {}
            }
        }
        let has_state_event = events.iter().any(|e| matches!(e.kind, EventKind::State(_)));
        if let Some(state) = info
            .and_then(|i| i.state.as_ref())
            .filter(|_| !has_state_event)
        {
            reached |= self.state_change(state, agent, awaited);
        }
        reached
    }

    fn state_change(
        &mut self,
        state: &ChatState,
        agent: Option<&str>,
        awaited: Option<&ChatState>,
    ) -> bool {
        if self.state.as_ref() != Some(state) {
            self.state = Some(state.clone());
            let agent = agent.filter(|_| *state == ChatState::Chatting);
            let text = match agent {
                Some(name) => format!("state: {state} (agent {name})"),
                None => format!("state: {state}"),
            };
            self.emit(
                &text,
                json!({"type": "state", "state": state.as_str(), "agent": agent}),
            );
        }
        awaited.is_some_and(|awaited| state.has_reached(awaited))
    }

    fn line(&mut self, line: &Line) {
        let text = line.plain_text();
        let mut label = if line.is_pre_chat_echo() {
            "pre-chat".to_string()
        } else {
            match &line.source {
                LineSource::System => "system".to_string(),
                LineSource::Agent => format!("agent {}", line.by),
                LineSource::Visitor => format!("visitor {}", line.by),
                LineSource::Other(source) => format!("{source} {}", line.by),
            }
        };
        if line.is_agents_only() {
            label.push_str(" (for agents only, not shown to visitors)");
        }
        // Continuation lines are indented so each chat line stays one visual unit.
        let shown = text.replace('\n', "\n    ");
        self.emit(
            &format!("{label}: {shown}"),
            json!({"type": "line", "source": line.source.as_str(), "by": line.by, "text": text,
                   "systemMessageId": line.system_message_id, "preChat": line.is_pre_chat_echo(),
                   "agentsOnly": line.is_agents_only(),
                   "textType": line.text_type}),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::model::EventsDocument;

    fn printed(document: Value, json: bool) -> String {
        let events = EventsDocument::from_document(&document)
            .expect("events")
            .events;
        let mut printer = Printer::new(Vec::new(), json);
        printer.update(&SessionUpdate::Batch { events, info: None }, None);
        String::from_utf8(printer.into_inner()).expect("utf-8")
    }

    #[test]
    fn a_line_for_agents_only_is_marked_so() {
        let document = json!({"events": {"event": [
            {"@id": "1", "@type": "line", "by": "Bob", "source": "agent", "text": "rep only",
             "textType": "plain", "subType": "ONLY_TO_REP"},
            {"@id": "2", "@type": "line", "by": "Bob", "source": "agent", "text": "hello",
             "textType": "plain", "subType": "REGULAR"}
        ]}});
        let text = printed(document.clone(), false);
        assert_eq!(
            text.lines().collect::<Vec<_>>(),
            [
                "agent Bob (for agents only, not shown to visitors): rep only",
                "agent Bob: hello"
            ]
        );
        let json_lines = printed(document, true);
        let flags: Vec<bool> = json_lines
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).expect("json")["agentsOnly"] == true)
            .collect();
        assert_eq!(flags, [true, false]);
    }

    #[test]
    fn an_account_to_account_transfer_shows_where_and_the_request_to_send_there() {
        let document = json!({"events": {"event": {"@id": "9", "@type": "a2a-transfer",
            "chatRequestParameters": {"a2aEventId": 467, "a2aSourceSessionId": 8396550,
                                      "a2aSourceSiteId": 81992017, "skill": "test"},
            "domain": "base.liveperson.net", "remoteSiteId": 70648893, "skill": "test"}}});
        let text = printed(document.clone(), false);
        assert!(
            text.starts_with(
                "transfer to another account (70648893 on base.liveperson.net), skill test — not followed"
            ),
            "{text}"
        );
        assert!(text.contains(r#""a2aEventId":467"#), "{text}");
        let line: Value = serde_json::from_str(printed(document, true).trim()).expect("json");
        assert_eq!(line["remoteSiteId"], "70648893");
        assert_eq!(line["chatRequestParameters"]["a2aSourceSiteId"], 81992017);
    }

    #[test]
    fn agent_typing_is_said_once_as_it_starts_and_in_json_as_it_stops_too() {
        let document = json!({"events": {"event": []}});
        let events = EventsDocument::from_document(&document)
            .expect("events")
            .events;
        let info = crate::api::model::Info {
            agent_name: Some("Natalie".into()),
            ..crate::api::model::Info::default()
        };
        let updates = [
            SessionUpdate::AgentTyping(true),
            SessionUpdate::Batch {
                events,
                info: Some(Box::new(info)),
            },
            SessionUpdate::AgentTyping(true),
            SessionUpdate::AgentTyping(false),
            SessionUpdate::AgentTyping(false),
            SessionUpdate::AgentTyping(true),
        ];
        let run = |json: bool| {
            let mut printer = Printer::new(Vec::new(), json);
            for update in &updates {
                printer.update(update, None);
            }
            String::from_utf8(printer.into_inner()).expect("utf-8")
        };
        assert_eq!(
            run(false).lines().collect::<Vec<_>>(),
            ["the agent is typing…", "agent Natalie is typing…"]
        );
        let typing: Vec<(bool, Value)> = run(true)
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).expect("json"))
            .filter(|o| o["type"] == "typing")
            .map(|o| (o["typing"] == true, o["agent"].clone()))
            .collect();
        assert_eq!(
            typing,
            [
                (true, Value::Null),
                (false, json!("Natalie")),
                (true, json!("Natalie"))
            ]
        );
    }

    #[test]
    fn no_command_prints_but_through_this_module() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/cli");
        let mut checked = 0;
        for entry in std::fs::read_dir(&dir).expect("src/cli") {
            let path = entry.expect("entry").path();
            if path.file_name().is_some_and(|n| n == "print.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("readable");
            for (number, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or(line);
                for printing in [
                    "println!",
                    "eprintln!",
                    "print!(",
                    "eprint!(",
                    "write!(std::io",
                    "writeln!(std::io",
                ] {
                    assert!(
                        !code.contains(printing),
                        "{}:{}: `{printing}` bypasses the escaping printer: {line}",
                        path.display(),
                        number + 1
                    );
                }
            }
            checked += 1;
        }
        assert!(checked >= 9, "{checked} files");
    }

    #[test]
    fn control_characters_are_escaped_and_newlines_and_tabs_kept() {
        assert_eq!(terminal_safe("a\tb\nc"), "a\tb\nc");
        assert_eq!(
            terminal_safe("\u{1b}]0;x\u{7}y\u{9b}"),
            r"\u{1b}]0;x\u{7}y\u{9b}"
        );
        // Characters that reorder what the terminal shows are written as escapes too.
        assert_eq!(
            terminal_safe("Natalie\u{202e}evil\u{2066}x\u{2069}"),
            r"Natalie\u{202e}evil\u{2066}x\u{2069}"
        );
        assert_eq!(terminal_safe("Zoë 東京 ¿qué?"), "Zoë 東京 ¿qué?");
    }
}
