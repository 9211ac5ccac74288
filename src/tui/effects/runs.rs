//! Runs the effects of the burst and check views: the burst engine with its stop signal, ending
//! a burst's chats, reading a check file, and running its cases with the form's connection.
//! Results go back to the loop as messages; nothing here draws or changes the app.

use crate::tui::msg::{BurstOutcome, ChecksOutcome};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Semaphore, mpsc, watch};

use crate::api::model::Survey;
use crate::api::{ApiError, ChatApi, ChatRequest};
use crate::burst::{BurstEvent, BurstPlan};
use crate::check::{CaseEvent, CheckFile};
use crate::config::Config;
use crate::history::{History, Recording};
use crate::start::checks::{CheckSettings, CheckStart};
use crate::tui::burst::BurstSettings;
use crate::tui::checks::CheckPlan;
use crate::tui::connection::Connection;
use crate::tui::msg::{Msg, SessionId};

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

/// Starts the burst engine on the form's request; every event comes back as `Msg::from(BurstOutcome::Progress)`, the
/// outcomes as `Msg::from(BurstOutcome::Finished)`. Nothing is sent when the history cannot be written.
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
            .map(|error| crate::tui::effects::store::unwritable(history, &error))
    });
    let api = connection
        .api(None)
        .map_err(|e| crate::tui::errors::describe(&e));
    let api = match unrecordable.map_or(api, Err) {
        Ok(api) => api,
        Err(error) => {
            // Nothing was sent: every chat failed to start for the same reason.
            for index in 0..settings.count {
                let _ = messages.send(Msg::from(BurstOutcome::Progress {
                    id,
                    event: BurstEvent::Failed {
                        index,
                        error: error.clone(),
                        error_kind: crate::api::ErrorKind::Invalid,
                    },
                }));
            }
            let _ = messages.send(Msg::from(BurstOutcome::Finished {
                id,
                outcomes: Vec::new(),
            }));
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
            if messages
                .send(Msg::from(BurstOutcome::Progress { id, event }))
                .is_err()
            {
                return;
            }
        }
        let outcomes = engine.await.unwrap_or_default();
        let _ = messages.send(Msg::from(BurstOutcome::Finished { id, outcomes }));
    });
    running
}

/// Ends a finished burst's open chats, a few at once; each answer is a `Msg::from(BurstOutcome::Progress)` with
/// `EndedByUs`. A 404 means the chat is gone already: nothing left in a queue.
pub fn end_chats(
    id: SessionId,
    connection: &Connection,
    chats: Vec<(usize, String)>,
    concurrency: usize,
    messages: &mpsc::UnboundedSender<Msg>,
) {
    let messages = messages.clone();
    let api = connection
        .api(None)
        .map_err(|e| crate::tui::errors::describe(&e));
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
                    Err(error) => Err(crate::tui::errors::describe(&error)),
                },
                Err(error) => Err(error),
            };
            let _ = messages.send(Msg::from(BurstOutcome::Progress {
                id,
                event: BurstEvent::EndedByUs { index, result },
            }));
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
        let _ = messages.send(Msg::from(ChecksOutcome::FileLoaded { path, result }));
    });
}

/// Plans the cases of a check file as `chatstart check` does (their profiles under the form's
/// connection) and runs them one at a time through the same runner; each start and verdict
/// comes back as a message, a file whose cases cannot run as `ChecksRefused`. Once `stop` turns
/// true no case starts any more (each gets an interrupted verdict) and a running one ends its
/// chat.
pub fn run_checks(
    id: SessionId,
    plan: CheckPlan,
    config: Option<Config>,
    history: Option<History>,
    stop: watch::Receiver<bool>,
    messages: &mpsc::UnboundedSender<Msg>,
) {
    let messages = messages.clone();
    tokio::spawn(async move {
        // A profile's secret may come from a command that takes a while: off the loop's thread.
        let planned = tokio::task::spawn_blocking(move || {
            let config = config.unwrap_or_default();
            crate::start::checks::plan(
                &plan.file,
                &CheckSettings {
                    cases: Vec::new(),
                    repeat: 1,
                    leave_open: false,
                },
                &CheckStart {
                    config: &config,
                    profile: plan.profile.as_deref(),
                    flags: &plan.flags,
                    history,
                    stop: Some(stop),
                },
            )
        })
        .await;
        let runs = match planned {
            Ok(Ok(runs)) => runs,
            Ok(Err(problem)) => {
                let error = format!(
                    "case `{}` cannot run: {}; nothing was sent",
                    problem.case,
                    crate::tui::errors::input(&problem.error)
                );
                let _ = messages.send(Msg::from(ChecksOutcome::Refused { id, error }));
                return;
            }
            Err(error) => {
                let error = format!("the check run stopped unexpectedly: {error}");
                let _ = messages.send(Msg::from(ChecksOutcome::Refused { id, error }));
                return;
            }
        };
        let (events, mut received) = mpsc::unbounded_channel();
        let all = tokio::spawn(crate::check::run_all(runs, CHECK_CONCURRENCY, events));
        while let Some(event) = received.recv().await {
            let message = match event {
                CaseEvent::Started { index } => Msg::from(ChecksOutcome::CaseStarted { id, index }),
                CaseEvent::Finished { index, result } => {
                    Msg::from(ChecksOutcome::CaseFinished { id, index, result })
                }
            };
            if messages.send(message).is_err() {
                return;
            }
        }
        let _ = all.await;
    });
}
