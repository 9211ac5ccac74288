//! The visitor's whole chat on the command line, the real binary against the in-process emulator
//! over real HTTP: the visitor's name, the agent's typing, the transcript, the exit survey and
//! the offline survey — in JSON and in XML, what is refused before anything is sent, and what
//! the history keeps.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::support::{self, Emulator, ran};

/// Sales accepts at once and types 800 ms before greeting (by name when it knows it); its exit
/// survey's "No" shows a mandatory follow-up (4991317); Billing has no exit survey; Slow never accepts in a test's time; Tech is closed, with an offline
/// survey.
pub(crate) const VISITOR: &str = r#"
[[skills]]
name = "Sales"
id = 1
available = true
agent_name = "Natalie"
agent_id = 7
accept_after_ms = 200
greeting = "Hi, I'm Natalie."
greeting_by_name = "Hi {name}, I'm Natalie."
greeting_after_ms = 800
replies = ["Got it."]
reply_after_ms = 300

[[skills]]
name = "Billing"
id = 2
available = true
agent_name = "Omar"
accept_after_ms = 200
greeting = "Hello, Omar here."
exit_survey = false

[[skills]]
name = "Slow"
id = 3
available = true
agent_name = "Ann"
accept_after_ms = 60000

[[skills]]
name = "Tech"
id = 4
available = false

[[skills]]
name = "Typist"
id = 5
available = true
agent_name = "Natalie"
accept_after_ms = 100
greeting = "Hi, I'm Natalie."
greeting_after_ms = 800
end_after_ms = 1500

[exit_survey]
id = 361348
header = "How did we do?"

[[exit_survey.questions]]
id = 4991315
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
id = 4991316
logic_id = 12
order = 1
type = "Dropdown Box"
label = "Was your question answered?"
entries = [{ value = "Yes" }, { value = "No", show_logic_ids = [13] }]

[[exit_survey.questions]]
id = 4991317
logic_id = 13
order = 2
mandatory = true
type = "Text Area"
label = "What was missing?"

[[exit_survey.questions]]
id = 4991318
logic_id = 14
order = 3
type = "Checkbox"
label = "What did you like?"
entries = [{ value = "Speed" }, { value = "Friendliness" }, { value = "Knowledge" }]

[offline_survey]
id = 361346
header = "We're offline."

[[offline_survey.questions]]
id = 4991310
order = 0
mandatory = true
type = "Text Field"
label = "Your name"

[[offline_survey.questions]]
id = 4991311
order = 1
mandatory = true
type = "Text Field"
validation_type = "email"
label = "Your e-mail"
"#;

fn emulator() -> Emulator {
    Emulator::start(VISITOR)
}

fn of_type<'a>(lines: &'a [Value], kind: &str) -> Vec<&'a Value> {
    lines.iter().filter(|l| l["type"] == kind).collect()
}

fn chat_id(uri: &str) -> String {
    uri.rsplit('/').next().expect("segment").to_string()
}

/// A chat of `skill`, followed until an agent accepted it: its URI.
fn chatting(emulator: &Emulator, skill: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "request",
        "--skill",
        skill,
        "--wait",
        "chatting",
        "--timeout",
        "30",
        "--poll-interval",
        "0.1",
        "--output",
        "json",
    ];
    args.extend_from_slice(extra);
    let out = ran(emulator.chatstart(&args));
    assert_eq!(out.code, 0, "{out:?}");
    out.json_lines()[0]["uri"]
        .as_str()
        .expect("the session line first")
        .to_string()
}

/// The PUTs (POST + `X-HTTP-Method-Override: PUT`) to paths containing `path`.
fn puts(emulator: &Emulator, path: &str) -> Vec<chatstart::emulator::RecordedRequest> {
    emulator
        .handle
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.contains(path))
        .inspect(|r| {
            assert!(
                r.headers
                    .iter()
                    .any(|(k, v)| k == "x-http-method-override" && v == "PUT"),
                "{r:?}"
            );
        })
        .collect()
}

fn history_json(emulator: &Emulator) -> Vec<Value> {
    let out = ran(emulator.bare(&["history", "--output", "json"]));
    assert_eq!(out.code, 0, "{out:?}");
    out.json_lines()
}

#[test]
fn request_sets_the_visitors_name_right_after_creating_the_chat_without_following_it() {
    let emulator = emulator();
    // Slow is never accepted here: the name is set while the chat waits.
    let out = ran(emulator.chatstart(&["request", "--skill", "Slow", "--visitor-name", "Zoë"]));
    assert_eq!(out.code, 0, "{out:?}");
    let uri = out.stdout.trim();
    assert_eq!(
        out.stdout.lines().count(),
        1,
        "the URI alone on stdout: {out:?}"
    );
    assert!(out.stderr.contains("visitor name set: Zoë"), "{out:?}");
    let set = puts(&emulator, "/info/visitorName");
    assert_eq!(set.len(), 1, "{set:?}");
    assert!(
        set[0].path.contains(&chat_id(uri)) && set[0].body.contains("Zoë"),
        "{set:?}"
    );
    // History and info say so.
    let history = history_json(&emulator);
    let action = &history[0]["visitor"][0]["action"];
    assert_eq!(action["did"], "named", "{history:?}");
    assert_eq!(action["name"], "Zoë");
    let info = ran(emulator.chatstart(&["info", uri]));
    assert!(info.stdout.contains("visitorName: Zoë"), "{info:?}");
    assert!(info.stdout.contains("visitor name set: Zoë"), "{info:?}");
    // In XML too, and said as a JSON line.
    let out = ran(emulator.chatstart(&[
        "request",
        "--skill",
        "Slow",
        "--visitor-name",
        "Ann & Bob",
        "--format",
        "xml",
        "--output",
        "json",
    ]));
    assert_eq!(out.code, 0, "{out:?}");
    let lines = out.json_lines();
    let named = of_type(&lines, "visitorName");
    assert_eq!(named.len(), 1, "{lines:?}");
    assert_eq!(
        (&named[0]["name"], &named[0]["set"]),
        (&Value::from("Ann & Bob"), &Value::from(true))
    );
    let set = puts(&emulator, "/info/visitorName");
    assert!(
        set[1]
            .body
            .contains("<visitorName>Ann &amp; Bob</visitorName>"),
        "{set:?}"
    );
}

#[test]
fn a_followed_chat_gets_the_name_before_the_agent_accepts_and_is_greeted_by_it() {
    let emulator = emulator();
    let out = ran(emulator.chatstart(&[
        "request",
        "--skill",
        "Sales",
        "--visitor-name",
        "Zoë",
        "--wait",
        "chatting",
        "--timeout",
        "30",
        "--poll-interval",
        "0.1",
    ]));
    assert_eq!(out.code, 0, "{out:?}");
    let uri = out.stdout.lines().next().expect("uri").to_string();
    assert!(out.stderr.contains("visitor name set: Zoë"), "{out:?}");
    // The agent greets by name: the name was set before acceptance.
    let watched =
        ran(emulator.chatstart(&["watch", &uri, "--timeout", "3", "--poll-interval", "0.1"]));
    assert!(
        watched
            .stdout
            .contains("agent Natalie: Hi Zoë, I'm Natalie."),
        "{watched:?}"
    );
    // `--wait waiting` is reached by the first read, before the tracker sets the name: the
    // command stays for the name all the same.
    let out = ran(emulator.chatstart(&[
        "request",
        "--skill",
        "Slow",
        "--visitor-name",
        "Ann",
        "--wait",
        "waiting",
        "--output",
        "json",
    ]));
    assert_eq!(out.code, 0, "{out:?}");
    let lines = out.json_lines();
    assert_eq!(of_type(&lines, "visitorName").len(), 1, "{lines:?}");
    assert!(
        puts(&emulator, "/info/visitorName")
            .iter()
            .any(|r| r.body.contains("Ann"))
    );
}

#[test]
fn an_authenticated_chat_gets_the_visitors_name_too() {
    let emulator = emulator();
    let out = ran(emulator.chatstart(&[
        "auth",
        "--sso-key",
        "demo-sso-code",
        "--auth-conn-id",
        "568046210",
        "--engagement-id",
        "27469613",
        "--le-visitor-id",
        "V1",
        "--le-session-id",
        "S1",
        "--le-context-id",
        "2",
        "--skill",
        "Slow",
        "--visitor-name",
        "Zoë",
        "--output",
        "json",
    ]));
    assert_eq!(out.code, 0, "{out:?}");
    let lines = out.json_lines();
    let uri = of_type(&lines, "session")[0]["uri"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(of_type(&lines, "visitorName")[0]["set"], true, "{lines:?}");
    let set = puts(&emulator, "/info/visitorName");
    assert_eq!(set.len(), 1);
    assert!(set[0].path.contains(&chat_id(&uri)), "{set:?}");
}

#[test]
fn a_name_the_service_refuses_is_a_warning_and_a_strict_201_is_success() {
    let emulator = emulator();
    emulator
        .handle
        .set_faults(support::faults(&["500@visitor-name"]));
    let out = ran(emulator.chatstart(&[
        "request",
        "--skill",
        "Slow",
        "--visitor-name",
        "Zoë",
        "--output",
        "json",
    ]));
    assert_eq!(out.code, 0, "the chat goes on: {out:?}");
    let lines = out.json_lines();
    let named = of_type(&lines, "visitorName");
    assert_eq!(named[0]["set"], false, "{lines:?}");
    assert!(
        named[0]["error"].as_str().unwrap().contains("500"),
        "{lines:?}"
    );
    let text = ran(emulator.chatstart(&["request", "--skill", "Slow", "--visitor-name", "Zoë"]));
    assert_eq!(text.code, 0, "{text:?}");
    assert!(
        text.stderr
            .contains("warning: the visitor's name was not set"),
        "{text:?}"
    );
    assert!(
        history_json(&emulator)
            .iter()
            .all(|h| h.get("visitor").is_none()),
        "a refused name is not recorded"
    );

    // A chat that ends at its first read never gets the name: said as a refusal is.
    emulator
        .handle
        .set_faults(support::faults(&["end@session,count=1"]));
    let out = ran(emulator.chatstart(&[
        "request",
        "--skill",
        "Sales",
        "--visitor-name",
        "Zoë",
        "--wait",
        "chatting",
        "--timeout",
        "30",
        "--output",
        "json",
    ]));
    assert_eq!(out.code, 5, "ended before chatting: {out:?}");
    let lines = out.json_lines();
    let named = of_type(&lines, "visitorName");
    assert_eq!(named.len(), 1, "{lines:?}");
    assert_eq!(named[0]["set"], false);
    assert_eq!(named[0]["error"], "the chat ended before it could be set");

    // The doc page's 201, from a server that follows it.
    let strict = Emulator::start(&format!("visitor_name_status = 201\n{VISITOR}"));
    let out = ran(strict.chatstart(&[
        "request",
        "--skill",
        "Sales",
        "--visitor-name",
        "Zoë",
        "--wait",
        "chatting",
        "--timeout",
        "30",
        "--output",
        "json",
    ]));
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        of_type(&out.json_lines(), "visitorName")[0]["set"],
        true,
        "{out:?}"
    );
}

#[test]
fn a_visitor_call_whose_answer_never_came_may_have_been_taken_and_is_kept_as_unknown() {
    let emulator = emulator();
    // The service takes the name but answers after the 1 s timeout.
    emulator
        .handle
        .set_faults(support::faults(&["slow@visitor-name,delay_ms=4000"]));
    let out = ran(emulator.chatstart(&[
        "request",
        "--skill",
        "Slow",
        "--visitor-name",
        "Zoë",
        "--http-timeout",
        "1",
        "--output",
        "json",
    ]));
    assert_eq!(out.code, 0, "the chat goes on: {out:?}");
    let lines = out.json_lines();
    let named = of_type(&lines, "visitorName");
    assert_eq!(named[0]["set"], Value::Null, "{lines:?}");
    assert_eq!(named[0]["outcome"], "unknown", "{lines:?}");
    assert!(
        named[0]["why"]
            .as_str()
            .is_some_and(|why| why.contains("it may have been taken")),
        "{lines:?}"
    );
    let text = ran(emulator.chatstart(&[
        "request",
        "--skill",
        "Slow",
        "--visitor-name",
        "Zoë",
        "--http-timeout",
        "1",
    ]));
    assert_eq!(text.code, 0, "{text:?}");
    assert!(
        text.stderr.contains(
            "warning: the visitor's name may have been set: the request went out and no answer came"
        ) && !text.stderr.contains("was not set"),
        "{text:?}"
    );
    let history = history_json(&emulator);
    assert_eq!(
        history[0]["visitor"][0]["outcome"], "unknown",
        "{history:?}"
    );
    assert_eq!(history[0]["visitor"][0]["action"]["name"], "Zoë");
    let listed = ran(emulator.bare(&["history"]));
    assert!(
        listed
            .stdout
            .contains("visitor name may have been set: Zoë (no answer came)"),
        "{listed:?}"
    );

    // A transcript, an exit survey and an offline survey whose answer is dropped after the
    // service acted on it: exit 4, said as what may have happened, kept as unknown.
    let uri = chatting(&emulator, "Sales", &[]);
    emulator
        .handle
        .set_faults(support::faults(&["drop@transcript"]));
    let out = ran(emulator.chatstart(&["transcript", &uri, "--email", "qa@example.com"]));
    assert_eq!(out.code, 4, "{out:?}");
    assert!(
        out.stderr.contains(
            "error: the transcript may have been requested: the request went out and no answer came"
        ) && out.stderr.contains("why: the request reached the service"),
        "{out:?}"
    );
    assert_eq!(
        emulator
            .handle
            .transcript_requests(&chat_id(&uri))
            .unwrap()
            .len(),
        1,
        "the service took it"
    );
    assert_eq!(ran(emulator.chatstart(&["end", &uri])).code, 0);
    emulator
        .handle
        .set_faults(support::faults(&["drop@exit-survey,skip=1,count=1"]));
    let out = ran(emulator.chatstart(&[
        "exit-survey",
        &uri,
        "--answer",
        "4991315=10 Extremely Likely",
        "--output",
        "json",
    ]));
    assert_eq!(out.code, 4, "{out:?}");
    let error = &out.json_lines()[0];
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .starts_with("the exit survey may have been submitted: "),
        "{error}"
    );
    let session = history_json(&emulator)
        .into_iter()
        .find(|h| h["uri"] == uri.as_str())
        .expect("the chat");
    let outcomes: Vec<(&Value, &Value)> = session["visitor"]
        .as_array()
        .unwrap()
        .iter()
        .map(|done| (&done["action"]["did"], &done["outcome"]))
        .collect();
    assert_eq!(
        outcomes,
        [
            (&Value::from("transcript"), &Value::from("unknown")),
            (&Value::from("exit-survey"), &Value::from("unknown"))
        ]
    );
    let info = ran(emulator.chatstart(&["info", &uri]));
    assert!(
        info.stdout
            .contains("transcript may have been asked for: qa@example.com via transcript-request (no answer came)")
            && info.stdout.contains("exit survey 361348 may have been submitted: 1 question answered (4991315) (no answer came)"),
        "{info:?}"
    );
    emulator
        .handle
        .set_faults(support::faults(&["drop@offline-survey,skip=1,count=1"]));
    let out = ran(emulator.chatstart(&[
        "offline-survey",
        "--skill",
        "Tech",
        "--answer",
        "4991310=Zoë",
        "--answer",
        "4991311=zoe@example.com",
    ]));
    assert_eq!(out.code, 4, "{out:?}");
    assert!(
        out.stderr
            .contains("error: the offline survey may have been submitted: "),
        "{out:?}"
    );
    let listed = ran(emulator.bare(&["history"]));
    assert!(
        listed
            .stdout
            .contains("offline survey 361346 may have been submitted (account")
            && listed.stdout.contains("(no answer came)"),
        "{listed:?}"
    );
}

#[test]
fn a_visitor_call_the_service_fails_says_it_was_not_retried_and_what_to_run_again() {
    let emulator = emulator();
    let uri = chatting(&emulator, "Sales", &[]);
    emulator.handle.set_faults(support::faults(&[
        "503@exit-survey",
        "503@transcript",
        "503@offline-survey",
    ]));
    for (args, step) in [
        (
            vec!["exit-survey", uri.as_str()],
            "hint: run the same `chatstart exit-survey URI --answer …` again once the service answers",
        ),
        (
            vec!["transcript", uri.as_str(), "--email", "qa@example.com"],
            "hint: run the same `chatstart transcript URI --email ADDR` again once the service answers",
        ),
        (
            vec!["offline-survey", "--skill", "Tech"],
            "hint: run the same `chatstart offline-survey --skill SKILL --answer …` again",
        ),
    ] {
        let out = ran(emulator.chatstart(&args));
        assert_eq!(out.code, 4, "{args:?}: {out:?}");
        assert!(
            out.stderr.contains("not retried (only polls are)") && out.stderr.contains(step),
            "{args:?}: {out:?}"
        );
        assert!(
            !out.stderr.contains("polls are retried"),
            "{args:?}: no poll here: {out:?}"
        );
    }
    // The name: said with the warning, and set again by following the chat.
    emulator
        .handle
        .set_faults(support::faults(&["500@visitor-name"]));
    let out = ran(emulator.chatstart(&["request", "--skill", "Slow", "--visitor-name", "Zoë"]));
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stderr
            .contains("hint: the chat goes on under the service's default name; to set it again once the service answers, follow the chat with `chatstart watch URI --visitor-name NAME`"),
        "{out:?}"
    );
    let slow = out.stdout.trim().to_string();
    emulator.handle.set_faults(Vec::new());
    let out = ran(emulator.chatstart(&[
        "watch",
        &slow,
        "--visitor-name",
        "Zoë",
        "--wait",
        "waiting",
        "--output",
        "json",
    ]));
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        of_type(&out.json_lines(), "visitorName")[0]["set"],
        true,
        "{out:?}"
    );
    let info = ran(emulator.chatstart(&["info", &slow]));
    assert!(info.stdout.contains("visitorName: Zoë"), "{info:?}");
    let out = ran(emulator.chatstart(&["watch", &slow, "--visitor-name", " "]));
    assert_eq!(out.code, 2, "checked as typed: {out:?}");
}

#[test]
fn a_bad_visitor_name_is_refused_before_anything_is_sent() {
    let emulator = emulator();
    for name in ["", "   ", "Zo\u{1b}ë", &"x".repeat(101)] {
        let out = ran(emulator.chatstart(&["request", "--skill", "Sales", "--visitor-name", name]));
        assert_eq!(out.code, 2, "{name:?}: {out:?}");
        assert!(out.stderr.contains("--visitor-name: "), "{out:?}");
    }
    let out = ran(emulator.chatstart(&[
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
        "--visitor-name",
        "",
    ]));
    assert_eq!(out.code, 2, "{out:?}");
    assert!(emulator.handle.requests().is_empty(), "nothing was sent");
}

#[test]
fn the_agents_typing_is_shown_once_as_it_starts_in_text_and_both_ways_in_json() {
    let emulator = emulator();
    // Polls every 0.1 s see the agent typing for 800 ms before the greeting: many polls, one
    // line; the agent ends the chat a little later.
    let follow = |output: &str| {
        let out = ran(emulator.chatstart(&[
            "request",
            "--skill",
            "Typist",
            "--wait",
            "ended",
            "--timeout",
            "30",
            "--poll-interval",
            "0.1",
            "--output",
            output,
        ]));
        assert_eq!(out.code, 0, "{out:?}");
        out.stdout
    };
    let text = follow("text");
    let typing: Vec<&str> = text.lines().filter(|l| l.contains("typing")).collect();
    assert_eq!(typing, ["agent Natalie is typing…"], "{text}");
    let greeting = text
        .lines()
        .position(|l| l.starts_with("agent Natalie: Hi"))
        .expect("greeting");
    let typed = text
        .lines()
        .position(|l| l.contains("typing"))
        .expect("typing");
    assert!(typed < greeting, "{text}");

    let json = follow("json");
    let typing: Vec<(bool, Value)> = json
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("json"))
        .filter(|o| o["type"] == "typing")
        .map(|o| (o["typing"] == true, o["agent"].clone()))
        .collect();
    assert_eq!(
        typing,
        [
            (true, Value::from("Natalie")),
            (false, Value::from("Natalie"))
        ],
        "{json}"
    );
}

#[test]
fn a_transcript_goes_to_the_subject_link_with_a_subject_and_to_the_plain_one_without() {
    let emulator = emulator();
    let uri = chatting(&emulator, "Sales", &[]);
    let out = ran(emulator.chatstart(&[
        "transcript",
        &uri,
        "--email",
        "qa@example.com",
        "--subject",
        "Our chat",
        "--timezone-offset",
        "-02:00",
    ]));
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.contains("transcript requested for qa@example.com: the service took it at transcript-with-subject-request"),
        "{out:?}"
    );
    let out = ran(emulator.chatstart(&[
        "transcript",
        &uri,
        "--email",
        "qa@example.com",
        "--output",
        "json",
    ]));
    assert_eq!(out.code, 0, "{out:?}");
    let line = &out.json_lines()[0];
    assert_eq!(line["type"], "transcript");
    assert_eq!(line["link"], "transcript-request");
    assert_eq!(line["subjectDropped"], false);
    let sent = emulator
        .handle
        .transcript_requests(&chat_id(&uri))
        .expect("the chat");
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(
        sent[0].with_subject_route && !sent[1].with_subject_route,
        "{sent:?}"
    );
    assert_eq!(sent[0].subject.as_deref(), Some("Our chat"));
    assert_eq!(sent[0].timezone_offset_ms, Some(-7_200_000));
    assert_eq!(
        (sent[1].subject.as_deref(), sent[1].timezone_offset_ms),
        (None, None)
    );
    let bodies = puts(&emulator, "ranscript");
    assert!(
        bodies[0].body.contains(r#""transcriptRequest""#),
        "{bodies:?}"
    );
    assert!(!bodies[1].body.contains("transcriptRequest"), "{bodies:?}");
    // `auto` is this machine's zone, in milliseconds. The transcript body is documented in
    // JSON only (§2.18): with --format xml it still goes as JSON.
    let out = ran(emulator.chatstart(&[
        "transcript",
        &uri,
        "--email",
        "qa@example.com",
        "--timezone-offset",
        "auto",
        "--format",
        "xml",
    ]));
    assert_eq!(out.code, 0, "{out:?}");
    let sent = emulator.handle.transcript_requests(&chat_id(&uri)).unwrap();
    assert!(
        sent[2]
            .timezone_offset_ms
            .is_some_and(|ms| ms % 60_000 == 0),
        "{sent:?}"
    );
    let body: Value = serde_json::from_str(&puts(&emulator, "ranscript")[2].body).expect("JSON");
    assert_eq!(body["email"], "qa@example.com", "{body}");
    // The history keeps each, the link and subject with it.
    let history = history_json(&emulator);
    let done: Vec<&Value> = history[0]["visitor"].as_array().unwrap().iter().collect();
    assert_eq!(done.len(), 3, "{history:?}");
    assert_eq!(done[0]["action"]["link"], "transcript-with-subject-request");
    assert_eq!(done[0]["action"]["subject"], "Our chat");
    assert_eq!(done[1]["action"]["email"], "qa@example.com");
}

#[test]
fn the_time_zone_offsets_taken_are_the_ones_the_help_lists() {
    let emulator = emulator();
    let help = ran(emulator.bare(&["transcript", "--help"]));
    assert!(
        help.stdout
            .contains("±H or ±HH, with :MM when not whole hours (+5, +05:30, -02:00)")
            && help.stdout.contains("`auto` (any case)"),
        "{help:?}"
    );
    let uri = chatting(&emulator, "Sales", &[]);
    for (offset, milliseconds) in [
        ("+5", 18_000_000),
        ("+5:30", 19_800_000),
        ("-02:00", -7_200_000),
    ] {
        let out = ran(emulator.chatstart(&[
            "transcript",
            &uri,
            "--email",
            "qa@example.com",
            "--timezone-offset",
            offset,
        ]));
        assert_eq!(out.code, 0, "{offset}: {out:?}");
        let sent = emulator.handle.transcript_requests(&chat_id(&uri)).unwrap();
        assert_eq!(sent.last().unwrap().timezone_offset_ms, Some(milliseconds));
    }
    let out = ran(emulator.chatstart(&[
        "transcript",
        &uri,
        "--email",
        "qa@example.com",
        "--timezone-offset",
        "AUTO",
    ]));
    assert_eq!(out.code, 0, "{out:?}");
    let out = ran(emulator.chatstart(&[
        "transcript",
        &uri,
        "--email",
        "qa@example.com",
        "--timezone-offset",
        "+0530",
    ]));
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .contains("write ±H or ±HH, with :MM when not whole hours"),
        "{out:?}"
    );
}

#[test]
fn an_invisible_character_in_a_subject_is_printed_escaped() {
    let emulator = emulator();
    let uri = chatting(&emulator, "Sales", &[]);
    let out = ran(emulator.chatstart(&[
        "transcript",
        &uri,
        "--email",
        "qa@example.com",
        "--subject",
        "Our\u{200b}chat",
    ]));
    assert_eq!(out.code, 0, "{out:?}");
    // Sent as typed; printed so that it can be seen.
    let sent = emulator.handle.transcript_requests(&chat_id(&uri)).unwrap();
    assert_eq!(sent[0].subject.as_deref(), Some("Our\u{200b}chat"));
    for printed in [
        ran(emulator.chatstart(&["info", &uri])),
        ran(emulator.bare(&["history"])),
    ] {
        assert!(
            printed.stdout.contains("subject “Our\\u{200b}chat”")
                && !printed.stdout.contains('\u{200b}'),
            "{printed:?}"
        );
    }
}

#[test]
fn a_subject_the_chat_has_no_link_for_is_dropped_and_said() {
    let emulator = emulator();
    let uri = chatting(&emulator, "Sales", &[]);
    // A server whose chat offers only `transcript-request`.
    let only_plain = format!(
        r#"{{"chat":{{"link":[{{"@href":"{uri}","@rel":"self"}},{{"@href":"{uri}/transcriptRequest","@rel":"transcript-request"}}]}}}}"#
    );
    emulator
        .handle
        .set_faults(vec![chatstart::emulator::FaultSpec {
            body: Some(only_plain),
            ..support::faults(&["malformed@session,count=1"]).remove(0)
        }]);
    let out = ran(emulator.chatstart(&[
        "transcript",
        &uri,
        "--email",
        "qa@example.com",
        "--subject",
        "Our chat",
    ]));
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("at transcript-request"), "{out:?}");
    assert!(
        out.stdout.contains("so the subject was not sent"),
        "{out:?}"
    );
    let sent = emulator.handle.transcript_requests(&chat_id(&uri)).unwrap();
    assert_eq!(
        (sent[0].with_subject_route, sent[0].subject.as_deref()),
        (false, None)
    );
}

#[test]
fn a_bad_address_or_offset_is_refused_before_anything_is_sent() {
    let emulator = emulator();
    let long_subject = "s".repeat(201);
    let uri = format!(
        "{}/api/account/{}/chat/H1-abc",
        emulator.base_url(),
        emulator.handle.account()
    );
    for (flags, says) in [
        (
            vec!["--email", "nope"],
            "--email: `nope` is not an e-mail address",
        ),
        (vec!["--email", ""], "--email: an e-mail address is needed"),
        (
            vec!["--email", "a@b.cc", "--timezone-offset", "+99:00"],
            "--timezone-offset: ",
        ),
        (
            vec!["--email", "a@b.cc", "--timezone-offset", "2 hours"],
            "--timezone-offset: ",
        ),
        (
            vec!["--email", "a@b.cc", "--subject", "a\u{7}b"],
            "--subject: contains BEL",
        ),
        (
            vec!["--email", "a@b.cc", "--subject", long_subject.as_str()],
            "--subject: a subject is at most 200 characters (this one has 201)",
        ),
    ] {
        let mut args = vec!["transcript", uri.as_str()];
        args.extend(flags);
        let out = ran(emulator.chatstart(&args));
        assert_eq!(out.code, 2, "{args:?}: {out:?}");
        assert!(out.stderr.contains(says), "{args:?}: {out:?}");
        args.extend(["--output", "json"]);
        let out = ran(emulator.chatstart(&args));
        assert_eq!(out.json_lines()[0]["code"], 2, "{out:?}");
    }
    assert!(emulator.handle.requests().is_empty(), "nothing was sent");
}

#[test]
fn an_address_the_service_would_refuse_is_refused_where_typed() {
    let emulator = emulator();
    let uri = format!(
        "{}/api/account/{}/chat/H1-abc",
        emulator.base_url(),
        emulator.handle.account()
    );
    // V17: ASCII only; the service answers 400 "Invalid email address" to these.
    for address in ["zoë@example.com", "zoe@exämple.com"] {
        let out = ran(emulator.chatstart(&["transcript", &uri, "--email", address]));
        assert_eq!(out.code, 2, "{out:?}");
        assert!(
            out.stderr
                .contains(&format!("--email: `{address}` is not an e-mail address (")),
            "{out:?}"
        );
        let out = ran(emulator.chatstart(&[
            "offline-survey",
            "--skill",
            "Tech",
            "--answer",
            "4991310=Zoë",
            "--answer",
            &format!("4991311={address}"),
        ]));
        assert_eq!(out.code, 2, "{out:?}");
        assert!(
            out.stderr.contains("--answer 4991311=…: ") && out.stderr.contains("not ASCII"),
            "{out:?}"
        );
    }
    assert_eq!(
        emulator.handle.count("GET", "/chat/H1-abc"),
        0,
        "not even read"
    );
    assert!(emulator.handle.offline_surveys().is_empty(), "nothing sent");
    // A real address with a tag and a sub-domain still goes.
    let out = ran(emulator.chatstart(&[
        "offline-survey",
        "--skill",
        "Tech",
        "--answer",
        "4991310=Zoë",
        "--answer",
        "4991311=first.last+tag@sub.example.co.uk",
    ]));
    assert_eq!(out.code, 0, "{out:?}");
}

#[test]
fn the_exit_survey_is_printed_in_json_and_xml_or_said_to_be_absent() {
    let emulator = emulator();
    let uri = chatting(&emulator, "Sales", &[]);
    let out = ran(emulator.chatstart(&["exit-survey", &uri]));
    assert_eq!(out.code, 0, "{out:?}");
    for said in [
        "exit survey 361348: How did we do?",
        "4991315  How likely are you to recommend us?  [Radio Button, mandatory]",
        "- 10  (answer: 10 Extremely Likely)",
        "--answer '4991315=10 Extremely Likely'",
        "4991318  What did you like?  [Checkbox]",
    ] {
        assert!(out.stdout.contains(said), "{said}: {out:?}");
    }
    for format in ["json", "xml"] {
        let out =
            ran(emulator.chatstart(&["exit-survey", &uri, "--output", "json", "--format", format]));
        assert_eq!(out.code, 0, "{out:?}");
        let line = &out.json_lines()[0];
        assert_eq!(line["type"], "exitSurvey");
        let questions = line["survey"]["questions"].as_array().expect("questions");
        assert_eq!(questions.len(), 4, "{format}: {line}");
        assert_eq!(
            questions[0]["entries"][0]["displayValue"], "10",
            "{format}: {line}"
        );
        assert_eq!(questions[0]["entries"][0]["value"], "10 Extremely Likely");
        assert_eq!(questions[0]["mandatory"], true, "{format}: {line}");
    }
    // Billing has none; the link is there anyway (Q30): empty, or a 404 from a strict server.
    let billing = chatting(&emulator, "Billing", &[]);
    let out = ran(emulator.chatstart(&["exit-survey", &billing]));
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        out.stdout.trim(),
        "no exit survey: the service has none for this chat"
    );
    let strict = Emulator::start(&format!("no_exit_survey = \"404\"\n{VISITOR}"));
    let billing = chatting(&strict, "Billing", &[]);
    for format in ["json", "xml"] {
        let out = ran(strict.chatstart(&[
            "exit-survey",
            &billing,
            "--output",
            "json",
            "--format",
            format,
        ]));
        assert_eq!(out.code, 0, "{out:?}");
        assert_eq!(out.json_lines()[0]["survey"], Value::Null, "{out:?}");
    }
}

#[test]
fn exit_survey_answers_are_checked_first_then_submitted_as_value_texts() {
    let emulator = emulator();
    let uri = chatting(&emulator, "Sales", &[]);
    for (answers, says) in [
        (
            vec!["4991315=10"],
            "--answer 4991315=…: `10` is the shown text of `10 Extremely Likely`; the answer is the value: send 4991315=10 Extremely Likely",
        ),
        (
            vec!["4991315=11"],
            "--answer 4991315=…: `11` is not a choice",
        ),
        (vec!["4991318=Speed"], "--answer 4991315=…: "),
        (
            vec!["4991315=10 Extremely Likely", "999=x"],
            "--answer 999=…: no question 999",
        ),
        (
            vec!["4991315"],
            "--answer `4991315`: write QUESTION_ID=ANSWER",
        ),
    ] {
        let mut args = vec!["exit-survey", uri.as_str()];
        for answer in &answers {
            args.extend(["--answer", answer]);
        }
        let out = ran(emulator.chatstart(&args));
        assert_eq!(out.code, 2, "{answers:?}: {out:?}");
        assert!(out.stderr.contains(says), "{answers:?}: {out:?}");
    }
    assert_eq!(
        emulator.handle.count("POST", "/exitSurvey"),
        0,
        "nothing was sent"
    );
    // Ended first, as a visitor does: the survey comes after the end.
    assert_eq!(ran(emulator.chatstart(&["end", &uri])).code, 0);
    let out = ran(emulator.chatstart(&[
        "exit-survey",
        &uri,
        "--answer",
        "4991315=10 Extremely Likely",
        "--answer",
        "4991318=Speed",
        "--answer",
        "4991318=Knowledge",
        "--output",
        "json",
        "--format",
        "xml",
    ]));
    assert_eq!(out.code, 0, "{out:?}");
    let line = &out.json_lines()[0];
    assert_eq!(line["type"], "exitSurveySubmitted");
    assert_eq!(line["questions"], serde_json::json!(["4991315", "4991318"]));
    let submitted = emulator.handle.exit_surveys(&chat_id(&uri)).expect("chat");
    assert_eq!(submitted.len(), 1);
    assert_eq!(submitted[0].survey_id, 361_348);
    assert_eq!(submitted[0].answers[&4_991_315], ["10 Extremely Likely"]);
    assert_eq!(submitted[0].answers[&4_991_318], ["Speed", "Knowledge"]);
    let history = history_json(&emulator);
    let session = history
        .iter()
        .find(|h| h["uri"] == uri.as_str())
        .expect("chat");
    let action = &session["visitor"][0]["action"];
    assert_eq!(action["did"], "exit-survey");
    assert_eq!(action["survey_id"], "361348");
    assert!(
        !history.iter().any(|h| h.to_string().contains("Knowledge")),
        "no answer text kept"
    );
    let text = ran(emulator.bare(&["history"]));
    assert!(
        text.stdout
            .contains("exit survey 361348 submitted: 2 questions answered (4991315, 4991318)"),
        "{text:?}"
    );
    // No survey to answer: refused, nothing sent.
    let billing = chatting(&emulator, "Billing", &[]);
    let out = ran(emulator.chatstart(&["exit-survey", &billing, "--answer", "1=x"]));
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("no exit survey to answer"), "{out:?}");
    assert_eq!(emulator.handle.count("POST", "/exitSurvey"), 1);
}

#[test]
fn an_answer_to_a_question_the_logic_hides_is_refused_not_dropped_and_not_counted() {
    let emulator = emulator();
    let uri = chatting(&emulator, "Sales", &[]);
    assert_eq!(ran(emulator.chatstart(&["end", &uri])).code, 0);
    let exit_survey = |answers: &[&str], extra: &[&str]| {
        let mut args = vec!["exit-survey", uri.as_str()];
        for answer in answers {
            args.extend(["--answer", answer]);
        }
        args.extend_from_slice(extra);
        ran(emulator.chatstart(&args))
    };
    // "Yes" leaves 4991317 hidden: its answer would vanish from the body, so it is refused.
    let out = exit_survey(
        &[
            "4991315=10 Extremely Likely",
            "4991316=Yes",
            "4991317=hidden",
        ],
        &[],
    );
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .contains("--answer 4991317=…: question 4991317 is shown only when 4991316 is No"),
        "{out:?}"
    );
    assert_eq!(
        emulator.handle.count("POST", "/exitSurvey"),
        0,
        "nothing sent"
    );
    // What is sent is what is said, in text, JSON and the history.
    let out = exit_survey(
        &[
            "4991315=10 Extremely Likely",
            "4991316=Yes",
            "4991318=Speed",
        ],
        &["--output", "json"],
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        out.json_lines()[0]["questions"],
        serde_json::json!(["4991315", "4991316", "4991318"])
    );
    let out = exit_survey(
        &[
            "4991315=10 Extremely Likely",
            "4991316=No",
            "4991317=The price",
        ],
        &[],
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout
            .contains("3 questions answered (4991315, 4991316, 4991317)"),
        "{out:?}"
    );
    let submitted = emulator.handle.exit_surveys(&chat_id(&uri)).unwrap();
    assert_eq!(submitted.len(), 2);
    assert_eq!(submitted[1].answers[&4_991_317], ["The price"]);

    // The pre-chat survey's logic too: DOGS hides the cat's name.
    let pre_chat = Emulator::start(support::FAST);
    let out = ran(pre_chat.chatstart(&[
        "request",
        "--skill",
        "Slow",
        "--survey",
        "1001=DOGS",
        "--survey",
        "1002=Tom",
    ]));
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .contains("--survey 1002=…: question 1002 is shown only when 1001 is CATS"),
        "{out:?}"
    );
    assert_eq!(pre_chat.handle.count("POST", "/chat/request"), 0);
}

#[test]
fn an_exit_survey_is_not_submitted_while_the_chat_waits() {
    let emulator = emulator();
    let out = ran(emulator.chatstart(&["request", "--skill", "Slow"]));
    let waiting = out.stdout.trim().to_string();
    let out = ran(emulator.chatstart(&[
        "exit-survey",
        &waiting,
        "--answer",
        "4991315=10 Extremely Likely",
    ]));
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains(
            "the chat is still waiting for an agent, and the exit survey is for after the end; nothing was sent"
        ) && out.stderr.contains("hint: end it first with `chatstart end "),
        "{out:?}"
    );
    assert_eq!(emulator.handle.count("POST", "/exitSurvey"), 0);
    // Reading it is fine, and once ended it goes.
    assert_eq!(ran(emulator.chatstart(&["exit-survey", &waiting])).code, 0);
    assert_eq!(ran(emulator.chatstart(&["end", &waiting])).code, 0);
    let out = ran(emulator.chatstart(&[
        "exit-survey",
        &waiting,
        "--answer",
        "4991315=10 Extremely Likely",
    ]));
    assert_eq!(out.code, 0, "{out:?}");
}

#[test]
fn a_choice_given_twice_is_sent_once() {
    let emulator = emulator();
    let uri = chatting(&emulator, "Sales", &[]);
    assert_eq!(ran(emulator.chatstart(&["end", &uri])).code, 0);
    let out = ran(emulator.chatstart(&[
        "exit-survey",
        &uri,
        "--answer",
        "4991315=10 Extremely Likely",
        "--answer",
        "4991318=Speed",
        "--answer",
        "4991318=Knowledge",
        "--answer",
        "4991318=Speed",
    ]));
    assert_eq!(out.code, 0, "{out:?}");
    let submitted = emulator.handle.exit_surveys(&chat_id(&uri)).unwrap();
    assert_eq!(submitted[0].answers[&4_991_318], ["Speed", "Knowledge"]);
    let body = &puts(&emulator, "/exitSurvey")[0].body;
    assert_eq!(body.matches("Speed").count(), 1, "{body}");

    // The pre-chat survey's check-box too.
    let pre_chat = Emulator::start(support::FAST);
    let out = ran(pre_chat.chatstart(&[
        "request",
        "--skill",
        "Slow",
        "--survey",
        "1001=DOGS",
        "--survey",
        "1003=billing",
        "--survey",
        "1003=billing",
    ]));
    assert_eq!(out.code, 0, "{out:?}");
    let request = pre_chat
        .handle
        .requests()
        .into_iter()
        .find(|r| r.path.ends_with("/chat/request"))
        .expect("the chat request");
    assert_eq!(
        request.body.matches("billing").count(),
        1,
        "{}",
        request.body
    );
}

#[test]
fn the_offline_survey_is_printed_and_submitted_with_the_visitors_fields_inside() {
    let emulator = emulator();
    let out = ran(emulator.chatstart(&["offline-survey", "--skill", "Tech"]));
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout
            .starts_with("offline survey 361346: We're offline."),
        "{out:?}"
    );
    assert!(
        out.stdout
            .contains("--answer '4991311=visitor@example.com'"),
        "an e-mail question's example is an address: {out:?}"
    );
    for format in ["json", "xml"] {
        let out = ran(emulator.chatstart(&[
            "offline-survey",
            "--skill",
            "Tech",
            "--output",
            "json",
            "--format",
            format,
        ]));
        let line = &out.json_lines()[0];
        assert_eq!(line["type"], "offlineSurvey", "{out:?}");
        assert_eq!(
            line["survey"]["questions"][1]["validationType"], "email",
            "{format}"
        );
    }
    for (answers, says) in [
        (
            vec!["4991310=Zoë", "4991311=not-an-address"],
            "--answer 4991311=…: ",
        ),
        (vec!["4991310=Zoë"], "--answer 4991311=…: "),
    ] {
        let mut args = vec!["offline-survey", "--skill", "Tech"];
        for answer in &answers {
            args.extend(["--answer", answer]);
        }
        let out = ran(emulator.chatstart(&args));
        assert_eq!(out.code, 2, "{out:?}");
        assert!(out.stderr.contains(says), "{out:?}");
    }
    let out = ran(emulator.chatstart(&["offline-survey", "--skill", "Tech", "--survey", "1=x"]));
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("--survey belongs to a chat request"),
        "{out:?}"
    );
    assert!(
        emulator.handle.offline_surveys().is_empty(),
        "nothing was sent"
    );
    let out = ran(emulator.chatstart(&[
        "offline-survey",
        "--skill",
        "Tech",
        "--le-visitor-id",
        "V1",
        "--le-session-id",
        "S1",
        "--answer",
        "4991310=Zoë",
        "--answer",
        "4991311=zoe@example.com",
    ]));
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout
            .contains("offline survey 361346 submitted: 2 questions answered (4991310, 4991311)"),
        "{out:?}"
    );
    let submitted = emulator.handle.offline_surveys();
    assert_eq!(submitted.len(), 1);
    assert_eq!(submitted[0].answers[&4_991_311], ["zoe@example.com"]);
    let fields: Vec<(&str, &str)> = submitted[0]
        .fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    for field in [
        ("skill", "Tech"),
        ("LETagVisitorId", "V1"),
        ("LETagSessionId", "S1"),
    ] {
        assert!(fields.contains(&field), "{field:?} in {fields:?}");
    }
    let post = puts(&emulator, "/chat/offlineSurvey");
    let body: Value = serde_json::from_str(&post[0].body).expect("JSON body");
    assert_eq!(
        body["survey"]["LETagVisitorId"], "V1",
        "inside `survey` (Q34): {body}"
    );
    // The history keeps it apart from the chats, with no answer's text.
    let history = history_json(&emulator);
    let kept = of_type(&history, "historyOfflineSurvey");
    assert_eq!(kept.len(), 1, "{history:?}");
    assert_eq!(
        (&kept[0]["survey_id"], &kept[0]["skill"]),
        (&Value::from("361346"), &Value::from("Tech"))
    );
    assert!(
        !kept[0].to_string().contains("zoe@example.com"),
        "{history:?}"
    );
    let text = ran(emulator.bare(&["history"]));
    assert!(
        text.stdout
            .contains("offline survey 361346 submitted (account"),
        "{text:?}"
    );
    // None configured: said plainly.
    let none = Emulator::start(support::FAST);
    let out = ran(none.chatstart(&["offline-survey", "--skill", "Ghost"]));
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        out.stdout.trim(),
        "no offline survey for skill Ghost: the service has none"
    );
}

#[test]
fn an_offline_survey_for_an_available_skill_is_submitted_with_a_note() {
    let emulator = emulator();
    // Sales has an agent: a visitor would get a chat, not the offline form.
    let out = ran(emulator.chatstart(&[
        "offline-survey",
        "--skill",
        "Sales",
        "--answer",
        "4991310=Zoë",
        "--answer",
        "4991311=zoe@example.com",
    ]));
    assert_eq!(out.code, 0, "still allowed: {out:?}");
    assert!(
        out.stderr
            .contains("note: availability is true for skill Sales: an agent can take a chat now"),
        "{out:?}"
    );
    assert_eq!(emulator.handle.offline_surveys().len(), 1);
    let out = ran(emulator.chatstart(&[
        "offline-survey",
        "--skill",
        "Tech",
        "--answer",
        "4991310=Zoë",
        "--answer",
        "4991311=zoe@example.com",
        "--output",
        "json",
    ]));
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!out.stderr.contains("availability is true"), "{out:?}");
    assert_eq!(out.json_lines()[0]["available"], false, "{out:?}");
}

#[test]
fn the_readme_documents_the_visitors_json_lines() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let table: BTreeSet<&str> = readme
        .split("### JSON output")
        .nth(1)
        .expect("a JSON output section")
        .lines()
        .take_while(|line| !line.starts_with('#'))
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split('`').next())
        .collect();
    for kind in [
        "visitorName",
        "typing",
        "transcript",
        "exitSurvey",
        "exitSurveySubmitted",
        "offlineSurvey",
        "offlineSurveySubmitted",
        "historyOfflineSurvey",
    ] {
        assert!(table.contains(kind), "README's JSON table lacks `{kind}`");
    }
    for command in [
        "chatstart transcript",
        "chatstart exit-survey",
        "chatstart offline-survey",
        "--visitor-name",
    ] {
        assert!(readme.contains(command), "README lacks {command}");
    }
}

#[test]
fn the_readmes_visitor_name_example_says_what_the_demo_does() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let lines: Vec<&str> = readme.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("--visitor-name Zoë --wait chatting"))
        .expect("the example");
    let (request, watch) = (lines[at], lines[at + 1]);
    // The greeting comes after `chatting`, so the request's own output cannot show it: the
    // example says it where it shows, in the watch that follows.
    assert!(
        !request.contains("greet") && !request.contains("Hi Zoë"),
        "{request}"
    );
    assert!(
        watch.starts_with("chatstart watch URI") && watch.contains("Hi Zoë, I'm Natalie"),
        "{watch}"
    );
    let emulator = Emulator::start(include_str!("../../assets/scenario.toml"));
    let out = ran(emulator.chatstart(&[
        "request",
        "--skill",
        "Sales",
        "--visitor-name",
        "Zoë",
        "--wait",
        "chatting",
        "--timeout",
        "30",
    ]));
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!out.stdout.contains("Hi Zoë"), "{out:?}");
    let uri = out.stdout.lines().next().unwrap().to_string();
    let watched = ran(emulator.chatstart(&["watch", &uri, "--wait", "ended", "--timeout", "6"]));
    assert!(
        watched.stdout.contains("agent Natalie is typing…")
            && watched
                .stdout
                .contains("agent Natalie: Hi Zoë, I'm Natalie"),
        "{watched:?}"
    );
}

#[test]
fn a_profiles_visitor_name_is_set_unless_a_flag_gives_another_and_a_bad_one_is_refused() {
    let emulator = emulator();
    std::fs::create_dir_all(emulator.config_file().parent().unwrap()).unwrap();
    std::fs::write(
        emulator.config_file(),
        "[profiles.qa]\nvisitor_name = \"Pat\"\ntranscript_email = \"pat@example.com\"\n",
    )
    .unwrap();
    for (extra, expected) in [(&[][..], "Pat"), (&["--visitor-name", "Zoë"][..], "Zoë")] {
        let mut args = vec!["--profile", "qa", "request", "--skill", "Slow"];
        args.extend_from_slice(extra);
        let out = ran(emulator.chatstart(&args));
        assert_eq!(out.code, 0, "{out:?}");
        let names = puts(&emulator, "/info/visitorName");
        let last = names.last().expect("a name was set");
        assert!(last.body.contains(expected), "{expected}: {}", last.body);
    }
    assert_eq!(puts(&emulator, "/info/visitorName").len(), 2);
    std::fs::write(
        emulator.config_file(),
        "[profiles.qa]\nvisitor_name = \"  \"\n",
    )
    .unwrap();
    let out = ran(emulator.chatstart(&["--profile", "qa", "request", "--skill", "Slow"]));
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("visitor_name"), "{}", out.stderr);
    std::fs::write(
        emulator.config_file(),
        "[profiles.qa]\ntranscript_email = \"pat@\"\n",
    )
    .unwrap();
    let out = ran(emulator.chatstart(&["--profile", "qa", "request", "--skill", "Slow"]));
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("transcript_email"), "{}", out.stderr);
    assert_eq!(
        emulator.handle.count("POST", "/chat/request"),
        2,
        "nothing more sent"
    );
}
