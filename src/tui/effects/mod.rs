//! Runs effects: spawns the tasks that call the service and follow the session, and sends their
//! results back as messages. At most one session is followed; a newer one replaces it.

pub mod evidence;
pub mod runs;
pub mod store;
mod visitor;

use crate::tui::msg::{FormOutcome, SessionOutcome, StoreOutcome};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::api::exchange::ExchangeObserver;
use crate::api::model::Survey;
use crate::api::{ApiError, AuthRequest, ChatApi, ChatRequest};
use crate::copy::{self, Clipboard};
use crate::history::{History, Recording};
use crate::session::{self, FollowOptions};
use crate::tui::connection::Connection;
use crate::tui::msg::{CopyWhat, Effect, Msg, NewSession, SessionId, StartFailure};
use crate::tui::setup::Store;

/// Chats ended at once after a burst.
const END_CONCURRENCY: usize = 5;

/// The session being created or followed.
struct Running {
    id: SessionId,
    api: ChatApi,
    task: JoinHandle<()>,
}

/// Runs the effects `update` returns (all but `OpenEditor`, `Suspend` and `Quit`, which the loop handles
/// because they touch the terminal).
pub struct EffectRunner {
    messages: mpsc::UnboundedSender<Msg>,
    clipboard: Arc<dyn Clipboard>,
    poll_interval: Duration,
    retry: crate::session::RetryPolicy,
    max_failures: u32,
    running: Option<Running>,
    store: Store,
    burst: Option<crate::tui::effects::runs::RunningBurst>,
    /// The check run going on, and its stop signal.
    checks: Option<(SessionId, tokio::sync::watch::Sender<bool>)>,
}

impl EffectRunner {
    pub fn new(
        messages: mpsc::UnboundedSender<Msg>,
        clipboard: Arc<dyn Clipboard>,
        poll_interval: Duration,
        store: Store,
    ) -> Self {
        Self {
            messages,
            clipboard,
            poll_interval,
            retry: crate::session::RetryPolicy::default(),
            max_failures: crate::session::DEFAULT_MAX_FAILURES,
            running: None,
            store,
            burst: None,
            checks: None,
        }
    }

    /// Follows sessions with this retry policy and failure limit.
    #[must_use]
    pub fn with_retry(mut self, retry: crate::session::RetryPolicy, max_failures: u32) -> Self {
        self.retry = retry;
        self.max_failures = max_failures;
        self
    }

    /// How to follow a chat; `known_reachable` when it was just created (a chat watched from
    /// the history whose service refuses the connection is given up at once).
    fn follow_options(&self, skill: Option<String>, known_reachable: bool) -> FollowOptions {
        FollowOptions {
            poll_interval: self.poll_interval,
            skill,
            max_failures: self.max_failures,
            retry: self.retry.clone(),
            known_reachable,
            visitor_name: None,
        }
    }

    /// Starts an effect; never blocks on the network.
    pub fn run(&mut self, effect: Effect) {
        match effect {
            Effect::Debounce { generation, after } => {
                let messages = self.messages.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(after).await;
                    let _ = messages.send(Msg::from(FormOutcome::LookupDue(generation)));
                });
            }
            Effect::DraftLater { after } => {
                let messages = self.messages.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(after).await;
                    let _ = messages.send(Msg::from(StoreOutcome::DraftDue));
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
                visitor_name,
                record,
            } => self.start(
                id,
                &connection,
                request,
                survey,
                auth,
                visitor_name,
                &record,
            ),
            Effect::StopSession => self.stop(),
            Effect::SendLine { id, uri, text } => {
                self.with_api(id, move |api, messages| async move {
                    let result = match api.events_link(&uri).await {
                        Ok(events) => api.add_line(&events, &text).await,
                        Err(error) => Err(error),
                    };
                    let _ = messages.send(Msg::from(SessionOutcome::LineSent {
                        id,
                        result: result.map_err(|e| describe(&e)),
                    }));
                });
            }
            Effect::EndChat { id, uri } => {
                self.with_api(id, move |api, messages| async move {
                    let result = api.end_session(&uri).await.map(drop);
                    let _ = messages.send(Msg::from(SessionOutcome::ChatEnded {
                        id,
                        result: result.map_err(|e| describe(&e)),
                    }));
                });
            }
            effect @ (Effect::SetTyping { .. }
            | Effect::TypingIdleAfter { .. }
            | Effect::LoadExitSurvey { .. }
            | Effect::SubmitExitSurvey { .. }
            | Effect::RequestTranscript { .. }
            | Effect::LoadOfflineSurvey { .. }
            | Effect::SubmitOfflineSurvey { .. }) => self.visitor(effect),
            Effect::Copy { what, text } => {
                let result = self.clipboard.copy(&text);
                let file = (what == CopyWhat::SessionUri).then(|| {
                    copy::write_data_file(copy::URI_FILE, &text)
                        .map(|p| p.display().to_string())
                        .map_err(|e| e.to_string())
                });
                let _ =
                    self.messages
                        .send(Msg::from(SessionOutcome::Copied { what, result, file }));
            }
            Effect::Watch {
                id,
                connection,
                uri,
                journal,
            } => self.watch(id, &connection, uri, journal.as_deref()),
            Effect::SaveEvidence { of } => {
                crate::tui::effects::evidence::save(&self.store, of, &self.messages);
            }
            Effect::EndEntry { connection, uri } => {
                let messages = self.messages.clone();
                tokio::spawn(async move {
                    let result = end_entry(&connection, &uri).await;
                    let _ = messages.send(Msg::from(StoreOutcome::EntryEnded { uri, result }));
                });
            }
            effect @ (Effect::SaveDraft(_)
            | Effect::ClearDraft
            | Effect::LoadHistory
            | Effect::LoadProfile { .. }
            | Effect::SaveProfile { .. }
            | Effect::RecordState { .. }
            | Effect::RecordVisitor { .. }) => {
                crate::tui::effects::store::run(&mut self.store, effect, &self.messages);
            }
            Effect::StartBurst {
                id,
                connection,
                request,
                survey,
                settings,
                record,
            } => {
                self.stop_burst();
                // A connection that cannot be used sends nothing: the burst says why.
                let template = crate::tui::effects::store::session_record(&record);
                let recording = history_for(&self.store, template.profile.as_deref())
                    .zip(connection.client_config().ok())
                    .map(|(history, config)| Recording {
                        history,
                        template: template.connected_with(&config),
                    });
                self.burst = Some(crate::tui::effects::runs::start_burst(
                    id,
                    &connection,
                    crate::tui::effects::runs::BurstWork {
                        request,
                        survey,
                        recording,
                    },
                    &settings,
                    self.poll_interval,
                    &self.messages,
                ));
            }
            Effect::StopBurst { id } => {
                if let Some(burst) = self.burst.as_ref().filter(|b| b.id == id) {
                    burst.stop();
                }
            }
            Effect::EndChats {
                id,
                connection,
                chats,
            } => crate::tui::effects::runs::end_chats(
                id,
                &connection,
                chats,
                END_CONCURRENCY,
                &self.messages,
            ),
            Effect::LoadCheckFile { path } => {
                crate::tui::effects::runs::load_check_file(path, &self.messages)
            }
            Effect::RunChecks { id, plan } => {
                self.stop_checks();
                let (stop, stopped) = tokio::sync::watch::channel(false);
                self.checks = Some((id, stop));
                crate::tui::effects::runs::run_checks(
                    id,
                    plan,
                    self.store.config.clone(),
                    self.store.history.clone(),
                    stopped,
                    &self.messages,
                );
            }
            Effect::StopChecks { id } => {
                if let Some((_, stop)) = self.checks.as_ref().filter(|(running, _)| *running == id)
                {
                    let _ = stop.send(true);
                }
            }
            Effect::OpenEditor(_) | Effect::Quit | Effect::Suspend => {}
        }
    }

    /// Follows an existing chat (no chat request); its calls are added to its record's journal.
    fn watch(
        &mut self,
        id: SessionId,
        connection: &Connection,
        uri: String,
        journal: Option<&str>,
    ) {
        self.stop();
        let messages = self.messages.clone();
        let journal = self
            .store
            .history
            .as_ref()
            .and_then(|history| watched_journal(history, &uri, journal));
        let api = match connection.api(Some(observer(id, &messages))) {
            Ok(api) => api.journaled(journal.map(|j| j.observer())),
            Err(error) => {
                let _ = messages.send(Msg::from(SessionOutcome::Update {
                    id,
                    update: session::SessionUpdate::Lost {
                        error: describe(&error),
                        error_kind: error.kind(),
                        explanation: error.explain(),
                        resume: Some(format!("chatstart watch {uri}")),
                    },
                }));
                return;
            }
        };
        // A chat of the history or of a check case: the service named its URI.
        api.named_by_service(&uri);
        let options = self.follow_options(None, false);
        let task_api = api.clone();
        let task = tokio::spawn(async move {
            forward(task_api, uri, options, id, messages).await;
        });
        self.running = Some(Running { id, api, task });
    }

    fn lookup(&self, generation: u64, connection: &Connection, request: ChatRequest) {
        let messages = self.messages.clone();
        let api = match connection.api(None) {
            Ok(api) => api,
            Err(error) => {
                let error = crate::tui::errors::short(&error);
                let _ = messages.send(Msg::from(FormOutcome::SurveyLoaded {
                    generation,
                    result: Err(error.clone()),
                }));
                let _ = messages.send(Msg::from(FormOutcome::AvailabilityLoaded {
                    generation,
                    available: Err(error.clone()),
                    estimate: Err(error),
                }));
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
            let said = |e: ApiError| crate::tui::errors::short_with_step(&e);
            let _ = messages.send(Msg::from(FormOutcome::SurveyLoaded {
                generation,
                result: survey.map_err(said),
            }));
            let _ = messages.send(Msg::from(FormOutcome::AvailabilityLoaded {
                generation,
                available: available.map(|a| a.any()).map_err(said),
                estimate: estimate.map_err(said),
            }));
        });
    }

    // The start effect's fields, as the effect carries them.
    #[allow(clippy::too_many_arguments)]
    fn start(
        &mut self,
        id: SessionId,
        connection: &Connection,
        request: ChatRequest,
        survey: Option<Survey>,
        auth: Option<AuthRequest>,
        visitor_name: Option<String>,
        record: &NewSession,
    ) {
        self.stop();
        let messages = self.messages.clone();
        let api = match connection.api(Some(observer(id, &messages))) {
            Ok(api) => api,
            Err(error) => {
                let _ = messages.send(Msg::from(SessionOutcome::StartFailed {
                    id,
                    failure: failure(error),
                }));
                return;
            }
        };
        // Recorded before it is sent: quitting, a kill or a lost answer then leaves a chat the
        // history knows of; and one the history cannot keep is not sent.
        let template =
            crate::tui::effects::store::session_record(record).connected_with(api.config());
        let history = history_for(&self.store, template.profile.as_deref());
        let attempt = match &history {
            Some(history) => match history.attempt(&template) {
                Ok(attempt) => Some(attempt),
                Err(error) => {
                    let _ = messages.send(Msg::from(SessionOutcome::StartFailed {
                        id,
                        failure: StartFailure {
                            message: crate::tui::effects::store::unwritable(history, &error),
                            hint: None,
                            may_have_created_chat: false,
                            invalid: Vec::new(),
                        },
                    }));
                    return;
                }
            },
            None => None,
        };
        // The chat request, the auth call before it and every later call of this chat (polls,
        // lines, the end, the visitor's calls) go to the chat's journal: `s` reads it.
        let journal = attempt.as_ref().and_then(|a| a.journal()).cloned();
        let api = api.journaled(journal.as_ref().map(crate::journal::Journal::observer));
        let options = FollowOptions {
            visitor_name,
            ..self.follow_options(
                Some(request.skill.trim().to_string()).filter(|s| !s.is_empty()),
                true,
            )
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
            let settled = attempt.as_ref().map(|attempt| attempt.settle(&created));
            let uri = match created {
                Ok(uri) => uri.to_string(),
                Err(error) => {
                    let _ = messages.send(Msg::from(SessionOutcome::StartFailed {
                        id,
                        failure: failure(error),
                    }));
                    return;
                }
            };
            let _ = messages.send(Msg::from(SessionOutcome::Created {
                id,
                uri: uri.clone(),
                journal: journal.as_ref().map(|j| j.id().to_string()),
            }));
            // Said after the chat shows, so the notice is not replaced at once.
            if let Some(Err(error)) = settled {
                let _ = messages.send(Msg::from(StoreOutcome::Failed(format!(
                    "could not write the history: {error}; this chat is not in it (c copies its URI)"
                ))));
            } else if let Some(problem) = journal.as_ref().and_then(|j| j.problem()) {
                // The chat goes on; only its evidence (`s`) will lack what was not kept.
                let _ = messages.send(Msg::from(StoreOutcome::Failed(format!(
                    "{problem}; the chat goes on, its evidence bundle will lack these exchanges"
                ))));
            }
            let following = {
                let (api, uri, messages) = (api.clone(), uri.clone(), messages.clone());
                async move {
                    crate::contain::test_fault("after-create");
                    forward(api, uri, options, id, messages).await;
                }
            };
            if let Err(panic) = crate::contain::catch(following).await {
                // A panic (a bug) must not leave the chat in a queue with nobody following it.
                let ended = api.end_session(&uri).await.map(drop);
                let _ = messages.send(Msg::from(SessionOutcome::Update {
                    id,
                    update: session::SessionUpdate::Lost {
                        error: match &ended {
                            Ok(()) => format!(
                                "following the chat stopped unexpectedly (a bug: {panic}); \
                                 the chat was ended"
                            ),
                            Err(error) => format!(
                                "following the chat stopped unexpectedly (a bug: {panic}); \
                                 ending it failed too: {}",
                                describe(error)
                            ),
                        },
                        error_kind: crate::api::ErrorKind::Failed,
                        explanation: None,
                        resume: ended.is_err().then(|| format!("chatstart watch {uri}")),
                    },
                }));
            }
        });
        self.running = Some(Running { id, api, task });
    }

    /// The running burst's stop signal, as the engine sees it (tests).
    pub fn burst_stopped(&self) -> Option<bool> {
        self.burst
            .as_ref()
            .map(crate::tui::effects::runs::RunningBurst::stopped)
    }

    /// Stops a burst still running (its engine ends the chats it created).
    fn stop_burst(&mut self) {
        if let Some(burst) = self.burst.take() {
            burst.stop();
        }
    }

    /// Stops a check run still going on (its running cases end their chats).
    fn stop_checks(&mut self) {
        if let Some((_, stop)) = self.checks.take() {
            let _ = stop.send(true);
        }
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
        self.stop_burst();
        self.stop_checks();
    }
}

/// Hands each exchange of session `id` to the loop (already masked by the client).
fn observer(id: SessionId, messages: &mpsc::UnboundedSender<Msg>) -> ExchangeObserver {
    let exchanges = messages.clone();
    Arc::new(move |exchange| {
        let _ = exchanges.send(Msg::from(SessionOutcome::Exchange {
            id,
            exchange: exchange.clone(),
        }));
    })
}

/// The history a chat of `profile` is recorded in: without a journal when that profile says
/// `journal = false` — a profile loaded after the console started, whose chats' content must
/// not be kept either.
fn history_for(store: &Store, profile: Option<&str>) -> Option<History> {
    let history = store.history.clone()?;
    let private = profile
        .zip(store.config.as_ref())
        .and_then(|(name, config)| config.file.profiles.get(name))
        .is_some_and(|profile| profile.journal == Some(false));
    Some(if private {
        history.without_journal()
    } else {
        history
    })
}

/// The journal a watched chat's calls are added to: the one its record names, else (a check
/// case's chat, whose journal the check run named) the journal of its record found by URI.
fn watched_journal(
    history: &crate::history::History,
    uri: &str,
    named: Option<&str>,
) -> Option<crate::journal::Journal> {
    match named {
        Some(id) => history.journals()?.of_id(id),
        None => history.journal_of_uri(&history.entries().ok()?, uri),
    }
}

/// Follows `uri`, handing each update to the loop as session `id`'s.
async fn forward(
    api: ChatApi,
    uri: String,
    options: FollowOptions,
    id: SessionId,
    messages: mpsc::UnboundedSender<Msg>,
) {
    let (updates, mut received) = mpsc::unbounded_channel();
    let _tracker = session::follow(api, uri, options, updates);
    // Dropping `received` (when this task is aborted) stops the tracker.
    while let Some(update) = received.recv().await {
        if messages
            .send(Msg::from(SessionOutcome::Update { id, update }))
            .is_err()
        {
            return;
        }
    }
}

/// Ends a chat of the history. A 404 means it is gone already (Q28): nothing left in a queue.
async fn end_entry(connection: &Connection, uri: &str) -> Result<(), String> {
    let api = connection.api(None).map_err(|e| describe(&e))?;
    // A chat of the history: the service named its URI.
    api.named_by_service(uri);
    match api.end_session(uri).await {
        Ok(_) | Err(ApiError::Status { status: 404, .. }) => Ok(()),
        Err(error) => Err(describe(&error)),
    }
}

/// An error as one line, in the console's words (see [`crate::tui::errors`]).
fn describe(error: &ApiError) -> String {
    crate::tui::errors::describe(error)
}

/// A start failure as the console shows it: the error, why it happened and what to do next
/// (from the explained-errors table, in the console's keys), and whether a chat may exist anyway.
pub fn failure(error: ApiError) -> StartFailure {
    let may_have_created_chat = error.may_have_created_chat();
    let invalid = match &error {
        ApiError::Invalid(errors) => errors.0.clone(),
        _ => Vec::new(),
    };
    let hint = crate::tui::errors::hint(&error).or_else(|| {
        // Every ambiguous failure is in the table; this stays true should one ever be missing.
        may_have_created_chat.then(|| {
            "check the history (Ctrl+R: w watches a chat, x ends it) before sending again; \
             Ctrl+S asks first"
                .to_string()
        })
    });
    StartFailure {
        message: if may_have_created_chat {
            format!("{} — a chat may have been created", describe(&error))
        } else {
            describe(&error)
        },
        hint,
        may_have_created_chat,
        invalid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{Flow, History, SessionRecord};

    #[test]
    fn a_chat_of_a_profile_that_keeps_no_journal_is_recorded_without_one() {
        let data = tempfile::tempdir().expect("data");
        let history = History::at(data.path().join(crate::history::FILE_NAME));
        let profile = |journal| crate::config::Profile {
            journal,
            ..crate::config::Profile::default()
        };
        let store = crate::tui::setup::Store {
            history: Some(history),
            config: Some(crate::config::Config {
                path: None,
                file: crate::config::ConfigFile {
                    profiles: [
                        ("private".to_string(), profile(Some(false))),
                        ("qa".to_string(), profile(None)),
                    ]
                    .into(),
                    ..crate::config::ConfigFile::default()
                },
            }),
            ..crate::tui::setup::Store::default()
        };
        let keeps = |profile: Option<&str>| {
            history_for(&store, profile)
                .and_then(|h| h.begin_journal())
                .is_some()
        };
        assert!(!keeps(Some("private")));
        assert!(keeps(Some("qa")));
        assert!(keeps(None));
        assert!(keeps(Some("removed since")));
    }

    #[test]
    fn a_watched_chat_appends_to_the_journal_its_record_names_or_found_by_its_uri() {
        let data = tempfile::tempdir().expect("data");
        let history = History::at(data.path().join(crate::history::FILE_NAME));
        let record = SessionRecord::created(
            None,
            "1",
            "https://x/chat/CASE",
            Flow::Request,
            &ChatRequest::default(),
            None,
        )
        .in_journal(Some("check-case-1".into()));
        history.created(record).expect("history");
        let id = |journal: Option<crate::journal::Journal>| journal.map(|j| j.id().to_string());
        assert_eq!(
            id(watched_journal(&history, "https://x/chat/CASE", None)).as_deref(),
            Some("check-case-1")
        );
        assert_eq!(
            id(watched_journal(
                &history,
                "https://x/chat/CASE",
                Some("named")
            ))
            .as_deref(),
            Some("named")
        );
        assert_eq!(
            id(watched_journal(&history, "https://x/chat/OTHER", None)),
            None
        );
        assert_eq!(
            id(watched_journal(
                &history.clone().without_journal(),
                "https://x/chat/CASE",
                None
            )),
            None,
            "journals off: nothing is kept"
        );
    }
}
