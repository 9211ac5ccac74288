//! What a fault is: the endpoints a fault can target (and which one a request is for), the kinds
//! of misbehaviour, and `FaultSpec` — a `[[faults]]` table or a `--fault` argument — with its
//! checks and labels. No state: the counting and the answering are `super::Faults`.

use super::super::routes::{self, Incoming, Route};
use serde::Deserialize;

/// The endpoints a fault can target, by the names used in scenarios and `--fault`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultEndpoint {
    /// Every request.
    Any,
    /// CSDS domain lookup (§2.1).
    Csds,
    /// The account base resource (§2.2).
    Account,
    /// `POST conversation`: visitor authentication (§2.8).
    Conversation,
    /// `chat/availability` (§2.3).
    Availability,
    /// `chat/availableSlots` (§2.4).
    Slots,
    /// `chat/estimatedWaitTime` (§2.5).
    Wait,
    /// `chat/preSurvey` (§2.6).
    Survey,
    /// `chat/offlineSurvey` (§2.7): GET and submit.
    OfflineSurvey,
    /// `POST chat/request` (§2.9).
    Request,
    /// `GET` the chat-session resource and its `next` links (§2.10).
    Session,
    /// `GET …/events` (§2.11).
    Events,
    /// `GET …/events/{n}`.
    Event,
    /// `POST …/events` with a line (§2.12).
    Line,
    /// `POST …/events` with `state ended` (§2.12).
    End,
    /// `GET …/info` (§2.13).
    Info,
    /// `…/info/visitorName` (§2.14).
    VisitorName,
    /// `…/info/visitorTyping` (§2.15).
    VisitorTyping,
    /// `…/info/agentTyping` (§2.16).
    AgentTyping,
    /// `…/exitSurvey` (§2.17): GET and submit.
    ExitSurvey,
    /// `…/transcriptRequest` and `…/transcriptWithSubjectRequest` (§2.18).
    Transcript,
    /// A path the emulator does not serve.
    Unknown,
}

impl FaultEndpoint {
    /// Every name, for error messages and docs.
    pub const NAMES: [&'static str; 22] = [
        "any",
        "csds",
        "account",
        "conversation",
        "availability",
        "slots",
        "wait",
        "survey",
        "offline-survey",
        "request",
        "session",
        "events",
        "event",
        "line",
        "end",
        "info",
        "visitor-name",
        "visitor-typing",
        "agent-typing",
        "exit-survey",
        "transcript",
        "unknown",
    ];

    /// The endpoint a request is for.
    pub fn of(incoming: &Incoming) -> FaultEndpoint {
        let Some(target) = routes::parse_path(&incoming.path) else {
            return FaultEndpoint::Unknown;
        };
        let post = incoming.method == "POST";
        match target.route {
            Route::Csds(_) => FaultEndpoint::Csds,
            Route::Account => FaultEndpoint::Account,
            Route::Conversation => FaultEndpoint::Conversation,
            Route::Availability => FaultEndpoint::Availability,
            Route::AvailableSlots => FaultEndpoint::Slots,
            Route::EstimatedWaitTime => FaultEndpoint::Wait,
            Route::PreSurvey => FaultEndpoint::Survey,
            Route::OfflineSurvey => FaultEndpoint::OfflineSurvey,
            Route::ChatRequest => FaultEndpoint::Request,
            Route::Chat(_) => FaultEndpoint::Session,
            // An end is `{"event":{"@type":"state","state":"ended"}}` or its XML; a line's text
            // could say "ended" too, so look for the state element, not the word.
            Route::Events(_) if post && is_end_body(&incoming.body) => FaultEndpoint::End,
            Route::Events(_) if post => FaultEndpoint::Line,
            Route::Events(_) => FaultEndpoint::Events,
            Route::Event(..) => FaultEndpoint::Event,
            Route::Info(_) => FaultEndpoint::Info,
            Route::VisitorName(_) => FaultEndpoint::VisitorName,
            Route::VisitorTyping(_) => FaultEndpoint::VisitorTyping,
            Route::AgentTyping(_) => FaultEndpoint::AgentTyping,
            Route::ExitSurvey(_) => FaultEndpoint::ExitSurvey,
            Route::TranscriptRequest(_) | Route::TranscriptWithSubjectRequest(_) => {
                FaultEndpoint::Transcript
            }
        }
    }
}

/// Every endpoint, in the order of `FaultEndpoint::NAMES`.
const ALL_ENDPOINTS: [FaultEndpoint; 22] = [
    FaultEndpoint::Any,
    FaultEndpoint::Csds,
    FaultEndpoint::Account,
    FaultEndpoint::Conversation,
    FaultEndpoint::Availability,
    FaultEndpoint::Slots,
    FaultEndpoint::Wait,
    FaultEndpoint::Survey,
    FaultEndpoint::OfflineSurvey,
    FaultEndpoint::Request,
    FaultEndpoint::Session,
    FaultEndpoint::Events,
    FaultEndpoint::Event,
    FaultEndpoint::Line,
    FaultEndpoint::End,
    FaultEndpoint::Info,
    FaultEndpoint::VisitorName,
    FaultEndpoint::VisitorTyping,
    FaultEndpoint::AgentTyping,
    FaultEndpoint::ExitSurvey,
    FaultEndpoint::Transcript,
    FaultEndpoint::Unknown,
];

pub(crate) fn is_end_body(body: &str) -> bool {
    let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    compact.contains("\"state\":\"ended\"") || compact.contains("<state>ended</state>")
}

/// What a fault does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultKind {
    /// Answer `status` (default 503) with the service's error body (or `body`), without acting
    /// on the request; `retry_after` adds a `Retry-After` header.
    Status,
    /// Act on the request, then hold the answer for `delay_ms` (the request log has it at once).
    Slow,
    /// Act on the request, send the headers and part of the body, then close the connection.
    Drop,
    /// Act on the request, then replace the body by its first half, or by `body` when given.
    Malformed,
    /// Act on the request, then remove the `Location` header (a 2xx chat request without it).
    NoLocation,
    /// Act on the request, then remove every `next` link from the document.
    NoNext,
    /// Act on the request, then remove the chat-level `next` link only, keeping the events-level
    /// one (a server whose chat document offers only that).
    NoChatNext,
    /// Act on the request, then make every link and `Location` relative (path and query only):
    /// a server that does not send the absolute links the real service sends (Q5).
    RelativeLinks,
    /// Answer only the first of the events (the `next` links just past it), the info as it is
    /// now: a server that hands its events out one at a time, its info ahead of them.
    Drip,
    /// Answer events from id 0 again (the `next` link unchanged), each listed twice.
    Repeat,
    /// Answer the events of a document in reverse order.
    Reorder,
    /// Answer `status` (default 400) with an error whose message quotes the whole request —
    /// its URL with the query, its headers, its body, and the body once more base64-encoded —
    /// without acting on it: a server, or a gateway in front of it, that echoes what it was
    /// sent, secrets included.
    Echo,
    /// End the chat the request names (by the agent, or idle with `by = "idle"`), then act on
    /// the request: the server ends the chat while the visitor types.
    End,
}

/// Who ends a chat in an `end` fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EndedBy {
    /// The agent leaves: system line 5, then `state ended`.
    #[default]
    Agent,
    /// The idle timeout: system line 6, then `state ended`.
    Idle,
}

/// One scripted fault: `[[faults]]` in a scenario, or `--fault SPEC`.
///
/// It hits the calls of `endpoint` numbered `skip`, `skip + every`, `skip + 2·every`, … (calls
/// count from 0, per endpoint, over the emulator's life), at most `count` times (unlimited when
/// absent). When several faults hit one call, the first listed wins.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// The endpoint whose calls it counts and hits.
    pub endpoint: FaultEndpoint,
    /// What it does.
    pub kind: FaultKind,
    /// `status`: the status answered (default 503).
    #[serde(default)]
    pub status: Option<u16>,
    /// `status`: seconds sent in `Retry-After` (none: no header).
    #[serde(default)]
    pub retry_after: Option<u64>,
    /// `slow`: milliseconds the answer is held (default 5000).
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// `malformed`: the body sent instead (default: the first half of the real body);
    /// `status`: the body sent instead of the service's error document.
    #[serde(default)]
    pub body: Option<String>,
    /// `end`: who ends the chat (default agent).
    #[serde(default)]
    pub by: EndedBy,
    /// Calls of the endpoint let through before the first hit (default 0).
    #[serde(default)]
    pub skip: u32,
    /// Hit every n-th call from `skip` on (default 1: every call).
    #[serde(default)]
    pub every: Option<u32>,
    /// Hit at most this many calls (default unlimited).
    #[serde(default)]
    pub count: Option<u32>,
}

impl FaultSpec {
    /// Parses the compact `--fault` syntax: `KIND@ENDPOINT` (or `STATUS@ENDPOINT` for a status
    /// fault) followed by `,key=value` pairs with the keys of a `[[faults]]` table, e.g.
    /// `503@session,count=2,retry_after=0`, `slow@request,delay_ms=3000`,
    /// `end@visitor-typing,by=idle`. The pairs alone work too:
    /// `kind=drop,endpoint=request`.
    pub fn parse(spec: &str) -> Result<FaultSpec, String> {
        let mut table = toml::Table::new();
        for (index, item) in spec.split(',').map(str::trim).enumerate() {
            if item.is_empty() {
                continue;
            }
            if let Some((key, value)) = item.split_once('=') {
                let value = match value.trim().parse::<i64>() {
                    Ok(number) => toml::Value::Integer(number),
                    Err(_) => toml::Value::String(value.trim().to_string()),
                };
                table.insert(key.trim().to_string(), value);
            } else if let (0, Some((kind, endpoint))) = (index, item.split_once('@')) {
                let kind = kind.trim();
                if let Ok(status) = kind.parse::<i64>() {
                    table.insert("kind".into(), toml::Value::String("status".into()));
                    table.insert("status".into(), toml::Value::Integer(status));
                } else {
                    table.insert("kind".into(), toml::Value::String(kind.into()));
                }
                table.insert(
                    "endpoint".into(),
                    toml::Value::String(endpoint.trim().into()),
                );
            } else {
                return Err(format!(
                    "fault `{spec}`: `{item}` is neither KIND@ENDPOINT (first) nor key=value"
                ));
            }
        }
        let fault: FaultSpec = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| format!("fault `{spec}`: {}", e.message()))?;
        fault.check().map_err(|e| format!("fault `{spec}`: {e}"))?;
        Ok(fault)
    }

    /// Checks what serde cannot: sensible numbers.
    pub fn check(&self) -> Result<(), String> {
        if let Some(status) = self.status {
            if !(100..=599).contains(&status) {
                return Err(format!("status {status} is not an HTTP status"));
            }
            if !matches!(self.kind, FaultKind::Status | FaultKind::Echo) {
                return Err("`status` only goes with kinds status and echo".into());
            }
        }
        if self.every == Some(0) {
            return Err("`every` must be at least 1".into());
        }
        if self.count == Some(0) {
            return Err("`count` must be at least 1 (leave it out for every time)".into());
        }
        if self.retry_after.is_some() && self.kind != FaultKind::Status {
            return Err("`retry_after` only goes with kind status".into());
        }
        if self.delay_ms.is_some() && self.kind != FaultKind::Slow {
            return Err("`delay_ms` only goes with kind slow".into());
        }
        if self.body.is_some() && !matches!(self.kind, FaultKind::Malformed | FaultKind::Status) {
            return Err("`body` only goes with kinds malformed and status".into());
        }
        Ok(())
    }

    /// Whether call number `call` (from 0) of the endpoint is one this fault targets, ignoring
    /// `count`.
    pub(super) fn targets(&self, call: u32) -> bool {
        call >= self.skip && (call - self.skip) % self.every.unwrap_or(1).max(1) == 0
    }

    /// A short label for the request log: `status 503`, `slow 3000 ms`, `no-next`, ….
    pub fn label(&self) -> String {
        match self.kind {
            FaultKind::Status => format!("status {}", self.status.unwrap_or(503)),
            FaultKind::Echo => format!("echo {}", self.status.unwrap_or(400)),
            FaultKind::Slow => format!("slow {} ms", self.delay()),
            FaultKind::Drop => "drop".into(),
            FaultKind::Malformed => "malformed".into(),
            FaultKind::NoLocation => "no-location".into(),
            FaultKind::NoNext => "no-next".into(),
            FaultKind::NoChatNext => "no-chat-next".into(),
            FaultKind::RelativeLinks => "relative-links".into(),
            FaultKind::Drip => "drip".into(),
            FaultKind::Repeat => "repeat".into(),
            FaultKind::Reorder => "reorder".into(),
            FaultKind::End => match self.by {
                EndedBy::Agent => "end by agent".into(),
                EndedBy::Idle => "end by idle timeout".into(),
            },
        }
    }

    /// One line for the emulator's banner: what, where, which calls.
    pub fn describe(&self) -> String {
        let mut text = format!("{} on {}", self.label(), self.endpoint_name());
        if let Some(after) = self.retry_after {
            text.push_str(&format!(", Retry-After {after}"));
        }
        if self.skip > 0 {
            text.push_str(&format!(", after {} calls", self.skip));
        }
        if let Some(every) = self.every.filter(|e| *e > 1) {
            text.push_str(&format!(", every {every} calls"));
        }
        match self.count {
            Some(count) => text.push_str(&format!(", {count} times")),
            None => text.push_str(", every time"),
        }
        text
    }

    fn endpoint_name(&self) -> &'static str {
        let names = FaultEndpoint::NAMES;
        let index = ALL_ENDPOINTS
            .iter()
            .position(|e| *e == self.endpoint)
            .unwrap_or(0);
        names.get(index).copied().unwrap_or("any")
    }

    pub(super) fn delay(&self) -> u64 {
        self.delay_ms.unwrap_or(5000)
    }
}

#[cfg(test)]
mod tests {
    use super::super::rewrite::from_zero;
    use super::*;

    #[test]
    fn the_compact_syntax_reads_shorthands_and_pairs() {
        let fault = FaultSpec::parse("503@session,count=2,retry_after=0").expect("spec");
        assert_eq!(fault.kind, FaultKind::Status);
        assert_eq!(fault.status, Some(503));
        assert_eq!(fault.endpoint, FaultEndpoint::Session);
        assert_eq!((fault.count, fault.retry_after), (Some(2), Some(0)));
        let fault = FaultSpec::parse("slow@request,delay_ms=3000").expect("spec");
        assert_eq!((fault.kind, fault.delay_ms), (FaultKind::Slow, Some(3000)));
        let fault = FaultSpec::parse("kind=end,endpoint=visitor-typing,by=idle").expect("spec");
        assert_eq!((fault.kind, fault.by), (FaultKind::End, EndedBy::Idle));
        let fault = FaultSpec::parse("no-next@events,skip=1,every=3").expect("spec");
        assert!(!fault.targets(0) && fault.targets(1) && !fault.targets(2) && fault.targets(4));
    }

    #[test]
    fn every_endpoint_name_reads_back_as_its_endpoint() {
        for (name, endpoint) in FaultEndpoint::NAMES.iter().zip(ALL_ENDPOINTS) {
            let fault = FaultSpec::parse(&format!("drop@{name}")).expect(name);
            assert_eq!(fault.endpoint, endpoint);
            assert!(fault.describe().contains(&format!("drop on {name}")));
        }
    }

    #[test]
    fn bad_specs_are_refused_with_the_reason() {
        let error = FaultSpec::parse("503@sesion").unwrap_err();
        assert!(error.contains("sesion"), "{error}");
        let error = FaultSpec::parse("explode@session").unwrap_err();
        assert!(error.contains("explode"), "{error}");
        let error = FaultSpec::parse("drop@request,delay=3").unwrap_err();
        assert!(error.contains("delay"), "{error}");
        let error = FaultSpec::parse("drop@request,delay_ms=3").unwrap_err();
        assert!(error.contains("delay_ms"), "{error}");
        let error = FaultSpec::parse("999@request").unwrap_err();
        assert!(error.contains("999"), "{error}");
        let error = FaultSpec::parse("session").unwrap_err();
        assert!(error.contains("KIND@ENDPOINT"), "{error}");
        assert!(FaultSpec::parse("503@session,every=0").is_err());
    }

    #[test]
    fn ends_are_told_from_lines() {
        assert!(is_end_body(
            r#"{"event":{"@type":"state","state":"ended"}}"#
        ));
        assert!(is_end_body(
            "<event type=\"state\"><state>ended</state></event>"
        ));
        assert!(!is_end_body(
            r#"{"event":{"@type":"line","text":"it ended"}}"#
        ));
        let incoming = Incoming {
            method: "POST".into(),
            path: "/api/account/1/chat/H1/events".into(),
            body: r#"{"event":{"@type":"line","text":"hi"}}"#.into(),
            ..Incoming::default()
        };
        assert_eq!(FaultEndpoint::of(&incoming), FaultEndpoint::Line);
        let from = from_zero(&Incoming {
            query: "v=1&from=7&NC=true".into(),
            ..Incoming::default()
        });
        assert_eq!(from.query, "v=1&NC=true&from=0");
    }
}
