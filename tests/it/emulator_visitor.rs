//! The emulator's visitor pages over real HTTP: exit survey (with and without one), offline
//! survey, transcript requests, the visitor's name and the greeting by name, agent typing,
//! typing after the end, and faults on those endpoints. Uses the harness of `emulator_http`.

use super::emulator_http::{Answer, Harness, assert_error, harness, has_state, list, rel, with_v};
use chatstart::emulator::FaultSpec;
use chatstart::xmljson::xml_to_value;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

pub(crate) const SCENARIO: &str = r#"
account = "555000"
app_key = "test-key-abc"

[[skills]]
name = "Sales"
agent_name = "Natalie"
accept_after_ms = 50
greeting = "<p>Hi, I'm Natalie.</p>"
greeting_by_name = "<p>Hi {name}, I'm Natalie.</p>"
replies = ["<p>Sure.</p>"]
reply_after_ms = 50

[[skills]]
name = "Patient"
agent_name = "Natalie"
accept_after_ms = 1500
greeting = "<p>Hi, I'm Natalie.</p>"
greeting_by_name = "<p>Hi {name}, I'm Natalie.</p>"

[[skills]]
name = "Typist"
agent_name = "Tia"
accept_after_ms = 50
greeting = "<p>Hello from Tia.</p>"
greeting_after_ms = 1200
replies = ["<p>Typed.</p>"]
reply_after_ms = 800

[[skills]]
name = "Quiet"
agent_name = "Omar"
accept_after_ms = 50
exit_survey = false

[[skills]]
name = "Tech"
available = false

[exit_survey]
id = 361348
header = "How did we do?"

[[exit_survey.questions]]
id = 1
logic_id = 11
order = 0
mandatory = true
type = "Radio Button"
label = "How likely are you to recommend us?"
entries = [
    { value = "10 Extremely Likely", display_value = "10" },
    { value = "0 Not at all Likely", display_value = "0" },
]

[[exit_survey.questions]]
id = 2
logic_id = 12
order = 1
mandatory = true
type = "Dropdown Box"
label = "Answered?"
entries = [{ value = "Yes" }, { value = "No", show_logic_ids = [13] }]

[[exit_survey.questions]]
id = 3
logic_id = 13
order = 2
mandatory = true
type = "Text Area"
label = "What was missing?"

[[exit_survey.questions]]
id = 4
logic_id = 14
order = 3
type = "Checkbox"
label = "Liked?"
entries = [{ value = "Speed" }, { value = "Friendliness" }, { value = "Knowledge" }]

[[exit_survey.questions]]
id = 5
logic_id = 15
order = 4
type = "Text Field"
validation_type = "numeric"
label = "Order number"

[[exit_survey.questions]]
id = 6
logic_id = 16
order = 5
type = "Text Field"
validation_type = "email"
label = "E-mail"

[offline_survey]
id = 361346
header = "We're offline"

[[offline_survey.questions]]
id = 10
order = 0
mandatory = true
type = "Text Field"
label = "Name"

[[offline_survey.questions]]
id = 11
order = 1
mandatory = true
type = "Text Field"
validation_type = "email"
label = "E-mail"

[[offline_survey.questions]]
id = 12
order = 2
type = "Text Area"
label = "Message"
"#;

/// POST + `X-HTTP-Method-Override: PUT`, as every "PUT" of the API is sent (§1.4).
async fn put(h: &Harness, url: &str, content_type: &str, body: &str) -> Answer {
    h.send(
        h.client
            .post(with_v(url))
            .header("Authorization", h.auth())
            .header("Accept", "application/json")
            .header("X-HTTP-Method-Override", "PUT")
            .header("Content-Type", content_type)
            .body(body.to_string()),
    )
    .await
}

async fn put_json(h: &Harness, url: &str, body: &Value) -> Answer {
    put(h, url, "application/json", &body.to_string()).await
}

async fn get_xml(h: &Harness, url: &str) -> Answer {
    h.send(
        h.client
            .get(with_v(url))
            .header("Authorization", h.auth())
            .header("Accept", "application/xml"),
    )
    .await
}

fn chat_id(uri: &str) -> String {
    uri.rsplit('/').next().expect("chat id").to_string()
}

/// A chat on `skill` that the agent has accepted.
async fn chatting(h: &Harness, skill: &str) -> String {
    let uri = h.request_chat(json!({ "skill": skill })).await;
    h.follow(&uri, |events| has_state(events, "chatting")).await;
    uri
}

fn agent_lines(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["source"] == "agent")
        .filter_map(|e| e["text"].as_str().map(str::to_string))
        .collect()
}

fn exit_answers(questions: Value) -> Value {
    json!({"survey": {"id": 361348, "question": questions}})
}

fn assert_empty_200(answer: &Answer) {
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.text, "", "a success has no body");
}

#[tokio::test]
async fn the_exit_survey_is_served_in_json_and_xml_with_display_values() {
    let h = harness(SCENARIO).await;
    let uri = h.request_chat(json!({"skill":"Sales"})).await;
    let chat = h.get(&with_v(&uri)).await.json();
    let link = rel(&chat["chat"]["link"], "exit-survey");
    let json = h.get(&with_v(&link)).await;
    assert_eq!(json.status, 200, "{}", json.text);
    assert!(
        json.header("content-type")
            .is_some_and(|t| t.contains("json"))
    );
    let survey = &json.json()["survey"];
    assert_eq!(survey["id"], "361348", "hard shape: scalars as strings");
    assert_eq!(survey["header"], "How did we do?");
    let questions = list(&survey["questions"]["question"]);
    assert_eq!(questions.len(), 6);
    assert_eq!(questions[0]["mandatory"], "true");
    assert_eq!(questions[0]["type"], "Radio Button");
    let entry = &list(&questions[0]["entry"])[0];
    assert_eq!(
        (&entry["value"], &entry["displayValue"]),
        (&json!("10 Extremely Likely"), &json!("10"))
    );
    assert_eq!(questions[1]["entry"][1]["logic"]["showLogicId"], "13");
    assert!(questions[2].get("entry").is_none());
    let xml = get_xml(&h, &link).await;
    assert_eq!(xml.status, 200, "{}", xml.text);
    assert!(xml.text.contains("<survey>"), "{}", xml.text);
    let tree = xml_to_value(&xml.text).expect("XML");
    assert_eq!(tree["survey"]["id"], "361348");
    let xml_entry = &tree["survey"]["questions"]["question"][0]["entry"][0];
    assert_eq!(xml_entry["displayValue"], "10");
    let suffixed = h.get(&with_v(&format!("{uri}/exitSurvey.xml"))).await;
    assert!(suffixed.text.contains("<survey>"), "{}", suffixed.text);
}

#[tokio::test]
async fn a_chat_without_an_exit_survey_answers_an_empty_200_or_a_404() {
    let h = harness(SCENARIO).await;
    let uri = chatting(&h, "Quiet").await;
    let url = with_v(&format!("{uri}/exitSurvey"));
    let empty = h.get(&url).await;
    assert_empty_200(&empty);
    let submit = put_json(
        &h,
        &format!("{uri}/exitSurvey"),
        &exit_answers(json!({"id":1,"answer":"10 Extremely Likely"})),
    )
    .await;
    assert_error(&submit, 404, 11, "No survey");
    let strict = harness(&format!("no_exit_survey = \"404\"\n{SCENARIO}")).await;
    let uri = chatting(&strict, "Quiet").await;
    let missing = strict.get(&with_v(&format!("{uri}/exitSurvey"))).await;
    assert_error(&missing, 404, 11, "No survey");
    // A scenario without [exit_survey]: no chat has one.
    let none =
        harness("[[skills]]\nname = \"Sales\"\nagent_name = \"N\"\naccept_after_ms = 10\n").await;
    let uri = none.request_chat(json!({"skill":"Sales"})).await;
    assert_empty_200(&none.get(&with_v(&format!("{uri}/exitSurvey"))).await);
}

#[tokio::test]
async fn exit_survey_answers_are_accepted_while_chatting_and_after_the_end_and_kept() {
    let h = harness(SCENARIO).await;
    let uri = chatting(&h, "Sales").await;
    let url = format!("{uri}/exitSurvey");
    let answers = json!({"survey": {"id": 361348, "question": [
            {"id": 1, "answer": "10 Extremely Likely"},
            {"id": 2, "answer": "No"},
            {"id": 3, "answer": "A price list"},
            {"id": 4, "answer": ["Speed", "Knowledge"]},
            {"id": 5, "answer": "12"}],
        "chatReferrer": "https://example.com/shop", "userAgent": "test-agent"}});
    assert_empty_200(&put_json(&h, &url, &answers).await);
    let end = h
        .post(
            &with_v(&format!("{uri}/events")),
            &json!({"event":{"@type":"state","state":"ended"}}),
        )
        .await;
    assert_eq!(end.status, 201, "{}", end.text);
    let xml = "<survey id=\"361348\"><question id=\"1\"><answer>0 Not at all Likely</answer></question>\
        <question><id>2</id><answer>Yes</answer></question>\
        <question id=\"4\"><answer>Speed</answer><answer>Friendliness</answer></question></survey>";
    assert_empty_200(&put(&h, &url, "application/xml; charset=UTF-8", xml).await);
    let kept = h.emulator.exit_surveys(&chat_id(&uri)).expect("known chat");
    assert_eq!(kept.len(), 2);
    assert_eq!(kept[0].survey_id, 361_348);
    assert_eq!(kept[0].answers[&4], ["Speed", "Knowledge"]);
    assert_eq!(kept[0].answers[&3], ["A price list"]);
    assert_eq!(
        kept[0].fields,
        [
            (
                "chatReferrer".to_string(),
                "https://example.com/shop".to_string()
            ),
            ("userAgent".into(), "test-agent".into())
        ]
    );
    assert_eq!(kept[1].answers[&1], ["0 Not at all Likely"]);
    assert_eq!(kept[1].answers[&4], ["Speed", "Friendliness"]);
    // The log shows what was sent: a POST.
    assert_eq!(h.emulator.count("POST", "/exitSurvey"), 2);
    assert_eq!(h.emulator.exit_surveys("no-such-chat"), None);
}

#[tokio::test]
async fn exit_survey_answers_are_checked_like_the_service_does() {
    let h = harness(SCENARIO).await;
    let uri = chatting(&h, "Sales").await;
    let url = format!("{uri}/exitSurvey");
    let good = json!([{"id":1,"answer":"10 Extremely Likely"},{"id":2,"answer":"Yes"}]);
    let cases = [
        (
            json!([{"id":1,"answer":"10 Extremely Likely"},{"id":2,"answer":"Yes"},{"id":99,"answer":"x"}]),
            "An unknown question id was posted: 99",
        ),
        (json!([1, 2]), "An unknown question id was posted: 0"),
        (
            json!([{"id":1,"answer":"10"},{"id":2,"answer":"Yes"}]),
            "send its value \"10 Extremely Likely\"",
        ),
        (
            json!([{"id":1,"answer":"10 Extremely Likely"}]),
            "Mandatory survey question 2",
        ),
        (
            json!([{"id":1,"answer":"10 Extremely Likely"},{"id":2,"answer":"No"}]),
            "Mandatory survey question 3",
        ),
        (
            json!([{"id":1,"answer":["10 Extremely Likely","0 Not at all Likely"]},{"id":2,"answer":"Yes"}]),
            "takes one answer",
        ),
        (
            json!([{"id":1,"answer":"10 Extremely Likely"},{"id":2,"answer":"Yes"},{"id":4,"answer":["Speed","Price"]}]),
            "\"Price\" is not one of its choices",
        ),
        (
            json!([{"id":1,"answer":"10 Extremely Likely"},{"id":2,"answer":"Yes"},{"id":5,"answer":"twelve"}]),
            "not a valid numeric",
        ),
        (
            json!([{"id":1,"answer":"10 Extremely Likely"},{"id":2,"answer":"Yes"},{"id":6,"answer":"me@home"}]),
            "not a valid email",
        ),
    ];
    for (questions, message) in cases {
        let answer = put_json(&h, &url, &exit_answers(questions.clone())).await;
        assert_error(&answer, 400, 1, message);
    }
    let wrong_survey = json!({"survey":{"id":1,"question":good.clone()}});
    assert_error(
        &put_json(&h, &url, &wrong_survey).await,
        400,
        1,
        "Unknown survey id 1",
    );
    let no_survey = json!({"question":good.clone()});
    assert_error(
        &put_json(&h, &url, &no_survey).await,
        400,
        1,
        "\"survey\" object",
    );
    // A POST without the override is not a PUT.
    let bare = h.post(&with_v(&url), &exit_answers(good.clone())).await;
    assert_error(&bare, 405, 28, "Method POST");
    assert_eq!(h.emulator.exit_surveys(&chat_id(&uri)), Some(Vec::new()));
    assert_empty_200(&put_json(&h, &url, &exit_answers(good)).await);
    // Before an agent took the chat there is nothing to rate.
    let waiting = h.request_chat(json!({"skill":"Tech"})).await;
    let early = put_json(
        &h,
        &format!("{waiting}/exitSurvey"),
        &exit_answers(json!([{"id":1,"answer":"10 Extremely Likely"},{"id":2,"answer":"Yes"}])),
    )
    .await;
    assert_error(&early, 400, 5, "not in chat");
}

#[tokio::test]
async fn transcripts_are_requested_on_both_routes_and_checked() {
    let h = harness(SCENARIO).await;
    let uri = chatting(&h, "Sales").await;
    let chat = h.get(&with_v(&uri)).await.json();
    let plain = rel(&chat["chat"]["link"], "transcript-request");
    let with_subject = rel(&chat["chat"]["link"], "transcript-with-subject-request");
    let ok = put_json(
        &h,
        &plain,
        &json!({"email":"ann@example.com","timezoneOffset":-7200000}),
    )
    .await;
    assert_empty_200(&ok);
    let ok = put_json(
        &h,
        &with_subject,
        &json!({"transcriptRequest":{"email":"ann@example.com","timezoneOffset":"3600000","subject":"Our chat"}}),
    )
    .await;
    assert_empty_200(&ok);
    let xml = "<transcriptRequest><email>bo@example.org</email><timezoneOffset>0</timezoneOffset></transcriptRequest>";
    assert_empty_200(&put(&h, &plain, "application/xml", xml).await);
    assert_empty_200(
        &put(
            &h,
            &plain,
            "application/xml",
            "<email>cy@example.net</email>",
        )
        .await,
    );
    let kept = h
        .emulator
        .transcript_requests(&chat_id(&uri))
        .expect("known chat");
    let seen: Vec<(&str, Option<i64>, Option<&str>, bool)> = kept
        .iter()
        .map(|t| {
            (
                t.email.as_str(),
                t.timezone_offset_ms,
                t.subject.as_deref(),
                t.with_subject_route,
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("ann@example.com", Some(-7_200_000), None, false),
            ("ann@example.com", Some(3_600_000), Some("Our chat"), true),
            ("bo@example.org", Some(0), None, false),
            ("cy@example.net", None, None, false),
        ]
    );
    for (body, message) in [
        (json!({"email":"ann@"}), "Invalid email address"),
        (json!({"timezoneOffset":0}), "needs an email"),
        (
            json!({"email":"ann@example.com","timezoneOffset":"-2h"}),
            "timezoneOffset must be an integer",
        ),
        (
            json!({"email":"ann@example.com","timezoneOffset":-7200000.5}),
            "timezoneOffset must be an integer",
        ),
    ] {
        assert_error(&put_json(&h, &plain, &body).await, 400, 1, message);
        assert_error(&put_json(&h, &with_subject, &body).await, 400, 1, message);
    }
    let bare = h
        .post(&with_v(&plain), &json!({"email":"ann@example.com"}))
        .await;
    assert_eq!(bare.status, 405, "{}", bare.text);
    assert_eq!(
        h.emulator
            .transcript_requests(&chat_id(&uri))
            .map(|t| t.len()),
        Some(4)
    );
}

#[tokio::test]
async fn the_offline_survey_is_served_and_takes_answers_inside_or_beside() {
    let h = harness(SCENARIO).await;
    let url = h.api("chat/offlineSurvey?v=1&skill=Tech");
    let survey = h.get(&url).await.json();
    assert_eq!(survey["survey"]["id"], "361346");
    let questions = list(&survey["survey"]["questions"]["question"]);
    assert_eq!(questions.len(), 3);
    assert_eq!(questions[1]["validationType"], "email");
    let xml = get_xml(&h, &h.api("chat/offlineSurvey?skill=Tech")).await;
    let tree = xml_to_value(&xml.text).expect("XML");
    assert_eq!(tree["survey"]["header"], "We're offline");
    let submit_url = h.api("chat/offlineSurvey");
    // The doc page: visitor fields inside `survey`.
    let inside = json!({"survey":{"id":361346,"question":[{"id":10,"answer":"natalie"},
        {"id":11,"answer":"natalie@mail.com"}],"LETagVisitorId":"v1","LETagSessionId":"s1",
        "LETagContextId":"5","skill":"Tech","userAgent":"ua","visitorIp":"10.1.2.3",
        "chatRefferer":"https://example.com/"}});
    assert_empty_200(&put_json(&h, &submit_url, &inside).await);
    // The old SDK: beside it, with the SDK page's `value`.
    let beside = json!({"survey":{"id":"361346","question":[{"id":"10","value":"Bo"},
        {"id":"11","value":"bo@example.com"},{"id":"12","value":"Call me"}]},
        "skill":"Tech","visitorSessionId":"s2","LETagVisitorId":"v2"});
    assert_empty_200(&put_json(&h, &submit_url, &beside).await);
    let xml = "<survey id=\"361346\"><question id=\"10\"><answer>Cy</answer></question>\
        <question id=\"11\"><answer>cy@example.com</answer></question><skill>Tech</skill></survey>";
    assert_empty_200(&put(&h, &submit_url, "application/xml", xml).await);
    let kept = h.emulator.offline_surveys();
    assert_eq!(kept.len(), 3);
    assert_eq!(kept[0].answers[&11], ["natalie@mail.com"]);
    assert!(
        kept[0]
            .fields
            .contains(&("chatRefferer".into(), "https://example.com/".into()))
    );
    assert!(
        kept[0]
            .fields
            .contains(&("LETagContextId".into(), "5".into()))
    );
    assert_eq!(kept[1].answers[&12], ["Call me"]);
    assert!(
        kept[1]
            .fields
            .contains(&("visitorSessionId".into(), "s2".into()))
    );
    assert!(kept[2].fields.contains(&("skill".into(), "Tech".into())));
    for (body, message) in [
        (
            json!({"survey":{"id":361346,"question":[{"id":10,"answer":"Bo"}]}}),
            "Mandatory survey question 11",
        ),
        (
            json!({"survey":{"id":361346,"question":[{"id":10,"answer":"Bo"},{"id":11,"answer":"bo"}]}}),
            "not a valid email",
        ),
        (
            json!({"survey":{"id":361346,"question":[{"id":10,"answer":"Bo"},{"id":11,"answer":"bo@example.com"}],"visitorIp":"10.1"}}),
            "visitorIp",
        ),
        (
            json!({"survey":{"id":361346,"question":[{"id":7,"answer":"Bo"}]}}),
            "An unknown question id was posted: 7",
        ),
    ] {
        assert_error(&put_json(&h, &submit_url, &body).await, 400, 1, message);
    }
    let bare = h.post(&format!("{submit_url}?v=1"), &inside).await;
    assert_eq!(bare.status, 405, "{}", bare.text);
    assert_eq!(h.emulator.offline_surveys().len(), 3);
}

#[tokio::test]
async fn without_an_offline_survey_get_and_submit_are_404_and_one_question_is_an_object() {
    let none = harness("").await;
    let get = none.get(&none.api("chat/offlineSurvey?v=1")).await;
    assert_error(&get, 404, 11, "No survey");
    let submit = put_json(
        &none,
        &none.api("chat/offlineSurvey"),
        &json!({"survey":{"id":1,"question":[]}}),
    )
    .await;
    assert_error(&submit, 404, 11, "No survey");
    let one = harness(
        "[offline_survey]\nid = 5\n[[offline_survey.questions]]\nid = 1\nmandatory = true\ntype = \"Text Field\"\nlabel = \"Name\"\n",
    )
    .await;
    let survey = one.get_json("chat/offlineSurvey?v=1").await;
    let question = &survey["survey"]["questions"]["question"];
    assert!(question.is_object(), "the doc example's shape: {survey}");
    assert_eq!(question["mandatory"], "true");
}

async fn set_name(h: &Harness, uri: &str, name: &str) -> Answer {
    put_json(
        h,
        &format!("{uri}/info/visitorName"),
        &json!({ "visitorName": name }),
    )
    .await
}

#[tokio::test]
async fn the_visitor_name_answers_200_or_201_and_names_later_lines() {
    let h = harness(SCENARIO).await;
    let uri = chatting(&h, "Sales").await;
    let set = set_name(&h, &uri, "Ann").await;
    assert_empty_200(&set);
    let line = h
        .post(
            &with_v(&format!("{uri}/events")),
            &json!({"event":{"@type":"line","text":"hello"}}),
        )
        .await;
    assert_eq!(line.status, 201, "{}", line.text);
    let events = h
        .follow(&uri, |events| {
            events.iter().any(|e| e["source"] == "visitor")
        })
        .await;
    let visitor = events
        .iter()
        .find(|e| e["source"] == "visitor")
        .expect("line");
    assert_eq!(visitor["by"], "Ann");
    let info = h.get(&with_v(&format!("{uri}/info"))).await.json();
    assert_eq!(info["info"]["visitorName"], "Ann");
    let strict = harness(&format!("visitor_name_status = 201\n{SCENARIO}")).await;
    let uri = strict.request_chat(json!({"skill":"Sales"})).await;
    let set = set_name(&strict, &uri, "Bo").await;
    assert_eq!((set.status, set.text.as_str()), (201, ""));
}

#[tokio::test]
async fn the_agent_greets_a_visitor_named_before_accepting_by_name() {
    let h = harness(SCENARIO).await;
    let named = h.request_chat(json!({"skill":"Patient"})).await;
    let anonymous = h.request_chat(json!({"skill":"Patient"})).await;
    assert_empty_200(&set_name(&h, &named, "Ann & <Co>").await);
    let greeted = |events: &[Value]| !agent_lines(events).is_empty();
    let events = h.follow(&named, greeted).await;
    assert_eq!(
        agent_lines(&events),
        ["<p>Hi Ann &amp; &lt;Co&gt;, I'm Natalie.</p>"]
    );
    let events = h.follow(&anonymous, greeted).await;
    assert_eq!(agent_lines(&events), ["<p>Hi, I'm Natalie.</p>"]);
    // Named after the agent accepted: the plain greeting.
    let late = chatting(&h, "Sales").await;
    set_name(&h, &late, "Cy").await;
    let events = h.follow(&late, greeted).await;
    assert_eq!(agent_lines(&events), ["<p>Hi, I'm Natalie.</p>"]);
}

/// Polls the chat until `agent` lines have come, noting whether the info said the agent was
/// typing while the chat was chatting and they had not.
async fn typing_seen_before(h: &Harness, uri: &str, agent: usize) -> bool {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = false;
    loop {
        let chat = h.get(&with_v(uri)).await.json()["chat"].clone();
        let events = list(&chat["events"]["event"]);
        let lines = agent_lines(&events).len();
        if lines >= agent {
            return seen;
        }
        seen |= chat["info"]["state"] == "chatting" && chat["info"]["agentTyping"] == "typing";
        assert!(Instant::now() < deadline, "no agent line {agent}: {chat}");
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
}

#[tokio::test]
async fn the_agent_is_seen_typing_before_the_greeting_and_before_a_reply() {
    let h = harness(SCENARIO).await;
    let uri = h.request_chat(json!({"skill":"Typist"})).await;
    assert!(
        typing_seen_before(&h, &uri, 1).await,
        "typing before the greeting"
    );
    let typing_url = with_v(&format!("{uri}/info/agentTyping"));
    assert_eq!(
        h.get(&typing_url).await.json(),
        json!({"agentTyping":"not-typing"})
    );
    let line = h
        .post(
            &with_v(&format!("{uri}/events")),
            &json!({"event":{"@type":"line","text":"question"}}),
        )
        .await;
    assert_eq!(line.status, 201, "{}", line.text);
    assert!(
        typing_seen_before(&h, &uri, 2).await,
        "typing before the reply"
    );
}

#[tokio::test]
async fn typing_after_the_end_is_refused() {
    let h = harness(SCENARIO).await;
    let uri = chatting(&h, "Sales").await;
    let url = format!("{uri}/info/visitorTyping");
    assert_empty_200(&put_json(&h, &url, &json!({"visitorTyping":"typing"})).await);
    let end = h
        .post(
            &with_v(&format!("{uri}/events")),
            &json!({"event":{"@type":"state","state":"ended"}}),
        )
        .await;
    assert_eq!(end.status, 201, "{}", end.text);
    let refused = put_json(&h, &url, &json!({"visitorTyping":"not-typing"})).await;
    assert_error(
        &refused,
        400,
        1,
        "Cannot set visitor's typing status. Chat was ended",
    );
}

fn faults(specs: &[&str]) -> Vec<FaultSpec> {
    specs
        .iter()
        .map(|s| FaultSpec::parse(s).expect("fault spec"))
        .collect()
}

#[tokio::test]
async fn faults_hit_the_exit_survey_and_the_transcript_routes() {
    let h = harness(SCENARIO).await;
    let uri = chatting(&h, "Sales").await;
    let id = chat_id(&uri);
    let exit = format!("{uri}/exitSurvey");
    let answers =
        exit_answers(json!([{"id":1,"answer":"10 Extremely Likely"},{"id":2,"answer":"Yes"}]));
    let mail = json!({"email":"ann@example.com"});
    // status: answered without acting.
    h.emulator.set_faults(faults(&[
        "503@exit-survey,count=2,retry_after=1",
        "500@transcript,count=2",
    ]));
    let refused = h.get(&with_v(&exit)).await;
    assert_eq!(refused.status, 503, "{}", refused.text);
    assert_eq!(refused.header("retry-after"), Some("1"));
    assert_eq!(put_json(&h, &exit, &answers).await.status, 503);
    assert_eq!(
        put_json(&h, &format!("{uri}/transcriptRequest"), &mail)
            .await
            .status,
        500
    );
    let with_subject = format!("{uri}/transcriptWithSubjectRequest");
    assert_eq!(put_json(&h, &with_subject, &mail).await.status, 500);
    assert_eq!(h.emulator.exit_surveys(&id), Some(Vec::new()));
    assert_eq!(h.emulator.transcript_requests(&id), Some(Vec::new()));
    assert_eq!(h.get(&with_v(&exit)).await.status, 200, "count spent");
    // malformed and slow act on the request, then spoil or hold the answer.
    h.emulator.set_faults(faults(&[
        "malformed@exit-survey,count=1",
        "slow@transcript,delay_ms=300,count=1",
    ]));
    let cut = h.get(&with_v(&exit)).await;
    assert!(
        serde_json::from_str::<Value>(&cut.text).is_err(),
        "{}",
        cut.text
    );
    let started = Instant::now();
    assert_empty_200(&put_json(&h, &format!("{uri}/transcriptRequest"), &mail).await);
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(
        h.emulator.transcript_requests(&id).map(|t| t.len()),
        Some(1)
    );
    // drop: the answer is cut off, the submit was kept.
    h.emulator.set_faults(faults(&["drop@exit-survey,count=1"]));
    let dropped = h
        .client
        .post(with_v(&exit))
        .header("Authorization", h.auth())
        .header("X-HTTP-Method-Override", "PUT")
        .header("Content-Type", "application/json")
        .body(answers.to_string())
        .send()
        .await;
    let body = match dropped {
        Ok(response) => response.text().await.map(|_| ()),
        Err(error) => Err(error),
    };
    assert!(body.is_err(), "the connection should break mid-body");
    assert_eq!(h.emulator.exit_surveys(&id).map(|s| s.len()), Some(1));
    // end: the server ends the chat first; both are still taken after the end.
    h.emulator.set_faults(faults(&["end@transcript,count=1"]));
    assert_empty_200(&put_json(&h, &with_subject, &mail).await);
    let info = h.get(&with_v(&format!("{uri}/info"))).await.json();
    assert_eq!(info["info"]["state"], "ended");
    assert_empty_200(&put_json(&h, &exit, &answers).await);
    let log: Vec<Option<String>> = h
        .emulator
        .requests()
        .into_iter()
        .filter(|r| r.path.contains("/exitSurvey") || r.path.contains("/transcript"))
        .map(|r| r.fault)
        .collect();
    assert!(log.contains(&Some("drop".into())), "{log:?}");
    assert!(log.contains(&Some("end by agent".into())), "{log:?}");
    // The offline survey's endpoint covers its submit too.
    h.emulator
        .set_faults(faults(&["429@offline-survey,count=1"]));
    let offline = put_json(
        &h,
        &h.api("chat/offlineSurvey"),
        &json!({"survey":{"id":361346,"question":[{"id":10,"answer":"Bo"},{"id":11,"answer":"bo@example.com"}]}}),
    )
    .await;
    assert_eq!(offline.status, 429, "{}", offline.text);
    assert!(h.emulator.offline_surveys().is_empty());
}
