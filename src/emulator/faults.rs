//! The fault layer: scripted misbehaviour wrapped around `routes::handle` — error statuses (5xx,
//! 429 with `Retry-After`, 404), slow answers, connections dropped mid-body, malformed bodies, a
//! 2xx without `Location`, documents without a `next` link, repeated or reordered events, and a
//! chat ended by the server. Faults are read from `[[faults]]` tables of the scenario or from
//! `chatstart emulator --fault SPEC`; each counts the calls of its endpoint.
//!
//! Works on the plain `Incoming`/`Reply` data of `routes`; the HTTP side of "slow" and "drop" is
//! done by `mod.rs::serve`, which gets a `Delivery` from here. Must not import `crate::api::model`.

mod rewrite;
mod spec;

pub(crate) use spec::is_end_body;
pub use spec::{EndedBy, FaultEndpoint, FaultKind, FaultSpec};

use super::queue::Chat;
use super::routes::{self, Format, Incoming, Reply, Route, State};
use rewrite::{
    edit_events, first_half, from_zero, make_links_relative, relative, remove_next,
    remove_own_next, rewrite, set_next_from,
};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

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
            FaultKind::Echo => echo_reply(&fault, incoming, format),
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

fn echo_reply(fault: &FaultSpec, incoming: &Incoming, format: Format) -> Reply {
    use base64::Engine;
    let headers: Vec<String> = incoming
        .headers
        .iter()
        .map(|(name, value)| format!("{name}: {value}"))
        .collect();
    let message = format!(
        "Bad request: {} {}?{} [{}] body: {} (base64: {})",
        incoming.method,
        incoming.path,
        incoming.query,
        headers.join("; "),
        incoming.body,
        base64::engine::general_purpose::STANDARD.encode(&incoming.body),
    );
    Reply::document(
        fault.status.unwrap_or(400),
        format,
        &super::documents::error(&message, 1),
    )
}

fn chat_id(incoming: &Incoming) -> Option<String> {
    match routes::parse_path(&incoming.path)?.route {
        Route::Chat(id)
        | Route::Events(id)
        | Route::Event(id, _)
        | Route::Info(id)
        | Route::VisitorName(id)
        | Route::VisitorTyping(id)
        | Route::AgentTyping(id)
        | Route::ExitSurvey(id)
        | Route::TranscriptRequest(id)
        | Route::TranscriptWithSubjectRequest(id) => Some(id),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
