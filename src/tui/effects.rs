//! Runs effects: spawns the tasks that call the service and follow the session, and sends their
//! results back as messages. At most one session is followed; a newer one replaces it.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::connection::Connection;
use super::msg::{CopyWhat, Effect, Msg, SessionId, StartFailure};
use crate::api::exchange::ExchangeObserver;
use crate::api::model::Survey;
use crate::api::{ApiError, AuthRequest, ChatApi, ChatRequest};
use crate::clipboard::{self, Clipboard};
use crate::session::{self, FollowOptions};

/// The session being created or followed.
struct Running {
    id: SessionId,
    api: ChatApi,
    task: JoinHandle<()>,
}

/// Runs the effects `update` returns (all but `OpenEditor` and `Quit`, which the loop handles
/// because they touch the terminal).
pub struct EffectRunner {
    messages: mpsc::UnboundedSender<Msg>,
    clipboard: Arc<dyn Clipboard>,
    poll_interval: Duration,
    running: Option<Running>,
}

impl EffectRunner {
    pub fn new(
        messages: mpsc::UnboundedSender<Msg>,
        clipboard: Arc<dyn Clipboard>,
        poll_interval: Duration,
    ) -> Self {
        Self {
            messages,
            clipboard,
            poll_interval,
            running: None,
        }
    }

    /// Starts an effect; never blocks on the network.
    pub fn run(&mut self, effect: Effect) {
        match effect {
            Effect::Debounce { generation, after } => {
                let messages = self.messages.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(after).await;
                    let _ = messages.send(Msg::LookupDue(generation));
                });
            }
            Effect::Lookup {
                generation,
                connection,
                request,
            } => self.lookup(generation, &connection, request),
            Effect::StartSession {
                id,
                connection,
                request,
                survey,
                auth,
            } => self.start(id, &connection, request, survey, auth),
            Effect::StopSession => self.stop(),
            Effect::SendLine { id, uri, text } => {
                self.with_api(id, move |api, messages| async move {
                    let result = match api.events_link(&uri).await {
                        Ok(events) => api.add_line(&events, &text).await,
                        Err(error) => Err(error),
                    };
                    let _ = messages.send(Msg::LineSent {
                        id,
                        result: result.map_err(|e| describe(&e)),
                    });
                });
            }
            Effect::EndChat { id, uri } => {
                self.with_api(id, move |api, messages| async move {
                    let result = match api.events_link(&uri).await {
                        Ok(events) => api.end_chat(&events).await,
                        Err(error) => Err(error),
                    };
                    let _ = messages.send(Msg::ChatEnded {
                        id,
                        result: result.map_err(|e| describe(&e)),
                    });
                });
            }
            Effect::Copy { what, text } => {
                let result = self.clipboard.copy(&text);
                let file = (what == CopyWhat::SessionUri).then(|| {
                    clipboard::write_data_file(clipboard::URI_FILE, &text)
                        .map(|p| p.display().to_string())
                        .map_err(|e| e.to_string())
                });
                let _ = self.messages.send(Msg::Copied { what, result, file });
            }
            // Handled by the loop, which owns the terminal.
            Effect::OpenEditor(_) | Effect::Quit => {}
        }
    }

    fn lookup(&self, generation: u64, connection: &Connection, request: ChatRequest) {
        let messages = self.messages.clone();
        let api = match ChatApi::new(connection.client_config()) {
            Ok(api) => api,
            Err(error) => {
                let error = describe(&error);
                let _ = messages.send(Msg::SurveyLoaded {
                    generation,
                    result: Err(error.clone()),
                });
                let _ = messages.send(Msg::AvailabilityLoaded {
                    generation,
                    available: Err(error.clone()),
                    estimate: Err(error),
                });
                return;
            }
        };
        tokio::spawn(async move {
            let skill = request.skill.trim().to_string();
            let (survey, available, estimate) = tokio::join!(
                api.survey(&request),
                api.availability(&skill, request.max_wait_time.trim()),
                api.estimated_wait(&skill),
            );
            let _ = messages.send(Msg::SurveyLoaded {
                generation,
                result: survey.map_err(|e| describe(&e)),
            });
            let _ = messages.send(Msg::AvailabilityLoaded {
                generation,
                available: available.map(|a| a.any()).map_err(|e| describe(&e)),
                estimate: estimate.map_err(|e| describe(&e)),
            });
        });
    }

    fn start(
        &mut self,
        id: SessionId,
        connection: &Connection,
        request: ChatRequest,
        survey: Option<Survey>,
        auth: Option<AuthRequest>,
    ) {
        self.stop();
        let messages = self.messages.clone();
        let exchanges = self.messages.clone();
        let observer: ExchangeObserver = Arc::new(move |exchange| {
            let _ = exchanges.send(Msg::Exchange {
                id,
                exchange: exchange.clone(),
            });
        });
        let api = match ChatApi::with_observer(connection.client_config(), Some(observer)) {
            Ok(api) => api,
            Err(error) => {
                let _ = messages.send(Msg::StartFailed {
                    id,
                    failure: failure(error),
                });
                return;
            }
        };
        let options = FollowOptions {
            poll_interval: self.poll_interval,
            skill: Some(request.skill.trim().to_string()).filter(|s| !s.is_empty()),
            ..FollowOptions::default()
        };
        let task_api = api.clone();
        let task = tokio::spawn(async move {
            let api = task_api;
            let created = match &auth {
                Some(auth) => {
                    crate::api::start_authenticated(&api, auth, &request, survey.as_ref(), |_| {})
                        .await
                        .map(|chat| chat.session_uri)
                }
                None => api.request_chat(&request, survey.as_ref()).await,
            };
            let uri = match created {
                Ok(uri) => uri.to_string(),
                Err(error) => {
                    let _ = messages.send(Msg::StartFailed {
                        id,
                        failure: failure(error),
                    });
                    return;
                }
            };
            let _ = messages.send(Msg::SessionCreated {
                id,
                uri: uri.clone(),
            });
            let (updates, mut received) = mpsc::unbounded_channel();
            let _tracker = session::follow(api, uri, options, updates);
            // Dropping `received` (when this task is aborted) stops the tracker.
            while let Some(update) = received.recv().await {
                if messages.send(Msg::Session { id, update }).is_err() {
                    return;
                }
            }
        });
        self.running = Some(Running { id, api, task });
    }

    fn stop(&mut self) {
        if let Some(running) = self.running.take() {
            running.task.abort();
        }
    }

    /// Runs `work` with the current session's client, when `id` is the current session.
    fn with_api<F, Fut>(&self, id: SessionId, work: F)
    where
        F: FnOnce(ChatApi, mpsc::UnboundedSender<Msg>) -> Fut,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        if let Some(running) = self.running.as_ref().filter(|r| r.id == id) {
            tokio::spawn(work(running.api.clone(), self.messages.clone()));
        }
    }
}

impl Drop for EffectRunner {
    fn drop(&mut self) {
        self.stop();
    }
}

/// An error as one line, with the server's message when it sent one.
fn describe(error: &ApiError) -> String {
    error.to_string()
}

fn failure(error: ApiError) -> StartFailure {
    let may_have_created_chat = error.may_have_created_chat();
    let invalid = match &error {
        ApiError::Invalid(errors) => errors.0.clone(),
        _ => Vec::new(),
    };
    StartFailure {
        message: if may_have_created_chat {
            format!("{error} — a chat may have been created")
        } else {
            error.to_string()
        },
        hint: error.hint().map(str::to_string),
        may_have_created_chat,
        invalid,
    }
}
