//! The session tracker: one async task that follows a chat through its `next` links and reports
//! typed updates through a channel. Shared unchanged by the CLI, the console and burst mode.
//!
//! Polls are GETs and may be retried (with backoff, honouring Retry-After and LivePerson's
//! policy, Q25); a failed poll never advances the cursor, and events are de-duplicated by id, so a
//! retried answer can neither skip nor repeat an event. Nothing here ever sends a chat request.

use std::collections::HashSet;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::{Instant, sleep_until};

use crate::api::explain::Explanation;
use crate::api::model::{ChatState, EstimatedWait, Event, EventKind, Info};
use crate::api::{ApiError, ChatApi};

/// Default time between the starts of two polls (the official SDK's 2 s).
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(2);
/// Consecutive failed polls after which the session is given up (the SDK gives up after > 9).
pub const DEFAULT_MAX_FAILURES: u32 = 9;
/// How often the estimated wait is asked for while the chat waits.
pub const WAIT_ESTIMATE_EVERY: Duration = Duration::from_secs(15);

/// How to follow a session.
#[derive(Debug, Clone)]
pub struct FollowOptions {
    pub poll_interval: Duration,
    /// The chat's skill, to ask for the estimated wait while it waits.
    pub skill: Option<String>,
    pub max_failures: u32,
    pub retry: RetryPolicy,
}

impl Default for FollowOptions {
    fn default() -> Self {
        Self {
            poll_interval: DEFAULT_POLL_INTERVAL,
            skill: None,
            max_failures: DEFAULT_MAX_FAILURES,
            retry: RetryPolicy::default(),
        }
    }
}

/// How long a failed poll waits before the next try: LivePerson's published policy (Q25) by
/// default. Tests shorten it; nothing else needs to.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// After the first, second and third (and every later) 5xx in a row: 5, 10, 15 s.
    pub server_error: [Duration; 3],
    /// The least wait after a 429: 1 s.
    pub throttled: Duration,
    /// The longest wait taken from a `Retry-After` (a server may send any number; a chat left
    /// unpolled that long ends by its idle timeout anyway).
    pub longest: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            server_error: [5, 10, 15].map(Duration::from_secs),
            throttled: Duration::from_secs(1),
            longest: Duration::from_secs(60),
        }
    }
}

/// What the tracker reports.
#[derive(Debug, Clone, PartialEq)]
pub enum SessionUpdate {
    /// New events of one poll, each reported once, in id order, with the info that came along.
    Batch {
        events: Vec<Event>,
        info: Option<Box<Info>>,
    },
    /// The estimated wait for the chat's skill, while it waits.
    EstimatedWait(EstimatedWait),
    /// A poll failed; the next try starts after `delay`.
    Retrying {
        attempt: u32,
        error: String,
        delay: Duration,
    },
    /// A poll worked again after failures.
    Recovered,
    /// The chat ended and its final batch was reported; the tracker has stopped.
    Ended,
    /// The session can no longer be followed; the tracker has stopped. `resume` is the command
    /// that picks it up again, when there is anything left to pick up.
    Lost {
        error: String,
        /// The exit code a command ends with: 3 when the service refused (a 4xx), else 4.
        exit_code: i32,
        /// Why it happened and the next step, when the error is a known one.
        explanation: Option<Explanation>,
        resume: Option<String>,
    },
}

/// Starts following `session_uri`. The task stops when the chat ends, when the session is lost,
/// when the receiver is dropped, or when the handle is aborted.
pub fn follow(
    api: ChatApi,
    session_uri: String,
    options: FollowOptions,
    updates: mpsc::UnboundedSender<SessionUpdate>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let tracker = Tracker {
            api,
            session_uri,
            options,
            updates,
        };
        tracker.run().await;
    })
}

struct Tracker {
    api: ChatApi,
    session_uri: String,
    options: FollowOptions,
    updates: mpsc::UnboundedSender<SessionUpdate>,
}

/// What the tracker knows between polls.
struct Cursor {
    next: String,
    seen: HashSet<u64>,
    state: Option<ChatState>,
    chat_timeout: Option<Duration>,
    failures: u32,
}

impl Tracker {
    async fn run(self) {
        let mut cursor = Cursor {
            next: self.session_uri.clone(),
            seen: HashSet::new(),
            state: None,
            chat_timeout: None,
            failures: 0,
        };
        let mut next_estimate = Instant::now();
        let mut estimate = AbortOnDrop(None);
        loop {
            let started = Instant::now();
            let delay = match self.api.chat(&cursor.next).await {
                Ok(chat) => {
                    if cursor.failures > 0 && !self.send(SessionUpdate::Recovered) {
                        return;
                    }
                    cursor.failures = 0;
                    let events = fresh_events(chat.events.clone(), &mut cursor.seen);
                    for event in &events {
                        if let EventKind::State(state) = &event.kind {
                            cursor.state = Some(state.clone());
                        }
                    }
                    if let Some(info) = &chat.info {
                        if events
                            .iter()
                            .all(|e| !matches!(e.kind, EventKind::State(_)))
                        {
                            // Info is the fallback when a state change came without its event.
                            if let Some(state) = &info.state {
                                cursor.state = Some(state.clone());
                            }
                        }
                        cursor.chat_timeout = info.chat_timeout.map(Duration::from_secs);
                    }
                    if let Some(next) = chat.next_link() {
                        cursor.next = next.to_string();
                    }
                    if (!events.is_empty() || chat.info.is_some())
                        && !self.send(SessionUpdate::Batch {
                            events,
                            info: chat.info.map(Box::new),
                        })
                    {
                        return;
                    }
                    if cursor.state == Some(ChatState::Ended) {
                        self.send(SessionUpdate::Ended);
                        return;
                    }
                    None
                }
                Err(error) => match self.failed(&mut cursor, &error) {
                    Some(delay) => Some(delay),
                    None => return,
                },
            };
            if cursor.state == Some(ChatState::Waiting) && Instant::now() >= next_estimate {
                next_estimate = Instant::now() + WAIT_ESTIMATE_EVERY;
                if let Some(skill) = self.options.skill.clone().filter(|s| !s.is_empty()) {
                    // Beside the polls, not between them: a slow estimate must not stall them.
                    let (api, updates) = (self.api.clone(), self.updates.clone());
                    estimate.replace(tokio::spawn(async move {
                        if let Ok(estimate) = api.estimated_wait(&skill).await {
                            let _ = updates.send(SessionUpdate::EstimatedWait(estimate));
                        }
                    }));
                }
            }
            // ±10 % on every interval, so many sessions started together do not poll in step.
            let wake = match delay {
                Some(delay) => Instant::now() + delay,
                None => started + self.interval(&cursor).mul_f64(0.9 + 0.2 * fastrand::f64()),
            };
            tokio::select! {
                () = sleep_until(wake) => {}
                () = self.updates.closed() => return,
            }
        }
    }

    /// The poll interval, kept well under the chat's idle timeout (Q13).
    fn interval(&self, cursor: &Cursor) -> Duration {
        let limit = cursor
            .chat_timeout
            .filter(|t| !t.is_zero())
            .map_or(Duration::MAX, |t| t / 3);
        self.options.poll_interval.min(limit)
    }

    /// Handles a failed poll: the delay before the next try, or `None` once the session is over.
    fn failed(&self, cursor: &mut Cursor, error: &ApiError) -> Option<Duration> {
        if error.status() == Some(404) && cursor.state == Some(ChatState::Ended) {
            // Ended chats vanish (Q28): the final batch was already read.
            self.send(SessionUpdate::Ended);
            return None;
        }
        cursor.failures += 1;
        if !error.is_retryable() || cursor.failures > self.options.max_failures {
            let (why, exit_code) = if error.is_retryable() {
                let why = format!("{} polls failed in a row; last: {error}", cursor.failures);
                (why, crate::api::error::exit::FAILURE)
            } else {
                (error.to_string(), error.exit_code())
            };
            // A chat the service no longer has cannot be resumed (Q28).
            let gone = error.status() == Some(404);
            let shown_uri = crate::api::links::redact_text_url(&self.session_uri);
            self.send(SessionUpdate::Lost {
                error: why,
                exit_code,
                explanation: error.explain(),
                resume: (!gone).then(|| format!("chatstart watch {shown_uri}")),
            });
            return None;
        }
        let mut delay = retry_delay(
            error,
            cursor.failures,
            self.options.poll_interval,
            &self.options.retry,
        );
        // Never so long that the chat ends for want of a poll (Q13).
        if let Some(timeout) = cursor.chat_timeout.filter(|t| !t.is_zero()) {
            delay = delay.min(timeout.mul_f64(0.75));
        }
        self.send(SessionUpdate::Retrying {
            attempt: cursor.failures,
            error: error.to_string(),
            delay,
        })
        .then_some(delay)
    }

    /// Sends an update; false when nobody listens any more.
    fn send(&self, update: SessionUpdate) -> bool {
        self.updates.send(update).is_ok()
    }
}

/// The estimated-wait request in flight, stopped with the tracker (an older one still running
/// when a newer starts is stopped too: only the newest answer matters).
struct AbortOnDrop(Option<JoinHandle<()>>);

impl AbortOnDrop {
    fn replace(&mut self, task: JoinHandle<()>) {
        if let Some(old) = self.0.replace(task) {
            old.abort();
        }
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(task) = self.0.take() {
            task.abort();
        }
    }
}

/// Events not seen before, in id order; events without an id cannot be de-duplicated and pass.
fn fresh_events(mut events: Vec<Event>, seen: &mut HashSet<u64>) -> Vec<Event> {
    events.retain(|event| event.id.is_none_or(|id| seen.insert(id)));
    events.sort_by_key(|event| event.id.unwrap_or(u64::MAX));
    events
}

/// LivePerson's policy (Q25): 429 → Retry-After, at least 1 s; 5xx → Retry-After, at least 5,
/// 10, 15 s; a lost connection or an unreadable answer → exponential backoff from the poll
/// interval. `Retry-After` is honoured up to `policy.longest`. Each with up to 20 % jitter, so
/// many sessions do not retry in step.
pub fn retry_delay(
    error: &ApiError,
    attempt: u32,
    poll_interval: Duration,
    policy: &RetryPolicy,
) -> Duration {
    let after = error.retry_after().unwrap_or_default();
    let base = match error.status() {
        Some(429) => after.max(policy.throttled),
        Some(status) if status >= 500 => {
            let step = attempt.clamp(1, 3) as usize - 1;
            after.max(policy.server_error[step])
        }
        _ => {
            let doubling = 2u32.saturating_pow(attempt.saturating_sub(1).min(4));
            poll_interval
                .max(Duration::from_millis(250))
                .saturating_mul(doubling)
                .min(Duration::from_secs(16))
        }
    };
    let base = base.min(policy.longest);
    base.saturating_add(base.mul_f64(fastrand::f64() * 0.2))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::error::{NetworkFailure, Operation};
    use serde_json::json;

    fn event(id: u64) -> Event {
        let doc =
            json!({"events":{"event":{"@id": id.to_string(), "@type":"state","state":"waiting"}}});
        crate::api::model::EventsDocument::from_document(&doc)
            .unwrap()
            .events
            .remove(0)
    }

    #[test]
    fn events_are_reported_once_and_in_order() {
        let mut seen = HashSet::new();
        let first = fresh_events(vec![event(1), event(0)], &mut seen);
        assert_eq!(
            first.iter().map(|e| e.id).collect::<Vec<_>>(),
            [Some(0), Some(1)]
        );
        let again = fresh_events(vec![event(1), event(2), event(2)], &mut seen);
        assert_eq!(again.iter().map(|e| e.id).collect::<Vec<_>>(), [Some(2)]);
    }

    fn status(status: u16, retry_after: Option<u64>) -> ApiError {
        ApiError::Status {
            operation: Operation::Session,
            status,
            message: None,
            internal_code: None,
            reason: None,
            body_start: String::new(),
            retry_after: retry_after.map(Duration::from_secs),
        }
    }

    #[test]
    fn retry_delays_follow_the_published_policy() {
        let within = |d: Duration, base: u64| {
            d >= Duration::from_secs(base) && d <= Duration::from_secs(base).mul_f64(1.2)
        };
        let poll = Duration::from_secs(2);
        let policy = RetryPolicy::default();
        let delay = |error: &ApiError, attempt| retry_delay(error, attempt, poll, &policy);
        assert!(within(delay(&status(429, None), 1), 1));
        assert!(within(delay(&status(429, Some(0)), 1), 1));
        assert!(within(delay(&status(429, Some(7)), 1), 7));
        assert!(within(delay(&status(503, None), 1), 5));
        assert!(within(delay(&status(500, None), 2), 10));
        assert!(within(delay(&status(500, None), 9), 15));
        assert!(
            within(delay(&status(503, Some(0)), 1), 5),
            "a Retry-After of 0 does not cut the policy's wait"
        );
        assert!(within(delay(&status(503, Some(30)), 1), 30));
        // Any number a server sends is taken, up to the longest wait, without overflow.
        assert!(within(delay(&status(503, Some(u64::MAX / 2)), 1), 60));
        assert!(within(delay(&status(429, Some(u64::MAX)), 1), 60));
        let dropped = ApiError::Network {
            operation: Operation::Session,
            failure: NetworkFailure::Dropped,
            detail: String::new(),
            timeout: poll,
        };
        assert!(within(delay(&dropped, 1), 2));
        assert!(within(delay(&dropped, 3), 8));
        assert!(within(delay(&dropped, 9), 16));
    }
}
