//! The command line against the in-process emulator over real HTTP: every command, every exit
//! code, both formats, all three auth modes.

use serde_json::Value;

use crate::support::{self, Emulator, ran};

fn lines(text: &str) -> Vec<&str> {
    text.lines().collect()
}

fn chat_posts(emulator: &Emulator) -> usize {
    emulator.handle.count("POST", "/chat/request")
}

#[test]
fn request_waits_until_chatting_and_shows_the_greeting_as_text() {
    let emulator = Emulator::start(support::FAST);
    let out = ran(emulator.chatstart(&[
        "request",
        "--skill",
        "Sales",
        "--pre-chat-line",
        "hi",
        "--wait",
        "chatting",
        "--timeout",
        "30",
    ]));
    assert_eq!(out.code, 0, "{out:?}");
    let printed = lines(&out.stdout);
    assert!(
        printed[0].starts_with(&format!("{}/api/account/", emulator.base_url())),
        "{out:?}"
    );
    assert!(
        printed[0].contains("/chat/H"),
        "the URI is first and alone: {out:?}"
    );
    let waiting = printed
        .iter()
        .position(|l| *l == "state: waiting")
        .expect("waiting");
    let chatting = printed
        .iter()
        .position(|l| *l == "state: chatting (agent Natalie)")
        .expect("chatting");
    assert!(waiting < chatting, "{out:?}");
    assert!(
        printed.contains(&"pre-chat: hi"),
        "the pre-chat echo is labelled: {out:?}"
    );
    assert!(
        printed
            .last()
            .unwrap()
            .contains("agent Natalie: Hi, I'm Natalie & happy to help."),
        "the greeting that came with chatting is printed as plain text: {out:?}"
    );
    assert_eq!(chat_posts(&emulator), 1);
}

#[test]
fn request_in_xml_sends_and_reads_xml() {
    let emulator = Emulator::start(support::FAST);
    let out = ran(emulator.chatstart(&[
        "request",
        "--skill",
        "Sales",
        "--format",
        "xml",
        "--pre-chat-line",
        "a & b",
        "--wait",
        "chatting",
        "--timeout",
        "30",
    ]));
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.contains("state: chatting (agent Natalie)"),
        "{out:?}"
    );
    assert!(
        out.stdout
            .contains("agent Natalie: Hi, I'm Natalie & happy to help."),
        "{out:?}"
    );
    let post = emulator
        .handle
        .requests()
        .into_iter()
        .find(|r| r.method == "POST" && r.path.contains("/chat/request"))
        .expect("the chat POST");
    assert!(
        post.body.contains("<request>") && post.body.contains("<line>a &amp; b</line>"),
        "{}",
        post.body
    );
    let accepts_xml = |r: &chatstart::emulator::RecordedRequest| {
        r.headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("accept") && v.contains("xml"))
    };
    assert!(emulator.handle.requests().iter().all(accepts_xml));
}

#[test]
fn json_output_is_json_lines_with_types() {
    let emulator = Emulator::start(support::FAST);
    let out = ran(emulator.chatstart(&[
        "request",
        "--skill",
        "Sales",
        "--wait",
        "chatting",
        "--timeout",
        "30",
        "--output",
        "json",
    ]));
    assert_eq!(out.code, 0, "{out:?}");
    let objects: Vec<Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect(l))
        .collect();
    assert_eq!(objects[0]["type"], "session");
    assert!(objects[0]["uri"].as_str().unwrap().contains("/chat/"));
    let states: Vec<&str> = objects
        .iter()
        .filter(|o| o["type"] == "state")
        .map(|o| o["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["waiting", "chatting"]);
    let accepted = objects
        .iter()
        .find(|o| o["type"] == "line" && o["systemMessageId"] == 3)
        .expect("system message 3");
    assert_eq!(accepted["source"], "system");
    let greeting = objects
        .iter()
        .find(|o| o["source"] == "agent")
        .expect("greeting");
    assert_eq!(greeting["by"], "Natalie");
    assert_eq!(greeting["text"], "Hi, I'm Natalie & happy to help.");
}

#[test]
fn auth_flow_creates_exactly_one_chat_in_every_response_mode() {
    for (mode, chat_requests) in [("seed", 1), ("legacy", 1), ("chat", 0)] {
        let emulator = Emulator::fast_with(&format!("auth_response = \"{mode}\""));
        let out = ran(emulator.chatstart(&[
            "auth",
            "--sso-key",
            "good-key",
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
            "--wait",
            "chatting",
            "--timeout",
            "30",
            "--output",
            "json",
        ]));
        assert_eq!(out.code, 0, "{mode}: {out:?}");
        let objects: Vec<Value> = out
            .stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(objects[0]["type"], "auth", "{mode}: auth comes first");
        assert_eq!(objects[1]["type"], "session", "{mode}");
        assert!(
            objects.iter().any(|o| o["state"] == "chatting"),
            "{mode}: {out:?}"
        );
        assert_eq!(emulator.handle.count("POST", "/conversation"), 1, "{mode}");
        assert_eq!(
            chat_posts(&emulator),
            chat_requests,
            "{mode}: exactly one chat"
        );
        assert!(
            !out.stdout.contains("good-key") && !out.stderr.contains("good-key"),
            "{mode}: SSO key leaked"
        );
    }
}

#[test]
fn auth_with_a_refused_sso_key_exits_3_with_the_hint() {
    let emulator = Emulator::start(support::FAST);
    let out = ran(emulator.chatstart(&[
        "auth",
        "--sso-key",
        "bad",
        "--auth-conn-id",
        "1",
        "--engagement-id",
        "2",
        "--le-visitor-id",
        "V",
        "--le-session-id",
        "S",
        "--le-context-id",
        "2",
    ]));
    assert_eq!(out.code, 3, "{out:?}");
    assert!(out.stderr.contains("HTTP 401"), "{out:?}");
    assert!(out.stderr.contains("SSO key was refused"), "{out:?}");
    assert_eq!(chat_posts(&emulator), 0);
}

#[test]
fn refused_app_key_header_exits_3_and_the_query_form_works() {
    let emulator = Emulator::fast_with("refuse_app_key_header = true");
    let refused = ran(emulator.chatstart(&["request", "--skill", "Sales"]));
    assert_eq!(refused.code, 3, "{refused:?}");
    assert!(
        refused.stderr.contains("consumer_key_rejected"),
        "{refused:?}"
    );
    assert!(refused.stderr.contains("--app-key-in query"), "{refused:?}");
    let accepted =
        ran(emulator.chatstart(&["request", "--skill", "Sales", "--app-key-in", "query"]));
    assert_eq!(accepted.code, 0, "{accepted:?}");
    let key = emulator.app_key();
    for text in [
        &refused.stdout,
        &refused.stderr,
        &accepted.stdout,
        &accepted.stderr,
    ] {
        assert!(!text.contains(&key), "appKey leaked: {text}");
    }
}

#[test]
fn captcha_accounts_are_explained() {
    let emulator = Emulator::fast_with("captcha = true");
    let out = ran(emulator.chatstart(&["request", "--skill", "Sales"]));
    assert_eq!(out.code, 3, "{out:?}");
    assert!(
        out.stderr.contains("Bad captcha (internalCode 10)"),
        "{out:?}"
    );
    assert!(out.stderr.contains("Unified_window_captcha"), "{out:?}");
}

#[test]
fn bad_input_exits_2_and_sends_nothing() {
    let emulator = Emulator::start(support::FAST);
    let cases: &[(&[&str], &str)] = &[
        (&["request", "--max-wait-time", "86401"], "--max-wait-time"),
        (&["request", "--max-wait-time", "soon"], "--max-wait-time"),
        (&["request", "--visitor-ip", "300.1.1.1"], "--visitor-ip"),
        (&["request", "--visitor-id", "abc"], "--visitor-id"),
        (&["request", "--engagement-id", "12x"], "--engagement-id"),
        (&["request", "--campaign-id", "x"], "--campaign-id"),
        (&["request", "--le-context-id", "two"], "--le-context-id"),
        (&["request", "--language", "english please"], "--language"),
        (
            &["request", "--interaction-timeout", "0"],
            "--interaction-timeout",
        ),
        (&["request", "--survey", "no-equals-sign"], "--survey"),
        (
            &["request", "--poll-interval", "0", "--wait", "chatting"],
            "--poll-interval",
        ),
        (&["auth", "--skill", "Sales"], "--sso-key"),
        (
            &[
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
                "2",
                "--redirect-uri",
                "/relative",
            ],
            "--redirect-uri",
        ),
        (&["request", "--account", "abc"], "--account"),
        (&["send", "not a uri", "hi"], "not a chat-session URI"),
    ];
    for (args, named) in cases {
        let out = ran(emulator.chatstart(args));
        assert_eq!(out.code, 2, "{args:?}: {out:?}");
        assert!(
            out.stderr.contains(named),
            "{args:?} should name {named}: {out:?}"
        );
    }
    assert!(
        emulator.handle.requests().is_empty(),
        "nothing may be sent: {:?}",
        emulator.handle.requests()
    );

    let mut no_key = emulator.chatstart(&["request"]);
    no_key.env_remove("CHATSTART_APP_KEY");
    let out = ran(no_key);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("CHATSTART_APP_KEY"), "{out:?}");
}

#[test]
fn survey_answers_are_validated_against_the_fetched_survey() {
    let emulator = Emulator::start(support::FAST);
    let bad = ran(emulator.chatstart(&["request", "--skill", "Sales", "--survey", "1001=FISH"]));
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(
        bad.stderr.contains("FISH") && bad.stderr.contains("CATS"),
        "{bad:?}"
    );
    // Choosing CATS reveals the mandatory follow-up question.
    let missing =
        ran(emulator.chatstart(&["request", "--skill", "Sales", "--survey", "1001=CATS"]));
    assert_eq!(missing.code, 2, "{missing:?}");
    assert!(missing.stderr.contains("Your cat's name?"), "{missing:?}");
    assert_eq!(chat_posts(&emulator), 0, "invalid answers send no chat");

    let good = ran(emulator.chatstart(&[
        "request",
        "--skill",
        "Sales",
        "--survey",
        "1001=CATS",
        "--survey",
        "1002=Tom",
        "--survey",
        "1003=billing",
        "--survey",
        "1003=shipping",
    ]));
    assert_eq!(good.code, 0, "{good:?}");
    let post = emulator
        .handle
        .requests()
        .into_iter()
        .find(|r| r.method == "POST" && r.path.contains("/chat/request"))
        .unwrap();
    let body: Value = serde_json::from_str(&post.body).unwrap();
    assert_eq!(
        body["request"]["survey"],
        serde_json::json!({"id": 40216, "question": [
            {"id": 1001, "answer": "CATS"}, {"id": 1002, "answer": "Tom"},
            {"id": 1003, "answer": ["billing", "shipping"]}]})
    );
}

#[test]
fn a_chat_that_ends_before_the_awaited_state_exits_5() {
    let emulator = Emulator::start(support::FAST);
    let out = ran(emulator.chatstart(&[
        "request",
        "--skill",
        "Ghost",
        "--max-wait-time",
        "1",
        "--wait",
        "chatting",
        "--timeout",
        "30",
        "--poll-interval",
        "0.2",
    ]));
    assert_eq!(out.code, 5, "{out:?}");
    assert!(out.stdout.contains("state: ended"), "{out:?}");
    assert!(
        out.stdout.lines().any(|l| l.starts_with("system: ")),
        "the busy message: {out:?}"
    );
    assert!(
        out.stderr.contains("ended before reaching state chatting"),
        "{out:?}"
    );
}

#[test]
fn a_wait_that_times_out_exits_5_and_says_how_to_follow() {
    let emulator = Emulator::start(support::FAST);
    let out = ran(emulator.chatstart(&[
        "request",
        "--skill",
        "Slow",
        "--wait",
        "chatting",
        "--timeout",
        "1",
        "--poll-interval",
        "0.2",
    ]));
    assert_eq!(out.code, 5, "{out:?}");
    assert!(
        out.stderr
            .contains("timed out after 1 s waiting for state chatting; the chat is waiting"),
        "{out:?}"
    );
    assert!(out.stderr.contains("chatstart watch http"), "{out:?}");
}

#[test]
fn send_watch_and_end_follow_one_chat() {
    let emulator = Emulator::start(support::FAST);
    let created = ran(emulator.chatstart(&["request", "--skill", "Slow"]));
    assert_eq!(created.code, 0, "{created:?}");
    let uri = created.stdout.lines().next().unwrap().to_string();

    let early = ran(emulator.chatstart(&["send", &uri, "hello?"]));
    assert_eq!(early.code, 3, "a line while waiting is refused: {early:?}");
    assert!(
        early
            .stderr
            .contains("Cannot add line while not in chat (internalCode 5)"),
        "{early:?}"
    );
    assert!(
        early.stderr.contains("once an agent has accepted"),
        "{early:?}"
    );

    let ended = ran(emulator.chatstart(&["end", &uri]));
    assert_eq!(ended.code, 0, "{ended:?}");
    assert!(ended.stderr.contains("ended "), "{ended:?}");
    // Ending it again sends nothing: the service shows it ended (and may refuse a second end).
    let again = ran(emulator.chatstart(&["end", &uri, "--output", "json"]));
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stderr.contains("already ended"), "{again:?}");
    let said: Value = serde_json::from_str(again.stdout.trim()).expect("one JSON line");
    assert_eq!(said["ending"], "alreadyEnded", "{said}");
    assert_eq!(emulator.handle.end_posts(), 1, "one end sent");
    let watched = ran(emulator.chatstart(&["watch", &uri, "--poll-interval", "0.2"]));
    assert_eq!(
        watched.code, 0,
        "watch exits 0 when the chat ends: {watched:?}"
    );
    assert_eq!(
        watched.stdout.lines().last(),
        Some("state: ended"),
        "{watched:?}"
    );
    assert!(watched.stdout.starts_with("state: waiting"), "{watched:?}");
}

#[test]
fn send_reaches_the_agent_once_chatting() {
    let emulator = Emulator::start(support::FAST);
    let created = ran(emulator.chatstart(&[
        "request",
        "--skill",
        "Sales",
        "--wait",
        "chatting",
        "--timeout",
        "30",
    ]));
    let uri = created.stdout.lines().next().unwrap().to_string();
    let sent = ran(emulator.chatstart(&["send", &uri, "<b>literal</b>", "--output", "json"]));
    assert_eq!(sent.code, 0, "{sent:?}");
    let said: Value = serde_json::from_str(sent.stdout.trim()).expect("one JSON line");
    assert_eq!(
        (said["type"].as_str(), said["uri"].as_str()),
        (Some("sent"), Some(uri.as_str()))
    );
    // Follow the chat until the agent's answer shows, then end it: the watch then exits 0
    // with the whole transcript, however long the machine took to get there.
    let mut watch =
        emulator.chatstart(&["watch", &uri, "--wait", "ended", "--poll-interval", "0.2"]);
    let mut child = support::KillOnDrop(
        watch
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("watch starts"),
    );
    let stdout = child.0.stdout.take().expect("stdout");
    let (lines, printed) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let _ = lines.send(line);
        }
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let mut watched = Vec::new();
    while !watched.iter().any(|l: &String| l.contains("line two")) {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match printed.recv_timeout(left) {
            Ok(line) => watched.push(line),
            Err(_) => panic!("the agent's answer never showed: {watched:#?}"),
        }
    }
    assert_eq!(ran(emulator.chatstart(&["end", &uri])).code, 0);
    let status = child.0.wait().expect("watch ends");
    reader.join().expect("reader");
    watched.extend(printed.try_iter());
    let watched = watched.join("\n");
    assert!(
        watched.contains("visitor You: <b>literal</b>"),
        "HTML sent as text: {watched}"
    );
    assert!(
        watched.contains("agent Natalie: Got it: line one\n    line two"),
        "{watched}"
    );
    assert_eq!(
        status.code(),
        Some(0),
        "watch exits 0 once the chat ends: {watched}"
    );
}

#[test]
fn survey_and_availability_print_what_the_service_says() {
    let emulator = Emulator::start(support::FAST);
    let survey = ran(emulator.chatstart(&["survey"]));
    assert_eq!(survey.code, 0, "{survey:?}");
    assert!(
        survey
            .stdout
            .contains("1001  Which team do you need?  [Dropdown Box, mandatory]"),
        "{survey:?}"
    );
    assert!(survey.stdout.contains("- CATS  (shows 1002)"), "{survey:?}");
    assert!(
        survey
            .stdout
            .contains("[Text Field, mandatory, shown by logic]"),
        "{survey:?}"
    );

    let json = ran(emulator.chatstart(&["survey", "--output", "json"]));
    let parsed: Value = serde_json::from_str(json.stdout.trim()).unwrap();
    assert_eq!(parsed["survey"]["questions"][2]["type"], "Checkbox");

    let available = ran(emulator.chatstart(&["availability", "--skill", "Sales"]));
    assert_eq!(available.code, 0, "{available:?}");
    assert_eq!(
        available.stdout, "available: yes\navailable slots: 3\nestimated wait: about 30 s\n",
        "{available:?}"
    );
    let sales = ran(emulator.chatstart(&["availability", "--skill", "Sales", "--output", "json"]));
    let parsed: Value = serde_json::from_str(sales.stdout.trim()).unwrap();
    assert_eq!(
        (&parsed["availableSlots"], &parsed["slotsUnlimited"]),
        (&Value::from(3), &Value::from(false)),
        "{parsed}"
    );
    let ghost = ran(emulator.chatstart(&["availability", "--skill", "Ghost", "--output", "json"]));
    let parsed: Value = serde_json::from_str(ghost.stdout.trim()).unwrap();
    assert_eq!(parsed["available"], false);
}

#[test]
fn the_domain_is_discovered_through_csds() {
    let emulator = Emulator::start(support::FAST);
    let mut command = emulator.bare(&[
        "availability",
        "--account",
        emulator.handle.account(),
        "--csds-url",
    ]);
    command
        .arg(emulator.handle.csds_url())
        .args(["--skill", "Sales"])
        .env("CHATSTART_APP_KEY", emulator.app_key());
    let out = ran(command);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.starts_with("available: yes"), "{out:?}");
    assert!(
        emulator.handle.count("GET", "baseURI") == 1,
        "{:?}",
        emulator.handle.requests()
    );
}

#[test]
fn network_failures_exit_4() {
    // Port 1 (tcpmux) is never served on a test machine: the connection is refused at once,
    // where a port freed by another test could be taken again before the command runs.
    let home = tempfile::tempdir().expect("home");
    let mut command = support::in_home(
        home.path(),
        &[
            "request",
            "--skill",
            "Sales",
            "--account",
            "123",
            "--app-key",
            "k",
        ],
    );
    command.args(["--base-url", "http://127.0.0.1:1"]);
    let out = ran(command);
    assert_eq!(out.code, 4, "{out:?}");
    assert!(
        out.stderr
            .contains("chat request failed: could not connect"),
        "{out:?}"
    );
}

#[test]
fn wrong_app_key_is_refused_with_exit_3() {
    let emulator = Emulator::start(support::FAST);
    let mut command = emulator.chatstart(&["request", "--skill", "Sales"]);
    command.env("CHATSTART_APP_KEY", "wrong-key");
    let out = ran(command);
    assert_eq!(out.code, 3, "{out:?}");
    assert!(out.stderr.contains("HTTP 401"), "{out:?}");
    assert!(!out.stderr.contains("wrong-key"), "{out:?}");
}

#[test]
fn the_emulator_command_serves_and_prints_how_to_reach_it() {
    use std::io::{BufRead, BufReader};
    let home = tempfile::tempdir().expect("home");
    let mut child = support::KillOnDrop(
        support::in_home(home.path(), &["emulator", "--port", "0"])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut banner = Vec::new();
    let mut reader = BufReader::new(child.0.stdout.take().unwrap());
    while banner.len() < 4 {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 {
            break;
        }
        banner.push(line);
    }
    let text = banner.concat();
    let base = text
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no base URL in {text}"))
        .to_string();
    assert!(
        text.contains("account: 12345678") && text.contains("appKey:"),
        "{text}"
    );
    let mut command = support::in_home(
        home.path(),
        &[
            "request",
            "--skill",
            "Sales",
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
        out.stdout
            .starts_with(&format!("{base}/api/account/12345678/chat/")),
        "{out:?}"
    );
}

#[test]
fn escape_sequences_from_the_server_never_reach_the_terminal_as_such() {
    // An agent (or a server) whose lines carry a title change, a colour and an OSC 52 write
    // of the clipboard.
    let emulator = Emulator::start(
        r#"
[[skills]]
name = "Sales"
id = 1
agent_name = "Mallory\u001b[31m"
accept_after_ms = 100
greeting = "\u001b]0;PWNED\u0007Hi \u001b]52;c;ZXZpbA==\u0007there"
"#,
    );
    let out = ran(emulator.chatstart(&[
        "request",
        "--skill",
        "Sales",
        "--wait",
        "chatting",
        "--timeout",
        "30",
    ]));
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!out.stdout.contains('\u{1b}'), "{out:?}");
    assert!(!out.stdout.contains('\u{7}'), "{out:?}");
    assert!(
        out.stdout.contains(r"\u{1b}]0;PWNED\u{7}Hi"),
        "shown escaped, so the engineer sees what was sent: {out:?}"
    );
    // JSON Lines keep the text exactly, escaped the JSON way.
    let out = ran(emulator.chatstart(&[
        "request",
        "--skill",
        "Sales",
        "--wait",
        "chatting",
        "--timeout",
        "30",
        "--output",
        "json",
    ]));
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!out.stdout.contains('\u{1b}'), "{out:?}");
    let greeting: Value = out
        .stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find(|o| o["type"] == "line" && o["source"] == "agent")
        .expect("the greeting");
    assert!(
        greeting["text"]
            .as_str()
            .is_some_and(|t| t.starts_with("\u{1b}]0;PWNED")),
        "{greeting}"
    );
}

#[test]
fn info_prints_the_chats_information_from_its_info_link() {
    let emulator = Emulator::start(support::FAST);
    let created = ran(emulator.chatstart(&[
        "request",
        "--skill",
        "Sales",
        "--wait",
        "chatting",
        "--timeout",
        "30",
    ]));
    assert_eq!(created.code, 0, "{created:?}");
    let uri = created.stdout.lines().next().unwrap().to_string();
    let info = ran(emulator.chatstart(&["info", &uri]));
    assert_eq!(info.code, 0, "{info:?}");
    let printed = lines(&info.stdout);
    assert!(printed.contains(&"state: chatting"), "{info:?}");
    assert!(printed.contains(&"agentName: Natalie"), "{info:?}");
    assert!(
        printed.iter().any(|l| l.starts_with("chatTimeout: ")),
        "{info:?}"
    );
    assert!(
        emulator
            .handle
            .requests()
            .iter()
            .any(|r| r.method == "GET" && r.path.ends_with("/info")),
        "read through the info resource (§2.13)"
    );
    let json = ran(emulator.chatstart(&["info", &uri, "--output", "json"]));
    let parsed: Value = serde_json::from_str(json.stdout.trim()).expect("one JSON line");
    assert_eq!(
        (&parsed["type"], &parsed["state"], &parsed["agentName"]),
        (
            &Value::from("info"),
            &Value::from("chatting"),
            &Value::from("Natalie")
        ),
        "{parsed}"
    );
    let unknown = ran(emulator.chatstart(&["info", &format!("{uri}x")]));
    assert_eq!(unknown.code, 3, "{unknown:?}");
}
