//! The visitor's calls after the start (name, typing, links) through the client and the
//! session tracker, against the emulator over real HTTP in both formats.

use std::time::Duration;

use chatstart::api::model::{ChatState, EventKind, LineSource, VisitorLinks};
use chatstart::api::validate::Field;
use chatstart::api::{
    ApiError, ChatApi, ChatRequest, ClientConfig, Endpoint, Format, SurveyAnswer,
    TranscriptRequest, TranscriptSent,
};
use chatstart::secret::Secret;
use chatstart::session::{self, FollowOptions, SessionUpdate};
use tokio::sync::mpsc;

use crate::emulator_visitor::SCENARIO;
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

fn answer(id: &str, values: &[&str]) -> SurveyAnswer {
    SurveyAnswer {
        question_id: id.into(),
        values: values.iter().map(|v| (*v).into()).collect(),
    }
}

fn chat_id(uri: &str) -> String {
    uri.rsplit('/').next().expect("an id").to_string()
}

/// A chat of `skill` in the visitor scenario (exit and offline surveys), chatting, and its links.
async fn chatting(api: &ChatApi, skill_name: &str) -> (String, VisitorLinks) {
    let uri = api
        .request_chat(&skill(skill_name), None)
        .await
        .expect("chat created")
        .to_string();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let chat = api.chat(&uri).await.expect("chat");
        if chat.info.as_ref().and_then(|i| i.state.clone()) == Some(ChatState::Chatting) {
            return (uri, chat.visitor_links());
        }
        assert!(tokio::time::Instant::now() < deadline, "never accepted");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[test]
fn the_exit_survey_is_read_in_both_formats_and_its_answers_go_as_value_texts() {
    for format in [Format::Json, Format::Xml] {
        let emulator = Emulator::start(SCENARIO);
        let uri = emulator.runtime().block_on(async {
            let api = client(&emulator, format);
            let (uri, links) = chatting(&api, "Sales").await;
            api.end_session(&uri).await.expect("ended");
            let href = links.exit_survey.expect("an exit-survey link");
            let survey = api
                .exit_survey(&href)
                .await
                .expect("read")
                .expect("Sales has one");
            assert_eq!(survey.id, "361348", "{format}");
            let recommend = survey.question("1").expect("question 1");
            assert_eq!(
                recommend.entries[0].shown_text(),
                "10",
                "{format}: displayValue"
            );
            // A wrong answer is refused here: nothing is sent.
            let wrong = [answer("1", &["10"]), answer("2", &["Yes"])];
            match api.submit_exit_survey(&href, &survey, &wrong).await {
                Err(ApiError::Invalid(errors)) => assert!(
                    errors
                        .for_field(&Field::SurveyAnswer("1".into()))
                        .is_some_and(|m| m.contains("is the shown text of `10 Extremely Likely`")),
                    "{format}: {errors:?}"
                ),
                other => panic!("{format}: a display value is not a value: {other:?}"),
            }
            let answers = [
                answer("1", &["10 Extremely Likely"]),
                answer("2", &["Yes"]),
                answer("4", &["Speed", "Knowledge"]),
            ];
            api.submit_exit_survey(&href, &survey, &answers)
                .await
                .expect("an empty 200 is success");
            uri
        });
        let kept = emulator
            .handle
            .exit_surveys(&chat_id(&uri))
            .expect("a known chat");
        assert_eq!(
            kept.len(),
            1,
            "{format}: sent once, after the refusal sent nothing"
        );
        assert_eq!(kept[0].survey_id, 361_348);
        assert_eq!(kept[0].answers[&1], ["10 Extremely Likely"], "{format}");
        assert_eq!(kept[0].answers[&4], ["Speed", "Knowledge"], "{format}");
    }
}

#[test]
fn no_exit_survey_is_none_whether_the_service_answers_empty_or_404() {
    for mode in ["empty", "404"] {
        let emulator = Emulator::start(&format!("no_exit_survey = \"{mode}\"\n{SCENARIO}"));
        emulator.runtime().block_on(async {
            let api = client(&emulator, Format::Json);
            let (uri, links) = chatting(&api, "Quiet").await;
            api.end_session(&uri).await.expect("ended");
            let href = links.exit_survey.expect("the link is there anyway (Q30)");
            assert_eq!(api.exit_survey(&href).await.expect(mode), None, "{mode}");
        });
    }
}

#[test]
fn a_transcript_goes_with_its_subject_where_one_is_taken_and_a_bad_address_sends_nothing() {
    let emulator = Emulator::start(SCENARIO);
    let uri = emulator.runtime().block_on(async {
        let api = client(&emulator, Format::Xml);
        let (uri, links) = chatting(&api, "Sales").await;
        let mut transcript = TranscriptRequest {
            email: "ann@example.com".into(),
            subject: Some("Order 7".into()),
            timezone_offset_ms: Some(-7_200_000),
        };
        assert_eq!(
            api.request_transcript(&links, &transcript)
                .await
                .expect("sent"),
            TranscriptSent::WithSubject
        );
        let without_subject_link = VisitorLinks {
            transcript_with_subject: None,
            ..links.clone()
        };
        assert_eq!(
            api.request_transcript(&without_subject_link, &transcript)
                .await
                .expect("sent"),
            TranscriptSent::SubjectDropped
        );
        transcript.email = "ann@example".into();
        match api.request_transcript(&links, &transcript).await {
            Err(ApiError::Invalid(errors)) => {
                assert!(errors.for_field(&Field::TranscriptEmail).is_some());
            }
            other => panic!("a bad address is refused before sending: {other:?}"),
        }
        uri
    });
    let sent = emulator
        .handle
        .transcript_requests(&chat_id(&uri))
        .expect("a known chat");
    assert_eq!(sent.len(), 2, "{sent:#?}");
    assert!(sent[0].with_subject_route);
    assert_eq!(sent[0].subject.as_deref(), Some("Order 7"));
    assert_eq!(sent[0].timezone_offset_ms, Some(-7_200_000), "milliseconds");
    assert!(!sent[1].with_subject_route);
    assert_eq!(sent[1].subject, None);
}

#[test]
fn the_offline_survey_is_read_and_submitted_with_the_visitor_fields_inside() {
    for format in [Format::Json, Format::Xml] {
        let emulator = Emulator::start(SCENARIO);
        emulator.runtime().block_on(async {
            let api = client(&emulator, format);
            let request = ChatRequest {
                skill: "Tech".into(),
                le_visitor_id: "V1".into(),
                ..ChatRequest::default()
            };
            let survey = api
                .offline_survey(&request)
                .await
                .expect("read")
                .expect("there is one");
            assert_eq!(survey.questions.len(), 3, "{format}");
            let missing_email = [answer("10", &["Ann"])];
            assert!(matches!(
                api.submit_offline_survey(&request, &survey, &missing_email)
                    .await,
                Err(ApiError::Invalid(_))
            ));
            let answers = [answer("10", &["Ann"]), answer("11", &["ann@example.com"])];
            api.submit_offline_survey(&request, &survey, &answers)
                .await
                .expect("an empty 200 is success");
        });
        let kept = emulator.handle.offline_surveys();
        assert_eq!(kept.len(), 1, "{format}: {kept:#?}");
        assert_eq!(kept[0].answers[&11], ["ann@example.com"]);
        for field in [("skill", "Tech"), ("LETagVisitorId", "V1")] {
            assert!(
                kept[0]
                    .fields
                    .iter()
                    .any(|(k, v)| (k.as_str(), v.as_str()) == field),
                "{format}: {field:?} in {:?}",
                kept[0].fields
            );
        }
    }
}

/// An agent who types for a minute before greeting: no poll, however late, misses it.
const SLOW_TYPIST: &str = r#"
[[skills]]
name = "SlowTypist"
agent_name = "Tia"
accept_after_ms = 0
greeting = "<p>Hello from Tia.</p>"
greeting_after_ms = 60000
"#;

#[test]
fn agent_typing_is_reported_once_when_it_starts_and_not_after_the_end() {
    let emulator = Emulator::start(&format!("{SCENARIO}\n{SLOW_TYPIST}"));
    emulator.runtime().block_on(async {
        let api = client(&emulator, Format::Json);
        let uri = api
            .request_chat(&skill("SlowTypist"), None)
            .await
            .expect("chat created");
        let (tx, mut rx) = mpsc::unbounded_channel();
        let _tracker = session::follow(api.clone(), uri.to_string(), options(None), tx);
        let mut typing = Vec::new();
        let mut batches_since = 0;
        // Five polls after the start of the typing: no repeat of it.
        while batches_since < 5 {
            match next_update(&mut rx).await {
                SessionUpdate::AgentTyping(now) => typing.push(now),
                SessionUpdate::Batch { .. } if !typing.is_empty() => batches_since += 1,
                _ => {}
            }
        }
        assert_eq!(typing, [true]);
        api.end_session(uri.as_str()).await.expect("ended");
        loop {
            match next_update(&mut rx).await {
                SessionUpdate::AgentTyping(now) => panic!("typing {now} reported at the end"),
                SessionUpdate::Ended => break,
                _ => {}
            }
        }
    });
}

#[test]
fn agent_typing_is_not_left_on_once_the_greeting_is_there() {
    let emulator = Emulator::start(SCENARIO);
    emulator.runtime().block_on(async {
        let api = client(&emulator, Format::Json);
        let uri = api
            .request_chat(&skill("Typist"), None)
            .await
            .expect("chat created");
        let (tx, mut rx) = mpsc::unbounded_channel();
        let _tracker = session::follow(api.clone(), uri.to_string(), options(None), tx);
        // A late poll may miss the typing before the greeting, never the end of it: whatever
        // was seen, the last word on typing once the greeting is there is "not typing".
        let mut typing = Vec::new();
        loop {
            match next_update(&mut rx).await {
                SessionUpdate::AgentTyping(now) => typing.push(now),
                SessionUpdate::Batch { events, .. }
                    if events.iter().any(|e| {
                        matches!(&e.kind, EventKind::Line(line) if line.source == LineSource::Agent)
                    }) =>
                {
                    break;
                }
                _ => {}
            }
        }
        if typing.last() == Some(&true) {
            loop {
                if let SessionUpdate::AgentTyping(now) = next_update(&mut rx).await {
                    typing.push(now);
                    break;
                }
            }
        }
        assert!(
            matches!(typing.as_slice(), [] | [true, false]),
            "{typing:?}"
        );
    });
}

#[test]
fn a_strict_server_answering_201_to_the_name_is_a_success() {
    let emulator = Emulator::start(&format!("visitor_name_status = 201\n{SCENARIO}"));
    emulator.runtime().block_on(async {
        let api = client(&emulator, Format::Json);
        let uri = api
            .request_chat(&skill("Patient"), None)
            .await
            .expect("chat created");
        let (tx, mut rx) = mpsc::unbounded_channel();
        let _tracker = session::follow(api.clone(), uri.to_string(), options(Some("Ann")), tx);
        loop {
            if let SessionUpdate::VisitorNamed { result, .. } = next_update(&mut rx).await {
                assert_eq!(result, Ok(()), "201 is a 2xx (Q33)");
                break;
            }
        }
    });
}

#[test]
fn a_chat_whose_info_block_has_no_links_is_named_through_its_info_link() {
    let emulator = Emulator::start(support::FAST);
    emulator.runtime().block_on(async {
        let api = client(&emulator, Format::Json);
        let uri = api
            .request_chat(&skill("Slow"), None)
            .await
            .expect("chat created")
            .to_string();
        // The first read of the chat: an info block without links, and the `info` link.
        let bare = serde_json::json!({"chat": {
            "link": [{"@href": format!("{uri}/info"), "@rel": "info"},
                     {"@href": uri, "@rel": "next"}],
            "info": {"state": "waiting"}}});
        emulator
            .handle
            .set_faults(vec![chatstart::emulator::FaultSpec {
                body: Some(bare.to_string()),
                count: Some(1),
                ..support::faults(&["kind=malformed,endpoint=session"]).remove(0)
            }]);
        let (tx, mut rx) = mpsc::unbounded_channel();
        let _tracker = session::follow(api.clone(), uri.clone(), options(Some("Ann")), tx);
        loop {
            if let SessionUpdate::VisitorNamed { result, .. } = next_update(&mut rx).await {
                assert_eq!(result, Ok(()));
                break;
            }
        }
    });
    assert_eq!(
        emulator.handle.count("GET", "/info"),
        1,
        "the info read once"
    );
    assert_eq!(emulator.handle.count("POST", "/info/visitorName"), 1);
}
