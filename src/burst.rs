//! Burst mode's engine: create many chats with a bounded number in flight, follow each with the
//! session tracker, and end them all when asked — including after an interruption, so no chat
//! is left in a real queue. No UI here: progress goes out as [`BurstEvent`]s.
//!
//! Each chat POST is still sent exactly once; a stop request never abandons a POST in flight (its
//! chat could exist without us knowing its URI), it only keeps new ones from starting.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Semaphore, mpsc, watch};
use tokio::time::Instant;

use crate::api::model::{ChatState, EventKind, Survey};
use crate::api::{ApiError, ChatApi, ChatRequest};
use crate::history::Recording;
use crate::session::{self, FollowOptions, SessionUpdate};

/// The most chats one burst makes: each is a task and a history record.
pub const MAX_COUNT: usize = 100_000;

/// What to do.
#[derive(Debug, Clone)]
pub struct BurstPlan {
    pub count: usize,
    pub concurrency: usize,
    /// Follow each chat until this state (or its end).
    pub wait: ChatState,
    /// Stop following after this long; chats not there yet count as still waiting.
    pub timeout: Option<Duration>,
    pub poll_interval: Duration,
    /// End every chat created once done (or stopped).
    pub end_after: bool,
}

/// Progress of one chat, by its index in the burst.
#[derive(Debug, Clone, PartialEq)]
pub enum BurstEvent {
    /// The chat POST is being sent.
    Sending { index: usize },
    /// The chat exists.
    Created {
        index: usize,
        uri: String,
        after: Duration,
    },
    /// Creating it failed; nothing to end.
    Failed {
        index: usize,
        error: String,
        error_kind: crate::api::ErrorKind,
    },
    /// The chat POST was sent but its answer was lost ([`ApiError::may_have_created_chat`]):
    /// a chat may exist, with no URI to follow or end it by — only the agent queue shows it.
    MayExist {
        index: usize,
        error: String,
        error_kind: crate::api::ErrorKind,
    },
    /// A new state, with the agent once known.
    State {
        index: usize,
        state: ChatState,
        agent: Option<String>,
        at: Duration,
    },
    /// Following it stopped with an error (the chat may still exist).
    Lost { index: usize, error: String },
    /// Ending it after the burst worked (or not).
    EndedByUs {
        index: usize,
        result: Result<(), String>,
    },
}

impl BurstEvent {
    /// The chat the event is about.
    pub fn index(&self) -> usize {
        match self {
            Self::Sending { index }
            | Self::Created { index, .. }
            | Self::Failed { index, .. }
            | Self::MayExist { index, .. }
            | Self::State { index, .. }
            | Self::Lost { index, .. }
            | Self::EndedByUs { index, .. } => *index,
        }
    }
}

/// The outcome of one chat.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ChatOutcome {
    pub index: usize,
    pub uri: Option<String>,
    pub state: Option<String>,
    pub agent: Option<String>,
    /// From the burst's start to the chat's creation.
    pub created_ms: Option<u64>,
    /// From the chat's creation to `chatting`.
    pub time_to_accept_ms: Option<u64>,
    pub error: Option<String>,
    #[serde(skip)]
    pub error_kind: Option<crate::api::ErrorKind>,
    pub ended_by_us: bool,
    /// The request's answer was lost after it was sent: a chat may exist without a URI.
    pub may_exist: bool,
    /// Its chat request was sent (false: the burst stopped before its turn came).
    pub sent: bool,
}

/// Where one chat of a burst stands, as every view of it names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Never sent: the burst stopped before its turn.
    NotSent,
    /// Its request is on its way.
    Sending,
    /// Creating it failed for sure: nothing was made.
    Failed,
    /// Its request's answer was lost: a chat may exist, with no URI.
    MayExist,
    /// The chat exists (or existed).
    Created,
}

impl Status {
    /// The label of a chat with no state seen, in tables and lists.
    pub fn label(self) -> &'static str {
        match self {
            Self::NotSent => "not sent",
            Self::Sending => "sending",
            Self::Failed => "failed",
            Self::MayExist => "may exist",
            Self::Created => "created",
        }
    }
}

impl ChatOutcome {
    /// A chat not yet sent, at `index`.
    pub fn waiting_its_turn(index: usize) -> Self {
        Self {
            index,
            ..Self::default()
        }
    }

    /// Where the chat stands.
    pub fn status(&self) -> Status {
        match (&self.uri, &self.error) {
            (Some(_), _) => Status::Created,
            (None, Some(_)) if self.may_exist => Status::MayExist,
            (None, Some(_)) => Status::Failed,
            (None, None) if self.sent => Status::Sending,
            (None, None) => Status::NotSent,
        }
    }

    /// Creating it failed for sure: nothing was made.
    pub fn failed(&self) -> bool {
        self.status() == Status::Failed
    }

    /// Known to be over: seen ended, or ended by chatstart.
    pub fn is_over(&self) -> bool {
        self.ended_by_us || self.state.as_deref() == Some("ended")
    }

    /// Its state as tables show it: the last state seen (`→end` once chatstart ended it), or
    /// where it stands when no state was seen.
    pub fn state_label(&self) -> String {
        match (self.state.as_deref(), self.ended_by_us) {
            (Some("ended"), _) => "ended".into(),
            (Some(state), true) => format!("{state}→end"),
            (Some(state), false) => state.to_string(),
            (None, true) => format!("{}→end", self.status().label()),
            (None, false) => self.status().label().into(),
        }
    }
}

/// The outcomes of a burst of `count` chats before anything happened.
pub fn outcomes(count: usize) -> Vec<ChatOutcome> {
    (0..count).map(ChatOutcome::waiting_its_turn).collect()
}

/// Applies an event to the outcomes: the single place that turns progress into results.
pub fn apply(outcomes: &mut [ChatOutcome], event: &BurstEvent) {
    let index = event.index();
    let Some(outcome) = outcomes.get_mut(index) else {
        return;
    };
    outcome.index = index;
    match event {
        BurstEvent::Sending { .. } => outcome.sent = true,
        BurstEvent::Created { uri, after, .. } => {
            outcome.uri = Some(uri.clone());
            outcome.created_ms = Some(millis(*after));
        }
        BurstEvent::Failed {
            error, error_kind, ..
        } => {
            outcome.error = Some(error.clone());
            outcome.error_kind = Some(*error_kind);
        }
        BurstEvent::MayExist {
            error, error_kind, ..
        } => {
            outcome.error = Some(error.clone());
            outcome.error_kind = Some(*error_kind);
            outcome.may_exist = true;
        }
        BurstEvent::State {
            state, agent, at, ..
        } => {
            if *state == ChatState::Chatting && outcome.time_to_accept_ms.is_none() {
                let created = outcome.created_ms.unwrap_or(0);
                outcome.time_to_accept_ms = Some(millis(*at).saturating_sub(created));
            }
            outcome.state = Some(state.as_str().to_string());
            if agent.is_some() {
                outcome.agent.clone_from(agent);
            }
        }
        BurstEvent::Lost { error, .. } => outcome.error = Some(error.clone()),
        // The state stays the last one observed: "still waiting" means waiting when the burst
        // stopped, whether or not chatstart then ended the chat.
        BurstEvent::EndedByUs { result, .. } => match result {
            Ok(()) => outcome.ended_by_us = true,
            Err(error) => outcome.error = Some(format!("could not end it: {error}")),
        },
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// The figures of a finished burst.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Summary {
    pub requested: usize,
    pub created: usize,
    pub accepted: usize,
    /// Created, never accepted, and not over: still in the queue when the burst finished.
    pub still_waiting: usize,
    /// Not created: refused, or could not be sent.
    pub failed: usize,
    /// Sent, and the answer lost: a chat may exist in the agent queue, unknown to chatstart.
    pub may_exist: usize,
    /// Never sent: the burst was stopped before their turn.
    pub not_sent: usize,
    pub ended_by_us: usize,
    /// Time to accept, in milliseconds: min, median, p95, max.
    pub accept_ms: Option<[u64; 4]>,
}

impl Summary {
    pub fn of(outcomes: &[ChatOutcome]) -> Self {
        let mut times: Vec<u64> = outcomes
            .iter()
            .filter_map(|o| o.time_to_accept_ms)
            .collect();
        times.sort_unstable();
        let rank = |p: f64| {
            let position = ((times.len() as f64 - 1.0) * p).round() as usize;
            times[position.min(times.len() - 1)]
        };
        Self {
            requested: outcomes.len(),
            created: outcomes.iter().filter(|o| o.uri.is_some()).count(),
            accepted: times.len(),
            still_waiting: outcomes
                .iter()
                .filter(|o| {
                    o.uri.is_some()
                        && o.time_to_accept_ms.is_none()
                        && matches!(o.state.as_deref(), None | Some("waiting"))
                        && !o.is_over()
                })
                .count(),
            failed: outcomes.iter().filter(|o| o.failed()).count(),
            may_exist: outcomes.iter().filter(|o| o.may_exist).count(),
            not_sent: outcomes
                .iter()
                .filter(|o| o.status() == Status::NotSent)
                .count(),
            ended_by_us: outcomes.iter().filter(|o| o.ended_by_us).count(),
            accept_ms: (!times.is_empty())
                .then(|| [times[0], rank(0.5), rank(0.95), times[times.len() - 1]]),
        }
    }
}

impl Summary {
    /// The counts in words, as both front ends print them: `created 8/10 · accepted 6 · still
    /// waiting 0 · failed 0 · ended by chatstart 8 · not sent 2` (the burst stopped first); a
    /// request whose answer was lost adds ` · may exist 2 — check the agent queue` (there is
    /// no URI to end it by).
    pub fn counts(&self) -> String {
        let mut line = format!(
            "created {}/{} · accepted {} · still waiting {} · failed {}",
            self.created, self.requested, self.accepted, self.still_waiting, self.failed
        );
        if self.ended_by_us > 0 {
            line.push_str(&format!(" · ended by chatstart {}", self.ended_by_us));
        }
        if self.may_exist > 0 {
            line.push_str(&format!(
                " · may exist {} — check the agent queue",
                self.may_exist
            ));
        }
        if self.not_sent > 0 {
            line.push_str(&format!(" · not sent {}", self.not_sent));
        }
        line
    }
}

/// Runs a burst. `stop` turning true keeps new chats from being created and stops following;
/// with `end_after`, every chat created is then ended. Each chat request is recorded in
/// `recording` before it is sent (a chat whose record cannot be written is not sent). Returns
/// when all is done.
pub async fn run(
    api: ChatApi,
    request: ChatRequest,
    survey: Option<Survey>,
    plan: BurstPlan,
    recording: Option<Recording>,
    events: mpsc::UnboundedSender<BurstEvent>,
    stop: watch::Receiver<bool>,
) -> Vec<ChatOutcome> {
    let started = Instant::now();
    let gate = Arc::new(Semaphore::new(
        plan.concurrency.clamp(1, Semaphore::MAX_PERMITS),
    ));
    let request = Arc::new(request);
    let survey = Arc::new(survey);
    let (report, mut reports) = mpsc::unbounded_channel();
    let journaled = Arc::new(std::sync::Mutex::new(HashMap::new()));
    for index in 0..plan.count {
        let chat = Chat {
            api: api.clone(),
            index,
            started,
            plan: plan.clone(),
            events: events.clone(),
            report: report.clone(),
            stop: stop.clone(),
            recording: recording.clone(),
            journaled: journaled.clone(),
        };
        let (gate, request, survey) = (gate.clone(), request.clone(), survey.clone());
        tokio::spawn(async move { chat.run(&gate, &request, survey.as_ref().as_ref()).await });
    }
    drop(report);
    let mut outcomes = outcomes(plan.count);
    let mut created: Vec<(usize, String)> = Vec::new();
    while let Some(event) = reports.recv().await {
        if let BurstEvent::Created { index, uri, .. } = &event {
            created.push((*index, uri.clone()));
        }
        apply(&mut outcomes, &event);
    }
    // An interruption ends what was made too: no chat is left in a real queue.
    if plan.end_after || *stop.borrow() {
        // Each chat's end goes to its own journal, through the client that kept it.
        let journaled = std::mem::take(&mut *journaled.lock().unwrap_or_else(|e| e.into_inner()));
        let created: Vec<(usize, String, ChatApi)> = created
            .into_iter()
            .map(|(index, uri)| {
                let api = journaled
                    .get(&index)
                    .cloned()
                    .unwrap_or_else(|| api.clone());
                (index, uri, api)
            })
            .collect();
        for (index, result) in end_all(&created, plan.concurrency, &outcomes).await {
            let event = BurstEvent::EndedByUs { index, result };
            apply(&mut outcomes, &event);
            let _ = events.send(event);
        }
    }
    outcomes
}

/// Ends the chats that are not known to have ended, with at most `concurrency` at once.
async fn end_all(
    created: &[(usize, String, ChatApi)],
    concurrency: usize,
    outcomes: &[ChatOutcome],
) -> Vec<(usize, Result<(), String>)> {
    let gate = Arc::new(Semaphore::new(concurrency.clamp(1, Semaphore::MAX_PERMITS)));
    let mut tasks = Vec::new();
    for (index, uri, api) in created {
        let outcome = outcomes.get(*index);
        if outcome.and_then(|o| o.state.as_deref()) == Some("ended")
            || outcome.is_some_and(|o| o.ended_by_us)
        {
            continue;
        }
        let (api, gate, uri, index) = (api.clone(), gate.clone(), uri.clone(), *index);
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire_owned().await;
            let result = api
                .end_session(&uri)
                .await
                .map(drop)
                .map_err(|e: ApiError| e.to_string());
            (index, result)
        }));
    }
    let mut results = Vec::new();
    for task in tasks {
        if let Ok(result) = task.await {
            results.push(result);
        }
    }
    results
}

/// One chat of the burst.
struct Chat {
    api: ChatApi,
    index: usize,
    started: Instant,
    plan: BurstPlan,
    events: mpsc::UnboundedSender<BurstEvent>,
    report: mpsc::UnboundedSender<BurstEvent>,
    stop: watch::Receiver<bool>,
    recording: Option<Recording>,
    /// The client each chat journals with, by index: what ends it after the burst.
    journaled: Arc<std::sync::Mutex<HashMap<usize, ChatApi>>>,
}

impl Chat {
    fn emit(&self, event: BurstEvent) {
        let _ = self.events.send(event.clone());
        let _ = self.report.send(event);
    }

    async fn run(mut self, gate: &Semaphore, request: &ChatRequest, survey: Option<&Survey>) {
        let uri = {
            let Ok(_permit) = gate.acquire().await else {
                return;
            };
            if *self.stop.borrow() {
                return;
            }
            // Recorded before it is sent: a chat that cannot be recorded is not made.
            let attempt = match self.recording.as_ref().map(Recording::attempt).transpose() {
                Ok(attempt) => attempt,
                Err(error) => {
                    self.emit(BurstEvent::Failed {
                        index: self.index,
                        error: format!("not sent: cannot write the history: {error}"),
                        error_kind: crate::api::ErrorKind::Invalid,
                    });
                    return;
                }
            };
            // This chat's exchanges, from its request to its end, go to its own journal.
            if let Some(journal) = attempt.as_ref().and_then(|a| a.journal()) {
                self.api = self.api.journaled(Some(journal.observer()));
                self.journaled
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(self.index, self.api.clone());
            }
            self.emit(BurstEvent::Sending { index: self.index });
            let outcome = self.api.request_chat(request, survey).await;
            if let Some(attempt) = &attempt {
                // The history's own failure to keep the outcome leaves the attempt, state
                // unknown: never a chat it does not know of.
                let _ = attempt.settle(&outcome);
            }
            match outcome {
                Ok(uri) => uri.to_string(),
                Err(error) => {
                    let (index, error_kind) = (self.index, error.kind());
                    let error_text = error.to_string();
                    self.emit(if error.may_have_created_chat() {
                        BurstEvent::MayExist {
                            index,
                            error: error_text,
                            error_kind,
                        }
                    } else {
                        BurstEvent::Failed {
                            index,
                            error: error_text,
                            error_kind,
                        }
                    });
                    return;
                }
            }
        };
        self.emit(BurstEvent::Created {
            index: self.index,
            uri: uri.clone(),
            after: self.started.elapsed(),
        });
        // A panic while following (a bug) must not leave the chat in a queue: it is ended here,
        // whatever the plan says, since nothing follows it any more.
        if let Err(panic) = crate::contain::catch(self.follow(uri.clone())).await {
            self.emit(BurstEvent::Lost {
                index: self.index,
                error: format!("following it stopped unexpectedly (a bug: {panic})"),
            });
            let result = self
                .api
                .end_session(&uri)
                .await
                .map(drop)
                .map_err(|e| e.to_string());
            self.emit(BurstEvent::EndedByUs {
                index: self.index,
                result,
            });
        }
    }

    async fn follow(&mut self, uri: String) {
        crate::contain::test_fault("after-create");
        let (updates, mut received) = mpsc::unbounded_channel();
        let options = FollowOptions {
            poll_interval: self.plan.poll_interval,
            ..FollowOptions::default()
        };
        let tracker = session::follow(self.api.clone(), uri, options, updates);
        let deadline = self.plan.timeout.map(|t| self.started + t);
        let mut state: Option<ChatState> = None;
        loop {
            let update = tokio::select! {
                update = received.recv() => update,
                _ = self.stop.wait_for(|stopped| *stopped) => None,
                () = sleep_until(deadline) => None,
            };
            let Some(update) = update else {
                break;
            };
            match update {
                SessionUpdate::Batch { events, info } => {
                    let agent = info.and_then(|i| i.agent_name);
                    for event in events {
                        if let EventKind::State(new) = event.kind {
                            if state.as_ref() != Some(&new) {
                                state = Some(new.clone());
                                self.emit(BurstEvent::State {
                                    index: self.index,
                                    state: new,
                                    agent: agent.clone(),
                                    at: self.started.elapsed(),
                                });
                            }
                        }
                    }
                    let reached = state
                        .as_ref()
                        .is_some_and(|s| s.has_reached(&self.plan.wait));
                    if reached || state == Some(ChatState::Ended) {
                        break;
                    }
                }
                SessionUpdate::Lost { error, .. } => {
                    self.emit(BurstEvent::Lost {
                        index: self.index,
                        error,
                    });
                    break;
                }
                SessionUpdate::Ended => break,
                SessionUpdate::EstimatedWait(_)
                | SessionUpdate::Retrying { .. }
                | SessionUpdate::Recovered
                | SessionUpdate::Links(_)
                | SessionUpdate::AgentTyping(_)
                | SessionUpdate::VisitorNamed { .. } => {}
            }
        }
        tracker.abort();
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepted(ms: u64) -> ChatOutcome {
        ChatOutcome {
            uri: Some("u".into()),
            state: Some("chatting".into()),
            time_to_accept_ms: Some(ms),
            ..ChatOutcome::default()
        }
    }

    #[test]
    fn the_summary_counts_and_ranks() {
        let mut outcomes: Vec<ChatOutcome> = (1..=20).map(|i| accepted(i * 100)).collect();
        outcomes.push(ChatOutcome {
            uri: Some("w".into()),
            state: Some("waiting".into()),
            ..ChatOutcome::default()
        });
        outcomes.push(ChatOutcome {
            error: Some("refused".into()),
            ..ChatOutcome::default()
        });
        let summary = Summary::of(&outcomes);
        assert_eq!(
            (summary.requested, summary.created, summary.accepted),
            (22, 21, 20)
        );
        assert_eq!((summary.still_waiting, summary.failed), (1, 1));
        assert_eq!(summary.may_exist, 0);
        assert_eq!(summary.accept_ms, Some([100, 1100, 1900, 2000]));
    }

    #[test]
    fn events_become_outcomes() {
        let mut outcomes = vec![ChatOutcome::default(); 2];
        let created = BurstEvent::Created {
            index: 1,
            uri: "u1".into(),
            after: Duration::from_millis(40),
        };
        let chatting = BurstEvent::State {
            index: 1,
            state: ChatState::Chatting,
            agent: Some("Natalie".into()),
            at: Duration::from_millis(340),
        };
        for event in [created, chatting] {
            apply(&mut outcomes, &event);
        }
        apply(
            &mut outcomes,
            &BurstEvent::EndedByUs {
                index: 1,
                result: Ok(()),
            },
        );
        assert_eq!(outcomes[1].time_to_accept_ms, Some(300));
        assert_eq!(outcomes[1].agent.as_deref(), Some("Natalie"));
        assert_eq!(
            outcomes[1].state.as_deref(),
            Some("chatting"),
            "the last state observed"
        );
        assert!(outcomes[1].ended_by_us);
        assert_eq!(outcomes[0], ChatOutcome::default());
    }

    #[test]
    fn a_lost_answer_is_not_counted_as_failed() {
        let mut outcomes = vec![ChatOutcome::default(); 3];
        apply(
            &mut outcomes,
            &BurstEvent::MayExist {
                index: 0,
                error: "the connection broke".into(),
                error_kind: crate::api::ErrorKind::Failed,
            },
        );
        apply(
            &mut outcomes,
            &BurstEvent::Failed {
                index: 1,
                error: "refused".into(),
                error_kind: crate::api::ErrorKind::Refused,
            },
        );
        assert!(outcomes[0].may_exist && !outcomes[0].failed());
        assert!(outcomes[1].failed() && !outcomes[1].may_exist);
        let summary = Summary::of(&outcomes);
        assert_eq!((summary.failed, summary.may_exist), (1, 1), "{summary:?}");
    }

    #[test]
    fn a_stopped_burst_counts_each_chat_as_what_happened_to_it() {
        let mut outcomes = outcomes(4);
        let created = |index| BurstEvent::Created {
            index,
            uri: format!("u{index}"),
            after: Duration::from_millis(10),
        };
        let waiting = |index| BurstEvent::State {
            index,
            state: ChatState::Waiting,
            agent: None,
            at: Duration::from_millis(20),
        };
        let ended = |index| BurstEvent::EndedByUs {
            index,
            result: Ok(()),
        };
        // Chat 0 was seen waiting, chat 2 created but never polled; both ended on the stop.
        // Chat 1's request was on its way when the burst stopped; chat 3 was never sent.
        let events = [
            BurstEvent::Sending { index: 0 },
            created(0),
            waiting(0),
            BurstEvent::Sending { index: 2 },
            created(2),
            BurstEvent::Sending { index: 1 },
            ended(0),
            ended(2),
        ];
        for event in &events {
            apply(&mut outcomes, event);
        }
        let indexes: Vec<usize> = outcomes.iter().map(|o| o.index).collect();
        assert_eq!(indexes, [0, 1, 2, 3], "each chat keeps its own index");
        let labels: Vec<String> = outcomes.iter().map(ChatOutcome::state_label).collect();
        assert_eq!(
            labels,
            ["waiting→end", "sending", "created→end", "not sent"]
        );
        let summary = Summary::of(&outcomes);
        assert_eq!(
            (
                summary.created,
                summary.still_waiting,
                summary.failed,
                summary.not_sent,
                summary.ended_by_us
            ),
            (2, 0, 0, 1, 2),
            "ended chats are not still waiting; unsent ones did not fail: {summary:?}"
        );
        assert_eq!(
            summary.counts(),
            "created 2/4 · accepted 0 · still waiting 0 · failed 0 · ended by chatstart 2 · not sent 1"
        );
    }
}
