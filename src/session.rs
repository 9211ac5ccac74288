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
use crate::api::model::{ChatState, EstimatedWait, Event, EventKind, Info, VisitorLinks};
use crate::api::{ApiError, ChatApi};

/// Default time between the starts of two polls (the official SDK's 2 s).
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(2);
/// Consecutive failed polls after which the session is given up (the SDK gives up after > 9).
pub const DEFAULT_MAX_FAILURES: u32 = 9;
/// Answers read at once, at most, while the events catch up with a state the info reports
/// (a server without event ids would otherwise be read without pause).
const MAX_CATCH_UP_POLLS: u32 = 20;
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
    /// The chat's service is known to answer (the chat was just created there). When false —
    /// a URI given to follow — a connection that cannot be made before the service ever
    /// answered ends the tracking at once: a session never reached is not one to resume.
    pub known_reachable: bool,
    /// The visitor's name, set at the info's `visitor-name` link as soon as the chat is first
    /// read (before an agent accepts it, §2.14).
    pub visitor_name: Option<String>,
}

impl Default for FollowOptions {
    fn default() -> Self {
        Self {
            poll_interval: DEFAULT_POLL_INTERVAL,
            skill: None,
            max_failures: DEFAULT_MAX_FAILURES,
            retry: RetryPolicy::default(),
            known_reachable: true,
            visitor_name: None,
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
    /// Where the visitor's own calls about this chat go (exit survey, transcript, name,
    /// typing): sent when first read and whenever they change.
    Links(VisitorLinks),
    /// The agent started (`true`) or stopped typing, as the info says (Q35); sent on change
    /// only.
    AgentTyping(bool),
    /// The visitor's name was set (`Ok`), or not (`Err`: what went wrong, and whether it may
    /// have been set all the same: the request went out and its answer was lost).
    VisitorNamed {
        name: String,
        result: Result<(), crate::api::error::CallFailure>,
    },
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
        error_kind: crate::api::ErrorKind,
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
        let shown_uri = crate::api::links::redact_text_url(&session_uri);
        let tracker = Tracker {
            api,
            session_uri,
            options,
            updates: updates.clone(),
        };
        // A panic (a bug) is reported like any lost session, so its owner can end the chat.
        if let Err(panic) = crate::contain::catch(tracker.run()).await {
            let _ = updates.send(SessionUpdate::Lost {
                error: format!("following the chat stopped unexpectedly (a bug: {panic})"),
                error_kind: crate::api::ErrorKind::Failed,
                explanation: None,
                resume: Some(format!("chatstart watch {shown_uri}")),
            });
        }
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
    /// A state the info reported that the events have not caught up with yet.
    held_back: Option<ChatState>,
    /// Answers in a row read at once to let the events catch up with the info.
    catch_up_polls: u32,
    /// A requeue or transfer was announced since the last state event: the chat may go back
    /// to `waiting` with only the info saying so (§3.7).
    requeued: bool,
    chat_timeout: Option<Duration>,
    failures: u32,
    /// The service has answered a poll of this chat.
    answered: bool,
    links: VisitorLinks,
    agent_typing: bool,
    /// The name still to set, until it has been tried once.
    name_to_set: Option<String>,
    /// The info's own links were read once (its block in the chat had none).
    info_links_asked: bool,
}

impl Tracker {
    async fn run(self) {
        let mut cursor = Cursor {
            next: self.session_uri.clone(),
            seen: HashSet::new(),
            state: None,
            held_back: None,
            catch_up_polls: 0,
            requeued: false,
            chat_timeout: None,
            failures: 0,
            answered: false,
            links: VisitorLinks::default(),
            agent_typing: false,
            name_to_set: self
                .options
                .visitor_name
                .clone()
                .filter(|n| !n.trim().is_empty()),
            info_links_asked: false,
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
                    cursor.answered = true;
                    let events = fresh_events(chat.events.clone(), &mut cursor.seen);
                    for event in &events {
                        match &event.kind {
                            EventKind::State(state) => {
                                cursor.state = Some(state.clone());
                                cursor.requeued = false;
                            }
                            EventKind::Line(line) => {
                                use crate::api::model::system_message::{
                                    REQUEUED, TRANSFERRED_TO_AGENT, TRANSFERRED_TO_SKILL,
                                };
                                cursor.requeued |= matches!(
                                    line.system_message_id,
                                    Some(REQUEUED | TRANSFERRED_TO_AGENT | TRANSFERRED_TO_SKILL)
                                );
                            }
                            _ => {}
                        }
                    }
                    if let Some(next) = chat.next_link() {
                        cursor.next = next.to_string();
                    }
                    let mut links = merged_links(&cursor.links, chat.visitor_links());
                    // A chat whose info block came without its links has them at its `info`
                    // link (§2.13): asked once, for the name and typing links.
                    if !cursor.info_links_asked
                        && (links.visitor_name.is_none() || links.visitor_typing.is_none())
                    {
                        if let Some(href) = chat.links.get("info") {
                            cursor.info_links_asked = true;
                            if let Ok(info) = self.api.info(href).await {
                                let read = VisitorLinks {
                                    visitor_name: info
                                        .links
                                        .get("visitor-name")
                                        .map(str::to_string),
                                    visitor_typing: info
                                        .links
                                        .get("visitor-typing")
                                        .map(str::to_string),
                                    ..VisitorLinks::default()
                                };
                                links = merged_links(&links, read);
                            }
                        }
                    }
                    let mut info = chat.info;
                    let catching_up = info.as_mut().is_some_and(|info| {
                        settle_info_state(&mut cursor, info, !events.is_empty())
                    });
                    if let Some(info) = &info {
                        cursor.chat_timeout = info.chat_timeout.map(Duration::from_secs);
                    }
                    // `unknown` says nothing either way; only `typing` is typing (§2.16).
                    let info_typing = info
                        .as_ref()
                        .and_then(|info| info.agent_typing.as_deref())
                        .filter(|typing| *typing != "unknown")
                        .map(|typing| typing == "typing");
                    if (!events.is_empty() || info.is_some())
                        && !self.send(SessionUpdate::Batch {
                            events,
                            info: info.map(Box::new),
                        })
                    {
                        return;
                    }
                    if links != cursor.links {
                        cursor.links = links;
                        if !self.send(SessionUpdate::Links(cursor.links.clone())) {
                            return;
                        }
                    }
                    let agent_typing = info_typing.unwrap_or(cursor.agent_typing);
                    if agent_typing != cursor.agent_typing && cursor.state != Some(ChatState::Ended)
                    {
                        cursor.agent_typing = agent_typing;
                        if !self.send(SessionUpdate::AgentTyping(agent_typing)) {
                            return;
                        }
                    }
                    if cursor.state == Some(ChatState::Ended) {
                        self.send(SessionUpdate::Ended);
                        return;
                    }
                    if let Some(name) = cursor.name_to_set.take() {
                        let result = match &cursor.links.visitor_name {
                            Some(href) => self
                                .api
                                .set_visitor_name(href, &name)
                                .await
                                .map_err(crate::api::error::CallFailure::from),
                            None => Err(crate::api::error::CallFailure::not_sent(
                                "the chat's info has no `visitor-name` link",
                            )),
                        };
                        if !self.send(SessionUpdate::VisitorNamed { name, result }) {
                            return;
                        }
                    }
                    // The events lag the info: read on at once, not at the next interval.
                    catching_up.then_some(Duration::ZERO)
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
        let ended = [&cursor.state, &cursor.held_back]
            .into_iter()
            .any(|state| *state == Some(ChatState::Ended));
        if error.status() == Some(404) && ended {
            // Ended chats vanish (Q28): the final batch was already read.
            self.send(SessionUpdate::Ended);
            return None;
        }
        cursor.failures += 1;
        let never_reached = !self.options.known_reachable && !cursor.answered && !error.was_sent();
        if never_reached || !error.is_retryable() || cursor.failures > self.options.max_failures {
            let (why, error_kind) = if error.is_retryable() && !never_reached {
                let why = format!(
                    "{} failed in a row; last: {error}",
                    crate::plural::count(cursor.failures as usize, "poll", "polls")
                );
                (why, crate::api::ErrorKind::Failed)
            } else {
                (error.to_string(), error.kind())
            };
            // A chat the service no longer has cannot be resumed (Q28), nor one never reached.
            let gone = error.status() == Some(404) || never_reached;
            let shown_uri = crate::api::links::redact_text_url(&self.session_uri);
            self.send(SessionUpdate::Lost {
                error: why,
                error_kind,
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

/// Decides what the info's state of one answer is worth, and leaves in `info.state` only a state
/// the events agree with or that fills in for a missing state event; true when the events have
/// to catch up first. The events are the record (§2.11): a server that hands them out a few at
/// a time may report `ended` in the info while the agent's last lines and the `ended` event are
/// still behind `next`, so the state is believed only once an answer brings no new event (or
/// after `MAX_CATCH_UP_POLLS` answers that all did). It never moves the chat back (an info that
/// lags the events) unless a requeue or transfer was announced.
fn settle_info_state(cursor: &mut Cursor, info: &mut Info, fresh_events: bool) -> bool {
    let reported = info.state.take();
    let held = reported.is_some()
        && cursor.state != reported
        && fresh_events
        && cursor.catch_up_polls < MAX_CATCH_UP_POLLS;
    if held {
        cursor.catch_up_polls += 1;
        cursor.held_back = reported;
        return true;
    }
    cursor.catch_up_polls = 0;
    cursor.held_back = None;
    let Some(reported) = reported else {
        return false;
    };
    let rank = |state: &ChatState| match state {
        ChatState::Waiting => Some(0),
        ChatState::Chatting => Some(1),
        ChatState::Ended => Some(2),
        ChatState::Other(_) => None,
    };
    let backwards = !cursor.requeued
        && matches!(
            (cursor.state.as_ref().and_then(rank), rank(&reported)),
            (Some(now), Some(then)) if then < now
        );
    if !backwards {
        cursor.state = Some(reported.clone());
        info.state = Some(reported);
    }
    false
}

/// Events not seen before, in id order; events without an id cannot be de-duplicated and pass.
/// The links of a new read over those known: an events-level answer carries none of the
/// chat's or the info's, and must not make them unknown.
fn merged_links(known: &VisitorLinks, read: VisitorLinks) -> VisitorLinks {
    let pick = |new: Option<String>, old: &Option<String>| new.or_else(|| old.clone());
    VisitorLinks {
        exit_survey: pick(read.exit_survey, &known.exit_survey),
        transcript: pick(read.transcript, &known.transcript),
        transcript_with_subject: pick(read.transcript_with_subject, &known.transcript_with_subject),
        visitor_name: pick(read.visitor_name, &known.visitor_name),
        visitor_typing: pick(read.visitor_typing, &known.visitor_typing),
    }
}

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

    fn cursor(state: ChatState) -> Cursor {
        Cursor {
            next: String::new(),
            seen: HashSet::new(),
            state: Some(state),
            held_back: None,
            catch_up_polls: 0,
            requeued: false,
            chat_timeout: None,
            failures: 0,
            answered: false,
            links: VisitorLinks::default(),
            agent_typing: false,
            name_to_set: None,
            info_links_asked: false,
        }
    }

    fn info(state: ChatState) -> Info {
        Info {
            state: Some(state),
            ..Info::default()
        }
    }

    #[test]
    fn the_infos_state_waits_for_the_events_and_never_moves_the_chat_back() {
        // Ahead of the events that came with it: held back, and read on at once.
        let mut at = cursor(ChatState::Chatting);
        let mut ended = info(ChatState::Ended);
        assert!(settle_info_state(&mut at, &mut ended, true));
        assert_eq!((ended.state, &at.state), (None, &Some(ChatState::Chatting)));
        assert_eq!(at.held_back, Some(ChatState::Ended));
        // An answer with no new event: the events have caught up, the info is believed.
        let mut ended = info(ChatState::Ended);
        assert!(!settle_info_state(&mut at, &mut ended, false));
        assert_eq!(at.state, Some(ChatState::Ended));
        assert_eq!(ended.state, Some(ChatState::Ended));
        // Behind the events: dropped, unless a requeue was announced.
        let mut at = cursor(ChatState::Chatting);
        let mut lagging = info(ChatState::Waiting);
        assert!(!settle_info_state(&mut at, &mut lagging, false));
        assert_eq!(
            (lagging.state, &at.state),
            (None, &Some(ChatState::Chatting))
        );
        at.requeued = true;
        let mut requeued = info(ChatState::Waiting);
        settle_info_state(&mut at, &mut requeued, false);
        assert_eq!(at.state, Some(ChatState::Waiting));
        // A server whose every answer has "new" events is not read without pause for ever.
        let mut at = cursor(ChatState::Waiting);
        let held = (0..MAX_CATCH_UP_POLLS + 5)
            .filter(|_| settle_info_state(&mut at, &mut info(ChatState::Chatting), true))
            .count();
        assert_eq!(held, MAX_CATCH_UP_POLLS as usize);
        assert_eq!(at.state, Some(ChatState::Chatting));
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
