//! Servers that follow the contract without the emulator's own habits: relative links, only an
//! events-level `next`, a CSDS that serves only the all-services list, an error that echoes the
//! request. The emulator's fault layer plays each such server; the client must cope, exactly as
//! it does with the real service, and keep its secrets.

use std::time::Duration;

use chatstart::api::model::ChatState;
use chatstart::api::{ChatApi, ChatRequest, ClientConfig, Endpoint};
use chatstart::emulator::FaultSpec;
use chatstart::secret::Secret;
use chatstart::session::{self, FollowOptions, SessionUpdate};
use tokio::sync::mpsc;

use crate::support::{Emulator, faults, ran, states};

const SCENARIO: &str = r#"
ended_chat_ttl_secs = 600
[[skills]]
name = "Sales"
id = 1
agent_name = "Natalie"
accept_after_ms = 150
greeting = "Hello"
replies = ["sure"]
reply_after_ms = 50
estimated_wait_secs = 20
"#;

/// The auth call's ids (all but the SSO key) and the skill.
const AUTH_IDS: [&str; 12] = [
    "--auth-conn-id",
    "568046210",
    "--engagement-id",
    "567609310",
    "--le-visitor-id",
    "V1",
    "--le-session-id",
    "S1",
    "--le-context-id",
    "2",
    "--skill",
    "Sales",
];

fn client(emulator: &Emulator, endpoint: Endpoint) -> ChatApi {
    let config = ClientConfig::new(
        endpoint,
        emulator.handle.account(),
        Secret::new(emulator.app_key()),
    );
    ChatApi::new(config).expect("client")
}

fn sales() -> ChatRequest {
    ChatRequest {
        skill: "Sales".into(),
        ..ChatRequest::default()
    }
}

fn fast(skill: Option<&str>) -> FollowOptions {
    FollowOptions {
        poll_interval: Duration::from_millis(100),
        skill: skill.map(str::to_string),
        ..FollowOptions::default()
    }
}

/// Follows until `stop` says so, or the tracker stops; fails after a deadline.
async fn follow_until(
    api: &ChatApi,
    uri: &str,
    options: FollowOptions,
    stop: impl Fn(&[SessionUpdate]) -> bool,
) -> Vec<SessionUpdate> {
    let (sender, mut updates) = mpsc::unbounded_channel();
    let tracker = session::follow(api.clone(), uri.to_string(), options, sender);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let mut seen = Vec::new();
    while !stop(&seen) {
        match tokio::time::timeout_at(deadline, updates.recv()).await {
            Ok(Some(update)) => seen.push(update),
            Ok(None) => break,
            Err(_) => panic!("not there before the deadline: {seen:#?}"),
        }
    }
    tracker.abort();
    seen
}

fn ids(updates: &[SessionUpdate]) -> Vec<u64> {
    updates
        .iter()
        .flat_map(|u| match u {
            SessionUpdate::Batch { events, .. } => events.clone(),
            _ => Vec::new(),
        })
        .filter_map(|e| e.id)
        .collect()
}

fn ended(updates: &[SessionUpdate]) -> bool {
    updates.iter().any(|u| matches!(u, SessionUpdate::Ended))
}

#[test]
fn relative_links_and_location_are_resolved_against_the_answer_they_came_in() {
    let emulator = Emulator::start(SCENARIO);
    emulator.handle.set_faults(faults(&["relative-links@any"]));
    let api = client(&emulator, Endpoint::BaseUrl(emulator.base_url()));
    let uri = emulator.runtime().block_on(async {
        let uri = api.request_chat(&sales(), None).await.expect("chat");
        let updates = follow_until(&api, uri.as_str(), fast(None), |seen| {
            states(seen).contains(&ChatState::Chatting)
        })
        .await;
        assert!(
            !updates.iter().any(|u| matches!(
                u,
                SessionUpdate::Retrying { .. } | SessionUpdate::Lost { .. }
            )),
            "every relative next link was followed: {updates:#?}"
        );
        let events = api.events_link(uri.as_str()).await.expect("events link");
        assert!(events.starts_with("http://127.0.0.1:"), "{events}");
        api.add_line(&events, "hello from a relative link")
            .await
            .expect("line");
        api.end_chat(&events).await.expect("end");
        uri
    });
    let log = emulator.handle.requests();
    let relative = log
        .iter()
        .filter(|r| r.fault.as_deref() == Some("relative-links"))
        .count();
    assert!(relative >= 4, "the server sent relative links: {log:#?}");
    let chat = uri.path_segments().unwrap().next_back().unwrap();
    assert!(
        log.iter().any(|r| r.method == "POST"
            && r.path.ends_with(&format!("{chat}/events"))
            && r.body.contains("hello from a relative link")),
        "the line reached the chat's events: {log:#?}"
    );
    // And the command line follows such a server too.
    let out = ran(emulator.chatstart(&["watch", uri.as_str(), "--poll-interval", "0.1"]));
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("ended"), "{out:?}");
}

#[test]
fn a_chat_with_only_an_events_level_next_is_followed_to_its_end() {
    let emulator = Emulator::start(SCENARIO);
    emulator
        .handle
        .set_faults(faults(&["no-chat-next@session"]));
    let api = client(&emulator, Endpoint::BaseUrl(emulator.base_url()));
    let (uri, updates) = emulator.runtime().block_on(async {
        let uri = api.request_chat(&sales(), None).await.expect("chat");
        let chatting = follow_until(&api, uri.as_str(), fast(None), |seen| {
            states(seen).contains(&ChatState::Chatting)
        })
        .await;
        let events = api.events_link(uri.as_str()).await.expect("events link");
        api.end_chat(&events).await.expect("end");
        let whole = follow_until(&api, uri.as_str(), fast(None), ended).await;
        assert!(!chatting.is_empty());
        (uri, whole)
    });
    assert!(ended(&updates), "{updates:#?}");
    let chat = uri.path_segments().unwrap().next_back().unwrap();
    let held = emulator.handle.event_ids(chat).expect("the chat exists");
    assert_eq!(ids(&updates), held, "every event once, in order");
    let log = emulator.handle.requests();
    assert!(
        log.iter()
            .any(|r| r.method == "GET" && r.path.ends_with(&format!("{chat}/events"))),
        "the events-level next link was polled: {log:#?}"
    );
}

#[test]
fn a_csds_with_only_the_all_services_list_still_gives_the_domain() {
    let emulator = Emulator::start(SCENARIO);
    // The service's own path answers 404 once: the client asks for the whole list instead.
    emulator.handle.set_faults(faults(&["404@csds,count=1"]));
    let api = client(
        &emulator,
        Endpoint::Discover {
            csds_url: emulator.handle.csds_url(),
        },
    );
    let availability = emulator
        .runtime()
        .block_on(api.availability("Sales", ""))
        .expect("availability through the discovered domain");
    assert!(availability.any());
    let csds: Vec<String> = emulator
        .handle
        .requests()
        .into_iter()
        .filter(|r| r.path.contains("baseURI"))
        .map(|r| r.path)
        .collect();
    assert_eq!(csds.len(), 2, "{csds:?}");
    assert!(
        csds[0].ends_with("/service/conversationVep/baseURI.json"),
        "{csds:?}"
    );
    assert!(csds[1].ends_with("/service/baseURI.json"), "{csds:?}");
}

#[test]
fn a_slow_estimated_wait_does_not_hold_up_the_polls() {
    let emulator = Emulator::start(SCENARIO);
    // The agent accepts after 150 ms; the estimate takes a minute to answer.
    emulator
        .handle
        .set_faults(faults(&["slow@wait,delay_ms=60000"]));
    let api = client(&emulator, Endpoint::BaseUrl(emulator.base_url()));
    let updates = emulator.runtime().block_on(async {
        let uri = api.request_chat(&sales(), None).await.expect("chat");
        follow_until(&api, uri.as_str(), fast(Some("Sales")), |seen| {
            states(seen).contains(&ChatState::Chatting)
        })
        .await
    });
    assert!(
        !updates
            .iter()
            .any(|u| matches!(u, SessionUpdate::EstimatedWait(_))),
        "chatting was seen while the estimate was still on its way: {updates:#?}"
    );
    assert_eq!(emulator.handle.count("GET", "estimatedWaitTime"), 1);
}

#[test]
fn an_error_that_echoes_the_sso_key_never_shows_it() {
    let emulator = Emulator::start(SCENARIO);
    let sso = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJzc28tZWNoby0xMjMifQ.c2ln";
    let echo = format!(r#"{{"error":{{"message":"cannot read ssoKey {sso}","internalCode":3}}}}"#);
    emulator.handle.set_faults(vec![
        FaultSpec::parse("400@conversation")
            .map(|mut f| {
                f.body = Some(echo);
                f
            })
            .expect("fault"),
    ]);
    let log = emulator.home.path().join("http.log");
    let mut args = vec![
        "--log-file",
        log.to_str().unwrap(),
        "auth",
        "--sso-key",
        sso,
    ];
    args.extend(AUTH_IDS);
    let out = ran(emulator.chatstart(&args));
    assert_eq!(out.code, 3, "{out:?}");
    assert!(
        out.stderr.contains("cannot read ssoKey"),
        "the message is shown: {out:?}"
    );
    let written = std::fs::read_to_string(&log).expect("the log was written");
    assert!(written.contains("cannot read ssoKey"), "{written}");
    for (what, text) in [
        ("stdout", &out.stdout),
        ("stderr", &out.stderr),
        ("log", &written),
    ] {
        assert!(!text.contains(sso), "{what} shows the SSO key: {text}");
    }
    assert_eq!(emulator.handle.count("POST", "/chat/request"), 0);
}

#[test]
fn a_refused_watch_exits_3_with_the_explanation() {
    let emulator = Emulator::start(SCENARIO);
    let unknown = format!(
        "{}/api/account/{}/chat/H1-nothing-here",
        emulator.base_url(),
        emulator.handle.account()
    );
    let out = ran(emulator.chatstart(&["watch", &unknown, "--poll-interval", "0.1"]));
    assert_eq!(
        out.code, 3,
        "a 404 is a refusal, not a network failure: {out:?}"
    );
    assert!(out.stderr.contains("Chat session not found"), "{out:?}");
    assert!(out.stderr.contains("why: "), "explained: {out:?}");

    let mut wrong_key = emulator.bare(&[
        "watch",
        &unknown,
        "--app-key",
        "not-the-key",
        "--poll-interval",
        "0.1",
    ]);
    wrong_key.args(["--base-url", &emulator.base_url()]);
    let out = ran(wrong_key);
    assert_eq!(out.code, 3, "{out:?}");
    assert!(out.stderr.contains("appKey was not accepted"), "{out:?}");
}

#[test]
fn a_wrong_app_key_on_the_auth_call_is_not_blamed_on_the_sso_key() {
    let emulator = Emulator::start(SCENARIO);
    let mut args = vec!["auth", "--app-key", "not-the-key", "--sso-key", "good-key"];
    args.extend(AUTH_IDS);
    let mut command = emulator.bare(&args);
    command.args([
        "--base-url",
        &emulator.base_url(),
        "--account",
        emulator.handle.account(),
    ]);
    let out = ran(command);
    assert_eq!(out.code, 3, "{out:?}");
    assert!(out.stderr.contains("appKey was not accepted"), "{out:?}");
    assert!(!out.stderr.contains("SSO key was refused"), "{out:?}");

    // A refused SSO key still gets its own explanation.
    let mut args = vec!["auth", "--sso-key", "bad"];
    args.extend(AUTH_IDS);
    let out = ran(emulator.chatstart(&args));
    assert_eq!(out.code, 3, "{out:?}");
    assert!(out.stderr.contains("SSO key was refused"), "{out:?}");
}

#[test]
fn following_flags_without_wait_and_empty_or_endless_values_exit_2_with_nothing_sent() {
    let emulator = Emulator::start(SCENARIO);
    for (args, says) in [
        (
            vec!["request", "--skill", "Sales", "--timeout", "5"],
            "--timeout: only with --wait",
        ),
        (
            vec!["request", "--skill", "Sales", "--poll-interval", "1"],
            "--poll-interval: only with --wait",
        ),
        (
            vec!["request", "--skill", "Sales", "--pre-chat-line", ""],
            "a pre-chat line cannot be empty",
        ),
        (
            vec![
                "request",
                "--skill",
                "Sales",
                "--wait",
                "chatting",
                "--timeout",
                "1e19",
            ],
            "at most a year",
        ),
        (
            vec!["burst", "--skill", "Sales", "--count", "1", "--timeout=-1"],
            "is not a positive number of seconds",
        ),
    ] {
        let out = ran(emulator.chatstart(&args));
        assert_eq!(out.code, 2, "{args:?}: {out:?}");
        assert!(out.stderr.contains(says), "{args:?}: {out:?}");
    }
    assert_eq!(
        emulator.handle.count("POST", "/chat/request"),
        0,
        "nothing was sent"
    );
}

#[test]
fn the_auth_call_goes_as_documented_json_even_when_the_other_calls_are_xml() {
    let emulator = Emulator::start(SCENARIO);
    let mut args = vec!["auth", "--format", "xml", "--sso-key", "good-key"];
    args.extend(AUTH_IDS);
    args.extend(["--wait", "chatting", "--poll-interval", "0.1"]);
    let out = ran(emulator.chatstart(&args));
    assert_eq!(out.code, 0, "{out:?}");
    let log = emulator.handle.requests();
    let header = |r: &chatstart::emulator::RecordedRequest, name: &str| {
        r.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let auth = log
        .iter()
        .find(|r| r.path.ends_with("/conversation.json"))
        .expect("the auth call");
    assert!(header(auth, "content-type").contains("json"), "{auth:#?}");
    assert!(auth.body.trim_start().starts_with('{'), "{auth:#?}");
    let chat = log
        .iter()
        .find(|r| r.method == "POST" && r.path.ends_with("/chat/request"))
        .expect("the chat request");
    assert!(header(chat, "content-type").contains("xml"), "{chat:#?}");
    assert!(chat.body.trim_start().starts_with('<'), "{chat:#?}");
}

#[test]
fn a_server_that_hands_out_one_event_at_a_time_loses_none_when_its_info_says_ended_first() {
    let emulator = Emulator::start(SCENARIO);
    // The agent ends the chat at once (on an info call, before the first poll); every poll
    // then brings one event while the info already says `ended`.
    emulator
        .handle
        .set_faults(faults(&["end@info,count=1", "drip@session"]));
    let api = client(&emulator, Endpoint::BaseUrl(emulator.base_url()));
    let (uri, updates) = emulator.runtime().block_on(async {
        let uri = api.request_chat(&sales(), None).await.expect("chat");
        let info = api.info(&format!("{uri}/info")).await.expect("info");
        assert_eq!(info.state, Some(ChatState::Ended), "the agent ended it");
        let updates = follow_until(&api, uri.as_str(), fast(None), ended).await;
        (uri, updates)
    });
    let chat = uri.path_segments().unwrap().next_back().unwrap();
    let held = emulator.handle.event_ids(chat).expect("the chat exists");
    assert!(
        held.len() >= 4,
        "waiting, routing, the agent's leaving, ended: {held:?}"
    );
    assert_eq!(
        ids(&updates),
        held,
        "every event, once, in order: {updates:#?}"
    );
    assert_eq!(states(&updates).last(), Some(&ChatState::Ended));
    let dripped = emulator
        .handle
        .requests()
        .iter()
        .filter(|r| r.fault.as_deref() == Some("drip"))
        .count();
    assert!(dripped >= held.len(), "one event an answer");
    // The command line shows the agent's leaving too, not only an `ended` read from the info.
    emulator.handle.set_faults(faults(&["drip@session"]));
    let out = ran(emulator.chatstart(&["watch", uri.as_str(), "--poll-interval", "0.1"]));
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("left the chat"), "{out:?}");
    assert!(out.stdout.contains("state: ended"), "{out:?}");
    // Ending it sends nothing: the info says it ended, though the first answer's one event
    // is still `waiting`.
    let out = ran(emulator.chatstart(&["end", uri.as_str()]));
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains("already ended"), "{out:?}");
    assert_eq!(emulator.handle.end_posts(), 0, "no end was posted");
}
