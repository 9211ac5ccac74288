//! Export on synthetic journals: the HAR field by field, the transcript from JSON and XML
//! answers, the summary's ids and timeline, sessions without a journal, damage, and the files.

use std::time::{Duration, SystemTime};

use serde_json::Value;

use super::*;
use crate::api::{ChatRequest, Operation};
use crate::history::{Flow, SessionRecord};
use crate::journal::Entry as Exchange;

const URI: &str = "http://127.0.0.1:9/api/account/1234/chat/H42";

fn at(seconds: u64) -> String {
    let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_765_000_000 + seconds);
    humantime::format_rfc3339_micros(time).to_string()
}

fn exchange(operation: Operation, method: &str, url: &str, second: u64) -> Exchange {
    Exchange {
        started: at(second),
        elapsed_ms: 12.5,
        operation,
        method: method.into(),
        url: url.into(),
        request_headers: vec![("Accept".into(), "application/json".into())],
        request_body: None,
        status: Some(200),
        response_headers: vec![("Content-Type".into(), "application/json".into())],
        response_body: None,
        error: None,
    }
}

fn chat_request() -> Exchange {
    let mut e = exchange(
        Operation::ChatRequest,
        "POST",
        "http://127.0.0.1:9/api/account/1234/chat/request?v=1&NC=true",
        0,
    );
    e.request_headers
        .push(("Content-Type".into(), "application/json".into()));
    e.request_body = Some(
        r#"{"request":{"skill":"Sales","preChatLines":{"line":["Order 12345","Gold plan"]},
        "survey":{"id":40216,"question":[{"id":1001,"answer":"CATS"},{"id":1003,"answer":["billing","shipping"]}]},
        "LETagVisitorId":"lev-1","LETagSessionId":"les-2","LETagContextId":"2","visitorSessionId":"vs-9"}}"#
            .into(),
    );
    e.status = Some(201);
    e.response_headers = vec![("Location".into(), URI.into())];
    e.response_body = Some(String::new());
    e
}

fn pre_chat_survey() -> Exchange {
    let mut e = exchange(
        Operation::Survey,
        "GET",
        "http://127.0.0.1:9/api/account/1234/chat/preSurvey?v=1&NC=true",
        0,
    );
    e.response_body = Some(
        r#"{"survey":{"id":"40216","questions":{"question":[
        {"id":"1001","order":"0","type":"Dropdown Box","label":"Which team do you need?","entry":[{"value":"CATS"}]},
        {"id":"1003","order":"1","type":"Checkbox","label":"Topics","entry":[{"value":"billing"},{"value":"shipping"}]}]}}}"#
            .into(),
    );
    e
}

const INFO: &str = r#""info":{"state":"chatting","agentName":"Natalie","agentId":7,"skillName":"Sales","skillId":1,
    "rtSessionId":4294967522,"visitorId":1214701440733986,"chatSessionKey":"H42"}"#;

fn poll_json(second: u64, events: &str) -> Exchange {
    let mut e = exchange(Operation::Session, "GET", &format!("{URI}?from=0"), second);
    e.response_body = Some(format!(
        r#"{{"chat":{{"link":[],"events":{{"link":[],"event":[{events}]}},{INFO}}}}}"#
    ));
    e
}

const WAITING: &str =
    r#"{"@id":"0","@type":"state","time":"2025-12-06T00:46:40.000-05:00","state":"waiting"}"#;
const ROUTING: &str = r#"{"@id":"1","@type":"line","time":"2025-12-06T00:46:40.100-05:00","textType":"plain","text":"Thank you for choosing to chat with us.","by":"info","source":"system","systemMessageId":4}"#;
const CHATTING: &str =
    r#"{"@id":"2","@type":"state","time":"2025-12-06T00:46:46.500-05:00","state":"chatting"}"#;
const AGENT_LINE: &str = r#"{"@id":"3","@type":"line","time":"2025-12-06T00:46:47.000-05:00","textType":"html","text":"<div>Hi, I'm <b>Natalie</b> &amp; happy</div>","by":"Natalie","source":"agent"}"#;
const TYPING: &str = r#"{"@id":"4","@type":"agent-typing","time":"2025-12-06T00:46:48.000-05:00","typing":"typing"}"#;
const VISITOR_LINE: &str = r#"{"@id":"5","@type":"line","time":"2025-12-06T00:46:49.000-05:00","textType":"plain","text":"my *order* is late","by":"You","source":"visitor"}"#;
const ENDED: &str =
    r#"{"@id":"6","@type":"state","time":"2025-12-06T00:46:55.000-05:00","state":"ended"}"#;

fn end_call(second: u64) -> Exchange {
    let mut e = exchange(Operation::EndChat, "POST", &format!("{URI}/events"), second);
    e.request_body = Some(r#"{"event":{"@type":"state","state":"ended"}}"#.into());
    e.status = Some(201);
    e
}

/// A chat from its request to the visitor's end, polls repeating what earlier ones gave.
fn whole_chat() -> Vec<Exchange> {
    let mut typing = exchange(
        Operation::VisitorTyping,
        "POST",
        &format!("{URI}/info/visitorTyping"),
        7,
    );
    typing.request_body = Some(r#"{"visitorTyping":"typing"}"#.into());
    vec![
        pre_chat_survey(),
        chat_request(),
        poll_json(1, &[WAITING, ROUTING].join(",")),
        poll_json(
            7,
            &[WAITING, ROUTING, CHATTING, AGENT_LINE, TYPING].join(","),
        ),
        typing,
        poll_json(9, &[AGENT_LINE, VISITOR_LINE].join(",")),
        end_call(14),
        poll_json(15, ENDED),
    ]
}

fn record(journal: Option<&str>) -> SessionRecord {
    let request = ChatRequest {
        skill: "Sales".into(),
        ..ChatRequest::default()
    };
    let mut record = SessionRecord::created(None, "1234", URI, Flow::Request, &request, None);
    record.journal = journal.map(str::to_string);
    record
}

fn loaded(exchanges: Vec<Exchange>) -> Loaded {
    Loaded {
        entry: Entry {
            session: record(Some("j1")),
            agent: Some("Natalie".into()),
            updated: at(20),
        },
        journal: Some(Reading {
            entries: exchanges,
            skipped: Vec::new(),
        }),
        notes: Vec::new(),
    }
}

fn har_of(loaded: &Loaded) -> Value {
    serde_json::from_str(&loaded.har()).expect("the HAR is JSON")
}

fn names(headers: &Value) -> Vec<(String, String)> {
    headers
        .as_array()
        .expect("headers are a list")
        .iter()
        .map(|h| {
            (
                h["name"].as_str().unwrap().to_string(),
                h["value"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn the_har_holds_each_exchange_in_order_with_every_field_of_har_1_2() {
    let chat = loaded(whole_chat());
    let har = har_of(&chat);
    let log = &har["log"];
    assert_eq!(log["version"], "1.2");
    assert_eq!(log["creator"]["name"], "chatstart");
    assert_eq!(log["creator"]["version"], env!("CARGO_PKG_VERSION"));
    let entries = log["entries"].as_array().unwrap();
    assert_eq!(entries.len(), whole_chat().len());
    let methods: Vec<&str> = entries
        .iter()
        .map(|e| e["request"]["method"].as_str().unwrap())
        .collect();
    assert_eq!(
        methods,
        ["GET", "POST", "GET", "GET", "POST", "GET", "POST", "GET"]
    );

    let request = &entries[1];
    assert_eq!(request["startedDateTime"], at(0));
    assert_eq!(request["time"], 12.5);
    assert_eq!(request["comment"], "chat request (chat-request)");
    assert_eq!(request["_operation"], "chat-request");
    let sent = &request["request"];
    assert_eq!(
        sent["url"],
        "http://127.0.0.1:9/api/account/1234/chat/request?v=1&NC=true"
    );
    assert_eq!(sent["httpVersion"], "HTTP/1.1");
    assert_eq!(sent["cookies"], serde_json::json!([]));
    assert_eq!(
        names(&sent["headers"]),
        [
            ("Accept".to_string(), "application/json".to_string()),
            ("Content-Type".to_string(), "application/json".to_string())
        ]
    );
    assert_eq!(
        sent["queryString"],
        serde_json::json!([{"name": "v", "value": "1"}, {"name": "NC", "value": "true"}])
    );
    let body = chat_request().request_body.unwrap();
    assert_eq!(sent["postData"]["mimeType"], "application/json");
    assert_eq!(sent["postData"]["text"], body.as_str());
    assert_eq!(sent["headersSize"], -1);
    assert_eq!(sent["bodySize"], body.len());

    let answer = &request["response"];
    assert_eq!(answer["status"], 201);
    assert_eq!(answer["statusText"], "Created");
    assert_eq!(answer["httpVersion"], "HTTP/1.1");
    assert_eq!(answer["cookies"], serde_json::json!([]));
    assert_eq!(
        names(&answer["headers"]),
        [("Location".to_string(), URI.to_string())]
    );
    assert_eq!(answer["redirectURL"], URI);
    assert_eq!(answer["content"]["size"], 0);
    assert_eq!(answer["content"]["mimeType"], "");
    assert_eq!(answer["headersSize"], -1);
    assert_eq!(answer["bodySize"], 0);
    assert_eq!(request["cache"], serde_json::json!({}));
    assert_eq!(
        request["timings"],
        serde_json::json!({"blocked": -1, "dns": -1, "connect": -1, "ssl": -1,
                           "send": 0, "wait": 12.5, "receive": 0})
    );

    let poll = &entries[2];
    assert!(poll["request"].get("postData").is_none(), "a GET has none");
    assert_eq!(poll["request"]["bodySize"], 0);
    assert_eq!(poll["response"]["statusText"], "OK");
    assert_eq!(poll["response"]["redirectURL"], "");
    assert_eq!(poll["response"]["content"]["mimeType"], "application/json");
    let text = poll["response"]["content"]["text"].as_str().unwrap();
    assert!(text.contains("Thank you for choosing"), "{text}");
    assert_eq!(poll["response"]["content"]["size"], text.len());
    assert!(log.get("comment").is_none(), "nothing to say: {log}");
}

#[test]
fn a_failed_exchange_has_status_0_and_says_its_error() {
    let mut failed = exchange(Operation::Session, "GET", URI, 3);
    failed.status = None;
    failed.response_headers.clear();
    failed.error = Some("connection refused".into());
    let mut refused = exchange(Operation::Session, "GET", URI, 4);
    refused.status = Some(503);
    refused.response_body = Some("{\"error\":{}}".into());
    let har = har_of(&loaded(vec![failed, refused]));
    let entries = har["log"]["entries"].as_array().unwrap();
    let response = &entries[0]["response"];
    assert_eq!(response["status"], 0);
    assert_eq!(response["statusText"], "");
    assert_eq!(response["_error"], "connection refused");
    assert_eq!(entries[0]["_error"], "connection refused");
    assert_eq!(
        entries[0]["comment"],
        "chat session (session): no answer: connection refused"
    );
    assert_eq!(entries[1]["response"]["status"], 503);
    assert_eq!(entries[1]["response"]["statusText"], "Service Unavailable");
    assert!(entries[1].get("_error").is_none());
}

#[test]
fn an_app_key_left_in_a_url_never_reaches_the_har() {
    let url = format!("{URI}?v=1&appKey=s3cr3t-key");
    let mut leaked = exchange(Operation::Session, "GET", &url, 1);
    leaked
        .response_headers
        .push(("Location".into(), url.clone()));
    let text = loaded(vec![leaked]).har();
    assert!(!text.contains("s3cr3t-key"), "{text}");
    let har: Value = serde_json::from_str(&text).unwrap();
    let query = &har["log"]["entries"][0]["request"]["queryString"];
    assert_eq!(query[1]["name"], "appKey");
    assert_eq!(query[1]["value"], crate::secret::MASK);
}

#[test]
fn the_transcript_has_each_line_once_with_both_clocks_and_no_typing() {
    let transcript = loaded(whole_chat()).transcript();
    assert_eq!(
        transcript.matches("Thank you for choosing").count(),
        1,
        "{transcript}"
    );
    assert_eq!(transcript.matches("happy").count(), 1, "{transcript}");
    assert!(
        transcript.contains(
            "- `2025-12-06T00:46:40.100-05:00` (2025-12-06 05:46:40.100 UTC) — **System** (message 4: routing the chat to an agent): Thank you for choosing to chat with us."
        ),
        "{transcript}"
    );
    assert!(
        transcript.contains("**Natalie** (agent): Hi, I'm Natalie & happy"),
        "HTML rendered: {transcript}"
    );
    assert!(
        transcript.contains("**Visitor**: my \\*order\\* is late"),
        "{transcript}"
    );
    assert!(transcript.contains("state: **waiting** (in the queue)"));
    assert!(transcript.contains("state: **chatting** (an agent accepted)"));
    assert!(transcript.contains("state: **ended**"));
    assert!(
        transcript.contains("(sent) — **Visitor** ended the chat"),
        "{transcript}"
    );
    assert!(
        !transcript.to_lowercase().contains("typing"),
        "{transcript}"
    );
    // Order: as the exchanges revealed it.
    let position = |text: &str| transcript.find(text).unwrap_or_else(|| panic!("{text}"));
    assert!(position("**waiting**") < position("**chatting**"));
    assert!(position("**chatting**") < position("my \\*order\\*"));
    assert!(position("ended the chat") < position("**ended**"));
}

#[test]
fn the_pre_chat_lines_and_answers_sent_head_the_transcript_with_their_labels() {
    let transcript = loaded(whole_chat()).transcript();
    assert!(
        transcript.starts_with("# Chat transcript: Sales · H42\n"),
        "{transcript}"
    );
    for expected in [
        "Pre-chat lines (shown to the agent only):\n\n- Order 12345\n- Gold plan\n",
        "Pre-chat survey 40216:\n\n- Which team do you need? (1001): CATS\n- Topics (1003): billing, shipping\n",
    ] {
        assert!(
            transcript.contains(expected),
            "{expected}\n---\n{transcript}"
        );
    }
    assert!(transcript.find("## Before the chat") < transcript.find("## The chat"));
}

#[test]
fn an_xml_chat_tells_the_same_story_as_a_json_one() {
    let mut xml = exchange(Operation::Session, "GET", URI, 1);
    xml.response_headers = vec![("Content-Type".into(), "application/xml".into())];
    xml.response_body = Some(
        r#"<?xml version="1.0" encoding="UTF-8"?><chat><link href="http://x/next" rel="next"/>
        <events>
        <event id="0" type="state"><time>2025-12-06T00:46:40.000-05:00</time><state>waiting</state></event>
        <event id="1" type="line"><time>2025-12-06T00:46:40.100-05:00</time><textType>plain</textType><text>Thank you for choosing to chat with us.</text><by>info</by><source>system</source><systemMessageId>4</systemMessageId></event>
        <event id="2" type="state"><time>2025-12-06T00:46:46.500-05:00</time><state>chatting</state></event>
        </events>
        <info><state>chatting</state><agentName>Natalie</agentName><rtSessionId>4294967522</rtSessionId></info></chat>"#
            .into(),
    );
    let from_xml = loaded(vec![xml]).story().unwrap();
    let from_json = loaded(vec![poll_json(1, &[WAITING, ROUTING, CHATTING].join(","))])
        .story()
        .unwrap();
    assert_eq!(from_xml.items.len(), 3);
    assert_eq!(from_xml.items, from_json.items);
    assert_eq!(from_xml.ids.rt_session_id.as_deref(), Some("4294967522"));
    assert_eq!(from_xml.ids.agent_name.as_deref(), Some("Natalie"));
}

#[test]
fn the_visitors_name_exit_survey_and_transcript_request_are_told_with_the_answers() {
    let mut exit_survey = exchange(
        Operation::ExitSurvey,
        "GET",
        &format!("{URI}/exitSurvey"),
        16,
    );
    exit_survey.response_body = Some(
        r#"{"survey":{"id":361348,"questions":{"question":[
        {"id":4991315,"order":0,"type":"Radio Button","label":"Were you helped?","entry":[{"value":"y","displayValue":"Yes"},{"value":"n","displayValue":"No"}]},
        {"id":4991316,"order":1,"type":"Text Area","label":"Anything else?"}]}}}"#
            .into(),
    );
    let mut submitted = exchange(
        Operation::SubmitExitSurvey,
        "POST",
        &format!("{URI}/exitSurvey"),
        17,
    );
    submitted.request_body = Some(
        r#"<survey id="361348"><question id="4991315"><answer>y</answer></question><question id="4991316"><answer>fast, thanks</answer></question></survey>"#
            .into(),
    );
    let mut named = exchange(
        Operation::VisitorName,
        "POST",
        &format!("{URI}/info/visitorName"),
        2,
    );
    named.request_body = Some(r#"{"visitorName":"Ana"}"#.into());
    let mut mailed = exchange(
        Operation::Transcript,
        "POST",
        &format!("{URI}/transcriptRequest"),
        18,
    );
    mailed.request_body = Some(r#"{"email":"ana@example.com","timezoneOffset":0}"#.into());
    mailed.status = Some(400);
    let mut mailed_with_subject = exchange(
        Operation::Transcript,
        "POST",
        &format!("{URI}/transcriptWithSubjectRequest"),
        19,
    );
    mailed_with_subject.request_body = Some(
        r#"{"transcriptRequest":{"email":"ana@example.com","timezoneOffset":0,"subject":"Order 7"}}"#
            .into(),
    );
    let transcript = loaded(vec![
        named,
        exit_survey,
        submitted,
        mailed,
        mailed_with_subject,
    ])
    .transcript();
    for expected in [
        "(sent) — **Visitor** set their name: Ana\n",
        "**Visitor** submitted the exit survey 361348:\n  - Were you helped? (4991315): Yes\n  - Anything else? (4991316): fast, thanks\n",
        "**Visitor** asked for the transcript by e-mail: ana@example.com — not taken: the service answered 400\n",
        "**Visitor** asked for the transcript by e-mail: ana@example.com, subject “Order 7”\n",
    ] {
        assert!(
            transcript.contains(expected),
            "{expected}\n---\n{transcript}"
        );
    }
}

#[test]
fn the_summary_gives_the_ids_and_the_timeline_with_who_ended() {
    let summary = loaded(whole_chat()).summary();
    for expected in [
        "- account: 1234\n",
        "- chat id: H42\n",
        "- rtSessionId: 4294967522\n",
        "- visitorId: 1214701440733986\n",
        "- visitorSessionId: vs-9\n",
        "- LETagVisitorId: lev-1\n",
        "- LETagSessionId: les-2\n",
        "- skill: Sales (skillId 1)\n",
        "- agent: Natalie (agentId 7)\n",
        "- requested: 2025-12-06 05:46:40.000 UTC\n",
        "- queued (waiting): 2025-12-06 05:46:40.000 UTC (service clock 2025-12-06T00:46:40.000-05:00)\n",
        "- accepted (chatting) after 6.5 s:",
        "- ended: 2025-12-06 05:46:55.000 UTC (service clock 2025-12-06T00:46:55.000-05:00), by the visitor (our end call)\n",
        "- exchanges: 8 (0 failed)\n",
    ] {
        assert!(summary.contains(expected), "{expected}\n---\n{summary}");
    }
}

#[test]
fn an_end_the_visitor_did_not_ask_for_is_the_agents_when_the_service_says_so() {
    let agent_ended = r#"{"@id":"7","@type":"line","time":"2025-12-06T00:46:54.000-05:00","text":"","by":"info","source":"system","systemMessageId":5}"#;
    let mut chat = whole_chat();
    chat.retain(|e| e.operation != Operation::EndChat);
    chat.push(poll_json(15, &[agent_ended, ENDED].join(",")));
    let summary = loaded(chat.clone()).summary();
    assert!(summary.contains("), by the agent\n"), "{summary}");
    let transcript = loaded(chat).transcript();
    assert!(
        transcript.contains(
            "**System** (message 5: the agent ended the chat): (the agent ended the chat)"
        ),
        "{transcript}"
    );
}

#[test]
fn a_session_from_before_journals_exports_what_the_history_has() {
    let dir = tempfile::tempdir().unwrap();
    let history = History::at(dir.path().join(crate::history::FILE_NAME));
    history.created(record(None)).unwrap();
    history.state(URI, "ended", Some("Natalie")).unwrap();
    let entry = find(&history, &Which::Last).unwrap();
    let loaded = load(&history, entry);
    assert!(loaded.journal.is_none());
    assert_eq!(loaded.notes, [NOT_KEPT]);
    let har = har_of(&loaded);
    assert_eq!(har["log"]["entries"], serde_json::json!([]));
    assert_eq!(har["log"]["comment"], NOT_KEPT);
    let transcript = loaded.transcript();
    assert!(
        transcript.contains("The exchanges of this session were not kept; the history has:"),
        "{transcript}"
    );
    assert!(transcript.contains("last state learnt: **ended** (agent Natalie)"));
    let summary = loaded.summary();
    for expected in [
        "- chat id: H42\n",
        "- agent: Natalie\n",
        "- last state learnt: ended (agent Natalie)",
    ] {
        assert!(summary.contains(expected), "{expected}\n---\n{summary}");
    }
    assert!(summary.contains("exchanges were not kept for this session"));
}

#[test]
fn a_damaged_journal_line_is_skipped_and_said_the_rest_exported() {
    let dir = tempfile::tempdir().unwrap();
    let history = History::at(dir.path().join(crate::history::FILE_NAME));
    let journal = history.begin_journal().unwrap();
    history.created(record(Some(journal.id()))).unwrap();
    let mut lines = String::new();
    for exchange in [chat_request(), poll_json(1, WAITING)] {
        lines.push_str(&serde_json::to_string(&exchange).unwrap());
        lines.push('\n');
        lines.push_str("{\"started\":\"cut sho\n");
    }
    std::fs::create_dir_all(journal.path().parent().unwrap()).unwrap();
    std::fs::write(journal.path(), lines).unwrap();
    let loaded = load(
        &history,
        find(&history, &Which::ChatId("H42".into())).unwrap(),
    );
    assert_eq!(loaded.skipped(), 2);
    assert_eq!(loaded.notes.len(), 2);
    let named = format!(
        "journal {} line 2 skipped: not an exchange",
        journal.path().display()
    );
    assert!(loaded.notes[0].starts_with(&named), "{:?}", loaded.notes);
    let har = har_of(&loaded);
    assert_eq!(har["log"]["entries"].as_array().unwrap().len(), 2);
    assert!(
        har["log"]["comment"]
            .as_str()
            .unwrap()
            .contains("line 4 skipped")
    );
    let summary = loaded.summary();
    assert!(
        summary.contains("line 4 skipped") && summary.contains(journal.id()),
        "{summary}"
    );
}

#[test]
fn a_session_is_found_by_its_uri_its_chat_id_or_as_the_newest() {
    let dir = tempfile::tempdir().unwrap();
    let history = History::at(dir.path().join(crate::history::FILE_NAME));
    history.created(record(Some("older"))).unwrap();
    let mut newer = record(Some("newer"));
    newer.uri = "http://127.0.0.1:9/api/account/1234/chat/H43".into();
    history.created(newer).unwrap();
    let journal_of = |which: Which| find(&history, &which).map(|e| e.session.journal.unwrap());
    assert_eq!(journal_of(Which::Uri(URI.into())).unwrap(), "older");
    assert_eq!(journal_of(Which::Uri(format!("{URI}/"))).unwrap(), "older");
    assert_eq!(
        journal_of(Which::Uri(format!("{URI}?appKey=abc"))).unwrap(),
        "older"
    );
    assert_eq!(journal_of(Which::ChatId("H42".into())).unwrap(), "older");
    assert_eq!(journal_of(Which::Last).unwrap(), "newer");
    assert_eq!(Which::parse(URI), Which::Uri(URI.into()));
    assert_eq!(Which::parse(" H42 "), Which::ChatId("H42".into()));
    let missing = journal_of(Which::Uri(format!("{URI}9?appKey=s3cr3t"))).unwrap_err();
    assert!(
        missing.starts_with("no session in the history matches the URI")
            && missing.contains("`chatstart history`"),
        "{missing}"
    );
    assert!(!missing.contains("s3cr3t"), "{missing}");
    let empty = History::at(dir.path().join("none").join(crate::history::FILE_NAME));
    assert!(
        find(&empty, &Which::Last)
            .unwrap_err()
            .contains("holds no session yet")
    );
}

#[test]
fn a_bundle_is_private_replaces_its_own_files_and_refuses_a_directory_of_others() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("bundle");
    let chat = loaded(whole_chat());
    let saved = write_bundle(&chat, &bundle).unwrap();
    let names: Vec<String> = saved
        .files
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, BUNDLE_FILES);
    assert_eq!(saved.dir, bundle);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for file in &saved.files {
            let mode = std::fs::metadata(file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{}", file.display());
        }
    }
    // Again into the same directory: its own files are replaced.
    write_bundle(&chat, &bundle).unwrap();
    std::fs::write(bundle.join("notes.txt"), "mine").unwrap();
    let refused = write_bundle(&chat, &bundle).unwrap_err();
    assert_eq!(refused.kind(), std::io::ErrorKind::AlreadyExists);
    assert!(refused.to_string().contains("notes.txt"), "{refused}");
    assert_eq!(
        std::fs::read_to_string(bundle.join("notes.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn a_default_bundle_directory_is_named_by_the_chat_and_the_time() {
    let entry = loaded(Vec::new()).entry;
    let name = default_bundle_dir(&entry).to_string_lossy().into_owned();
    assert!(name.starts_with("chatstart-H42-"), "{name}");
    assert!(name.ends_with('Z') && !name.contains(':'), "{name}");
}

#[test]
fn a_chat_id_two_sessions_share_is_refused_with_their_uris_and_a_whole_uri_stays_exact() {
    let dir = tempfile::tempdir().unwrap();
    let history = History::at(dir.path().join(crate::history::FILE_NAME));
    let other_host = "http://10.0.0.7:9/api/account/1234/chat/H42";
    history.created(record(Some("here"))).unwrap();
    let mut elsewhere = record(Some("elsewhere"));
    elsewhere.uri = other_host.into();
    history.created(elsewhere).unwrap();

    let refused = find(&history, &Which::ChatId("H42".into())).unwrap_err();
    assert!(
        refused.starts_with("2 sessions in the history have the chat id H42")
            && refused.contains("give the URI")
            && refused.contains(&format!("\n  {URI}"))
            && refused.contains(&format!("\n  {other_host}")),
        "{refused}"
    );
    let journal_of = |uri: &str| {
        find(&history, &Which::Uri(uri.into()))
            .unwrap()
            .session
            .journal
    };
    assert_eq!(journal_of(URI).as_deref(), Some("here"));
    assert_eq!(journal_of(other_host).as_deref(), Some("elsewhere"));
}

#[test]
fn a_file_goes_only_into_a_directory_that_exists_and_is_one() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("mistyped").join("d");
    let refused = write_file(&missing.join("x.har"), "{}").unwrap_err();
    assert_eq!(refused.kind(), std::io::ErrorKind::NotFound);
    assert!(
        refused.to_string().contains(&format!(
            "the directory {} does not exist",
            missing.display()
        )),
        "{refused}"
    );
    assert!(
        !dir.path().join("mistyped").exists(),
        "no directory is made"
    );

    let file = dir.path().join("plain");
    std::fs::write(&file, "mine").unwrap();
    let refused = write_file(&file.join("x.har"), "{}").unwrap_err();
    assert!(
        refused
            .to_string()
            .contains(&format!("{} is a file, not a directory", file.display())),
        "{refused}"
    );
    write_file(&dir.path().join("x.har"), "{}").unwrap();
}

#[test]
fn a_bundle_makes_its_own_directory_only_and_says_when_its_path_is_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let chat = loaded(whole_chat());
    let missing = dir.path().join("mistyped");
    let refused = write_bundle(&chat, &missing.join("bundle")).unwrap_err();
    assert!(
        refused.to_string().contains(&format!(
            "the directory {} does not exist",
            missing.display()
        )),
        "{refused}"
    );
    assert!(!missing.exists(), "no directory tree is made");

    let file = dir.path().join("bundle");
    std::fs::write(&file, "mine").unwrap();
    let refused = write_bundle(&chat, &file).unwrap_err().to_string();
    assert!(
        refused.contains(&format!("{} is a file, not a directory", file.display())),
        "{refused}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let made = dir.path().join("new");
        write_bundle(&chat, &made).unwrap();
        let mode = std::fs::metadata(&made).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
    }
}

#[test]
fn an_elapsed_time_no_clock_gives_is_still_a_har_number_of_ms() {
    let timed = |elapsed_ms: f64| {
        let mut e = exchange(Operation::Session, "GET", URI, 1);
        e.elapsed_ms = elapsed_ms;
        e
    };
    let har = har_of(&loaded(vec![
        timed(1e308),
        timed(f64::INFINITY),
        timed(-5.0),
        timed(f64::NAN),
    ]));
    for entry in har["log"]["entries"].as_array().unwrap() {
        for time in [&entry["time"], &entry["timings"]["wait"]] {
            let ms = time
                .as_f64()
                .unwrap_or_else(|| panic!("not a number: {entry}"));
            assert!((0.0..=86_400_000.0).contains(&ms), "{entry}");
        }
    }
    assert_eq!(har["log"]["entries"][2]["time"], 0.0);
    assert_eq!(har["log"]["entries"][3]["time"], 0.0);
}

#[test]
fn a_journal_named_but_gone_is_said_apart_from_a_session_that_never_had_one() {
    let dir = tempfile::tempdir().unwrap();
    let history = History::at(dir.path().join(crate::history::FILE_NAME));
    let journal = history.begin_journal().unwrap();
    history.created(record(Some(journal.id()))).unwrap();
    assert!(!journal.path().exists());
    let loaded = load(&history, find(&history, &Which::Last).unwrap());
    assert!(loaded.journal.is_none());
    assert_eq!(loaded.notes, [journal_gone(journal.path())]);
    assert!(
        loaded.notes[0].starts_with(&format!("its journal {} is gone", journal.path().display())),
        "{:?}",
        loaded.notes
    );
    assert!(loaded.summary().contains("is gone (pruned by retention"));
    assert!(NOT_KEPT.contains("--no-journal / journal = false"));
}

#[test]
fn what_the_history_alone_has_is_told_in_the_order_it_happened() {
    let mut session = record(None);
    session.time = at(0);
    session.visitor = vec![
        crate::history::VisitorDone {
            time: at(10),
            action: crate::history::VisitorAction::Named { name: "Ana".into() },
            outcome: crate::history::Outcome::Taken,
        },
        crate::history::VisitorDone {
            time: at(30),
            action: crate::history::VisitorAction::Named { name: "Bo".into() },
            outcome: crate::history::Outcome::Taken,
        },
    ];
    let transcript = Loaded {
        entry: Entry {
            session,
            agent: None,
            // Learnt between the two names: it belongs between them.
            updated: at(20),
        },
        journal: None,
        notes: vec![NOT_KEPT.into()],
    }
    .transcript();
    let position = |text: &str| {
        transcript
            .find(text)
            .unwrap_or_else(|| panic!("{text}\n---\n{transcript}"))
    };
    assert!(position("— requested") < position("name set: Ana"));
    assert!(position("name set: Ana") < position("last state learnt"));
    assert!(
        position("last state learnt") < position("name set: Bo"),
        "{transcript}"
    );
}

#[test]
fn a_request_that_made_no_chat_says_what_it_was_answered_or_that_its_answer_was_lost() {
    let mut refused = chat_request();
    refused.status = Some(401);
    refused.response_headers = Vec::new();
    refused.response_body = Some(r#"{"error":{"message":"Invalid appKey"}}"#.into());
    let mut loaded = loaded(vec![refused.clone()]);
    loaded.entry.session.uri.clear();
    loaded.entry.session.state = crate::history::NOT_CREATED.into();
    let summary = loaded.summary();
    let refusal = "- no chat was made: the chat request was answered HTTP 401: “Invalid appKey”\n";
    assert!(summary.contains(refusal), "{summary}");
    assert!(!summary.contains("accepted"), "{summary}");
    let transcript = loaded.transcript();
    assert!(transcript.contains(refusal), "{transcript}");

    let mut lost = refused;
    lost.status = None;
    lost.error = Some("chat request failed: timed out".into());
    let mut loaded = super::tests::loaded(vec![lost]);
    loaded.entry.session.uri.clear();
    loaded.entry.session.state = crate::history::UNKNOWN.into();
    let summary = loaded.summary();
    assert!(
        summary
            .contains("- its answer was lost (chat request failed: timed out): a chat may exist"),
        "{summary}"
    );
}
