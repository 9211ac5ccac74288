//! The fault layer: scripted misbehaviour wrapped around `routes::handle` — error statuses (5xx,
//! 429 with `Retry-After`, 404), slow answers, connections dropped mid-body, malformed bodies, a
//! 2xx without `Location`, documents without a `next` link, repeated or reordered events, and a
//! chat ended by the server. Faults are read from `[[faults]]` tables of the scenario or from
//! `chatstart emulator --fault SPEC`; each counts the calls of its endpoint.
//!
//! Works on the plain `Incoming`/`Reply` data of `routes`; the HTTP side of "slow" and "drop" is
//! done by `mod.rs::serve`, which gets a `Delivery` from here. Must not import `crate::api::model`.

use super::queue::Chat;
use super::routes::{self, Format, Incoming, Reply, Route, State};
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

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
    /// `chat/offlineSurvey` (§2.7).
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
    /// A path the emulator does not serve.
    Unknown,
}

impl FaultEndpoint {
    /// Every name, for error messages and docs.
    pub const NAMES: [&'static str; 20] = [
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
        }
    }
}

/// Every endpoint, in the order of `FaultEndpoint::NAMES`.
const ALL_ENDPOINTS: [FaultEndpoint; 20] = [
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
            if self.kind != FaultKind::Status {
                return Err("`status` only goes with kind status".into());
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
    fn targets(&self, call: u32) -> bool {
        call >= self.skip && (call - self.skip) % self.every.unwrap_or(1).max(1) == 0
    }

    /// A short label for the request log: `status 503`, `slow 3000 ms`, `no-next`, ….
    pub fn label(&self) -> String {
        match self.kind {
            FaultKind::Status => format!("status {}", self.status.unwrap_or(503)),
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

    fn delay(&self) -> u64 {
        self.delay_ms.unwrap_or(5000)
    }
}

/// How `serve` sends a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// At once, whole.
    Normal,
    /// After this long.
    Slow(Duration),
    /// Headers and part of the body, then the connection is closed.
    Drop,
}

/// The faults in play and their counters.
#[derive(Debug, Default)]
pub struct Faults {
    specs: Mutex<Vec<(FaultSpec, u32)>>,
    calls: Mutex<HashMap<FaultEndpoint, u32>>,
}

/// What the fault layer did with one request.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The answer.
    pub reply: Reply,
    /// How to send it.
    pub delivery: Delivery,
    /// The fault that hit, if any.
    pub fault: Option<String>,
}

impl Faults {
    /// Faults from a scenario or the command line.
    pub fn new(specs: Vec<FaultSpec>) -> Faults {
        Faults {
            specs: Mutex::new(specs.into_iter().map(|spec| (spec, 0)).collect()),
            calls: Mutex::new(HashMap::new()),
        }
    }

    /// Replaces the faults; call counts carry on, hit counts restart.
    pub fn replace(&self, specs: Vec<FaultSpec>) {
        *self.specs.lock().unwrap_or_else(|e| e.into_inner()) =
            specs.into_iter().map(|spec| (spec, 0)).collect();
    }

    /// Counts the call and picks the fault that hits it, if any.
    fn pick(&self, endpoint: FaultEndpoint) -> Option<FaultSpec> {
        let (call, any_call) = {
            let mut calls = self.calls.lock().unwrap_or_else(|e| e.into_inner());
            let mut bump = |endpoint| {
                let counter = calls.entry(endpoint).or_insert(0);
                let call = *counter;
                *counter += 1;
                call
            };
            (bump(endpoint), bump(FaultEndpoint::Any))
        };
        let mut specs = self.specs.lock().unwrap_or_else(|e| e.into_inner());
        specs.iter_mut().find_map(|(spec, hits)| {
            let call = match spec.endpoint {
                FaultEndpoint::Any => any_call,
                wanted if wanted == endpoint => call,
                _ => return None,
            };
            let spent = spec.count.is_some_and(|count| *hits >= count);
            (spec.targets(call) && !spent).then(|| {
                *hits += 1;
                spec.clone()
            })
        })
    }

    /// Answers one request through `routes::handle`, with the fault that hits it, if any.
    pub fn answer(&self, state: &State, incoming: &Incoming) -> Outcome {
        let Some(fault) = self.pick(FaultEndpoint::of(incoming)) else {
            return Outcome {
                reply: routes::handle(state, incoming),
                delivery: Delivery::Normal,
                fault: None,
            };
        };
        let format = reply_format(incoming);
        let mut delivery = Delivery::Normal;
        let reply = match fault.kind {
            FaultKind::Status => status_reply(&fault, format),
            FaultKind::Slow => {
                delivery = Delivery::Slow(Duration::from_millis(fault.delay()));
                routes::handle(state, incoming)
            }
            FaultKind::Drop => {
                delivery = Delivery::Drop;
                routes::handle(state, incoming)
            }
            FaultKind::Malformed => {
                let mut reply = routes::handle(state, incoming);
                reply.body = match &fault.body {
                    Some(body) => body.clone(),
                    None => first_half(&reply.body),
                };
                reply
            }
            FaultKind::NoLocation => {
                let mut reply = routes::handle(state, incoming);
                reply
                    .headers
                    .retain(|(name, _)| !name.eq_ignore_ascii_case("location"));
                reply
            }
            FaultKind::NoNext => rewrite(routes::handle(state, incoming), remove_next),
            FaultKind::NoChatNext => rewrite(routes::handle(state, incoming), |document| {
                if let Some(chat) = document.get_mut("chat") {
                    remove_own_next(chat);
                }
            }),
            FaultKind::RelativeLinks => {
                let mut reply = rewrite(routes::handle(state, incoming), make_links_relative);
                for (name, value) in &mut reply.headers {
                    if name.eq_ignore_ascii_case("location") {
                        *value = relative(value);
                    }
                }
                reply
            }
            FaultKind::Drip => rewrite(routes::handle(state, incoming), |document| {
                let mut first = None;
                edit_events(document, |events| {
                    events.truncate(1);
                    first = events
                        .first()
                        .and_then(|e| e.get("@id"))
                        .and_then(|id| id.as_str()?.parse::<u64>().ok());
                });
                if let Some(first) = first {
                    set_next_from(document, first + 1);
                }
            }),
            FaultKind::Repeat => {
                let again = from_zero(incoming);
                rewrite(routes::handle(state, &again), |document| {
                    edit_events(document, |events| {
                        *events = events.iter().flat_map(|e| [e.clone(), e.clone()]).collect();
                    });
                })
            }
            FaultKind::Reorder => rewrite(routes::handle(state, incoming), |document| {
                edit_events(document, |events| events.reverse());
            }),
            FaultKind::End => {
                if let Some(id) = chat_id(incoming) {
                    if let Some(chat) = state.chats().get_mut(&id) {
                        end_chat(chat, fault.by);
                    }
                }
                routes::handle(state, incoming)
            }
        };
        Outcome {
            reply,
            delivery,
            fault: Some(fault.label()),
        }
    }
}

fn end_chat(chat: &mut Chat, by: EndedBy) {
    let now = Instant::now();
    chat.advance(now);
    match by {
        EndedBy::Agent => chat.end_by_agent(now),
        EndedBy::Idle => chat.end_by_idle(now),
    }
}

/// The format the answer would have: the suffix, else `Accept`.
fn reply_format(incoming: &Incoming) -> Format {
    let suffix = routes::parse_path(&incoming.path).and_then(|t| t.suffix);
    suffix.unwrap_or_else(|| match incoming.header("accept") {
        Some(accept) if accept.to_ascii_lowercase().contains("xml") => Format::Xml,
        _ => Format::Json,
    })
}

fn status_reply(fault: &FaultSpec, format: Format) -> Reply {
    let status = fault.status.unwrap_or(503);
    let (message, code) = match status {
        404 => ("Chat session not found", 12),
        429 => ("Too many requests", 1),
        503 => ("Service temporarily unavailable", 1),
        _ => ("Internal server error", 1),
    };
    let mut reply = Reply::document(status, format, &super::documents::error(message, code));
    if let Some(body) = &fault.body {
        reply.body = body.clone();
        reply.headers.clear();
    }
    if let Some(seconds) = fault.retry_after {
        reply
            .headers
            .push(("Retry-After".into(), seconds.to_string()));
    }
    reply
}

/// The first half of a body, cut on a character boundary; a short placeholder for empty bodies
/// so that "malformed" is never an empty (and so readable-as-nothing) answer.
fn first_half(body: &str) -> String {
    if body.is_empty() {
        return "{\"chat\":".into();
    }
    let mut cut = body.len() / 2;
    while !body.is_char_boundary(cut) {
        cut -= 1;
    }
    body[..cut].to_string()
}

fn chat_id(incoming: &Incoming) -> Option<String> {
    match routes::parse_path(&incoming.path)?.route {
        Route::Chat(id)
        | Route::Events(id)
        | Route::Event(id, _)
        | Route::Info(id)
        | Route::VisitorName(id)
        | Route::VisitorTyping(id)
        | Route::AgentTyping(id) => Some(id),
        _ => None,
    }
}

/// The same request asking for every event from id 0.
fn from_zero(incoming: &Incoming) -> Incoming {
    let mut again = incoming.clone();
    let mut pairs: Vec<&str> = incoming
        .query
        .split('&')
        .filter(|pair| !pair.is_empty() && !pair.starts_with("from="))
        .collect();
    pairs.push("from=0");
    again.query = pairs.join("&");
    again
}

/// Re-reads a document reply, edits it and writes it back in the same format. Replies that are
/// not documents (empty, form-encoded) pass unchanged.
fn rewrite(reply: Reply, edit: impl FnOnce(&mut Value)) -> Reply {
    let xml = reply.body.trim_start().starts_with('<');
    let parsed = if xml {
        crate::xmljson::xml_to_value(&reply.body).ok()
    } else {
        serde_json::from_str::<Value>(&reply.body).ok()
    };
    let Some(mut document) = parsed else {
        return reply;
    };
    edit(&mut document);
    let format = if xml { Format::Xml } else { Format::Json };
    let mut rewritten = Reply::document(reply.status, format, &document);
    rewritten.headers = reply.headers;
    rewritten
}

/// Removes every link whose `@rel` is `next`, at any depth.
fn remove_next(value: &mut Value) {
    match value {
        Value::Object(_) => {
            remove_own_next(value);
            if let Value::Object(object) = value {
                object.values_mut().for_each(remove_next);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(remove_next),
        _ => {}
    }
}

/// Removes the `next` links of this element only, not of the elements inside it.
fn remove_own_next(value: &mut Value) {
    let Value::Object(object) = value else {
        return;
    };
    match object.get_mut("link") {
        Some(Value::Array(items)) => items.retain(|link| !is_next(link)),
        Some(link) if is_next(link) => {
            object.remove("link");
        }
        _ => {}
    }
}

/// Turns every absolute `@href` (or `href`), at any depth, into its path and query.
fn make_links_relative(value: &mut Value) {
    match value {
        Value::Object(object) => {
            for (key, item) in object.iter_mut() {
                match item {
                    Value::String(href) if key == "@href" || key == "href" => {
                        *href = relative(href);
                    }
                    other => make_links_relative(other),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(make_links_relative),
        _ => {}
    }
}

/// The path and query of an absolute URL; anything else as is.
fn relative(href: &str) -> String {
    match url::Url::parse(href) {
        Ok(url) => match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_string(),
        },
        Err(_) => href.to_string(),
    }
}

/// Points every `next` link, at any depth, at the events from `from` on.
fn set_next_from(value: &mut Value, from: u64) {
    match value {
        Value::Object(object) => {
            let next = object.get("@rel").and_then(Value::as_str) == Some("next");
            for (key, item) in object.iter_mut() {
                match item {
                    Value::String(href) if next && key == "@href" => {
                        if let Ok(mut url) = url::Url::parse(href) {
                            let pairs: Vec<(String, String)> = url
                                .query_pairs()
                                .filter(|(name, _)| name != "from")
                                .map(|(name, value)| (name.into_owned(), value.into_owned()))
                                .collect();
                            url.query_pairs_mut()
                                .clear()
                                .extend_pairs(pairs)
                                .append_pair("from", &from.to_string());
                            *href = url.to_string();
                        }
                    }
                    other => set_next_from(other, from),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| set_next_from(item, from)),
        _ => {}
    }
}

fn is_next(link: &Value) -> bool {
    link.get("@rel").and_then(Value::as_str) == Some("next")
}

/// Applies `edit` to the event list of a chat or events document, as an array.
fn edit_events(document: &mut Value, edit: impl FnOnce(&mut Vec<Value>)) {
    let events = match document.get_mut("chat") {
        Some(chat) => chat.get_mut("events"),
        None => document.get_mut("events"),
    };
    let Some(Value::Object(events)) = events else {
        return;
    };
    let Some(listed) = events.get_mut("event") else {
        return;
    };
    let mut items = match listed.take() {
        Value::Array(items) => items,
        single => vec![single],
    };
    edit(&mut items);
    *listed = Value::Array(items);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
    fn faults_count_calls_per_endpoint_and_stop_after_count() {
        let faults = Faults::new(vec![
            FaultSpec::parse("500@session,skip=1,count=2").expect("spec"),
            FaultSpec::parse("drop@any,skip=5,count=1").expect("spec"),
        ]);
        let hits: Vec<Option<String>> = (0..5)
            .map(|_| faults.pick(FaultEndpoint::Session).map(|f| f.label()))
            .collect();
        assert_eq!(
            hits,
            [
                None,
                Some("status 500".into()),
                Some("status 500".into()),
                None,
                None
            ]
        );
        assert_eq!(
            faults.pick(FaultEndpoint::Info),
            Some(FaultSpec::parse("drop@any,skip=5,count=1").expect("spec"))
        );
        assert_eq!(faults.pick(FaultEndpoint::Info), None);
    }

    #[test]
    fn next_links_are_removed_at_any_depth() {
        let mut document = json!({"chat": {
            "link": [{"@rel": "self", "@href": "a"}, {"@rel": "next", "@href": "b"}],
            "events": {"link": {"@rel": "next", "@href": "c"}, "event": {"@id": "0"}}
        }});
        remove_next(&mut document);
        assert_eq!(
            document["chat"]["link"],
            json!([{"@rel": "self", "@href": "a"}])
        );
        assert!(document["chat"]["events"].get("link").is_none());
    }

    #[test]
    fn events_are_repeated_and_reversed_as_arrays() {
        let mut document = json!({"events": {"event": {"@id": "3"}}});
        edit_events(&mut document, |events| {
            *events = events.iter().flat_map(|e| [e.clone(), e.clone()]).collect();
        });
        assert_eq!(
            document["events"]["event"],
            json!([{"@id": "3"}, {"@id": "3"}])
        );
        let mut document = json!({"chat": {"events": {"event": [{"@id": "1"}, {"@id": "2"}]}}});
        edit_events(&mut document, |events| events.reverse());
        assert_eq!(
            document["chat"]["events"]["event"],
            json!([{"@id": "2"}, {"@id": "1"}])
        );
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

    #[test]
    fn malformed_halves_are_cut_on_character_boundaries() {
        assert_eq!(first_half("ééé"), "é");
        assert_eq!(first_half(""), "{\"chat\":");
    }
}
