//! The client's answers to a faulty service (issue 6): the emulator's fault layer makes the
//! service fail on purpose, and each test checks what the client, the session tracker or the real
//! binary does about it — against what the emulator's request log and its chats say happened.

use std::time::Duration;

use chatstart::api::error::NetworkFailure;
use chatstart::api::model::{EventKind, LineSource};
use chatstart::api::{ApiError, ChatApi, ChatRequest, ClientConfig, Endpoint, Format};
use chatstart::emulator::RecordedRequest;
use chatstart::secret::Secret;
use chatstart::session::{self, FollowOptions, RetryPolicy, SessionUpdate};
use tokio::sync::mpsc;

use crate::support::{self, Emulator, faults, ran};

/// Sales accepts at once, greets, answers lines, and leaves after 1.5 s; ended chats are kept.
const SCENARIO: &str = r#"
ended_chat_ttl_secs = 600
[[skills]]
name = "Sales"
id = 1
agent_name = "Natalie"
agent_id = 7
accept_after_ms = 200
greeting = "<b>Hi</b>, how can I help?"
replies = ["one", "two"]
reply_after_ms = 100
end_after_ms = 1500

[[skills]]
name = "Long"
id = 3
agent_name = "Ida"
accept_after_ms = 300
greeting = "Hello"
end_after_ms = 3500

[[skills]]
name = "Stay"
id = 2
agent_name = "Omar"
accept_after_ms = 100
greeting = "Hello"
replies = ["sure"]
reply_after_ms = 50
"#;

fn client(emulator: &Emulator, format: Format, timeout: Duration) -> ChatApi {
    let mut config = ClientConfig::new(
        Endpoint::BaseUrl(emulator.base_url()),
        emulator.handle.account(),
        Secret::new(emulator.app_key()),
    );
    config.format = format;
    config.http_timeout = timeout;
    ChatApi::new(config).expect("client")
}

fn request(skill: &str) -> ChatRequest {
    ChatRequest {
        skill: skill.into(),
        pre_chat_lines: vec!["Order 12345".into()],
        ..ChatRequest::default()
    }
}

fn chat_id(uri: &str) -> String {
    uri.rsplit('/').next().expect("segment").to_string()
}

/// Fast polls, LivePerson's retry policy.
fn options(max_failures: u32) -> FollowOptions {
    FollowOptions {
        poll_interval: Duration::from_millis(100),
        skill: None,
        max_failures,
        retry: RetryPolicy::default(),
        known_reachable: true,
        visitor_name: None,
    }
}

/// Fast polls, and the policy's waits shortened a hundredfold, for tests that meet many 5xx.
fn quick_retries(max_failures: u32) -> FollowOptions {
    FollowOptions {
        retry: RetryPolicy {
            server_error: [50, 100, 150].map(Duration::from_millis),
            throttled: Duration::from_millis(50),
            longest: Duration::from_secs(1),
        },
        ..options(max_failures)
    }
}

/// Follows `uri` until the tracker stops (Ended or Lost), failing after a deadline.
async fn follow_to_the_end(api: &ChatApi, uri: &str, options: FollowOptions) -> Vec<SessionUpdate> {
    let (sender, mut updates) = mpsc::unbounded_channel();
    let tracker = session::follow(api.clone(), uri.to_string(), options, sender);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let mut seen = Vec::new();
    loop {
        let update = tokio::time::timeout_at(deadline, updates.recv())
            .await
            .unwrap_or_else(|_| panic!("the tracker did not stop before the deadline: {seen:#?}"));
        match update {
            Some(update) => seen.push(update),
            None => break,
        }
    }
    tracker.await.expect("the tracker task did not panic");
    seen
}

/// Event ids in the order the tracker delivered them.
fn delivered_ids(updates: &[SessionUpdate]) -> Vec<u64> {
    updates
        .iter()
        .flat_map(|u| match u {
            SessionUpdate::Batch { events, .. } => events.clone(),
            _ => Vec::new(),
        })
        .map(|e| e.id.expect("every emulator event has an id"))
        .collect()
}

/// The GETs of one chat's session resource, in arrival order.
fn session_gets(log: &[RecordedRequest], chat: &str) -> Vec<RecordedRequest> {
    log.iter()
        .filter(|r| r.method == "GET" && r.path.ends_with(chat))
        .cloned()
        .collect()
}

fn from_of(request: &RecordedRequest) -> String {
    request
        .query
        .split('&')
        .find_map(|pair| pair.strip_prefix("from="))
        .unwrap_or("0")
        .to_string()
}

#[test]
fn polls_survive_every_poll_fault_without_losing_or_repeating_an_event() {
    let emulator = Emulator::start(SCENARIO);
    // Poll 0 works; then each kind of failure and each kind of odd answer, spread over the
    // chat's life so that events arrive between them.
    emulator.handle.set_faults(faults(&[
        "reorder@session,every=7",
        "503@session,skip=1,every=7,retry_after=0",
        "repeat@session,skip=2,every=7",
        "drop@session,skip=3,every=7",
        "no-next@session,skip=4,every=7",
        "malformed@session,skip=5,every=7",
        "500@session,skip=6,every=7,retry_after=0",
    ]));
    for format in [Format::Json, Format::Xml] {
        let api = client(&emulator, format, Duration::from_secs(5));
        let (uri, updates) = emulator.runtime().block_on(async {
            let uri = api
                .request_chat(&request("Long"), None)
                .await
                .expect("chat");
            let updates = follow_to_the_end(&api, uri.as_str(), quick_retries(9)).await;
            (uri, updates)
        });
        assert_eq!(updates.last(), Some(&SessionUpdate::Ended), "{updates:#?}");
        let chat = chat_id(uri.as_str());
        let held = emulator.handle.event_ids(&chat).expect("the chat exists");
        assert!(held.len() >= 8, "a whole chat: {held:?}");
        assert_eq!(
            delivered_ids(&updates),
            held,
            "{format}: every event once, in order"
        );

        let log = emulator.handle.requests();
        let polls = session_gets(&log, &chat);
        let hit: Vec<&str> = polls.iter().filter_map(|r| r.fault.as_deref()).collect();
        for fault in [
            "status 503",
            "status 500",
            "drop",
            "malformed",
            "no-next",
            "repeat",
            "reorder",
        ] {
            assert!(hit.contains(&fault), "{format}: {fault} never hit: {hit:?}");
        }
        // A failed poll is retried from the same `from`: the cursor never moves on a failure.
        for pair in polls.windows(2) {
            let failed = matches!(
                pair[0].fault.as_deref(),
                Some("status 503" | "status 500" | "drop" | "malformed")
            );
            if failed {
                assert_eq!(from_of(&pair[0]), from_of(&pair[1]), "{pair:#?}");
            }
        }
        let retries = updates
            .iter()
            .filter(|u| matches!(u, SessionUpdate::Retrying { .. }))
            .count();
        let recoveries = updates
            .iter()
            .filter(|u| matches!(u, SessionUpdate::Recovered))
            .count();
        assert!(retries >= 3 && recoveries >= 1, "{updates:#?}");
    }
}

#[test]
fn a_poll_that_times_out_names_the_session_and_the_timeout_and_is_retried() {
    let emulator = Emulator::start(SCENARIO);
    emulator
        .handle
        .set_faults(faults(&["slow@session,count=1,delay_ms=60000"]));
    let api = client(&emulator, Format::Json, Duration::from_secs(2));
    let (uri, updates) = emulator.runtime().block_on(async {
        let uri = api
            .request_chat(&request("Sales"), None)
            .await
            .expect("chat");
        let updates = follow_to_the_end(&api, uri.as_str(), options(9)).await;
        (uri, updates)
    });
    let Some(SessionUpdate::Retrying { attempt, error, .. }) = updates
        .iter()
        .find(|u| matches!(u, SessionUpdate::Retrying { .. }))
    else {
        panic!("no retry: {updates:#?}");
    };
    assert_eq!(*attempt, 1);
    assert_eq!(
        error,
        "chat session failed: no answer within the 2 s request timeout (--http-timeout)"
    );
    assert_eq!(updates.last(), Some(&SessionUpdate::Ended));
    let held = emulator.handle.event_ids(&chat_id(uri.as_str()));
    assert_eq!(Some(delivered_ids(&updates)), held);
}

#[test]
fn a_429_retry_after_is_waited_for() {
    let emulator = Emulator::start(SCENARIO);
    emulator
        .handle
        .set_faults(faults(&["429@session,skip=1,count=1,retry_after=2"]));
    let api = client(&emulator, Format::Json, Duration::from_secs(5));
    let (uri, updates) = emulator.runtime().block_on(async {
        let uri = api
            .request_chat(&request("Sales"), None)
            .await
            .expect("chat");
        let updates = follow_to_the_end(&api, uri.as_str(), options(9)).await;
        (uri, updates)
    });
    let delay = updates.iter().find_map(|u| match u {
        SessionUpdate::Retrying { delay, .. } => Some(*delay),
        _ => None,
    });
    assert!(delay >= Some(Duration::from_secs(2)), "{updates:#?}");
    let polls = session_gets(&emulator.handle.requests(), &chat_id(uri.as_str()));
    let throttled = polls
        .iter()
        .position(|r| r.status == 429)
        .expect("the 429 was answered");
    let gap = polls[throttled + 1].at - polls[throttled].at;
    assert!(
        gap >= Duration::from_secs(2),
        "retried after {gap:?}, before Retry-After"
    );
    assert_eq!(updates.last(), Some(&SessionUpdate::Ended));
}

#[test]
fn a_503_without_retry_after_waits_the_published_5_seconds() {
    let emulator = Emulator::start(SCENARIO);
    emulator
        .handle
        .set_faults(faults(&["503@session,skip=1,count=1,retry_after=0"]));
    let api = client(&emulator, Format::Json, Duration::from_secs(5));
    let (uri, updates) = emulator.runtime().block_on(async {
        let uri = api
            .request_chat(&request("Sales"), None)
            .await
            .expect("chat");
        let updates = follow_to_the_end(&api, uri.as_str(), options(9)).await;
        (uri, updates)
    });
    let polls = session_gets(&emulator.handle.requests(), &chat_id(uri.as_str()));
    let failed = polls.iter().position(|r| r.status == 503).expect("503");
    let gap = polls[failed + 1].at - polls[failed].at;
    assert!(gap >= Duration::from_secs(5), "retried after {gap:?}");
    assert_eq!(updates.last(), Some(&SessionUpdate::Ended));
}

#[test]
fn after_more_than_max_failures_the_session_is_lost_with_a_resume_hint() {
    let emulator = Emulator::start(SCENARIO);
    emulator
        .handle
        .set_faults(faults(&["500@session,skip=1,retry_after=0"]));
    let api = client(&emulator, Format::Json, Duration::from_secs(5));
    let (uri, updates) = emulator.runtime().block_on(async {
        let uri = api
            .request_chat(&request("Stay"), None)
            .await
            .expect("chat");
        let updates = follow_to_the_end(&api, uri.as_str(), quick_retries(3)).await;
        (uri, updates)
    });
    let attempts: Vec<u32> = updates
        .iter()
        .filter_map(|u| match u {
            SessionUpdate::Retrying { attempt, .. } => Some(*attempt),
            _ => None,
        })
        .collect();
    assert_eq!(attempts, [1, 2, 3]);
    let Some(SessionUpdate::Lost {
        error,
        resume,
        error_kind,
        ..
    }) = updates.last()
    else {
        panic!("not lost: {updates:#?}");
    };
    assert!(error.starts_with("4 polls failed in a row"), "{error}");
    assert_eq!(
        *error_kind,
        chatstart::api::ErrorKind::Failed,
        "a service that keeps failing is a server failure"
    );
    assert!(error.contains("HTTP 500"), "{error}");
    assert_eq!(resume, &Some(format!("chatstart watch {uri}")));
    // One good poll, then four failed ones, then nothing: the tracker stopped.
    let polls = session_gets(&emulator.handle.requests(), &chat_id(uri.as_str()));
    assert_eq!(polls.len(), 5, "{polls:#?}");
}

#[test]
fn a_404_before_the_end_is_lost_and_an_ended_chat_is_not_polled_again() {
    let emulator = Emulator::start(SCENARIO);
    emulator.handle.set_faults(faults(&["404@session,skip=1"]));
    let api = client(&emulator, Format::Json, Duration::from_secs(5));
    let (_uri, updates) = emulator.runtime().block_on(async {
        let uri = api
            .request_chat(&request("Stay"), None)
            .await
            .expect("chat");
        let updates = follow_to_the_end(&api, uri.as_str(), options(9)).await;
        (uri, updates)
    });
    let Some(SessionUpdate::Lost {
        error,
        resume,
        error_kind,
        explanation,
    }) = updates.last()
    else {
        panic!("not lost: {updates:#?}");
    };
    assert!(error.contains("Chat session not found"), "{error}");
    assert_eq!(
        *error_kind,
        chatstart::api::ErrorKind::Refused,
        "the service refused: a 4xx"
    );
    assert!(
        explanation.is_some_and(|e| e.name.contains("Chat session not found")),
        "{explanation:?}"
    );
    assert_eq!(
        resume, &None,
        "a chat the service no longer has cannot be resumed"
    );
    assert!(
        !updates
            .iter()
            .any(|u| matches!(u, SessionUpdate::Retrying { .. })),
        "a 404 is not retried: {updates:#?}"
    );

    // Without faults, the chat ends, its final batch is read, and nothing is polled after it:
    // so the 404 an ended chat may give later (Q28) is never met.
    emulator.handle.set_faults(Vec::new());
    let (uri, updates) = emulator.runtime().block_on(async {
        let uri = api
            .request_chat(&request("Sales"), None)
            .await
            .expect("chat");
        let updates = follow_to_the_end(&api, uri.as_str(), options(9)).await;
        (uri, updates)
    });
    assert_eq!(updates.last(), Some(&SessionUpdate::Ended));
    let chat = chat_id(uri.as_str());
    let ended = *emulator
        .handle
        .event_ids(&chat)
        .expect("still held")
        .last()
        .expect("events");
    // A poll after the one that showed `ended` would ask from ended + 1.
    let polls = session_gets(&emulator.handle.requests(), &chat);
    assert!(
        polls
            .iter()
            .all(|r| from_of(r).parse::<u64>().expect("from") <= ended),
        "{polls:#?}"
    );
}

#[test]
fn a_chat_that_vanishes_as_soon_as_it_ends_is_reported_lost() {
    // ended_chat_ttl_secs = 0: the poll that would show the end already gets 404 (Q28); the
    // client never saw `ended`, so by the spec's rule it cannot call it an end.
    let emulator =
        Emulator::start(&SCENARIO.replace("ended_chat_ttl_secs = 600", "ended_chat_ttl_secs = 0"));
    let api = client(&emulator, Format::Json, Duration::from_secs(5));
    let updates = emulator.runtime().block_on(async {
        let uri = api
            .request_chat(&request("Sales"), None)
            .await
            .expect("chat");
        follow_to_the_end(&api, uri.as_str(), options(9)).await
    });
    assert!(
        matches!(updates.last(), Some(SessionUpdate::Lost { error, .. }) if error.contains("HTTP 404")),
        "{updates:#?}"
    );
}

#[test]
fn the_server_ends_the_chat_while_the_visitor_types() {
    for (by, system_message) in [("agent", 5), ("idle", 6)] {
        let emulator = Emulator::start(SCENARIO);
        emulator
            .handle
            .set_faults(faults(&[&format!("end@line,count=1,by={by}")]));
        let api = client(&emulator, Format::Json, Duration::from_secs(5));
        let (line, updates) = emulator.runtime().block_on(async {
            let uri = api
                .request_chat(&request("Stay"), None)
                .await
                .expect("chat");
            let (sender, mut receiver) = mpsc::unbounded_channel();
            let tracker = session::follow(api.clone(), uri.to_string(), options(9), sender);
            // Type once the agent is there.
            let mut updates = Vec::new();
            let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
            while !updates.iter().any(|u: &SessionUpdate| {
                matches!(u, SessionUpdate::Batch { info: Some(info), .. }
                    if info.state == Some(chatstart::api::model::ChatState::Chatting))
            }) {
                let update = tokio::time::timeout_at(deadline, receiver.recv())
                    .await
                    .expect("chatting before the deadline")
                    .expect("tracker running");
                updates.push(update);
            }
            let events = api.events_link(uri.as_str()).await.expect("events link");
            let line = api.add_line(&events, "are you there?").await;
            while let Some(update) = tokio::time::timeout_at(deadline, receiver.recv())
                .await
                .expect("ended before the deadline")
            {
                updates.push(update);
            }
            tracker.await.expect("no panic");
            (line, updates)
        });
        let error = line.expect_err("a line into an ended chat is refused");
        assert_eq!(error.status(), Some(400), "{error}");
        assert!(error.to_string().contains("chat is not active"), "{error}");
        assert_eq!(updates.last(), Some(&SessionUpdate::Ended), "{by}");
        let system: Vec<i64> = updates
            .iter()
            .flat_map(|u| match u {
                SessionUpdate::Batch { events, .. } => events.clone(),
                _ => Vec::new(),
            })
            .filter_map(|e| match e.kind {
                EventKind::Line(line) if line.source == LineSource::System => {
                    line.system_message_id
                }
                _ => None,
            })
            .collect();
        assert_eq!(system.last(), Some(&system_message), "{by}: {system:?}");
    }
}

#[test]
fn malformed_bodies_become_typed_errors_with_the_status_and_the_body_start() {
    let emulator = Emulator::start(SCENARIO);
    for format in [Format::Json, Format::Xml] {
        let api = client(&emulator, format, Duration::from_secs(5));
        emulator.handle.set_faults(Vec::new());
        let uri = emulator
            .runtime()
            .block_on(api.request_chat(&request("Stay"), None))
            .expect("chat");
        emulator.handle.set_faults(faults(&[
            "malformed@info",
            "malformed@availability",
            "malformed@wait",
            "malformed@session",
        ]));
        let errors = emulator.runtime().block_on(async {
            vec![
                api.info(&format!("{uri}/info")).await.map(drop),
                api.availability("Sales", "").await.map(drop),
                api.estimated_wait("Sales").await.map(drop),
                api.chat(uri.as_str()).await.map(drop),
            ]
        });
        let start = match format {
            Format::Json => "{\"",
            Format::Xml => "<?xml",
        };
        for error in errors {
            let error = error.expect_err("a cut body cannot be read");
            let ApiError::BadBody {
                status, body_start, ..
            } = &error
            else {
                panic!("{format}: not a BadBody: {error:?}");
            };
            assert_eq!(*status, 200);
            assert!(body_start.starts_with(start), "{format}: {error}");
            let text = error.to_string();
            assert!(
                text.contains("HTTP 200 with a body that could not be read")
                    && text.contains(body_start.as_str()),
                "{text}"
            );
        }
    }
}

#[test]
fn a_chat_request_without_location_is_a_typed_error_naming_the_status() {
    let emulator = Emulator::start(SCENARIO);
    emulator.handle.set_faults(faults(&["no-location@request"]));
    let api = client(&emulator, Format::Json, Duration::from_secs(5));
    let error = emulator
        .runtime()
        .block_on(api.request_chat(&request("Sales"), None))
        .expect_err("no Location, no URI");
    assert!(
        matches!(error, ApiError::NoLocation { status: 201, .. }),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .starts_with("chat request: HTTP 201 without a Location header"),
        "{error}"
    );
    assert_eq!(emulator.handle.count("POST", "/chat/request"), 1);
}

#[test]
fn a_lost_answer_to_a_chat_post_is_ambiguous_and_never_retried() {
    for fault in ["drop@request", "slow@request,delay_ms=60000"] {
        let emulator = Emulator::start(SCENARIO);
        emulator.handle.set_faults(faults(&[fault]));
        // A timeout that only the slow answer can meet, whatever the machine's load.
        let timeout = if fault.starts_with("drop") { 60 } else { 2 };
        let api = client(&emulator, Format::Json, Duration::from_secs(timeout));
        let error = emulator
            .runtime()
            .block_on(api.request_chat(&request("Sales"), None))
            .expect_err("the answer is lost");
        let expected = if fault.starts_with("drop") {
            NetworkFailure::Dropped
        } else {
            NetworkFailure::Timeout
        };
        assert!(
            matches!(&error, ApiError::Network { failure, .. } if *failure == expected),
            "{fault}: {error:?}"
        );
        assert!(error.may_have_created_chat(), "{fault}: {error}");
        assert_eq!(emulator.handle.count("POST", "/chat/request"), 1, "{fault}");
        // And the ambiguity is real: the service did open a chat.
        assert_eq!(emulator.handle.chat_ids().len(), 1, "{fault}");
    }
}

// --- The real binary ---------------------------------------------------------------------------

fn fast_cli(emulator: &Emulator, args: &[&str]) -> std::process::Command {
    let mut all = args.to_vec();
    all.extend(["--poll-interval", "0.1"]);
    emulator.chatstart(&all)
}

#[test]
fn cli_a_chat_request_whose_answer_is_lost_exits_4_says_so_and_posts_once() {
    for fault in ["drop@request", "slow@request,delay_ms=60000"] {
        let emulator = Emulator::start(SCENARIO);
        emulator.handle.set_faults(faults(&[fault]));
        // A timeout that only the slow answer can meet, whatever the machine's load.
        let timeout = if fault.starts_with("drop") { "60" } else { "2" };
        let out = ran(emulator.chatstart(&[
            "request",
            "--skill",
            "Sales",
            "--http-timeout",
            timeout,
            "--wait",
            "chatting",
        ]));
        assert_eq!(out.code, 4, "{fault}: {out:?}");
        assert!(out.stderr.contains("chat request failed"), "{out:?}");
        if fault.starts_with("slow") {
            assert!(
                out.stderr
                    .contains("no answer within the 2 s request timeout (--http-timeout)"),
                "{out:?}"
            );
        } else {
            assert!(out.stderr.contains("the connection broke"), "{out:?}");
        }
        assert!(
            out.stderr.contains("a chat may have been created")
                && out.stderr.contains("chatstart watch"),
            "{out:?}"
        );
        assert_eq!(
            emulator.handle.count("POST", "/chat/request"),
            1,
            "{fault}: {:#?}",
            emulator.handle.requests()
        );
        // The attempt is kept: the history says a chat may exist, with no URI to follow.
        let history = ran(emulator.bare(&["history", "--output", "json"]));
        assert_eq!(history.code, 0, "{history:?}");
        let entry: serde_json::Value =
            serde_json::from_str(history.stdout.lines().next().expect("an entry")).unwrap();
        assert_eq!(entry["state"], "unknown", "{history:?}");
        assert_eq!(entry["uri"], "", "{history:?}");
    }
}

#[test]
fn cli_an_auth_post_whose_answer_is_lost_exits_4_and_is_not_retried() {
    for fault in ["drop@conversation", "slow@conversation,delay_ms=60000"] {
        let emulator = Emulator::start(&format!("auth_response = \"chat\"\n{SCENARIO}"));
        emulator.handle.set_faults(faults(&[fault]));
        let timeout = if fault.starts_with("drop") { "60" } else { "2" };
        let out = ran(emulator.chatstart(&[
            "auth",
            "--skill",
            "Sales",
            "--sso-key",
            "sso-secret",
            "--auth-conn-id",
            "1",
            "--engagement-id",
            "2",
            "--le-visitor-id",
            "V",
            "--le-session-id",
            "S",
            "--le-context-id",
            "3",
            "--http-timeout",
            timeout,
        ]));
        assert_eq!(out.code, 4, "{fault}: {out:?}");
        assert!(
            out.stderr.contains("visitor authentication failed")
                && out.stderr.contains("a chat may have been created"),
            "{out:?}"
        );
        assert!(!out.stderr.contains("sso-secret"), "{out:?}");
        assert_eq!(emulator.handle.count("POST", "/conversation"), 1, "{fault}");
        assert_eq!(emulator.handle.count("POST", "/chat/request"), 0, "{fault}");
    }
}

#[test]
fn cli_a_2xx_without_location_exits_4_naming_the_status() {
    let emulator = Emulator::start(SCENARIO);
    emulator.handle.set_faults(faults(&["no-location@request"]));
    let out = ran(emulator.chatstart(&["request", "--skill", "Sales"]));
    assert_eq!(out.code, 4, "{out:?}");
    assert!(
        out.stderr
            .contains("chat request: HTTP 201 without a Location header"),
        "{out:?}"
    );
    assert_eq!(emulator.handle.count("POST", "/chat/request"), 1);
}

#[test]
fn cli_malformed_answers_show_the_status_and_the_body_start() {
    let emulator = Emulator::start(SCENARIO);
    emulator.handle.set_faults(faults(&[
        "malformed@availability,body=<html><h1>Bad gateway",
    ]));
    let out = ran(emulator.chatstart(&["availability", "--skill", "Sales"]));
    assert_eq!(out.code, 4, "{out:?}");
    assert!(
        out.stderr
            .contains("availability: HTTP 200 with a body that could not be read")
            && out.stderr.contains("<html><h1>Bad gateway"),
        "{out:?}"
    );
}

#[test]
fn cli_polls_recover_from_a_timeout_and_a_drop_and_say_so() {
    let emulator = Emulator::start(SCENARIO);
    emulator.handle.set_faults(faults(&[
        // The first two polls, so that neither depends on how far the chat got meanwhile.
        "slow@session,count=1,delay_ms=60000",
        "drop@session,skip=1,count=1",
    ]));
    let out = ran(fast_cli(
        &emulator,
        &[
            "request",
            "--skill",
            "Sales",
            "--wait",
            "ended",
            "--http-timeout",
            "2",
        ],
    ));
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stderr.contains(
            "poll failed (attempt 1): chat session failed: no answer within the 2 s request timeout"
        ),
        "{out:?}"
    );
    assert!(out.stderr.contains("the connection broke"), "{out:?}");
    assert!(out.stderr.contains("polling again"), "{out:?}");
    assert_eq!(emulator.handle.count("POST", "/chat/request"), 1);
}

#[test]
fn cli_a_session_lost_after_repeated_failures_exits_4_with_the_watch_command() {
    let emulator = Emulator::start(SCENARIO);
    emulator.handle.set_faults(faults(&["drop@session"]));
    let out = ran(fast_cli(
        &emulator,
        &[
            "request",
            "--skill",
            "Sales",
            "--wait",
            "chatting",
            "--poll-retries",
            "3",
        ],
    ));
    assert_eq!(out.code, 4, "{out:?}");
    let uri = out.stdout.lines().next().expect("the session URI first");
    assert!(
        out.stderr
            .contains("lost the session: 4 polls failed in a row"),
        "{out:?}"
    );
    assert!(
        out.stderr
            .contains(&format!("resume with `chatstart watch {uri}`")),
        "{out:?}"
    );
    assert!(out.stderr.contains("poll failed (attempt 3)"), "{out:?}");
    assert_eq!(emulator.handle.count("POST", "/chat/request"), 1);
    // The hint works: without the fault, watching resumes the same chat.
    emulator.handle.set_faults(Vec::new());
    let out = ran(fast_cli(&emulator, &["watch", uri, "--wait", "chatting"]));
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(emulator.handle.count("POST", "/chat/request"), 1);
    // With the appKey in the query, the command to paste keeps it there.
    emulator.handle.set_faults(faults(&["drop@session"]));
    let args = ["watch", uri, "--poll-retries", "1", "--app-key-in", "query"];
    let out = ran(fast_cli(&emulator, &args));
    assert_eq!(out.code, 4, "{out:?}");
    assert!(
        out.stderr.contains(&format!(
            "resume with `chatstart watch {uri} --app-key-in query`"
        )),
        "{out:?}"
    );
}

#[test]
fn cli_a_line_into_a_chat_the_server_ended_is_refused_with_exit_3() {
    let emulator = Emulator::start(SCENARIO);
    let out = ran(fast_cli(
        &emulator,
        &["request", "--skill", "Stay", "--wait", "chatting"],
    ));
    assert_eq!(out.code, 0, "{out:?}");
    let uri = out.stdout.lines().next().expect("URI").to_string();
    emulator
        .handle
        .set_faults(faults(&["end@line,count=1,by=idle"]));
    let out = ran(emulator.chatstart(&["send", &uri, "hello?"]));
    assert_eq!(out.code, 3, "{out:?}");
    assert!(out.stderr.contains("chat is not active"), "{out:?}");
    let out = ran(fast_cli(&emulator, &["watch", &uri]));
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.contains("disconnected due to inactivity"),
        "{out:?}"
    );
}

#[test]
fn cli_the_emulator_command_injects_faults_given_by_flag() {
    use std::io::{BufRead, BufReader};
    let home = tempfile::tempdir().expect("home");
    let mut child = support::KillOnDrop(
        support::in_home(
            home.path(),
            &[
                "emulator",
                "--port",
                "0",
                "--fault",
                "503@session,count=1,retry_after=0",
            ],
        )
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("emulator starts"),
    );
    let mut reader = BufReader::new(child.0.stdout.take().expect("stdout"));
    let mut banner = String::new();
    while !banner.contains("Ctrl+C") {
        let mut line = String::new();
        if reader.read_line(&mut line).expect("banner") == 0 {
            break;
        }
        banner.push_str(&line);
    }
    assert!(
        banner.contains("fault:   status 503 on session, Retry-After 0, 1 times"),
        "{banner}"
    );
    let base = banner
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .expect("base URL")
        .to_string();
    let mut command = support::in_home(
        home.path(),
        &[
            "request",
            "--skill",
            "Sales",
            "--wait",
            "chatting",
            "--poll-interval",
            "0.1",
            "--account",
            "12345678",
            "--base-url",
            &base,
        ],
    );
    command.env("CHATSTART_APP_KEY", "demo-app-key-0123456789abcdef");
    let out = ran(command);
    drop(child);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stderr
            .contains("poll failed (attempt 1): chat session failed: HTTP 503"),
        "{out:?}"
    );

    let out = ran({
        support::in_home(
            home.path(),
            &["emulator", "--port", "0", "--fault", "503@sesion"],
        )
    });
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("sesion"), "{out:?}");
}

// --- The spec's validation table (§4) through the binary ---------------------------------------
//
// tests/it/cli.rs `bad_input_exits_2_and_sends_nothing` covers V1, V3, V5, V6, V7, V8 (engagement
// and campaign ids), V9 (LETagContextId), V10 and V12 (missing SSO key, relative redirectUri);
// `survey_answers_are_validated_against_the_fetched_survey` covers V14 choices and mandatory
// questions. The rows below are the rest the client implements. V4 (serviceQueue/agent), V16
// (typing) and V17 (transcript) have no command-line input; V13's conversationId is filled in
// by the auth flow, never typed; V18 is the never-retried POST proven above.

const AUTH: [&str; 13] = [
    "auth",
    "--sso-key",
    "k",
    "--auth-conn-id",
    "1",
    "--engagement-id",
    "2",
    "--le-visitor-id",
    "V",
    "--le-session-id",
    "S",
    "--le-context-id",
    "3",
];

/// `AUTH` with one flag's value replaced (or the flag removed when `value` is `None`).
fn auth_with(flag: &str, value: Option<&str>) -> Vec<String> {
    let mut args = Vec::new();
    let mut words = AUTH.iter();
    while let Some(word) = words.next() {
        if *word == flag {
            let _ = words.next();
            if let Some(value) = value {
                args.extend([flag.to_string(), value.to_string()]);
            }
        } else {
            args.push((*word).to_string());
        }
    }
    args
}

#[test]
fn cli_the_remaining_validation_rows_exit_2_and_send_nothing() {
    let emulator = Emulator::start(support::FAST);
    let mut cases: Vec<(Vec<String>, &str)> = vec![
        // V11: an empty pre-chat line among several.
        (
            [
                "request",
                "--pre-chat-line",
                "order 1",
                "--pre-chat-line",
                " ",
            ]
            .map(String::from)
            .to_vec(),
            "pre-chat line",
        ),
        // V15: an empty line.
        (
            [
                "send",
                "http://127.0.0.1:1/api/account/12345678/chat/H1",
                "  ",
            ]
            .map(String::from)
            .to_vec(),
            "a line cannot be empty",
        ),
        // V8: authChatConnId digits.
        (auth_with("--auth-conn-id", Some("x1")), "authChatConnId"),
        // V12: each required auth field.
        (auth_with("--auth-conn-id", None), "authChatConnId"),
        (auth_with("--engagement-id", None), "engagementId"),
        (auth_with("--le-visitor-id", None), "LETagVisitorId"),
        (auth_with("--le-session-id", None), "LETagSessionId"),
        (auth_with("--le-context-id", None), "LETagContextId"),
        (auth_with("--sso-key", Some("two words")), "whitespace"),
    ];
    // V9 in the auth flow: LETagContextId digits.
    cases.push((auth_with("--le-context-id", Some("ctx")), "LETagContextId"));
    for (args, named) in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = ran(emulator.chatstart(&args));
        assert_eq!(out.code, 2, "{args:?}: {out:?}");
        assert!(
            out.stderr.contains(named),
            "{args:?} should name {named}: {out:?}"
        );
    }
    // V2: an appKey with whitespace inside.
    let mut command = emulator.chatstart(&["request", "--skill", "Sales"]);
    command.env("CHATSTART_APP_KEY", "demo key");
    let out = ran(command);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("whitespace"), "{out:?}");
    assert!(
        emulator.handle.requests().is_empty(),
        "nothing may be sent: {:#?}",
        emulator.handle.requests()
    );
}

#[test]
fn cli_v14_numeric_and_email_survey_answers_are_checked_before_sending() {
    let emulator = Emulator::start(
        r#"
[[skills]]
name = "Sales"
agent_name = "Natalie"
[survey]
id = 7
[[survey.questions]]
id = 1
type = "Text Field"
validation_type = "numeric"
label = "Order number"
[[survey.questions]]
id = 2
type = "Text Field"
validation_type = "email"
label = "E-mail"
"#,
    );
    for (answer, named) in [("1=twelve", "not a number"), ("2=ann@", "not an e-mail")] {
        let out = ran(emulator.chatstart(&["request", "--skill", "Sales", "--survey", answer]));
        assert_eq!(out.code, 2, "{answer}: {out:?}");
        assert!(out.stderr.contains(named), "{answer}: {out:?}");
    }
    assert_eq!(emulator.handle.count("POST", "/chat/request"), 0);
    let out = ran(emulator.chatstart(&[
        "request",
        "--skill",
        "Sales",
        "--survey",
        "1=12",
        "--survey",
        "2=ann@example.com",
    ]));
    assert_eq!(out.code, 0, "{out:?}");
}

#[test]
fn cli_a_line_whose_answer_is_lost_is_not_sent_again_and_says_it_may_be_there() {
    let emulator = Emulator::start(SCENARIO);
    let out = ran(fast_cli(
        &emulator,
        &["request", "--skill", "Stay", "--wait", "chatting"],
    ));
    assert_eq!(out.code, 0, "{out:?}");
    let uri = out.stdout.lines().next().expect("URI").to_string();
    emulator.handle.set_faults(faults(&["drop@line,count=1"]));
    let out = ran(emulator.chatstart(&["send", &uri, "only once, please"]));
    assert_eq!(out.code, 4, "{out:?}");
    assert!(
        out.stderr.contains("the line may have been added"),
        "{out:?}"
    );
    let lines = emulator
        .handle
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.body.contains("only once, please"))
        .count();
    assert_eq!(lines, 1, "the line was posted once, never again");
}
