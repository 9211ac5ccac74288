//! The visitor's calls after the start (name, typing, links) through the client and the
//! session tracker, against the emulator over real HTTP in both formats.

use std::time::Duration;

use chatstart::api::model::ChatState;
use chatstart::api::{ApiError, ChatApi, ChatRequest, ClientConfig, Endpoint, Format};
use chatstart::secret::Secret;
use chatstart::session::{self, FollowOptions, SessionUpdate};
use tokio::sync::mpsc;

use crate::support::{self, Emulator};

fn client(emulator: &Emulator, format: Format) -> ChatApi {
    let mut config = ClientConfig::new(
        Endpoint::BaseUrl(emulator.base_url()),
        emulator.handle.account(),
        Secret::new(emulator.app_key()),
    );
    config.format = format;
    ChatApi::new(config).expect("client")
}

fn skill(name: &str) -> ChatRequest {
    ChatRequest {
        skill: name.into(),
        ..ChatRequest::default()
    }
}

async fn next_update(updates: &mut mpsc::UnboundedReceiver<SessionUpdate>) -> SessionUpdate {
    tokio::time::timeout(Duration::from_secs(60), updates.recv())
        .await
        .expect("an update before the deadline")
        .expect("tracker running")
}

fn options(name: Option<&str>) -> FollowOptions {
    FollowOptions {
        poll_interval: Duration::from_millis(100),
        visitor_name: name.map(str::to_string),
        ..FollowOptions::default()
    }
}

#[test]
fn the_name_is_set_as_a_put_before_the_agent_accepts_and_the_info_then_carries_it() {
    for format in [Format::Json, Format::Xml] {
        let emulator = Emulator::start(support::FAST);
        emulator.runtime().block_on(async {
            let api = client(&emulator, format);
            let uri = api
                .request_chat(&skill("Slow"), None)
                .await
                .expect("chat created");
            let (tx, mut rx) = mpsc::unbounded_channel();
            let _tracker = session::follow(api.clone(), uri.to_string(), options(Some("Ann")), tx);
            let mut named = None;
            let mut name_in_info = false;
            while !name_in_info {
                match next_update(&mut rx).await {
                    SessionUpdate::VisitorNamed { name, result } => named = Some((name, result)),
                    SessionUpdate::Batch {
                        info: Some(info), ..
                    } => {
                        assert_ne!(info.state, Some(ChatState::Chatting), "{format}: accepted");
                        name_in_info =
                            named.is_some() && info.visitor_name.as_deref() == Some("Ann");
                    }
                    _ => {}
                }
            }
            assert_eq!(named, Some(("Ann".to_string(), Ok(()))), "{format}");
        });
        let puts: Vec<_> = emulator
            .handle
            .requests()
            .into_iter()
            .filter(|r| r.path.ends_with("/info/visitorName"))
            .collect();
        assert_eq!(puts.len(), 1, "{format}: one name call: {puts:#?}");
        assert_eq!(puts[0].method, "POST", "{format}: PUT goes as POST (§1.4)");
        assert!(
            puts[0]
                .headers
                .iter()
                .any(|(k, v)| k == "x-http-method-override" && v == "PUT"),
            "{format}: {:?}",
            puts[0].headers
        );
        assert!(puts[0].body.contains("Ann"), "{format}: {}", puts[0].body);
    }
}

#[test]
fn the_tracker_hands_on_the_visitors_links_once_and_sets_no_name_unasked() {
    let emulator = Emulator::start(support::FAST);
    emulator.runtime().block_on(async {
        let api = client(&emulator, Format::Json);
        let uri = api
            .request_chat(&skill("Sales"), None)
            .await
            .expect("chat created");
        let (tx, mut rx) = mpsc::unbounded_channel();
        let _tracker = session::follow(api.clone(), uri.to_string(), options(None), tx);
        let mut links = Vec::new();
        loop {
            match next_update(&mut rx).await {
                SessionUpdate::Links(found) => links.push(found),
                SessionUpdate::VisitorNamed { .. } => panic!("no name was asked for"),
                SessionUpdate::Batch {
                    info: Some(info), ..
                } if info.state == Some(ChatState::Chatting) => {
                    break;
                }
                _ => {}
            }
        }
        assert_eq!(
            links.len(),
            1,
            "sent when first read, not again: {links:#?}"
        );
        let links = &links[0];
        for (what, link) in [
            ("exit-survey", &links.exit_survey),
            ("transcript-request", &links.transcript),
            (
                "transcript-with-subject-request",
                &links.transcript_with_subject,
            ),
            ("visitor-name", &links.visitor_name),
            ("visitor-typing", &links.visitor_typing),
        ] {
            let link = link.as_deref().unwrap_or_else(|| panic!("no {what} link"));
            assert!(link.starts_with(&emulator.base_url()), "{what}: {link}");
        }
    });
    assert_eq!(emulator.handle.count("POST", "/info/visitorName"), 0);
}

#[test]
fn typing_is_put_while_the_chat_is_open_and_refused_after_the_end() {
    let emulator = Emulator::start(support::FAST);
    emulator.runtime().block_on(async {
        let api = client(&emulator, Format::Xml);
        let uri = api
            .request_chat(&skill("Sales"), None)
            .await
            .expect("chat created");
        let links = api.visitor_links(uri.as_str()).await.expect("links");
        let typing = links.visitor_typing.expect("a visitor-typing link");
        api.set_visitor_typing(&typing, true)
            .await
            .expect("typing accepted");
        let info = api
            .chat(uri.as_str())
            .await
            .expect("chat")
            .info
            .expect("info");
        assert_eq!(info.visitor_typing.as_deref(), Some("typing"));
        api.end_session(uri.as_str()).await.expect("ended");
        match api.set_visitor_typing(&typing, false).await {
            Err(ApiError::Status { status: 400, .. }) => {}
            other => panic!("typing after the end must be refused (Q35): {other:?}"),
        }
    });
}
