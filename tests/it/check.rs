//! `chatstart check` against the emulator's scripted agents: every expectation kind passing and
//! failing, JUnit output parsed back, repeat and concurrency, leaving chats open.

use quick_xml::events::Event;
use serde_json::Value;

use crate::support::{self, Emulator, Running, ran};

fn write(emulator: &Emulator, text: &str) -> String {
    let path = emulator.home.path().join("checks.toml");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

const PASSING: &str = r#"
[defaults]
poll_interval = 0.1
step_timeout = 60

[[case]]
name = "everything passes"
[case.request]
skill = "Sales"
[case.expect]
available = true
accepted_within = 60
skill = "Sales"
agent = "^Nat"
[[case.step]]
expect = "happy to help"
[[case.step]]
send = "hello"
[[case.step]]
regex = "line (one|two)"
[[case.step]]
send = "again"
[[case.step]]
exact = "Got it: line one\nline two"

[[case]]
name = "rerouted by a routing rule"
[case.request]
skill = "Router"
[case.expect]
skill = "Sales"
agent = "Natalie"

[[case]]
name = "skill by id"
[case.request]
skill = "Sales"
[case.expect]
skill = "1"
[[case.step]]
any = ["nope", "happy"]
"#;

#[test]
fn every_expectation_kind_passes_against_the_scripted_agent() {
    let emulator = Emulator::start(support::FAST);
    let file = write(&emulator, PASSING);
    let out = ran(emulator.chatstart(&["check", &file, "--output", "json"]));
    assert_eq!(out.code, 0, "{out:?}");
    let lines: Vec<Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let cases: Vec<&Value> = lines
        .iter()
        .filter(|l| l["type"] == "case")
        .map(|l| &l["case"])
        .collect();
    assert_eq!(cases.len(), 3);
    assert!(cases.iter().all(|c| c["passed"] == true), "{out:?}");
    let full = cases
        .iter()
        .find(|c| c["name"] == "everything passes")
        .unwrap();
    assert!(full["time_to_accept_ms"].as_u64().unwrap() >= 250, "{full}");
    assert_eq!(full["agent_lines"][0], "Hi, I'm Natalie & happy to help.");
    let visitor_lines = emulator
        .handle
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.body.contains("\"line\""))
        .count();
    assert_eq!(visitor_lines, 2, "both send steps were sent");
    let ends = emulator
        .handle
        .requests()
        .into_iter()
        .filter(|r| r.body.contains("\"ended\""))
        .count();
    assert_eq!(ends, 3, "each case ends its chat");
}

const FAILING: &str = r#"
[defaults]
poll_interval = 0.1
# Long enough for the greeting to arrive on a loaded machine: the failing step must name it.
step_timeout = 10

[[case]]
name = "availability"
[case.request]
skill = "Ghost"
[case.expect]
available = true

[[case]]
name = "accept in time"
[case.request]
skill = "Slow"
[case.expect]
accepted_within = 0.5

[[case]]
name = "routing"
[case.request]
skill = "Sales"
[case.expect]
skill = "Billing"

[[case]]
name = "agent name"
[case.request]
skill = "Sales"
[case.expect]
agent = "^Omar$"

[[case]]
name = "agent line"
[case.request]
skill = "Sales"
[[case.step]]
expect = "invoice"

[[case]]
name = "ends first"
[case.request]
skill = "Ghost"
max_wait_time = "1"
[case.expect]
accepted_within = 20
"#;

#[test]
fn each_failed_expectation_says_what_arrived_instead() {
    let emulator = Emulator::start(support::FAST);
    let file = write(&emulator, FAILING);
    let report = emulator.home.path().join("junit.xml");
    let out = ran(emulator.chatstart(&[
        "check",
        &file,
        "--concurrency",
        "6",
        "--report",
        "junit",
        &report.display().to_string(),
    ]));
    assert_eq!(out.code, 1, "{out:?}");
    let reason = |name: &str| {
        let at = out
            .stdout
            .find(&format!("FAIL  {name}"))
            .unwrap_or_else(|| panic!("no FAIL for {name}: {out:?}"));
        out.stdout[at..].lines().nth(1).unwrap().trim().to_string()
    };
    assert!(reason("availability").contains(
        "expected the skill available before the request; the service says it is unavailable"
    ));
    assert!(
        reason("accept in time")
            .contains("expected an agent to accept within 0.5 s; the chat is still waiting")
    );
    assert!(
        reason("routing").contains("expected the chat routed to skill Billing; info says Sales")
    );
    assert!(
        reason("agent name").contains("expected an agent matching /^Omar$/; the agent is Natalie")
    );
    assert!(
        reason("agent line").contains("step 1: expected a line containing “invoice” within 10 s; arrived instead: “Hi, I'm Natalie & happy to help.”"),
        "{}",
        reason("agent line")
    );
    assert!(
        reason("ends first").contains("expected an agent to accept; the chat ended"),
        "{}",
        reason("ends first")
    );
    assert!(
        out.stdout.contains("0 of 6 cases passed · 6 failed"),
        "{out:?}"
    );

    let xml = std::fs::read_to_string(&report).unwrap();
    let parsed = chatstart::xmljson::xml_to_value(&xml).expect("the JUnit report is XML");
    let suite = &parsed["testsuites"]["testsuite"];
    assert_eq!(suite["@tests"], "6");
    assert_eq!(suite["@failures"], "6");
    let cases = suite["testcase"].as_array().unwrap();
    assert_eq!(cases.len(), 6);
    let routing = cases.iter().find(|c| c["@name"] == "routing").unwrap();
    assert!(
        routing["failure"]["@message"]
            .as_str()
            .unwrap()
            .contains("info says Sales")
    );
    assert_eq!(
        emulator.handle.count("POST", "/chat/request"),
        5,
        "the availability case sends no chat"
    );
}

#[test]
fn repeat_and_concurrency_run_each_case_n_times() {
    let emulator = Emulator::start(support::FAST);
    let file = write(
        &emulator,
        "[defaults]\npoll_interval = 0.1\n[[case]]\nname = \"r\"\n[case.request]\nskill = \"Sales\"\n[case.expect]\naccepted_within = 60\n",
    );
    let out = ran(emulator.chatstart(&["check", &file, "--repeat", "4", "--concurrency", "4"]));
    assert_eq!(out.code, 0, "{out:?}");
    for n in 1..=4 {
        assert!(out.stdout.contains(&format!("PASS  r #{n}")), "{out:?}");
    }
    assert_eq!(emulator.handle.count("POST", "/chat/request"), 4);
}

#[test]
fn leave_open_keeps_the_chats_and_records_them() {
    let emulator = Emulator::start(support::FAST);
    let file = write(
        &emulator,
        "[defaults]\npoll_interval = 0.1\n[[case]]\nname = \"open\"\n[case.request]\nskill = \"Sales\"\n",
    );
    let out = ran(emulator.chatstart(&["check", &file, "--leave-open"]));
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("left open: http"), "{out:?}");
    assert_eq!(
        emulator
            .handle
            .requests()
            .iter()
            .filter(|r| r.body.contains("\"ended\""))
            .count(),
        0
    );
    let open = ran(emulator.bare(&["history", "--open"]));
    assert!(open.stdout.contains("chatting"), "{open:?}");
}

#[test]
fn api_errors_keep_their_exit_codes_and_explanations() {
    let emulator = Emulator::fast_with("captcha = true");
    let file = write(
        &emulator,
        "[[case]]\nname = \"captcha\"\n[case.request]\nskill = \"Sales\"\n",
    );
    let out = ran(emulator.chatstart(&["check", &file]));
    assert_eq!(out.code, 3, "{out:?}");
    assert!(out.stdout.contains("ERROR captcha"), "{out:?}");
    assert!(
        out.stdout.contains("Bad captcha") && out.stdout.contains("Unified_window_captcha"),
        "{out:?}"
    );
    let bad = write(
        &emulator,
        "[[case]]\nname = \"x\"\n[[case.step]]\nexpect = \"a\"\nsend = \"b\"\n",
    );
    let usage = ran(emulator.chatstart(&["check", &bad]));
    assert_eq!(usage.code, 2, "{usage:?}");
    assert!(usage.stderr.contains("case `x`, step 1"), "{usage:?}");
}

/// One `testcase` of a JUnit report, read with quick-xml itself (not the crate's own XML
/// mapping, which wrote the report).
#[derive(Debug, Default)]
struct JunitCase {
    name: String,
    /// `failure` or `error`, its `message` attribute and its text.
    verdict: Option<(String, String, String)>,
}

fn attribute(start: &quick_xml::events::BytesStart<'_>, wanted: &str) -> String {
    start
        .attributes()
        .map(|a| a.expect("a well-formed attribute"))
        .find(|a| a.key.as_ref() == wanted)
        .map(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .expect("an attribute value")
                .into_owned()
        })
        .unwrap_or_default()
}

fn junit_cases(xml: &str) -> Vec<JunitCase> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut cases: Vec<JunitCase> = Vec::new();
    let mut in_verdict = false;
    loop {
        let event = reader.read_event().expect("the JUnit report is XML");
        let name = match &event {
            Event::Start(start) | Event::Empty(start) => start.local_name().as_ref().to_string(),
            _ => String::new(),
        };
        match event {
            Event::Start(start) | Event::Empty(start) if name == "testcase" => {
                cases.push(JunitCase {
                    name: attribute(&start, "name"),
                    verdict: None,
                });
            }
            Event::Start(ref start) | Event::Empty(ref start)
                if name == "failure" || name == "error" =>
            {
                in_verdict = matches!(event, Event::Start(_));
                let case = cases.last_mut().expect("a verdict inside a testcase");
                case.verdict = Some((name.clone(), attribute(start, "message"), String::new()));
            }
            Event::Text(text) if in_verdict => {
                if let Some((_, _, body)) = cases.last_mut().and_then(|c| c.verdict.as_mut()) {
                    body.push_str(&text.xml10_content());
                }
            }
            Event::GeneralRef(reference) if in_verdict => {
                let name = reference.xml10_content();
                let resolved = quick_xml::escape::resolve_xml_entity(&name)
                    .map(str::to_string)
                    .or_else(|| {
                        let code = name.strip_prefix("#x").map_or_else(
                            || name.strip_prefix('#')?.parse().ok(),
                            |hex| u32::from_str_radix(hex, 16).ok(),
                        )?;
                        char::from_u32(code).map(String::from)
                    })
                    .expect("a known entity");
                if let Some((_, _, body)) = cases.last_mut().and_then(|c| c.verdict.as_mut()) {
                    body.push_str(&resolved);
                }
            }
            Event::End(end) if matches!(end.local_name().as_ref(), "failure" | "error") => {
                in_verdict = false;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    cases
}

fn order_case(name: &str, skill: &str) -> String {
    format!(
        "[[case]]\nname = \"{name}\"\n[case.request]\nskill = \"{skill}\"\npre_chat_lines = [\"case {name}\"]\n[case.expect]\naccepted_within = 60\n"
    )
}

#[test]
fn cases_start_and_report_in_file_order_each_repeat_together() {
    let emulator = Emulator::start(support::FAST);
    let file = write(
        &emulator,
        &format!(
            "[defaults]\npoll_interval = 0.1\n{}{}{}",
            order_case("one", "Sales"),
            order_case("two", "Router"),
            order_case("three", "Sales")
        ),
    );
    let report = emulator.home.path().join("order.xml");
    let out = ran(emulator.chatstart(&[
        "check",
        &file,
        "--repeat",
        "2",
        "--report",
        "junit",
        &report.display().to_string(),
    ]));
    assert_eq!(out.code, 0, "{out:?}");
    let wanted = ["one", "one", "two", "two", "three", "three"];
    let requested: Vec<String> = emulator
        .handle
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/chat/request"))
        .map(|r| {
            wanted
                .iter()
                .find(|name| r.body.contains(&format!("case {name}")))
                .map_or_else(|| r.body.clone(), |name| (*name).to_string())
        })
        .collect();
    assert_eq!(requested, wanted, "chat requests in file order: {out:?}");
    let printed: Vec<&str> = out
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("PASS  "))
        .map(|l| l.split("  (").next().unwrap())
        .collect();
    assert_eq!(
        printed,
        [
            "one #1", "one #2", "two #1", "two #2", "three #1", "three #2"
        ],
        "{out:?}"
    );
    let names: Vec<String> = junit_cases(&std::fs::read_to_string(&report).unwrap())
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, printed);
}

#[test]
fn concurrent_cases_report_in_file_order_whatever_finishes_first() {
    // `later` is accepted after 1.5 s, `sooner` after 0.3 s: with both running at once, the
    // second case's verdict comes first.
    let emulator = Emulator::start(&format!(
        "{}\n[[skills]]\nname = \"Later\"\nid = 9\navailable = true\nagent_name = \"Lea\"\naccept_after_ms = 1500\n",
        support::FAST
    ));
    let file = write(
        &emulator,
        &format!(
            "[defaults]\npoll_interval = 0.1\n{}{}",
            order_case("later", "Later"),
            order_case("sooner", "Sales")
        ),
    );
    let report = emulator.home.path().join("concurrent.xml");
    let json = ran(emulator.chatstart(&[
        "check",
        &file,
        "--concurrency",
        "2",
        "--output",
        "json",
        "--report",
        "junit",
        &report.display().to_string(),
    ]));
    assert_eq!(json.code, 0, "{json:?}");
    let kinds_and_names: Vec<(String, String)> = json
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .map(|v| {
            (
                v["type"].as_str().unwrap().to_string(),
                v["case"]["name"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        kinds_and_names,
        [
            ("case".into(), "later".into()),
            ("case".into(), "sooner".into()),
            ("summary".into(), String::new())
        ],
        "{json:?}"
    );
    let names: Vec<String> = junit_cases(&std::fs::read_to_string(&report).unwrap())
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["later", "sooner"]);

    let text = ran(emulator.chatstart(&["check", &file, "--concurrency", "2"]));
    assert_eq!(text.code, 0, "{text:?}");
    assert!(
        text.stdout
            .contains("in file order:\n  PASS  later\n  PASS  sooner\n2 of 2 cases passed"),
        "{text:?}"
    );
}

#[test]
fn expecting_the_skill_unavailable_passes_without_a_chat() {
    let emulator = Emulator::start(support::FAST);
    let file = write(
        &emulator,
        "[defaults]\npoll_interval = 0.1\n[[case]]\nname = \"ghost is closed\"\n[case.request]\nskill = \"Ghost\"\n[case.expect]\navailable = false\n",
    );
    let out = ran(emulator.chatstart(&["check", &file, "--output", "json"]));
    assert_eq!(out.code, 0, "{out:?}");
    let case: Value = serde_json::from_str(out.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(case["case"]["passed"], true, "{out:?}");
    assert!(case["case"].get("uri").is_none(), "{out:?}");
    assert_eq!(emulator.handle.count("GET", "/chat/availability"), 1);
    assert_eq!(
        emulator.handle.count("POST", "/chat/request"),
        0,
        "no chat is put in a queue no agent serves"
    );
    let open = ran(emulator.bare(&["history", "--open"]));
    assert!(open.stdout.starts_with("no open sessions"), "{open:?}");
}

const NOT_ACCEPTED: &str = r#"
[defaults]
poll_interval = 0.1

[[case]]
name = "still waiting"
[case.request]
skill = "Slow"
[case.expect]
not_accepted_within = 0.5

[[case]]
name = "ended unaccepted"
[case.request]
skill = "Ghost"
max_wait_time = "1"
[case.expect]
available = false
not_accepted_within = 20

[[case]]
name = "accepted anyway"
[case.request]
skill = "Sales"
[case.expect]
not_accepted_within = 60

[[case]]
name = "unavailable, requested anyway"
[case.request]
skill = "Ghost"
max_wait_time = "1"
[case.expect]
available = false
request_anyway = true
accepted_within = 20
"#;

#[test]
fn not_accepted_within_requests_the_chat_and_passes_while_no_agent_takes_it() {
    let emulator = Emulator::start(support::FAST);
    let file = write(&emulator, NOT_ACCEPTED);
    let out = ran(emulator.chatstart(&["check", &file, "--concurrency", "4"]));
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stdout.contains("PASS  still waiting"), "{out:?}");
    assert!(out.stdout.contains("PASS  ended unaccepted"), "{out:?}");
    let reason = |name: &str| {
        let at = out
            .stdout
            .find(&format!("FAIL  {name}"))
            .unwrap_or_else(|| panic!("no FAIL for {name}: {out:?}"));
        out.stdout[at..].lines().nth(1).unwrap().trim().to_string()
    };
    assert!(
        reason("accepted anyway")
            .starts_with("expected no agent to accept within 60 s; Natalie accepted after"),
        "{out:?}"
    );
    assert!(
        reason("unavailable, requested anyway")
            .contains("expected an agent to accept; the chat ended"),
        "{out:?}"
    );
    assert_eq!(emulator.handle.count("POST", "/chat/request"), 4);
    let open = ran(emulator.bare(&["history", "--open"]));
    assert!(
        open.stdout.starts_with("no open sessions"),
        "every chat ended: {open:?}"
    );
}

/// A Sales case whose chat the service forgets after its first poll: every later GET of the
/// chat session answers 404 "Chat session not found".
fn losing_emulator() -> Emulator {
    let emulator = Emulator::start(support::FAST);
    emulator.handle.set_faults(vec![
        chatstart::emulator::FaultSpec::parse("404@session,skip=1").unwrap(),
    ]);
    emulator
}

const LOST: &str = "[defaults]\npoll_interval = 0.1\n[[case]]\nname = \"lost\"\n[case.request]\nskill = \"Sales\"\n[case.expect]\naccepted_within = 20\n";

#[test]
fn a_lost_session_is_an_explained_error_and_a_gone_chat_is_not_left_open() {
    let emulator = losing_emulator();
    let file = write(&emulator, LOST);
    let out = ran(emulator.chatstart(&["check", &file]));
    assert_eq!(
        out.code, 3,
        "an error of the service, not a failed expectation: {out:?}"
    );
    assert!(out.stdout.contains("ERROR lost"), "{out:?}");
    assert!(
        out.stdout.contains("lost the session: chat session failed: HTTP 404: Chat session not found (internalCode 12)")
            && out.stdout.contains("\n      why: the chat has ended")
            && out.stdout.contains("\n      next: if it ended, nothing is left to clean up"),
        "{out:?}"
    );
    assert!(
        !out.stdout.contains("left open"),
        "the chat no longer exists: {out:?}"
    );
    assert!(out.stdout.contains("0 failed · 1 error ·"), "{out:?}");
    assert!(
        !emulator
            .handle
            .requests()
            .iter()
            .any(|r| r.body.contains("\"ended\"")),
        "a chat that is gone is not ended again"
    );
    let open = ran(emulator.bare(&["history", "--open"]));
    assert!(open.stdout.starts_with("no open sessions"), "{open:?}");

    // The machine-readable forms carry the explanation in fields of its own.
    let emulator = losing_emulator();
    let file = write(&emulator, LOST);
    let report = emulator.home.path().join("lost.xml");
    let out = ran(emulator.chatstart(&[
        "check",
        &file,
        "--output",
        "json",
        "--report",
        "junit",
        &report.display().to_string(),
    ]));
    assert_eq!(out.code, 3, "{out:?}");
    let case: Value = serde_json::from_str(out.stdout.lines().next().unwrap()).unwrap();
    let case = &case["case"];
    let error = case["error"].as_str().unwrap();
    assert!(
        error.ends_with("Chat session not found (internalCode 12)") && !error.contains("why"),
        "{case}"
    );
    assert!(
        case["why"]
            .as_str()
            .unwrap()
            .starts_with("the chat has ended"),
        "{case}"
    );
    assert!(
        case["next"]
            .as_str()
            .unwrap()
            .starts_with("if it ended, nothing is left to clean up"),
        "{case}"
    );
    assert_eq!(case["left_open"], false, "{case}");
    let cases = junit_cases(&std::fs::read_to_string(&report).unwrap());
    let Some((kind, message, text)) = &cases[0].verdict else {
        panic!("no verdict: {cases:?}");
    };
    assert_eq!(kind, "error");
    assert_eq!(message, error);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines.len() == 2
            && lines[0].starts_with("why: the chat has ended")
            && lines[1].starts_with("next: if it ended, nothing is left to clean up"),
        "{text:?}"
    );
}

#[test]
fn a_case_naming_an_unknown_profile_is_named_with_its_file() {
    let emulator = Emulator::start(support::FAST);
    let config = emulator.config_file();
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(&config, "[profiles.staging]\naccount = \"12345678\"\n").unwrap();
    let file = write(
        &emulator,
        "[[case]]\nname = \"fine\"\n[[case]]\nname = \"typo\"\nprofile = \"nope\"\n",
    );
    let out = ran(emulator.chatstart(&["check", &file]));
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains(&format!(
            "check file {file}, case `typo`: no profile `nope`"
        )),
        "{out:?}"
    );
    assert!(emulator.handle.requests().is_empty(), "nothing sent");
}

const SLOW_THEN_SALES: &str = r#"
[defaults]
poll_interval = 0.1

[[case]]
name = "slow queue"
[case.request]
skill = "Slow"
[case.expect]
accepted_within = 60

[[case]]
name = "never started"
[case.request]
skill = "Sales"
"#;

#[test]
fn an_interrupted_check_run_starts_no_new_case_ends_its_chat_and_counts_it_as_interrupted() {
    use std::time::Duration;
    for signal in ["-INT", "-TERM", "-HUP"] {
        let emulator = Emulator::start(support::FAST);
        let file = write(&emulator, SLOW_THEN_SALES);
        let mut running = Running::spawn(
            emulator.chatstart(&["check", &file, "--output", "json"]),
            Duration::from_secs(20),
        );
        // The first case's chat waits in the slow queue (its agent accepts after a minute).
        running.wait_until("the first case's chat", || {
            emulator.handle.count("GET", "/chat/H") > 0
        });
        running.signal(signal);
        let (code, stdout, stderr) = running.finish();
        assert_eq!(code, Some(130), "{signal}: {stdout}{stderr}");
        let lines: Vec<Value> = stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let cases: Vec<&Value> = lines
            .iter()
            .filter(|l| l["type"] == "case")
            .map(|l| &l["case"])
            .collect();
        assert_eq!(cases.len(), 2, "every case has its line: {stdout}");
        assert!(
            cases
                .iter()
                .all(|c| c["interrupted"] == true && c["passed"] == false),
            "{stdout}"
        );
        assert_eq!(cases[0]["left_open"], false, "{stdout}");
        assert!(
            cases[1]["error"]
                .as_str()
                .is_some_and(|e| e.contains("nothing was sent")),
            "{stdout}"
        );
        let summary = &lines.last().unwrap()["summary"];
        assert_eq!(
            [
                &summary["interrupted"],
                &summary["failed"],
                &summary["errors"]
            ],
            [2, 0, 0].map(Value::from).each_ref(),
            "interrupted, not failed: {summary}"
        );
        assert_eq!(emulator.handle.count("POST", "/chat/request"), 1);
        assert_eq!(
            emulator.handle.end_posts(),
            1,
            "{signal}: no chat left open"
        );
    }
}

#[test]
fn every_chat_a_check_requests_goes_to_the_history_first() {
    let emulator = Emulator::start(support::FAST);
    let file = write(
        &emulator,
        "[[case]]\nname = \"lost\"\n[case.request]\nskill = \"Sales\"\n",
    );
    // The chat is made, its answer lost: a chat may exist, and the history says so.
    emulator.handle.set_faults(vec![
        chatstart::emulator::FaultSpec::parse("drop@request").unwrap(),
    ]);
    let out = ran(emulator.chatstart(&["check", &file]));
    assert_eq!(out.code, 4, "{out:?}");
    let history = ran(emulator.bare(&["history", "--output", "json"]));
    let entries: Vec<Value> = history
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(entries.len(), 1, "{history:?}");
    assert_eq!(
        (&entries[0]["uri"], &entries[0]["state"]),
        (&Value::from(""), &Value::from("unknown"))
    );

    // A history that cannot be written: nothing is sent.
    emulator.handle.set_faults(Vec::new());
    let blocked = emulator.home.path().join("blocked");
    std::fs::write(&blocked, "").unwrap();
    let mut command = emulator.chatstart(&["check", &file]);
    command.env("CHATSTART_DATA_DIR", blocked.join("data"));
    let out = ran(command);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("CHATSTART_DATA_DIR"), "{out:?}");
    assert_eq!(emulator.handle.count("POST", "/chat/request"), 1);
}
