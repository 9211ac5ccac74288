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
}

impl Default for FollowOptions {
    fn default() -> Self {
        Self {
            poll_interval: DEFAULT_POLL_INTERVAL,
            skill: None,
            max_failures: DEFAULT_MAX_FAILURES,
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
                if let Some(skill) = self.options.skill.as_deref().filter(|s| !s.is_empty()) {
                    if let Ok(estimate) = self.api.estimated_wait(skill).await {
                        if !self.send(SessionUpdate::EstimatedWait(estimate)) {
                            return;
                        }
                    }
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
            let why = if error.is_retryable() {
                format!("{} polls failed in a row; last: {error}", cursor.failures)
            } else {
                error.to_string()
            };
            // A chat the service no longer has cannot be resumed (Q28).
            let gone = error.status() == Some(404);
            self.send(SessionUpdate::Lost {
                error: why,
                resume: (!gone).then(|| format!("chatstart watch {}", self.session_uri)),
            });
            return None;
        }
        let delay = retry_delay(error, cursor.failures, self.options.poll_interval);
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

/// Events not seen before, in id order; events without an id cannot be de-duplicated and pass.
fn fresh_events(mut events: Vec<Event>, seen: &mut HashSet<u64>) -> Vec<Event> {
    events.retain(|event| event.id.is_none_or(|id| seen.insert(id)));
    events.sort_by_key(|event| event.id.unwrap_or(u64::MAX));
    events
}

/// LivePerson's policy (Q25): 429 → Retry-After or at least 1 s; 5xx → Retry-After or 5, 10,
/// 15 s; a lost connection or an unreadable answer → exponential backoff from the poll interval.
/// Each with up to 20 % jitter, so many sessions do not retry in step.
pub fn retry_delay(error: &ApiError, attempt: u32, poll_interval: Duration) -> Duration {
    let base = match (error.status(), error.retry_after()) {
        (Some(429), after) => after.unwrap_or_default().max(Duration::from_secs(1)),
        (Some(status), Some(after)) if status >= 500 => after,
        (Some(status), None) if status >= 500 => Duration::from_secs(5 * u64::from(attempt.min(3))),
        _ => {
            let doubling = 2u32.saturating_pow(attempt.saturating_sub(1).min(4));
            (poll_interval.max(Duration::from_millis(250)) * doubling).min(Duration::from_secs(16))
        }
    };
    base + base.mul_f64(fastrand::f64() * 0.2)
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
        assert!(within(retry_delay(&status(429, None), 1, poll), 1));
        assert!(within(retry_delay(&status(429, Some(7)), 1, poll), 7));
        assert!(within(retry_delay(&status(503, None), 1, poll), 5));
        assert!(within(retry_delay(&status(500, None), 2, poll), 10));
        assert!(within(retry_delay(&status(500, None), 9, poll), 15));
        assert!(within(retry_delay(&status(503, Some(3)), 1, poll), 3));
        let dropped = ApiError::Network {
            operation: Operation::Session,
            failure: NetworkFailure::Dropped,
            detail: String::new(),
            timeout: poll,
        };
        assert!(within(retry_delay(&dropped, 1, poll), 2));
        assert!(within(retry_delay(&dropped, 3, poll), 8));
        assert!(within(retry_delay(&dropped, 9, poll), 16));
    }
}
