//! The client and the session tracker against the in-process emulator over real HTTP.

use std::time::Duration;

use chatstart::api::model::{ChatState, EventKind};
use chatstart::api::{
    AppKeyPlacement, AuthOutcome, AuthRequest, ChatApi, ChatRequest, ClientConfig, Endpoint, Format,
};
use chatstart::secret::Secret;
use chatstart::session::{self, FollowOptions, SessionUpdate};
use tokio::sync::mpsc;

use crate::support::{self, Emulator, states};

fn client(emulator: &Emulator, format: Format) -> ChatApi {
    let mut config = ClientConfig::new(
        Endpoint::BaseUrl(emulator.base_url()),
        emulator.handle.account(),
        Secret::new(emulator.app_key()),
    );
    config.format = format;
    ChatApi::new(config).expect("client")
}

fn sales() -> ChatRequest {
    ChatRequest {
        skill: "Sales".into(),
        pre_chat_lines: vec!["Order 12345".into()],
        ..ChatRequest::default()
    }
}

/// Collects tracker updates until `done` says so, failing after a deadline.
async fn collect_until(
    updates: &mut mpsc::UnboundedReceiver<SessionUpdate>,
    done: impl Fn(&SessionUpdate) -> bool,
) -> Vec<SessionUpdate> {
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let update = tokio::time::timeout_at(deadline, updates.recv())
            .await
            .unwrap_or_else(|_| panic!("no matching update before the deadline; got {seen:#?}"))
            .expect("tracker running");
        let stop = done(&update);
        seen.push(update);
        if stop {
            return seen;
        }
    }
}

#[test]
fn tracker_follows_waiting_to_chatting_to_ended_in_both_formats() {
    for format in [Format::Json, Format::Xml] {
        let emulator = Emulator::start(support::FAST);
        emulator.runtime().block_on(async {
            let api = client(&emulator, format);
            let uri = api.request_chat(&sales(), None).await.expect("chat created");
            let (tx, mut rx) = mpsc::unbounded_channel();
            let options = FollowOptions {
                poll_interval: Duration::from_millis(100),
                ..FollowOptions::default()
            };
            let _tracker = session::follow(api.clone(), uri.to_string(), options, tx);
            let until_chatting = collect_until(&mut rx, |u| states(std::slice::from_ref(u)).contains(&ChatState::Chatting)).await;
            let SessionUpdate::Batch { info, .. } = until_chatting.last().unwrap() else { unreachable!() };
            assert_eq!(info.as_ref().and_then(|i| i.agent_name.as_deref()), Some("Natalie"), "{format}");
            let events = api.events_link(uri.as_str()).await.unwrap();
            api.add_line(&events, "hello").await.expect("line while chatting");
            api.end_chat(&events).await.expect("end");
            let rest = collect_until(&mut rx, |u| *u == SessionUpdate::Ended).await;
            let all: Vec<SessionUpdate> = until_chatting.into_iter().chain(rest).collect();
            assert_eq!(states(&all), [ChatState::Waiting, ChatState::Chatting, ChatState::Ended], "{format}");
            let ids: Vec<u64> = all
                .iter()
                .flat_map(|u| match u {
                    SessionUpdate::Batch { events, .. } => events.iter().filter_map(|e| e.id).collect(),
                    _ => Vec::new(),
                })
                .collect();
            let mut unique = ids.clone();
            unique.dedup();
            assert_eq!(ids, unique, "{format}: no event twice");
            assert!(ids.windows(2).all(|w| w[0] < w[1]), "{format}: in order: {ids:?}");
            let visitor_line = all.iter().any(|u| matches!(u, SessionUpdate::Batch { events, .. }
                if events.iter().any(|e| matches!(&e.kind, EventKind::Line(l) if l.text == "hello"))));
            assert!(visitor_line, "{format}: the visitor's line came back");
            let echo = all.iter().any(|u| matches!(u, SessionUpdate::Batch { events, .. }
                if events.iter().any(|e| matches!(&e.kind, EventKind::Line(l) if l.is_pre_chat_echo()))));
            assert!(echo, "{format}: the pre-chat line is echoed with system message id 0");
        });
        assert_eq!(emulator.handle.count("POST", "/chat/request"), 1);
    }
}

#[test]
fn polls_use_the_next_link_as_given_with_v_and_nc_added() {
    let emulator = Emulator::fast_with("location_host = \"localhost\"");
    emulator.runtime().block_on(async {
        let api = client(&emulator, Format::Json);
        let uri = api.request_chat(&sales(), None).await.unwrap();
        assert_eq!(
            uri.host_str(),
            Some("localhost"),
            "the Location is used as given"
        );
        let (tx, mut rx) = mpsc::unbounded_channel();
        let options = FollowOptions {
            poll_interval: Duration::from_millis(100),
            ..FollowOptions::default()
        };
        let _tracker = session::follow(api, uri.to_string(), options, tx);
        collect_until(&mut rx, |u| {
            states(std::slice::from_ref(u)).contains(&ChatState::Chatting)
        })
        .await;
    });
    let polls: Vec<_> = emulator
        .handle
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path.contains("/chat/H"))
        .collect();
    assert!(polls.len() >= 2, "{polls:?}");
    assert!(
        polls
            .iter()
            .all(|r| r.query.contains("v=1") && r.query.contains("NC=true")),
        "{polls:?}"
    );
    assert!(
        polls.iter().skip(1).all(|r| r.query.contains("from=")),
        "later polls follow next: {polls:?}"
    );
    assert!(
        polls.iter().all(|r| r.query.matches("v=1").count() == 1),
        "never duplicated: {polls:?}"
    );
}

#[test]
fn the_app_key_rides_in_the_query_when_asked() {
    let emulator = Emulator::fast_with("refuse_app_key_header = true");
    emulator.runtime().block_on(async {
        let mut config = ClientConfig::new(
            Endpoint::BaseUrl(emulator.base_url()),
            emulator.handle.account(),
            Secret::new(emulator.app_key()),
        );
        let refused = ChatApi::new(config.clone())
            .unwrap()
            .request_chat(&sales(), None)
            .await
            .unwrap_err();
        assert_eq!(refused.status(), Some(401));
        assert!(refused.hint().unwrap().contains("--app-key-in query"));
        config.app_key_in = AppKeyPlacement::Query;
        let api = ChatApi::new(config).unwrap();
        let uri = api
            .request_chat(&sales(), None)
            .await
            .expect("query form works");
        api.chat(uri.as_str())
            .await
            .expect("links get the appKey added too");
    });
    let last = emulator.handle.requests().pop().unwrap();
    assert!(last.query.contains("appKey="), "{last:?}");
    assert!(
        !last
            .headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("authorization")),
        "{last:?}"
    );
}

#[test]
fn the_auth_rule_reads_each_response_shape() {
    for (mode, expect_chat_post) in [("seed", true), ("legacy", true), ("chat", false)] {
        let emulator = Emulator::fast_with(&format!("auth_response = \"{mode}\""));
        emulator.runtime().block_on(async {
            let api = client(&emulator, Format::Json);
            let request = ChatRequest {
                engagement_id: "567609310".into(),
                le_visitor_id: "V".into(),
                le_session_id: "S".into(),
                le_context_id: "2".into(),
                ..sales()
            };
            let auth = AuthRequest {
                sso_key: Secret::new("k12197"),
                auth_chat_conn_id: "568046210".into(),
                redirect_uri: String::new(),
            };
            let mut reported = None;
            let started = chatstart::api::start_authenticated(&api, &auth, &request, None, |o| {
                reported = Some(o.clone());
            })
            .await
            .unwrap_or_else(|e| panic!("{mode}: {e}"));
            assert_eq!(reported.as_ref(), Some(&started.auth));
            match (mode, &started.auth) {
                (
                    "seed",
                    AuthOutcome::Conversation {
                        conversation_id, ..
                    },
                )
                | (
                    "legacy",
                    AuthOutcome::Ids {
                        conversation_id, ..
                    },
                ) => assert!(!conversation_id.is_empty()),
                ("chat", AuthOutcome::ChatOpened { session_uri, .. }) => {
                    assert_eq!(session_uri, &started.session_uri)
                }
                (mode, outcome) => panic!("{mode}: unexpected {outcome:?}"),
            }
            api.chat(started.session_uri.as_str())
                .await
                .expect("the chat answers");
        });
        assert_eq!(
            emulator.handle.count("POST", "/chat/request") == 1,
            expect_chat_post,
            "{mode}"
        );
        let auth_post = emulator
            .handle
            .requests()
            .into_iter()
            .find(|r| r.path.contains("conversation"))
            .unwrap();
        let body: serde_json::Value = serde_json::from_str(&auth_post.body).unwrap();
        assert_eq!(body["authChatConnId"], 568046210, "numbers as numbers");
        assert_eq!(body["LETagContextId"], "2", "the context id as a string");
    }
}

#[test]
fn exchanges_are_observed_with_secrets_masked() {
    let emulator = Emulator::start(support::FAST);
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    emulator.runtime().block_on(async {
        let config = ClientConfig::new(
            Endpoint::BaseUrl(emulator.base_url()),
            emulator.handle.account(),
            Secret::new(emulator.app_key()),
        );
        let observer: chatstart::api::exchange::ExchangeObserver =
            std::sync::Arc::new(move |e| sink.lock().unwrap().push(e.clone()));
        let api = ChatApi::with_observer(config, Some(observer)).unwrap();
        let request = ChatRequest {
            engagement_id: "1".into(),
            le_visitor_id: "V".into(),
            le_session_id: "S".into(),
            le_context_id: "2".into(),
            ..sales()
        };
        let auth = AuthRequest {
            sso_key: Secret::new("sso-secret-123"),
            auth_chat_conn_id: "5".into(),
            redirect_uri: String::new(),
        };
        chatstart::api::start_authenticated(&api, &auth, &request, None, |_| {})
            .await
            .unwrap();
    });
    let exchanges = seen.lock().unwrap();
    assert_eq!(exchanges.len(), 2, "auth, then the chat request");
    assert_eq!(exchanges[1].status, Some(201));
    let everything = format!("{exchanges:?}");
    assert!(!everything.contains(&emulator.app_key()), "appKey leaked");
    assert!(!everything.contains("sso-secret-123"), "SSO key leaked");
    assert!(everything.contains("LivePerson appKey=••••"));
}

#[test]
fn a_chat_request_whose_answer_never_comes_is_ambiguous_and_not_retried() {
    // A server that takes the request and never answers: the answer is lost after sending.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let connections = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let held = connections.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            held.lock().unwrap().push(stream);
        }
    });
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let error = runtime.block_on(async {
        let mut config = ClientConfig::new(
            Endpoint::BaseUrl(format!("http://{address}")),
            "123",
            Secret::new("k"),
        );
        config.http_timeout = Duration::from_millis(500);
        ChatApi::new(config)
            .unwrap()
            .request_chat(&sales(), None)
            .await
            .unwrap_err()
    });
    assert!(error.may_have_created_chat(), "{error}");
    assert!(
        error
            .to_string()
            .contains("no answer within the 0.5 s request timeout"),
        "{error}"
    );
    let explanation = error.explain().unwrap();
    assert!(
        explanation.why.contains("a chat may have been created"),
        "{explanation:?}"
    );
    assert!(
        explanation.next.command_line.contains("never retried")
            && explanation.next.command_line.contains("chatstart history")
    );
    assert_eq!(
        connections.lock().unwrap().len(),
        1,
        "sent once, never retried"
    );
}
