//! Runs the effects of the burst and check views: the burst engine with its stop signal, ending
//! a burst's chats, reading a check file, and running its cases with the form's connection.
//! Results go back to the loop as messages; nothing here draws or changes the app.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Semaphore, mpsc, watch};

use super::burst::BurstSettings;
use super::checks::CheckPlan;
use super::connection::Connection;
use super::msg::{Msg, SessionId};
use crate::api::model::Survey;
use crate::api::{ApiError, AuthRequest, ChatApi, ChatRequest};
use crate::burst::{BurstEvent, BurstPlan};
use crate::check::file::{Case, CaseFlow};
use crate::check::run::DEFAULT_STEP_TIMEOUT;
use crate::check::{CaseResult, CaseRun, CheckFile};
use crate::config::SecretSource;
use crate::history::{History, Recording};
use crate::secret::Secret;

/// Cases of a check file run at once (as `chatstart check` does by default).
const CHECK_CONCURRENCY: usize = 1;

/// A burst in progress: its id and the engine's stop signal.
pub struct RunningBurst {
    pub id: SessionId,
    stop: watch::Sender<bool>,
}

impl RunningBurst {
    /// Asks the engine to stop; it then ends every chat it created.
    pub fn stop(&self) {
        let _ = self.stop.send(true);
    }

    /// Whether a stop was asked for (what the engine sees).
    pub fn stopped(&self) -> bool {
        *self.stop.borrow()
    }
}

/// What a burst sends: the form's request, its survey, and where each chat is recorded before
/// its request goes out.
pub struct BurstWork {
    pub request: ChatRequest,
    pub survey: Option<Survey>,
    pub recording: Option<Recording>,
}

/// Starts the burst engine on the form's request; every event comes back as `Msg::Burst`, the
/// outcomes as `Msg::BurstFinished`. Nothing is sent when the history cannot be written.
pub fn start_burst(
    id: SessionId,
    connection: &Connection,
    work: BurstWork,
    settings: &BurstSettings,
    poll_interval: Duration,
    messages: &mpsc::UnboundedSender<Msg>,
) -> RunningBurst {
    let (stop, stopped) = watch::channel(false);
    let running = RunningBurst { id, stop };
    let messages = messages.clone();
    let BurstWork {
        request,
        survey,
        recording,
    } = work;
    let unrecordable = recording.as_ref().and_then(|recording| {
        let history = &recording.history;
        history
            .check_writable_for(&recording.template.base_url)
            .err()
            .map(|error| super::store::unwritable(history, &error))
    });
    let api = ChatApi::new(connection.client_config()).map_err(|e| super::errors::describe(&e));
    let api = match unrecordable.map_or(api, Err) {
        Ok(api) => api,
        Err(error) => {
            // Nothing was sent: every chat failed to start for the same reason.
            for index in 0..settings.count {
                let _ = messages.send(Msg::Burst {
                    id,
                    event: BurstEvent::Failed {
                        index,
                        error: error.clone(),
                        error_kind: crate::api::ErrorKind::Invalid,
                    },
                });
            }
            let _ = messages.send(Msg::BurstFinished {
                id,
                outcomes: Vec::new(),
            });
            return running;
        }
    };
    let plan = BurstPlan {
        count: settings.count,
        concurrency: settings.concurrency,
        wait: settings.wait.clone(),
        timeout: None,
        poll_interval,
        end_after: settings.end_after,
    };
    let (events, mut received) = mpsc::unbounded_channel();
    let engine = tokio::spawn(crate::burst::run(
        api, request, survey, plan, recording, events, stopped,
    ));
    tokio::spawn(async move {
        // Every event is forwarded before the outcomes: the channel closes when the engine
        // (and each chat task) has dropped its sender.
        while let Some(event) = received.recv().await {
            if messages.send(Msg::Burst { id, event }).is_err() {
                return;
            }
        }
        let outcomes = engine.await.unwrap_or_default();
        let _ = messages.send(Msg::BurstFinished { id, outcomes });
    });
    running
}

/// Ends a finished burst's open chats, a few at once; each answer is a `Msg::Burst` with
/// `EndedByUs`. A 404 means the chat is gone already: nothing left in a queue.
pub fn end_chats(
    id: SessionId,
    connection: &Connection,
    chats: Vec<(usize, String)>,
    concurrency: usize,
    messages: &mpsc::UnboundedSender<Msg>,
) {
    let messages = messages.clone();
    let api = ChatApi::new(connection.client_config()).map_err(|e| super::errors::describe(&e));
    let gate = Arc::new(Semaphore::new(concurrency.clamp(1, Semaphore::MAX_PERMITS)));
    for (index, uri) in chats {
        let (api, gate, messages) = (api.clone(), gate.clone(), messages.clone());
        // The burst's chats: their URIs are the service's own Locations.
        if let Ok(api) = &api {
            api.named_by_service(&uri);
        }
        tokio::spawn(async move {
            let _permit = gate.acquire_owned().await;
            let result = match api {
                Ok(api) => match end(&api, &uri).await {
                    Ok(()) | Err(ApiError::Status { status: 404, .. }) => Ok(()),
                    Err(error) => Err(super::errors::describe(&error)),
                },
                Err(error) => Err(error),
            };
            let _ = messages.send(Msg::Burst {
                id,
                event: BurstEvent::EndedByUs { index, result },
            });
        });
    }
}

async fn end(api: &ChatApi, uri: &str) -> Result<(), ApiError> {
    api.end_session(uri).await.map(drop)
}

/// Reads and parses a check file off the loop's thread.
pub fn load_check_file(path: String, messages: &mpsc::UnboundedSender<Msg>) {
    let messages = messages.clone();
    tokio::task::spawn_blocking(move || {
        let result = CheckFile::load(Path::new(&path))
            .map(Arc::new)
            .map_err(|e| e.to_string());
        let _ = messages.send(Msg::CheckFileLoaded { path, result });
    });
}

/// Runs the cases of a check file with the form's connection, one at a time; each start and
/// verdict comes back as a message. Once `stop` turns true no case starts any more (each gets
/// an interrupted verdict) and a running one ends its chat.
pub fn run_checks(
    id: SessionId,
    connection: &Connection,
    plan: CheckPlan,
    history: Option<History>,
    stop: watch::Receiver<bool>,
    messages: &mpsc::UnboundedSender<Msg>,
) {
    let messages = messages.clone();
    let api = ChatApi::new(connection.client_config());
    tokio::spawn(async move {
        let gate = Arc::new(Semaphore::new(CHECK_CONCURRENCY));
        let file = plan.file.clone();
        for (index, case) in file.cases.iter().enumerate() {
            let run = match &api {
                Ok(api) => {
                    let run = case_run(&plan, case, api.clone(), history.clone()).await;
                    run.map(|run| CaseRun {
                        stop: Some(stop.clone()),
                        ..run
                    })
                }
                Err(error) => Err(super::errors::describe(error)),
            };
            // Taken before the spawn so the cases start in file order (see check::run_all).
            let permit = gate.clone().acquire_owned().await;
            let (messages, name) = (messages.clone(), case.name.clone());
            tokio::spawn(async move {
                let _permit = permit;
                let result = match run {
                    Ok(run) => {
                        let _ = messages.send(Msg::CaseStarted { id, index });
                        crate::check::run_case(run).await
                    }
                    Err(error) => CaseResult {
                        name,
                        repeat: 1,
                        error: Some(error),
                        ..CaseResult::default()
                    },
                };
                let _ = messages.send(Msg::CaseFinished {
                    id,
                    index,
                    result: Box::new(result),
                });
            });
        }
    });
}

/// One case ready to run, as `chatstart check` builds it, with the form's connection.
async fn case_run(
    plan: &CheckPlan,
    case: &Case,
    api: ChatApi,
    history: Option<History>,
) -> Result<CaseRun, String> {
    let defaults = &plan.file.defaults;
    let auth = match case.flow {
        CaseFlow::Request => None,
        CaseFlow::Auth => Some(auth_request(case, plan.auth.clone()).await?),
    };
    // The file's numbers were checked as it was read (`CheckFile::parse`).
    let seconds = |value: Option<f64>, default: f64| {
        value
            .and_then(|v| crate::api::validate::seconds(v).ok())
            .unwrap_or_else(|| Duration::from_secs_f64(default))
            .max(Duration::from_millis(50))
    };
    Ok(CaseRun {
        case: case.clone(),
        repeat: 1,
        api,
        request: case.request.clone().with_defaults(&plan.defaults),
        auth,
        end: case.end.or(defaults.end).unwrap_or(true),
        poll_interval: seconds(
            case.poll_interval.or(defaults.poll_interval),
            crate::session::DEFAULT_POLL_INTERVAL.as_secs_f64(),
        ),
        step_timeout: seconds(
            case.step_timeout.or(defaults.step_timeout),
            DEFAULT_STEP_TIMEOUT,
        ),
        history,
        profile: plan.profile.clone(),
        stop: None,
    })
}

/// The authenticated flow of a case: its own SSO key source (a command may take a while, so
/// off the loop's thread), else the form's key; its ids, else the form's.
async fn auth_request(case: &Case, form: Option<AuthRequest>) -> Result<AuthRequest, String> {
    let source = SecretSource {
        env: case.auth.sso_key_env.clone(),
        cmd: case.auth.sso_key_cmd.clone(),
        prompt: false,
    };
    let resolved = tokio::task::spawn_blocking(move || source.resolve("SSO key"))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("case `{}`: SSO key: {e}", case.name))?;
    let form = form.unwrap_or_default();
    let sso_key = match resolved {
        Some(key) => Secret::new(key.expose()),
        None if !form.sso_key.expose().is_empty() => form.sso_key.clone(),
        None => {
            return Err(format!(
                "case `{}` uses the authenticated flow: give it sso_key_env or sso_key_cmd, \
                 or switch the form's authenticated flow on with an SSO key",
                case.name
            ));
        }
    };
    Ok(AuthRequest {
        sso_key,
        auth_chat_conn_id: case
            .auth
            .auth_conn_id
            .clone()
            .unwrap_or(form.auth_chat_conn_id),
        redirect_uri: case.auth.redirect_uri.clone().unwrap_or(form.redirect_uri),
    })
}
