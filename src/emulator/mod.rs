//! The API emulator: LivePerson's visitor Chat REST API served over real HTTP on loopback, with
//! a scripted queue and agent, the service's quirks, and a request log (see docs/emulator.md).
//!
//! Stands alone: it must not import `crate::api::model` (its answers are built from its own JSON
//! values), only the format mapping `crate::xmljson` and the tolerant readers of
//! `crate::api::value`.

mod answers;
mod chat;
mod checks;
mod documents;
mod endpoints;
mod faults;
mod queue;
mod routes;
mod scenario;
mod surveys;
mod transcript;

pub use answers::SurveySubmission;
pub use faults::{EndedBy, FaultEndpoint, FaultKind, FaultSpec};
pub use scenario::{
    AuthResponse, Entry, JsonShape, NoExitSurvey, QUESTION_TYPES, Question, Scenario,
    ScenarioError, Skill, Survey,
};
pub use transcript::TranscriptRequest;

use axum::body::Body;
use axum::extract::{Request, State as AxumState};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::oneshot;

/// Largest request body the emulator reads.
const MAX_BODY_BYTES: usize = 1024 * 1024;

/// One request the emulator received and how it answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The HTTP method as sent (before `X-HTTP-Method-Override`).
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The raw query string, without `?`.
    pub query: String,
    /// Header names lower-case, values as sent (nothing masked: test data only).
    pub headers: Vec<(String, String)>,
    /// The body as text.
    pub body: String,
    /// The status answered.
    pub status: u16,
    /// When the request arrived (its body read).
    pub at: Instant,
    /// The fault that hit it (`status 503`, `slow 3000 ms`, `drop`, …), if any.
    pub fault: Option<String>,
}

/// What the axum handler shares.
#[derive(Debug)]
struct Shared {
    state: routes::State,
    faults: faults::Faults,
    log: Mutex<Vec<RecordedRequest>>,
}

/// A running emulator. Dropping it (or calling `shutdown`) stops the server.
#[derive(Debug)]
pub struct EmulatorHandle {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
}

impl EmulatorHandle {
    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The account the emulator serves.
    pub fn account(&self) -> &str {
        &self.shared.state.scenario.account
    }

    /// The appKey the emulator accepts.
    pub fn app_key(&self) -> &str {
        &self.shared.state.scenario.app_key
    }

    /// The base for CSDS lookups: the same server as the API.
    pub fn csds_url(&self) -> String {
        self.base_url()
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared
            .log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// How many requests had this HTTP method and a path containing `path_contains`.
    pub fn count(&self, method: &str, path_contains: &str) -> usize {
        self.shared
            .log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .filter(|r| r.method.eq_ignore_ascii_case(method) && r.path.contains(path_contains))
            .count()
    }

    /// How many POSTs ended a chat (a `state ended` event, JSON or XML).
    pub fn end_posts(&self) -> usize {
        self.shared
            .log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .filter(|r| r.method.eq_ignore_ascii_case("POST") && faults::is_end_body(&r.body))
            .count()
    }

    /// Every request so far, in arrival order, and empties the log (long runs keep it small).
    pub fn take_requests(&self) -> Vec<RecordedRequest> {
        std::mem::take(&mut *self.shared.log.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Replaces the faults in play (the scenario's `[[faults]]` at start). Calls keep being
    /// counted from the emulator's start; each new fault's hits count from zero.
    pub fn set_faults(&self, faults: Vec<FaultSpec>) {
        self.shared.faults.replace(faults);
    }

    /// The ids of every chat the emulator holds (ended ones until they expire).
    pub fn chat_ids(&self) -> Vec<String> {
        self.shared.state.chats().keys().cloned().collect()
    }

    /// The ids of a chat's events so far, in order; `None` for an unknown chat. Does not play
    /// what is due, so it shows what a poll made now would at least see.
    pub fn event_ids(&self, chat_id: &str) -> Option<Vec<u64>> {
        self.shared
            .state
            .chats()
            .get(chat_id)
            .map(|c| c.event_ids())
    }

    /// The exit surveys submitted in a chat, in order; `None` for an unknown chat.
    pub fn exit_surveys(&self, chat_id: &str) -> Option<Vec<SurveySubmission>> {
        self.shared
            .state
            .chats()
            .get(chat_id)
            .map(|c| c.exit_surveys().to_vec())
    }

    /// The transcript requests of a chat (both routes), in order; `None` for an unknown chat.
    pub fn transcript_requests(&self, chat_id: &str) -> Option<Vec<TranscriptRequest>> {
        self.shared
            .state
            .chats()
            .get(chat_id)
            .map(|c| c.transcripts().to_vec())
    }

    /// The offline surveys submitted, in order.
    pub fn offline_surveys(&self) -> Vec<SurveySubmission> {
        self.shared.state.offline_surveys().clone()
    }

    /// Stops the server: no new connections, open ones are closed gracefully. Same as dropping.
    pub fn shutdown(self) {}
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Binds `addr` (port 0 picks a free port), spawns the server on the current tokio runtime and
/// returns at once.
pub async fn start(scenario: Scenario, addr: SocketAddr) -> std::io::Result<EmulatorHandle> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let faults = faults::Faults::new(scenario.faults.clone());
    let shared = Arc::new(Shared {
        faults,
        state: routes::State {
            scenario,
            addr,
            chats: Mutex::new(HashMap::new()),
            conversations: Mutex::new(HashMap::new()),
            offline_surveys: Mutex::new(Vec::new()),
        },
        log: Mutex::new(Vec::new()),
    });
    let router = axum::Router::new()
        .fallback(serve)
        .with_state(Arc::clone(&shared));
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let server = axum::serve(listener, router).with_graceful_shutdown(async move {
            let _ = stopped.await;
        });
        if let Err(error) = server.await {
            tracing::warn!("emulator server stopped: {error}");
        }
    });
    Ok(EmulatorHandle {
        shared,
        addr,
        stop: Some(stop),
    })
}

/// The only axum handler: converts to plain data, answers through the fault layer (which calls
/// `routes::handle`), logs, then sends the reply as the fault says: whole, late, or cut off.
async fn serve(AxumState(shared): AxumState<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(_) => String::new(),
    };
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_ascii_lowercase(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let at = Instant::now();
    let sent_method = parts.method.as_str().to_string();
    let mut incoming = routes::Incoming {
        method: sent_method.clone(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or_default().to_string(),
        headers,
        body,
    };
    if sent_method == "POST"
        && let Some(method) = incoming.header("x-http-method-override")
    {
        incoming.method = method.trim().to_ascii_uppercase();
    }
    let faults::Outcome {
        reply,
        delivery,
        fault,
    } = shared.faults.answer(&shared.state, &incoming);
    // Logged before a slow answer is held, so a client that gave up still finds its request.
    shared
        .log
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(RecordedRequest {
            method: sent_method,
            path: incoming.path,
            query: incoming.query,
            headers: incoming.headers,
            body: incoming.body,
            status: reply.status,
            at,
            fault,
        });
    match delivery {
        faults::Delivery::Normal => to_response(reply),
        faults::Delivery::Slow(delay) => {
            tokio::time::sleep(delay).await;
            to_response(reply)
        }
        faults::Delivery::Drop => cut_off(reply),
    }
}

/// The reply's headers and a `Content-Length` for the whole body, then part of the body, then
/// an error from the body stream: hyper closes the connection mid-body, which is what a client
/// sees when a proxy or the network drops it. (axum offers no other way to break a connection
/// from a handler.) An empty body is announced as 64 bytes so there is always something missing.
fn cut_off(reply: routes::Reply) -> Response {
    let whole = reply.body.clone().into_bytes();
    let declared = whole.len().max(64);
    let sent = whole.get(..whole.len() / 2).unwrap_or_default().to_vec();
    let sent = if sent.is_empty() { vec![b' '; 8] } else { sent };
    // The pause between the part and the error lets hyper flush the headers and the part: an
    // error in the same poll would make it close the connection with nothing written.
    let chunks = futures_util::stream::unfold(Some(sent), |part| async move {
        match part {
            Some(part) => Some((Ok(part), None)),
            None => {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                Some((
                    Err(std::io::Error::new(
                        std::io::ErrorKind::ConnectionAborted,
                        "emulator fault: connection dropped mid-body",
                    )),
                    None,
                ))
            }
        }
    });
    let mut response = to_response(routes::Reply {
        body: String::new(),
        ..reply
    });
    *response.body_mut() = Body::from_stream(chunks);
    response.headers_mut().insert(
        axum::http::header::CONTENT_LENGTH,
        HeaderValue::from(declared),
    );
    response
}

fn to_response(reply: routes::Reply) -> Response {
    let mut response = Response::new(Body::from(reply.body.clone()));
    *response.status_mut() =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    for (name, value) in &reply.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            headers.append(name, value);
        }
    }
    if reply.body.is_empty() {
        headers.insert(
            axum::http::header::CONTENT_LENGTH,
            HeaderValue::from_static("0"),
        );
    }
    response
}

/// Serves `scenario` on `127.0.0.1:port` until Ctrl+C or SIGTERM, after printing the base URL,
/// the account, the appKey it accepts (its own demo key) and an example command line.
pub async fn run_standalone(scenario: Scenario, port: u16) -> anyhow::Result<()> {
    let handle = start(scenario, SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await?;
    let url = handle.base_url();
    let skill = handle
        .shared
        .state
        .scenario
        .skills
        .first()
        .map_or("Sales", |s| s.name.as_str())
        .to_string();
    println!("chatstart emulator listening on {url}");
    println!("  account: {}", handle.account());
    println!("  appKey:  {}", handle.app_key());
    println!("  CSDS:    {}", handle.csds_url());
    // The appKey goes in the environment, never on a command line (process lists show those).
    println!("Try, in another terminal:");
    println!("  export CHATSTART_APP_KEY={}", handle.app_key());
    println!(
        "  chatstart request --base-url {url} --account {} --skill {skill} --wait chatting",
        handle.account(),
    );
    for fault in &handle.shared.state.scenario.faults {
        println!("  fault:   {}", fault.describe());
    }
    println!("Ctrl+C stops it.");
    wait_for_stop_signal().await?;
    handle.shutdown();
    Ok(())
}

#[cfg(unix)]
async fn wait_for_stop_signal() -> std::io::Result<()> {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        result = tokio::signal::ctrl_c() => result,
        _ = terminate.recv() => Ok(()),
    }
}

#[cfg(not(unix))]
async fn wait_for_stop_signal() -> std::io::Result<()> {
    tokio::signal::ctrl_c().await
}
