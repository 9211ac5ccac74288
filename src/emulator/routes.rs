//! Routing: turns a plain `Incoming` request into a `Reply` — path and suffix (§1.3), format
//! negotiation, the appKey and version checks, then the endpoint handler. Works on plain data,
//! not on axum types, so a fault layer can wrap `handle` (answer 5xx/429, delay, mangle) without
//! touching any endpoint.

use super::answers::SurveySubmission;
use super::checks::{self, CODE_UNKNOWN_URI, Rejection};
use super::documents::{self, Shape};
use super::queue::Chat;
use super::scenario::Scenario;
use super::{chat, endpoints, surveys, transcript};
use serde_json::Value;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Mutex, MutexGuard};

/// A request as the emulator sees it.
#[derive(Debug, Clone, Default)]
pub struct Incoming {
    /// Upper-case method, after `X-HTTP-Method-Override`.
    pub method: String,
    /// Path without query.
    pub path: String,
    /// Raw query string (no `?`).
    pub query: String,
    /// Header names lower-case, in arrival order.
    pub headers: Vec<(String, String)>,
    /// Body as text.
    pub body: String,
}

impl Incoming {
    /// First header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of query parameter `name`, percent-decoded.
    pub fn query_values(&self, name: &str) -> Vec<String> {
        self.query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .filter_map(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                (percent_decode(key) == name).then(|| percent_decode(value))
            })
            .collect()
    }

    /// First value of query parameter `name`, percent-decoded.
    pub fn query_value(&self, name: &str) -> Option<String> {
        self.query_values(name).into_iter().next()
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(high), Some(low)) => {
                    out.push(u8::try_from(high * 16 + low).unwrap_or(b'?'));
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An answer as plain data; `mod.rs` turns it into an HTTP response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// Headers besides Content-Length.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: String,
}

/// Response format (§1.3, §1.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `application/json`.
    Json,
    /// `application/xml`.
    Xml,
}

impl Reply {
    /// A document in the negotiated format.
    pub fn document(status: u16, format: Format, value: &Value) -> Reply {
        let (content_type, body) = match format {
            Format::Json => ("application/json", value.to_string()),
            Format::Xml => match crate::xmljson::value_to_xml(value) {
                Ok(xml) => ("application/xml", xml),
                // Only a document with several roots fails; wrap it rather than lose it.
                Err(_) => (
                    "application/xml",
                    crate::xmljson::value_to_xml(&serde_json::json!({"response": value}))
                        .unwrap_or_default(),
                ),
            },
        };
        Reply {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body,
        }
    }

    /// 201 with a `Location` and no body (§1.5).
    pub fn created(location: String) -> Reply {
        Reply {
            status: 201,
            headers: vec![("Location".into(), location)],
            body: String::new(),
        }
    }

    /// A status with no body.
    pub fn empty(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: String::new(),
        }
    }

    /// The service's error body, or the form-encoded refusal of the header appKey.
    pub fn rejection(format: Format, rejection: &Rejection) -> Reply {
        match rejection {
            Rejection::Api {
                status,
                message,
                code,
            } => Reply::document(*status, format, &documents::error(message, *code)),
            Rejection::ConsumerKeyRejected => Reply {
                status: 401,
                headers: vec![(
                    "Content-Type".into(),
                    "application/x-www-form-urlencoded".into(),
                )],
                body: "lp_problem=consumer_key_rejected&lp_problem_advice=the appKey is \
                       permanently unacceptable to the Service Provider"
                    .into(),
            },
        }
    }
}

/// Everything the handlers share.
#[derive(Debug)]
pub struct State {
    /// The scenario being played.
    pub scenario: Scenario,
    /// The address the server listens on (for links when no Host header came).
    pub addr: SocketAddr,
    /// Chats by id.
    pub chats: Mutex<HashMap<String, Chat>>,
    /// Issued conversationId → participantId (§2.8).
    pub conversations: Mutex<HashMap<String, String>>,
    /// Offline surveys submitted, in order (§2.7).
    pub offline_surveys: Mutex<Vec<SurveySubmission>>,
}

impl State {
    /// The JSON shape the scenario asks for.
    pub fn shape(&self) -> Shape {
        Shape(self.scenario.json_shape)
    }

    /// The chats, even after a panic elsewhere poisoned the lock.
    pub fn chats(&self) -> MutexGuard<'_, HashMap<String, Chat>> {
        self.chats.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The issued conversations.
    pub fn conversations(&self) -> MutexGuard<'_, HashMap<String, String>> {
        self.conversations.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The offline surveys submitted so far.
    pub fn offline_surveys(&self) -> MutexGuard<'_, Vec<SurveySubmission>> {
        self.offline_surveys
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// Keeps an offline survey a visitor submitted.
    pub fn record_offline_survey(&self, submission: SurveySubmission) {
        self.offline_surveys().push(submission);
    }
}

/// Where a request goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// CSDS for one service, or all when `None` (§2.1).
    Csds(Option<String>),
    /// The account base resource (§2.2).
    Account,
    /// `conversation.json`: visitor authentication (§2.8).
    Conversation,
    /// `chat/availability` (§2.3).
    Availability,
    /// `chat/availableSlots` (§2.4).
    AvailableSlots,
    /// `chat/estimatedWaitTime` (§2.5).
    EstimatedWaitTime,
    /// `chat/preSurvey` (§2.6).
    PreSurvey,
    /// `chat/offlineSurvey` (§2.7): GET, and submit as PUT.
    OfflineSurvey,
    /// `chat/request` (§2.9).
    ChatRequest,
    /// The chat resource (§2.10).
    Chat(String),
    /// The chat's events (§2.11, §2.12).
    Events(String),
    /// One event, the target of an add-line `Location`.
    Event(String, String),
    /// The chat's info (§2.13).
    Info(String),
    /// `info/visitorName` (§2.14).
    VisitorName(String),
    /// `info/visitorTyping` (§2.15).
    VisitorTyping(String),
    /// `info/agentTyping` (§2.16).
    AgentTyping(String),
    /// `exitSurvey` (§2.17): GET, and submit as PUT.
    ExitSurvey(String),
    /// `transcriptRequest` (§2.18), PUT.
    TranscriptRequest(String),
    /// `transcriptWithSubjectRequest` (§2.18), PUT.
    TranscriptWithSubjectRequest(String),
}

/// A parsed path: the route, the account it names and the suffix's format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Where it goes.
    pub route: Route,
    /// The `{accountId}` segment.
    pub account: String,
    /// `.json` / `.xml` suffix, if any.
    pub suffix: Option<Format>,
}

/// Parses a path; `None` for an unknown path or suffix.
pub fn parse_path(path: &str) -> Option<Target> {
    let mut segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let last = segments.pop()?;
    let (last, suffix) = match last.rsplit_once('.') {
        Some((stem, "json")) => (stem, Some(Format::Json)),
        Some((stem, "xml")) => (stem, Some(Format::Xml)),
        Some(_) => return None,
        None => (last, None),
    };
    segments.push(last);
    let (root, account, rest) = match segments.as_slice() {
        [root @ ("api" | "csdr"), "account", account, rest @ ..] => (*root, *account, rest),
        _ => return None,
    };
    let id = |s: &&str| (*s).to_string();
    let route = match (root, rest) {
        (_, ["service", "baseURI"]) => Route::Csds(None),
        (_, ["service", service, "baseURI"]) => Route::Csds(Some((*service).to_string())),
        ("api", []) => Route::Account,
        ("api", ["conversation"]) => Route::Conversation,
        ("api", ["chat", "availability"]) => Route::Availability,
        ("api", ["chat", "availableSlots"]) => Route::AvailableSlots,
        ("api", ["chat", "estimatedWaitTime"]) => Route::EstimatedWaitTime,
        ("api", ["chat", "preSurvey"]) => Route::PreSurvey,
        ("api", ["chat", "offlineSurvey"]) => Route::OfflineSurvey,
        ("api", ["chat", "request"]) => Route::ChatRequest,
        ("api", ["chat", chat]) => Route::Chat(id(chat)),
        ("api", ["chat", chat, "events"]) => Route::Events(id(chat)),
        ("api", ["chat", chat, "events", event]) => Route::Event(id(chat), id(event)),
        ("api", ["chat", chat, "info"]) => Route::Info(id(chat)),
        ("api", ["chat", chat, "info", "visitorName"]) => Route::VisitorName(id(chat)),
        ("api", ["chat", chat, "info", "visitorTyping"]) => Route::VisitorTyping(id(chat)),
        ("api", ["chat", chat, "info", "agentTyping"]) => Route::AgentTyping(id(chat)),
        ("api", ["chat", chat, "exitSurvey"]) => Route::ExitSurvey(id(chat)),
        ("api", ["chat", chat, "transcriptRequest"]) => Route::TranscriptRequest(id(chat)),
        ("api", ["chat", chat, "transcriptWithSubjectRequest"]) => {
            Route::TranscriptWithSubjectRequest(id(chat))
        }
        _ => return None,
    };
    if account.is_empty() || rest.iter().any(|s| s.is_empty()) {
        return None;
    }
    Some(Target {
        route,
        account: account.to_string(),
        suffix,
    })
}

/// The format asked for: suffix first, then `Accept` (XML only when it names xml).
fn format(incoming: &Incoming, suffix: Option<Format>) -> Format {
    suffix.unwrap_or_else(|| match incoming.header("accept") {
        Some(accept) if accept.to_ascii_lowercase().contains("xml") => Format::Xml,
        _ => Format::Json,
    })
}

/// Absolute URLs for links and `Location` (Q5): the Host the client used, or the scenario's
/// `location_host` with the same port.
#[derive(Debug, Clone)]
pub struct Urls {
    /// `http://host:port`.
    pub origin: String,
    /// `{origin}/api/account/{acc}`.
    pub account: String,
}

impl Urls {
    fn new(state: &State, incoming: &Incoming) -> Urls {
        let host = incoming
            .header("host")
            .map_or_else(|| state.addr.to_string(), str::to_string);
        let host = match &state.scenario.location_host {
            Some(name) => match host.rsplit_once(':') {
                Some((_, port)) if port.bytes().all(|b| b.is_ascii_digit()) => {
                    format!("{name}:{port}")
                }
                _ => name.clone(),
            },
            None => host,
        };
        let origin = format!("http://{host}");
        let account = format!("{origin}/api/account/{}", state.scenario.account);
        Urls { origin, account }
    }

    /// The chat-session-uri of `chat_id`.
    pub fn chat(&self, chat_id: &str) -> String {
        format!("{}/chat/{chat_id}", self.account)
    }

    /// The CSDS `baseURI`: host and port, no scheme.
    pub fn base_uri(&self) -> &str {
        self.origin.trim_start_matches("http://")
    }
}

/// Answers one request: path → checks → handler. The fault layer's seam.
pub fn handle(state: &State, incoming: &Incoming) -> Reply {
    let Some(target) = parse_path(&incoming.path) else {
        return unknown_uri(incoming, format(incoming, None));
    };
    let format = format(incoming, target.suffix);
    let urls = Urls::new(state, incoming);
    let outcome = if let Route::Csds(service) = &target.route {
        endpoints::csds(state, &target.account, service.as_deref(), &urls, format)
    } else if target.account != state.scenario.account {
        return unknown_uri(incoming, format);
    } else {
        checks::app_key(incoming, &state.scenario)
            .and_then(|()| checks::version(incoming))
            .and_then(|()| dispatch(state, incoming, &target.route, &urls, format))
    };
    match outcome {
        Ok(reply) => reply,
        Err(rejection) => Reply::rejection(format, &rejection),
    }
}

fn dispatch(
    state: &State,
    incoming: &Incoming,
    route: &Route,
    urls: &Urls,
    format: Format,
) -> Result<Reply, Rejection> {
    let method = incoming.method.as_str();
    match (route, method) {
        (Route::Account, "GET") => Ok(endpoints::account(state, urls, format)),
        (Route::Availability, "GET") => endpoints::availability(state, incoming, format),
        (Route::AvailableSlots, "GET") => endpoints::available_slots(state, incoming, format),
        (Route::EstimatedWaitTime, "GET") => {
            endpoints::estimated_wait_time(state, incoming, format)
        }
        (Route::PreSurvey, "GET") => surveys::pre_survey(state, format),
        (Route::OfflineSurvey, "GET") => surveys::offline_survey(state, format),
        (Route::OfflineSurvey, "PUT") => surveys::submit_offline(state, incoming),
        (Route::Conversation, "POST") => endpoints::authenticate(state, incoming, urls, format),
        (Route::ChatRequest, "POST") => chat::request(state, incoming, urls),
        (Route::Chat(id), "GET") => chat::session(state, incoming, id, urls, format),
        (Route::Events(id), "GET") => chat::events(state, incoming, id, urls, format),
        (Route::Events(id), "POST") => chat::post_event(state, incoming, id, urls),
        (Route::Event(id, event), "GET") => chat::one_event(state, id, event, format),
        (Route::Info(id), "GET") => chat::info(state, id, urls, format),
        (Route::VisitorName(id), "GET" | "PUT") => chat::visitor_name(state, incoming, id, format),
        (Route::VisitorTyping(id), "GET" | "PUT") => {
            chat::visitor_typing(state, incoming, id, format)
        }
        (Route::AgentTyping(id), "GET") => chat::agent_typing(state, id, format),
        (Route::ExitSurvey(id), "GET") => surveys::exit_survey(state, id, format),
        (Route::ExitSurvey(id), "PUT") => surveys::submit_exit(state, incoming, id),
        (Route::TranscriptRequest(id), "PUT") => transcript::request(state, incoming, id, false),
        (Route::TranscriptWithSubjectRequest(id), "PUT") => {
            transcript::request(state, incoming, id, true)
        }
        _ => Err(Rejection::Api {
            status: 405,
            message: format!("Method {method} is not supported on {}", incoming.path),
            code: CODE_UNKNOWN_URI,
        }),
    }
}

fn unknown_uri(incoming: &Incoming, format: Format) -> Reply {
    let uri = if incoming.query.is_empty() {
        incoming.path.clone()
    } else {
        format!("{}?{}", incoming.path, incoming.query)
    };
    Reply::rejection(
        format,
        &Rejection::Api {
            status: 404,
            message: format!("null for uri: {uri}"),
            code: CODE_UNKNOWN_URI,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse_with_and_without_suffixes() {
        let t = parse_path("/api/account/1/chat/request.json").expect("route");
        assert_eq!(t.route, Route::ChatRequest);
        assert_eq!(t.suffix, Some(Format::Json));
        let t = parse_path("/api/account/1/chat/H1-aK2.xml").expect("route");
        assert_eq!(t.route, Route::Chat("H1-aK2".into()));
        assert_eq!(t.suffix, Some(Format::Xml));
        let t = parse_path("/csdr/account/1/service/conversationVep/baseURI.json").expect("csds");
        assert_eq!(t.route, Route::Csds(Some("conversationVep".into())));
        assert_eq!(parse_path("/api/account/1/chat.asdf"), None);
        assert_eq!(parse_path("/api/account/1/chat/request.asdf"), None);
        assert_eq!(parse_path("/api/account/1/nothing"), None);
        assert_eq!(parse_path("/csdr/account/1/chat/request"), None);
        assert_eq!(parse_path("/"), None);
    }

    #[test]
    fn query_values_are_decoded() {
        let incoming = Incoming {
            query: "skill=Sales&skill=Tech%20Support&v=1&x".into(),
            ..Incoming::default()
        };
        assert_eq!(
            incoming.query_values("skill"),
            vec!["Sales", "Tech Support"]
        );
        assert_eq!(incoming.query_value("v").as_deref(), Some("1"));
        assert_eq!(incoming.query_value("x").as_deref(), Some(""));
        assert_eq!(percent_decode("a%2"), "a%2");
    }
}
