//! The emulator over real HTTP: CSDS, the appKey and version checks, chat request, the queue
//! simulation, authentication modes, captcha, XML, and the request log.

use chatstart::emulator::{EmulatorHandle, Scenario, start};
use chatstart::xmljson::xml_to_value;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const SCENARIO: &str = r#"
account = "555000"
app_key = "test-key-abc"
ended_chat_ttl_secs = 600

[[skills]]
name = "Sales"
id = 11
agent_name = "Natalie"
agent_id = 22
accept_after_ms = 200
greeting = "<div dir=\"ltr\">Hi, I'm <b>Natalie</b> &amp; happy to help.</div>"
replies = ['<div dir="ltr">Reply one</div>']
reply_after_ms = 100
estimated_wait_secs = 4
slots = 3

[[skills]]
name = "Quick"
id = 12
agent_name = "Omar"
agent_id = 23
accept_after_ms = 50
end_after_ms = 150

[[skills]]
name = "Tech"
id = 13
available = false
estimated_wait_secs = -1
slots = 0

[survey]
id = 40216
header = "About you"

[[survey.questions]]
id = 100
logic_id = 4
mandatory = true
type = "Dropdown Box"
label = "Team?"
entries = [{ value = "CATS" }, { value = "DOGS" }]
"#;

pub(super) struct Harness {
    pub(super) emulator: EmulatorHandle,
    pub(super) client: reqwest::Client,
}

pub(super) struct Answer {
    pub(super) status: u16,
    pub(super) headers: HeaderMap,
    pub(super) text: String,
}

impl Answer {
    pub(super) fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    pub(super) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub(super) fn location(&self) -> String {
        self.header("location")
            .expect("Location header")
            .to_string()
    }
}

pub(super) async fn harness(toml: &str) -> Harness {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let scenario = Scenario::from_toml(toml).expect("test scenario");
    let emulator = start(scenario, "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("emulator starts");
    let client = reqwest::Client::builder().build().expect("client");
    Harness { emulator, client }
}

/// Adds `v=1` to a server link, as clients must (Q6).
pub(super) fn with_v(url: &str) -> String {
    if url.contains('?') {
        format!("{url}&v=1")
    } else {
        format!("{url}?v=1")
    }
}

impl Harness {
    pub(super) fn api(&self, path: &str) -> String {
        format!(
            "{}/api/account/{}/{path}",
            self.emulator.base_url(),
            self.emulator.account()
        )
    }

    pub(super) fn auth(&self) -> String {
        format!("LivePerson appKey={}", self.emulator.app_key())
    }

    pub(super) async fn send(&self, request: reqwest::RequestBuilder) -> Answer {
        let response = request.send().await.expect("request sent");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        Answer {
            status,
            headers,
            text,
        }
    }

    pub(super) async fn get(&self, url: &str) -> Answer {
        self.send(
            self.client
                .get(url)
                .header("Authorization", self.auth())
                .header("Accept", "application/json"),
        )
        .await
    }

    pub(super) async fn get_json(&self, path: &str) -> Value {
        self.get(&self.api(path)).await.json()
    }

    pub(super) async fn post(&self, url: &str, body: &Value) -> Answer {
        self.send(
            self.client
                .post(url)
                .header("Authorization", self.auth())
                .header("Accept", "application/json")
                .header("Content-Type", "application/json")
                .body(body.to_string()),
        )
        .await
    }

    pub(super) async fn request_chat(&self, request: Value) -> String {
        let answer = self
            .post(
                &self.api("chat/request?v=1&NC=true"),
                &json!({ "request": request }),
            )
            .await;
        assert_eq!(answer.status, 201, "{}", answer.text);
        answer.location()
    }

    /// Follows `next` links until `done` holds for the events seen so far, with a deadline;
    /// checks on the way that no event is ever delivered twice.
    pub(super) async fn follow(
        &self,
        chat_uri: &str,
        done: impl Fn(&[Value]) -> bool,
    ) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut next = chat_uri.to_string();
        let mut seen: Vec<Value> = Vec::new();
        loop {
            let answer = self.get(&with_v(&next)).await;
            assert_eq!(answer.status, 200, "{}", answer.text);
            let chat = answer.json()["chat"].clone();
            for event in list(&chat["events"]["event"]) {
                let id: u64 = event["@id"]
                    .as_str()
                    .expect("string id")
                    .parse()
                    .expect("digits");
                if let Some(last) = seen.last() {
                    let last: u64 = last["@id"]
                        .as_str()
                        .and_then(|s| s.parse().ok())
                        .expect("id");
                    assert!(
                        id > last,
                        "event {id} after {last}: repeated or out of order"
                    );
                }
                seen.push(event);
            }
            next = rel(&chat["link"], "next");
            if done(&seen) {
                return seen;
            }
            assert!(
                Instant::now() < deadline,
                "gave up waiting; events: {seen:#?}"
            );
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
    }
}

pub(super) fn list(value: &Value) -> Vec<Value> {
    match value {
        Value::Null => Vec::new(),
        Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    }
}

pub(super) fn rel(links: &Value, rel: &str) -> String {
    list(links)
        .into_iter()
        .find(|l| l["@rel"] == rel)
        .and_then(|l| l["@href"].as_str().map(str::to_string))
        .unwrap_or_else(|| panic!("no {rel} link in {links}"))
}

pub(super) fn has_state(events: &[Value], state: &str) -> bool {
    events
        .iter()
        .any(|e| e["@type"] == "state" && e["state"] == state)
}

fn system_ids(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| e["systemMessageId"].as_str().map(str::to_string))
        .collect()
}

pub(super) fn assert_error(answer: &Answer, status: u16, code: i64, message_part: &str) {
    assert_eq!(answer.status, status, "{}", answer.text);
    let body = answer.json();
    assert_eq!(body["error"]["internalCode"], code, "{body}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(message_part),
        "{message:?} lacks {message_part:?}"
    );
    assert!(body["error"]["time"].as_str().is_some(), "{body}");
}

#[tokio::test]
async fn csds_answers_both_variants_without_an_app_key() {
    let h = harness(SCENARIO).await;
    let host = h.emulator.addr().to_string();
    let url = format!(
        "{}/api/account/555000/service/conversationVep/baseURI.json?version=1.0",
        h.emulator.csds_url()
    );
    let answer = h.send(h.client.get(&url)).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(
        answer.json(),
        json!({"service":"conversationVep","account":"555000","baseURI":host})
    );
    let all = format!(
        "{}/api/account/555000/service/baseURI.json?version=1.0",
        h.emulator.csds_url()
    );
    let answer = h.send(h.client.get(&all)).await;
    let entries = list(&answer.json()["baseURIs"]);
    assert!(
        entries
            .iter()
            .any(|e| e["service"] == "conversationVep" && e["baseURI"] == host.as_str())
    );
    let csdr = format!(
        "{}/csdr/account/555000/service/conversationVep/baseURI.json?version=1.0",
        h.emulator.csds_url()
    );
    assert_eq!(
        h.send(h.client.get(&csdr)).await.json()["baseURI"],
        host.as_str()
    );
    let unknown = format!(
        "{}/api/account/1/service/conversationVep/baseURI.json",
        h.emulator.csds_url()
    );
    assert_eq!(h.send(h.client.get(&unknown)).await.status, 401);
}

#[tokio::test]
async fn the_app_key_is_accepted_in_the_header_or_the_query_and_required() {
    let h = harness(SCENARIO).await;
    let url = h.api("chat/availability?v=1&skill=Sales");
    assert_eq!(h.get(&url).await.json(), json!({"availability": true}));
    let shouting = h
        .send(h.client.get(&url).header("AUTHORIZATION", h.auth()))
        .await;
    assert_eq!(shouting.status, 200);
    let query = format!("{url}&appKey=test-key-abc");
    let answer = h.send(h.client.get(&query)).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let missing = h.send(h.client.get(&url)).await;
    assert_error(&missing, 401, 10, "appKey");
    let wrong = h
        .send(
            h.client
                .get(&url)
                .header("Authorization", "LivePerson appKey=nope"),
        )
        .await;
    assert_error(&wrong, 401, 10, "appKey");
    let wrong_query = h.send(h.client.get(format!("{url}&appKey=nope"))).await;
    assert_eq!(wrong_query.status, 401);
}

#[tokio::test]
async fn a_refused_header_gets_the_lp_problem_body_and_the_query_works() {
    let h = harness(&format!("refuse_app_key_header = true\n{SCENARIO}")).await;
    let url = h.api("chat/availability?v=1");
    let refused = h.get(&url).await;
    assert_eq!(refused.status, 401);
    assert_eq!(
        refused.text,
        "lp_problem=consumer_key_rejected&lp_problem_advice=the appKey is permanently unacceptable to the Service Provider"
    );
    assert!(
        refused
            .header("content-type")
            .is_some_and(|t| !t.contains("json"))
    );
    let query = h
        .send(h.client.get(format!("{url}&appKey=test-key-abc")))
        .await;
    assert_eq!(query.status, 200, "{}", query.text);
}

#[tokio::test]
async fn the_version_is_required_and_unknown_paths_are_code_28() {
    let h = harness(SCENARIO).await;
    let no_version = h.get(&h.api("chat/availability")).await;
    assert_error(&no_version, 400, 1, "v=1");
    let unknown = h.get(&h.api("chat.asdf?v=1")).await;
    assert_error(
        &unknown,
        404,
        28,
        "null for uri: /api/account/555000/chat.asdf?v=1",
    );
    let unknown_suffix = h.get(&h.api("chat/availability.asdf?v=1")).await;
    assert_error(&unknown_suffix, 404, 28, "null for uri: /api/account/");
    let nowhere = h.get(&format!("{}/elsewhere", h.emulator.base_url())).await;
    assert_error(&nowhere, 404, 28, "null for uri: /elsewhere");
}

#[tokio::test]
async fn availability_slots_wait_time_and_survey_follow_the_scenario() {
    let h = harness(SCENARIO).await;
    let get = |path: &'static str| h.get_json(path);
    assert_eq!(
        get("chat/availability.json?v=1&skill=Tech").await,
        json!({"availability": false})
    );
    assert_eq!(
        get("chat/availability?v=1&skill=Nope").await,
        json!({"availability": false})
    );
    assert_eq!(
        get("chat/availability?v=1").await,
        json!({"availability": true})
    );
    assert_eq!(
        get("chat/availability?v=1&skill=Sales&skill=Tech").await,
        json!({"availability":{"AvailabilityForSkills":{"skillAvailability":[
            {"skill":"Sales","isAvailable":true},{"skill":"Tech","isAvailable":false}]}}})
    );
    assert_eq!(
        get("chat/availableSlots?v=1&skill=Sales").await,
        json!({"availableSlots": 3})
    );
    assert_eq!(
        get("chat/availableSlots?v=1&skill=Nope").await,
        json!({"availableSlots": 0})
    );
    assert_eq!(
        get("chat/estimatedWaitTime?v=1&skill=Sales").await,
        json!({"estimatedWaitTime": 4})
    );
    assert_eq!(
        get("chat/estimatedWaitTime?v=1&skill=Nope").await,
        json!({"estimatedWaitTime": -1})
    );
    let survey = get("chat/preSurvey?v=1&skill=Sales").await;
    let question = &survey["survey"]["questions"]["question"];
    assert!(
        question.is_object(),
        "a single question is an object: {survey}"
    );
    assert_eq!(question["mandatory"], "true");
    assert_eq!(question["id"], "100");
    assert_eq!(list(&question["entry"]).len(), 2);
    let bad_wait = h
        .get(&h.api("chat/availability?v=1&maxWaitTime=90000"))
        .await;
    assert_eq!(bad_wait.status, 400);

    let bare = harness("").await;
    let none = bare.get(&bare.api("chat/preSurvey?v=1")).await;
    assert_eq!(none.status, 404, "{}", none.text);
    assert!(none.json()["error"]["message"].is_string());
}

#[tokio::test]
async fn a_chat_request_answers_201_with_an_absolute_location_and_no_body() {
    let h = harness(SCENARIO).await;
    let answer = h
        .post(
            &h.api("chat/request.json?v=1&NC=true"),
            &json!({"request":{"skill":"Sales","maxWaitTime":600,"engagementId":27469613,
                "campaignId":"26948813","LETagContextId":"2","visitorIp":"203.0.113.7"}}),
        )
        .await;
    assert_eq!(answer.status, 201, "{}", answer.text);
    assert_eq!(answer.text, "");
    assert_eq!(answer.header("content-length"), Some("0"));
    let location = answer.location();
    let prefix = format!("{}/api/account/555000/chat/H", h.emulator.base_url());
    assert!(location.starts_with(&prefix), "{location}");
    assert!(
        !location.contains("v=1") && !location.contains("appKey"),
        "{location}"
    );
    assert_eq!(h.emulator.count("POST", "/chat/request"), 1);
    let logged = h.emulator.requests();
    assert_eq!(logged.last().map(|r| r.status), Some(201));
}

#[tokio::test]
async fn malformed_chat_requests_are_400_naming_the_problem() {
    let h = harness(SCENARIO).await;
    let url = h.api("chat/request?v=1");
    let unwrapped = h.post(&url, &json!({"skill":"Sales"})).await;
    assert_error(&unwrapped, 400, 1, "request");
    let too_long = h
        .post(&url, &json!({"request":{"maxWaitTime":86401}}))
        .await;
    assert_error(&too_long, 400, 1, "maxWaitTime");
    let bad_ip = h
        .post(&url, &json!({"request":{"visitorIp":"300.1.1.1"}}))
        .await;
    assert_error(&bad_ip, 400, 1, "visitorIp");
    let bad_answer = h
        .post(
            &url,
            &json!({"request":{"survey":{"id":40216,"question":{"id":100,"answer":"BIRDS"}}}}),
        )
        .await;
    assert_error(&bad_answer, 400, 1, "BIRDS");
    let good_answer = h
        .post(&url, &json!({"request":{"skill":"Tech","survey":{"id":40216,"question":{"id":100,"answer":"CATS"}}}}))
        .await;
    assert_eq!(good_answer.status, 201, "{}", good_answer.text);
    assert_eq!(h.emulator.count("POST", "/chat/request"), 5);
}

#[tokio::test]
async fn a_chat_waits_then_an_agent_accepts_with_a_greeting_and_replies() {
    let h = harness(SCENARIO).await;
    let uri = h
        .request_chat(json!({"skill":"Sales","preChatLines":{"lines":["Order 12345"]}}))
        .await;
    let first = h.get(&with_v(&uri)).await.json();
    let events = list(&first["chat"]["events"]["event"]);
    assert_eq!(events[0]["@id"], "0");
    assert_eq!(events[0]["state"], "waiting");
    assert_eq!(events[1]["systemMessageId"], "4");
    assert_eq!(
        events[1]["text"],
        "Thank you for choosing to chat with us.  An agent will be with you shortly."
    );
    assert_eq!(events[2]["systemMessageId"], "0");
    assert_eq!(events[2]["text"], "Order 12345");
    let info = &first["chat"]["info"];
    if info["state"] == "waiting" {
        assert!(info.get("agentName").is_none(), "{info}");
    }
    assert!(
        info["visitorId"]
            .as_str()
            .is_some_and(|v| v.bytes().all(|b| b.is_ascii_digit()))
    );
    for rel_name in [
        "self",
        "events",
        "info",
        "next",
        "transcript-request",
        "exit-survey",
    ] {
        assert!(rel(&first["chat"]["link"], rel_name).starts_with("http://127.0.0.1:"));
    }
    assert!(
        events[0]["time"]
            .as_str()
            .is_some_and(|t| t.ends_with("-05:00"))
    );

    let seen = h
        .follow(&uri, |events| {
            has_state(events, "chatting") && events.iter().any(|e| e["source"] == "agent")
        })
        .await;
    let ids = system_ids(&seen);
    assert!(ids.contains(&"3".to_string()), "{ids:?}");
    let accepted = seen
        .iter()
        .find(|e| e["systemMessageId"] == "3")
        .expect("sysId 3");
    assert_eq!(accepted["text"], "You are now chatting with Natalie.");
    let greeting = seen
        .iter()
        .find(|e| e["source"] == "agent")
        .expect("greeting");
    assert_eq!(greeting["textType"], "html");
    assert_eq!(greeting["by"], "Natalie");
    assert!(
        greeting["text"]
            .as_str()
            .is_some_and(|t| t.contains("<b>Natalie</b> &amp;"))
    );
    let info = h.get(&with_v(&format!("{uri}/info"))).await.json();
    assert_eq!(info["info"]["agentName"], "Natalie");
    assert_eq!(info["info"]["agentId"], "22");
    assert_eq!(info["info"]["state"], "chatting");

    // A visitor line, then the scripted reply.
    let events_uri = rel(&first["chat"]["link"], "events");
    let posted = h
        .post(
            &with_v(&events_uri),
            &json!({"event":{"@type":"line","text":"Where is my order?"}}),
        )
        .await;
    assert_eq!(posted.status, 201, "{}", posted.text);
    assert_eq!(posted.text, "");
    assert!(posted.location().starts_with(&format!("{events_uri}/")));
    let last_id = seen
        .last()
        .and_then(|e| e["@id"].as_str())
        .expect("id")
        .parse::<u64>()
        .expect("n");
    let later = h
        .follow(&format!("{uri}?from={}", last_id + 1), |events| {
            events.iter().any(|e| e["source"] == "agent")
        })
        .await;
    let visitor = later
        .iter()
        .find(|e| e["source"] == "visitor")
        .expect("visitor line");
    assert_eq!(visitor["by"], "You");
    assert_eq!(visitor["textType"], "plain");
    assert_eq!(visitor["text"], "Where is my order?");
    let reply = later
        .iter()
        .find(|e| e["source"] == "agent")
        .expect("reply");
    assert_eq!(reply["text"], "<div dir=\"ltr\">Reply one</div>");
    assert_eq!(reply["textType"], "html");

    // The visitor ends; lines are refused afterwards.
    let end = h
        .post(
            &with_v(&events_uri),
            &json!({"event":{"@type":"state","state":"ended"}}),
        )
        .await;
    assert_eq!(end.status, 201, "{}", end.text);
    let events_now = h.get(&with_v(&events_uri)).await.json();
    assert!(has_state(&list(&events_now["events"]["event"]), "ended"));
    let refused = h
        .post(
            &with_v(&events_uri),
            &json!({"event":{"@type":"line","text":"hello?"}}),
        )
        .await;
    assert_error(&refused, 400, 5, "chat is not active");
    assert_eq!(h.emulator.count("POST", "/chat/request"), 1);
}

#[tokio::test]
async fn from_and_next_deliver_each_event_once_and_omit_event_when_nothing_is_new() {
    let h = harness(SCENARIO).await;
    // Tech has no agent and no maxWaitTime is given: nothing happens by itself.
    let uri = h.request_chat(json!({"skill":"Tech"})).await;
    let first = h.get(&with_v(&uri)).await.json();
    assert_eq!(list(&first["chat"]["events"]["event"]).len(), 2);
    let next = rel(&first["chat"]["link"], "next");
    assert_eq!(next, format!("{uri}?from=2"));
    assert_eq!(
        rel(&first["chat"]["events"]["link"], "next"),
        format!("{uri}/events?from=2")
    );
    let idle = h.get(&with_v(&next)).await.json();
    assert!(idle["chat"]["events"].get("event").is_none(), "{idle}");
    assert_eq!(
        rel(&idle["chat"]["link"], "next"),
        next,
        "next keeps its from"
    );

    let waiting_line = h
        .post(
            &with_v(&format!("{uri}/events")),
            &json!({"event":{"@type":"line","text":"hi"}}),
        )
        .await;
    assert_error(&waiting_line, 400, 5, "Cannot add line while not in chat");

    let end = h
        .post(
            &with_v(&format!("{uri}/events")),
            &json!({"event":{"@type":"state","state":"ended"}}),
        )
        .await;
    assert_eq!(end.status, 201);
    assert_eq!(end.location(), format!("{uri}/events/2"));
    let last = h.get(&with_v(&next)).await.json();
    let single = &last["chat"]["events"]["event"];
    assert!(single.is_object(), "one event is an object: {last}");
    assert_eq!(single["state"], "ended");
    assert_eq!(rel(&last["chat"]["link"], "next"), format!("{uri}?from=3"));
    let by_location = h.get(&with_v(&end.location())).await.json();
    assert_eq!(by_location["event"]["@id"], "2");
}

#[tokio::test]
async fn an_unknown_skill_ends_after_max_wait_with_system_message_2() {
    let h = harness(SCENARIO).await;
    let uri = h
        .request_chat(json!({"skill":"Nobody","maxWaitTime":1}))
        .await;
    let seen = h.follow(&uri, |events| has_state(events, "ended")).await;
    let ids = system_ids(&seen);
    assert_eq!(ids, vec!["4", "2"]);
    let busy = seen
        .iter()
        .position(|e| e["systemMessageId"] == "2")
        .expect("sysId 2");
    let ended = seen
        .iter()
        .position(|e| e["state"] == "ended")
        .expect("ended");
    assert!(busy < ended);
    assert!(!has_state(&seen, "chatting"));
}

#[tokio::test]
async fn the_agent_ends_with_system_message_5_and_idle_chats_end_with_6() {
    let h = harness(SCENARIO).await;
    let uri = h.request_chat(json!({"skill":"Quick"})).await;
    let seen = h.follow(&uri, |events| has_state(events, "ended")).await;
    assert_eq!(system_ids(&seen), vec!["4", "3", "5"]);

    let idle = h
        .request_chat(json!({"skill":"Tech","interactionTimeout":1}))
        .await;
    // Being idle is the behaviour under test, so nothing may touch the chat meanwhile.
    tokio::time::sleep(Duration::from_millis(1300)).await;
    let after = h.get(&with_v(&idle)).await.json();
    let events = list(&after["chat"]["events"]["event"]);
    assert_eq!(system_ids(&events), vec!["4", "6"]);
    assert!(has_state(&events, "ended"));
    assert_eq!(after["chat"]["info"]["chatTimeout"], "1");
}

#[tokio::test]
async fn ended_chats_vanish_after_their_ttl() {
    let h = harness(&format!(
        "ended_chat_ttl_secs = 0\n{}",
        SCENARIO.replace("ended_chat_ttl_secs = 600", "")
    ))
    .await;
    let uri = h.request_chat(json!({"skill":"Tech"})).await;
    let end = h
        .post(
            &with_v(&format!("{uri}/events")),
            &json!({"event":{"@type":"state","state":"ended"}}),
        )
        .await;
    assert_eq!(end.status, 201);
    let gone = h.get(&with_v(&uri)).await;
    assert_error(&gone, 404, 12, "Chat session not found");
}

#[tokio::test]
async fn seed_authentication_gives_a_conversation_location_the_chat_request_must_name() {
    let h = harness(SCENARIO).await;
    let body = json!({"authChatConnId":568046210,"ssoKey":"k12197","engagementId":567609310,
        "LETagContextId":"2","LETagSessionId":"90o5l5twRUGu1rN7bzwNMA","LETagVisitorId":"RiM2JlOTcwOGIxZmNiNTk4"});
    let url = h.api("conversation.json?v=1&NC=true");
    let answer = h.post(&url, &body).await;
    assert_eq!(answer.status, 201, "{}", answer.text);
    assert_eq!(answer.text, "");
    let location = answer.location();
    let prefix = format!("{}/api/account/555000/conversation/", h.emulator.base_url());
    assert!(location.starts_with(&prefix), "{location}");
    let conversation = location.trim_start_matches(&prefix).to_string();
    assert_eq!(conversation.len(), 36);

    h.request_chat(json!({"skill":"Sales","conversationId":conversation}))
        .await;
    let stranger = h
        .post(
            &h.api("chat/request?v=1"),
            &json!({"request":{"conversationId":"not-issued"}}),
        )
        .await;
    assert_error(&stranger, 401, 10, "conversationId");

    let mut missing = body.clone();
    missing.as_object_mut().map(|o| o.remove("LETagSessionId"));
    assert_error(&h.post(&url, &missing).await, 400, 1, "LETagSessionId");
    let mut bad = body.clone();
    bad["ssoKey"] = json!("bad");
    assert_error(&h.post(&url, &bad).await, 401, 10, "ssoKey");
}

#[tokio::test]
async fn legacy_authentication_answers_both_ids_and_checks_the_participant() {
    let h = harness(&format!(
        "auth_response = \"legacy\"\nrejected_sso_keys = [\"expired-key\"]\n{SCENARIO}"
    ))
    .await;
    let body = json!({"authChatConnId":"568046210","ssoKey":"k1","engagementId":567609310,
        "LETagContextId":"2","LETagSessionId":"s","LETagVisitorId":"v"});
    let url = h.api("conversation.json?v=1");
    let answer = h.post(&url, &body).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let ids = answer.json();
    let (participant, conversation) = (ids["participantId"].clone(), ids["conversationId"].clone());
    assert!(participant.is_string() && conversation.is_string(), "{ids}");
    h.request_chat(json!({"conversationId":conversation,"participantId":participant}))
        .await;
    let wrong = h
        .post(
            &h.api("chat/request?v=1"),
            &json!({"request":{"conversationId":conversation,"participantId":"x"}}),
        )
        .await;
    assert_error(&wrong, 401, 10, "participantId");
    let mut expired = body.clone();
    expired["ssoKey"] = json!("expired-key");
    assert_eq!(h.post(&url, &expired).await.status, 401);
}

#[tokio::test]
async fn chat_authentication_opens_the_chat_at_once() {
    let h = harness(&format!("auth_response = \"chat\"\n{SCENARIO}")).await;
    let body = json!({"authChatConnId":1,"ssoKey":"k","engagementId":2,
        "LETagContextId":"2","LETagSessionId":"s","LETagVisitorId":"v"});
    let answer = h.post(&h.api("conversation.json?v=1"), &body).await;
    assert_eq!(answer.status, 201, "{}", answer.text);
    let location = answer.location();
    assert!(
        location.contains("/api/account/555000/chat/H"),
        "{location}"
    );
    let chat = h.get(&with_v(&location)).await.json();
    assert_eq!(chat["chat"]["info"]["state"], "waiting");
    assert_eq!(h.emulator.count("POST", "/chat/request"), 0);
}

#[tokio::test]
async fn captcha_accounts_refuse_chat_requests() {
    let h = harness(&format!("captcha = true\n{SCENARIO}")).await;
    let answer = h
        .post(
            &h.api("chat/request?v=1"),
            &json!({"request":{"skill":"Sales"}}),
        )
        .await;
    assert_error(&answer, 401, 10, "Bad captcha");
    assert_eq!(answer.json()["error"]["message"], "Bad captcha");
}

#[tokio::test]
async fn xml_gives_the_same_tree_as_json() {
    let h = harness(SCENARIO).await;
    let xml_request = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><request><skill>Tech</skill>\
        <maxWaitTime>600</maxWaitTime><preChatLines><line>a &amp; b</line></preChatLines>\
        <survey id=\"40216\"><question id=\"100\"><answer>DOGS</answer></question></survey></request>";
    let created = h
        .send(
            h.client
                .post(h.api("chat/request?v=1"))
                .header("Authorization", h.auth())
                .header("Content-Type", "application/xml; charset=UTF-8")
                .header("Accept", "application/xml")
                .body(xml_request),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let uri = created.location();
    let json_tree = h.get(&format!("{uri}?v=1&from=0")).await.json();
    let xml = h
        .send(
            h.client
                .get(format!("{uri}?v=1&from=0"))
                .header("Authorization", h.auth())
                .header("Accept", "application/xml"),
        )
        .await;
    assert_eq!(xml.status, 200);
    assert!(
        xml.header("content-type")
            .is_some_and(|t| t.contains("application/xml"))
    );
    let xml_tree = xml_to_value(&xml.text).expect("XML parses");
    let strip = |mut tree: Value| {
        tree["chat"]["info"]
            .as_object_mut()
            .map(|info| info.remove("lastUpdate"));
        tree
    };
    assert_eq!(strip(xml_tree), strip(json_tree.clone()));
    let events = list(&json_tree["chat"]["events"]["event"]);
    assert_eq!(events[2]["text"], "a & b");
    // The suffix wins over Accept.
    let by_suffix = h
        .send(
            h.client
                .get(format!("{uri}.xml?v=1"))
                .header("Authorization", h.auth()),
        )
        .await;
    assert!(by_suffix.text.starts_with("<?xml"), "{}", by_suffix.text);
    let error = h
        .send(
            h.client
                .get(h.api("chat/nothing/at/all?v=1"))
                .header("Accept", "application/xml")
                .header("Authorization", h.auth()),
        )
        .await;
    let error_tree = xml_to_value(&error.text).expect("XML error");
    assert_eq!(error_tree["error"]["internalCode"], "28");
}

#[tokio::test]
async fn location_host_changes_the_host_of_links_but_not_the_port() {
    let h = harness(&format!("location_host = \"localhost\"\n{SCENARIO}")).await;
    let uri = h.request_chat(json!({"skill":"Tech"})).await;
    let port = h.emulator.addr().port();
    assert!(
        uri.starts_with(&format!("http://localhost:{port}/api/account/555000/chat/")),
        "{uri}"
    );
    let chat = h.get(&with_v(&uri)).await.json();
    assert!(rel(&chat["chat"]["link"], "next").starts_with(&format!("http://localhost:{port}/")));
}

#[tokio::test]
async fn visitor_name_and_typing_can_be_read_and_set() {
    let h = harness(SCENARIO).await;
    let uri = h.request_chat(json!({"skill":"Tech"})).await;
    let name_url = with_v(&format!("{uri}/info/visitorName"));
    assert_eq!(h.get(&name_url).await.json(), json!({"visitorName":"You"}));
    let set = h
        .send(
            h.client
                .post(&name_url)
                .header("Authorization", h.auth())
                .header("X-HTTP-Method-Override", "PUT")
                .header("Content-Type", "application/json")
                .body(r#"{"visitorName":"Ann"}"#),
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.text);
    assert_eq!(h.get(&name_url).await.json(), json!({"visitorName":"Ann"}));
    let typing_url = with_v(&format!("{uri}/info/visitorTyping"));
    let typing = h
        .send(
            h.client
                .post(&typing_url)
                .header("Authorization", h.auth())
                .header("X-HTTP-Method-Override", "PUT")
                .body(r#"{"visitorTyping":"typing"}"#),
        )
        .await;
    assert_eq!(typing.status, 200, "{}", typing.text);
    assert_eq!(
        h.get(&typing_url).await.json(),
        json!({"visitorTyping":"typing"})
    );
    // A POST without the override is not a PUT.
    let plain_post = h.post(&name_url, &json!({"visitorName":"Bo"})).await;
    assert_eq!(plain_post.status, 405);
}

#[tokio::test]
async fn the_request_log_records_every_request_in_order() {
    let h = harness(SCENARIO).await;
    let uri = h.request_chat(json!({"skill":"Tech"})).await;
    h.get(&with_v(&uri)).await;
    h.get(&h.api("chat/availability")).await;
    let log = h.emulator.requests();
    assert_eq!(log.len(), 3);
    assert_eq!((log[0].method.as_str(), log[0].status), ("POST", 201));
    assert!(log[0].body.contains("\"request\""));
    assert!(
        log[0]
            .headers
            .iter()
            .any(|(n, v)| n == "authorization" && v.contains("test-key-abc"))
    );
    assert_eq!(log[1].query, "v=1");
    assert_eq!(log[2].status, 400);
    assert_eq!(h.emulator.count("POST", "/chat/request"), 1);
    assert_eq!(h.emulator.count("GET", "/chat/"), 2);
}

#[tokio::test]
async fn the_typed_shape_gives_arrays_and_typed_scalars() {
    let h = harness(&format!("json_shape = \"typed\"\n{SCENARIO}")).await;
    let uri = h.request_chat(json!({"skill":"Tech"})).await;
    let first = h.get(&with_v(&uri)).await.json();
    let events = &first["chat"]["events"]["event"];
    assert_eq!(events[1]["systemMessageId"], 4, "{first}");
    assert_eq!(first["chat"]["info"]["chatTimeout"], 40);
    let next = rel(&first["chat"]["link"], "next");
    let idle = h.get(&with_v(&next)).await.json();
    assert_eq!(idle["chat"]["events"]["event"], json!([]), "{idle}");
    let survey = h.get_json("chat/preSurvey?v=1").await;
    let questions = &survey["survey"]["questions"]["question"];
    assert!(questions.is_array(), "{survey}");
    assert_eq!(questions[0]["mandatory"], true);
}
