//! Check cases for the visitor's whole chat against the emulator: the shipped example passing on
//! the demo scenario, and each outcome — the name, the transcript, the exit survey present or
//! absent and answered, the offline survey — failing where it should, in the verdict line, the
//! JSON line and the JUnit report.

use serde_json::Value;

use crate::support::{self, Emulator, Ran, ran};
use crate::visitor_cli::VISITOR;

fn write(emulator: &Emulator, name: &str, text: &str) -> String {
    let path = emulator.home.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn cases(out: &Ran) -> Vec<Value> {
    out.stdout
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .filter(|line| line["type"] == "case")
        .map(|line| line["case"].clone())
        .collect()
}

fn chat_id(uri: &Value) -> String {
    uri.as_str()
        .expect("uri")
        .rsplit('/')
        .next()
        .expect("segment")
        .to_string()
}

#[test]
fn the_shipped_visitor_example_passes_against_the_demo_emulator() {
    let emulator = Emulator::start(include_str!("../../assets/scenario.toml"));
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/check.visitor.toml");
    let report = emulator.home.path().join("results.xml");
    let out = ran(emulator.chatstart(&[
        "check",
        file,
        "--concurrency",
        "3",
        "--output",
        "json",
        "--report",
        "junit",
        report.to_str().unwrap(),
    ]));
    assert_eq!(out.code, 0, "{out:?}");
    let cases = cases(&out);
    assert_eq!(cases.len(), 3, "{out:?}");
    assert!(cases.iter().all(|c| c["passed"] == true), "{out:?}");
    let sales = &cases[0];
    assert_eq!(sales["visitor_name"], "QA Zoë");
    assert_eq!(
        sales["transcript"]["link"],
        "transcript-with-subject-request"
    );
    assert_eq!(sales["exit_survey"]["survey_id"], "361348");
    assert_eq!(sales["exit_survey"]["submitted"], true);
    assert_eq!(cases[1]["exit_survey"]["survey_id"], Value::Null);
    assert_eq!(cases[2]["offline_survey"]["submitted"], true);
    assert!(
        cases[2].get("uri").is_none(),
        "no chat requested after hours"
    );
    // What the service got.
    let id = chat_id(&sales["uri"]);
    let surveys = emulator.handle.exit_surveys(&id).expect("the chat");
    assert_eq!(surveys.len(), 1);
    assert_eq!(surveys[0].answers[&4_991_318], ["Speed", "Knowledge"]);
    let transcripts = emulator.handle.transcript_requests(&id).unwrap();
    assert_eq!(transcripts[0].subject.as_deref(), Some("chatstart check"));
    let offline = emulator.handle.offline_surveys();
    assert_eq!(offline.len(), 1);
    assert!(
        offline[0]
            .fields
            .contains(&("LETagVisitorId".into(), "QA-VISITOR-1".into())),
        "{offline:?}"
    );
    // The JUnit report says it too.
    let xml = std::fs::read_to_string(&report).unwrap();
    for said in [
        "visitor name set: QA Zoë",
        "transcript to qa@example.com via transcript-with-subject-request",
        "exit survey 361348 submitted (questions 4991315, 4991316, 4991318)",
        "no exit survey",
        "offline survey 361346 submitted (questions 4991310, 4991311, 4991312)",
    ] {
        assert!(xml.contains(said), "{said}: {xml}");
    }
    // And the history keeps what the visitor did.
    let history = ran(emulator.bare(&["history"]));
    for said in [
        "visitor name set: QA Zoë",
        "exit survey 361348 submitted",
        "offline survey 361346 submitted",
    ] {
        assert!(history.stdout.contains(said), "{said}: {history:?}");
    }
}

#[test]
fn each_visitor_outcome_fails_the_case_when_it_is_not_what_was_expected() {
    let emulator = Emulator::start(VISITOR);
    let file = write(
        &emulator,
        "checks.toml",
        r#"
[defaults]
poll_interval = 0.1

[[case]]
name = "billing promised an exit survey"
[case.request]
skill = "Billing"
[case.expect]
exit_survey = true

[[case]]
name = "sales promised none"
[case.request]
skill = "Sales"
[case.expect]
exit_survey = false

[[case]]
name = "an answer that is no choice"
[case.request]
skill = "Sales"
[case.exit_survey]
4991315 = "11"

[[case]]
name = "answered and told"
visitor_name = "Zoë"
transcript_email = "qa@example.com"
[case.request]
skill = "Sales"
[[case.step]]
expect = "Hi Zoë"
[case.exit_survey]
4991315 = "0 Not at all Likely"
"#,
    );
    let report = emulator.home.path().join("results.xml");
    let out = ran(emulator.chatstart(&[
        "check",
        &file,
        "--output",
        "json",
        "--report",
        "junit",
        report.to_str().unwrap(),
    ]));
    assert_eq!(out.code, 1, "{out:?}");
    let cases = cases(&out);
    let failure = |index: usize| cases[index]["failure"].as_str().unwrap_or_default();
    assert_eq!(
        failure(0),
        "expected an exit survey after the end; the service has none for this chat"
    );
    assert_eq!(cases[0]["exit_survey"]["survey_id"], Value::Null);
    assert!(
        failure(1)
            .starts_with("expected no exit survey after the end; the service offers survey 361348"),
        "{}",
        failure(1)
    );
    // A bad answer is found against the survey fetched: an error of the case, nothing sent.
    assert_eq!(cases[2]["passed"], false);
    let error = cases[2]["error"].as_str().unwrap_or_default();
    assert!(error.contains("`11` is not a choice"), "{error}");
    assert!(
        emulator
            .handle
            .exit_surveys(&chat_id(&cases[2]["uri"]))
            .unwrap()
            .is_empty(),
        "nothing submitted"
    );
    assert_eq!(cases[3]["passed"], true, "{out:?}");
    assert_eq!(cases[3]["visitor_name"], "Zoë");
    assert_eq!(cases[3]["transcript"]["link"], "transcript-request");
    // Every key docs/checks.md lists is in the line, false ones included.
    assert_eq!(cases[3]["transcript"]["subject_dropped"], false, "{out:?}");
    assert_eq!(
        cases[3]["exit_survey"]["questions"],
        serde_json::json!(["4991315"])
    );
    let id = chat_id(&cases[3]["uri"]);
    assert_eq!(
        emulator.handle.exit_surveys(&id).unwrap()[0].answers[&4_991_315],
        ["0 Not at all Likely"]
    );
    assert_eq!(
        emulator.handle.transcript_requests(&id).unwrap()[0].email,
        "qa@example.com"
    );
    // Every chat ended: the exit survey comes after the end, and the rest are ended as usual.
    for case in &cases {
        assert_eq!(case["left_open"], false, "{case}");
    }
    let xml = std::fs::read_to_string(&report).unwrap();
    assert!(
        xml.contains(
            r#"message="expected an exit survey after the end; the service has none for this chat""#
        ),
        "{xml}"
    );
    // For people, the line says it under the verdict.
    let text =
        ran(emulator.chatstart(&["check", &file, "--case", "billing promised an exit survey"]));
    assert_eq!(text.code, 1, "{text:?}");
    assert!(
        text.stdout
            .contains("FAIL  billing promised an exit survey")
            && text.stdout.contains("\n      no exit survey"),
        "{text:?}"
    );
}

#[test]
fn a_refused_name_or_a_missing_offline_survey_fails_the_case() {
    let emulator = Emulator::start(VISITOR);
    emulator
        .handle
        .set_faults(support::faults(&["500@visitor-name", "500@transcript"]));
    let file = write(
        &emulator,
        "checks.toml",
        r#"
[defaults]
poll_interval = 0.1

[[case]]
name = "named"
visitor_name = "Zoë"
[case.request]
skill = "Sales"

[[case]]
name = "transcript"
transcript_email = "qa@example.com"
[case.request]
skill = "Sales"

[[case]]
name = "after hours"
[case.request]
skill = "Tech"
[case.expect]
available = false
[case.offline_survey]
4991310 = "QA"
4991311 = "not-an-address"
"#,
    );
    let out = ran(emulator.chatstart(&["check", &file, "--output", "json"]));
    let cases = cases(&out);
    let failure = cases[0]["failure"].as_str().unwrap_or_default();
    assert!(
        failure.starts_with("expected the visitor's name set to “Zoë”; the service refused:"),
        "{out:?}"
    );
    // A refused transcript is the service's error, explained like any other.
    assert_eq!(cases[1]["passed"], false);
    assert!(
        cases[1]["error"]
            .as_str()
            .unwrap_or_default()
            .contains("500"),
        "{out:?}"
    );
    // An offline-survey answer that does not fit is refused before it is sent.
    assert!(
        cases[2]["error"]
            .as_str()
            .unwrap_or_default()
            .contains("4991311"),
        "{out:?}"
    );
    assert!(emulator.handle.offline_surveys().is_empty());
    assert_ne!(out.code, 0, "{out:?}");

    // A service without an offline survey.
    let none = Emulator::start(support::FAST);
    let file = write(
        &none,
        "checks.toml",
        "[[case]]\nname = \"ghost\"\n[case.request]\nskill = \"Ghost\"\n\
         [case.expect]\navailable = false\n[case.offline_survey]\n1 = \"x\"\n",
    );
    let out = ran(none.chatstart(&["check", &file, "--output", "json"]));
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(
        self::cases(&out)[0]["failure"],
        "expected an offline survey to submit; the service has none for skill Ghost"
    );
    assert_eq!(
        none.handle.count("POST", "/chat/request"),
        0,
        "no chat requested"
    );
}

#[test]
fn visitor_keys_that_cannot_work_are_refused_before_anything_is_sent() {
    let emulator = Emulator::start(VISITOR);
    for (case, says) in [
        (
            "transcript_email = \"nope\"\n",
            "transcript_email: `nope` is not an e-mail address",
        ),
        (
            "transcript_email = \"zoë@example.com\"\n",
            "transcript_email: `zoë@example.com` is not an e-mail address (`ë` is not ASCII",
        ),
        (
            "[case.expect]\navailable = false\n[case.exit_survey]\n1 = \"x\"\n",
            "so exit_survey would never be checked",
        ),
        (
            "end = false\n[case.expect]\nexit_survey = true\n",
            "cannot go with end = false",
        ),
        (
            "[case.offline_survey]\n1 = \"x\"\n",
            "goes only with expect.available = false",
        ),
        ("[case.exit_surveys]\n1 = \"x\"\n", "exit_surveys"),
        (
            "[case.exit_survey]\nabc = \"x\"\n",
            "exit_survey.abc: `abc` is not a question id",
        ),
        (
            &format!(
                "transcript_email = \"a@b.cc\"\ntranscript_subject = \"{}\"\n",
                "s".repeat(201)
            ),
            "transcript_subject: a subject is at most 200 characters",
        ),
    ] {
        let file = write(
            &emulator,
            "bad.toml",
            &format!("[[case]]\nname = \"a\"\n{case}"),
        );
        let out = ran(emulator.chatstart(&["check", &file]));
        assert_eq!(out.code, 2, "{case}: {out:?}");
        assert!(out.stderr.contains(says), "{case}: {out:?}");
    }
    assert!(emulator.handle.requests().is_empty(), "nothing was sent");
}

#[test]
fn an_answer_to_a_question_the_logic_hides_is_the_cases_error_named_by_its_table() {
    let emulator = Emulator::start(VISITOR);
    let file = write(
        &emulator,
        "checks.toml",
        r#"
[defaults]
poll_interval = 0.1

[[case]]
name = "hidden follow-up"
[case.request]
skill = "Sales"
[case.exit_survey]
4991315 = "10 Extremely Likely"
4991316 = "Yes"
4991317 = "hidden one"

[[case]]
name = "bad choice"
[case.request]
skill = "Sales"
[case.exit_survey]
4991315 = "11"
"#,
    );
    let out = ran(emulator.chatstart(&["check", &file, "--output", "json"]));
    assert_eq!(out.code, 1, "{out:?}");
    let cases = cases(&out);
    let error = |index: usize| cases[index]["error"].as_str().unwrap_or_default();
    assert!(
        error(0).starts_with(
            "invalid input: exit_survey.4991317: question 4991317 is shown only when 4991316 is No"
        ),
        "{}",
        error(0)
    );
    // Named by the file's table, not the pre-chat survey's.
    assert!(
        error(1).starts_with("invalid input: exit_survey.4991315: `11` is not a choice"),
        "{}",
        error(1)
    );
    for case in &cases {
        assert_eq!(case["exit_survey"]["submitted"], false, "{case}");
        assert!(
            emulator
                .handle
                .exit_surveys(&chat_id(&case["uri"]))
                .unwrap()
                .is_empty(),
            "nothing submitted"
        );
    }

    // The pre-chat survey's logic too, before any chat is requested.
    let pre_chat = Emulator::start(support::FAST);
    let file = write(
        &pre_chat,
        "checks.toml",
        "[[case]]\nname = \"dogs\"\n[case.request]\nskill = \"Slow\"\n\
         [case.request.survey]\n1001 = \"DOGS\"\n1002 = \"Tom\"\n",
    );
    let out = ran(pre_chat.chatstart(&["check", &file, "--output", "json"]));
    assert_eq!(out.code, 2, "nothing was sent: {out:?}");
    assert!(
        self::cases(&out)[0]["error"]
            .as_str()
            .unwrap_or_default()
            .starts_with(
                "invalid input: request.survey.1002: question 1002 is shown only when 1001 is CATS"
            ),
        "{out:?}"
    );
    assert_eq!(pre_chat.handle.count("POST", "/chat/request"), 0);
}

#[test]
fn a_transcript_or_survey_whose_answer_was_lost_is_said_and_kept_as_unknown() {
    let emulator = Emulator::start(VISITOR);
    // The service acts on each request, then the connection drops before its answer.
    emulator.handle.set_faults(support::faults(&[
        "drop@transcript",
        "drop@exit-survey,skip=1,count=1",
    ]));
    let file = write(
        &emulator,
        "checks.toml",
        r#"
[defaults]
poll_interval = 0.1

[[case]]
name = "transcript"
transcript_email = "qa@example.com"
[case.request]
skill = "Sales"

[[case]]
name = "exit survey"
[case.request]
skill = "Sales"
[case.exit_survey]
4991315 = "10 Extremely Likely"
"#,
    );
    let out = ran(emulator.chatstart(&["check", &file, "--output", "json"]));
    assert_eq!(out.code, 4, "{out:?}");
    let cases = cases(&out);
    assert_eq!(cases[0]["transcript"]["outcome"], "unknown", "{out:?}");
    assert!(
        cases[0]["why"]
            .as_str()
            .is_some_and(|why| why.contains("it may have been taken")),
        "{out:?}"
    );
    assert_eq!(cases[1]["exit_survey"]["outcome"], "unknown", "{out:?}");
    assert_eq!(cases[1]["exit_survey"]["submitted"], false);
    assert_eq!(
        cases[1]["exit_survey"]["questions"],
        serde_json::json!(["4991315"])
    );
    // Calls count on over the emulator's life: the second run's submit is the fourth call.
    emulator.handle.set_faults(support::faults(&[
        "drop@transcript",
        "drop@exit-survey,skip=3,count=1",
    ]));
    let text = ran(emulator.chatstart(&["check", &file]));
    assert!(
        text.stdout.contains(
            "transcript to qa@example.com via transcript-request: may have been requested (no answer came)"
        ) && text.stdout.contains(
            "exit survey 361348 may have been submitted (no answer came; question 4991315)"
        ),
        "{text:?}"
    );
    let history = ran(emulator.bare(&["history"]));
    assert!(
        history
            .stdout
            .contains("transcript may have been asked for: qa@example.com")
            && history
                .stdout
                .contains("exit survey 361348 may have been submitted"),
        "{history:?}"
    );
}

#[test]
fn a_choice_listed_twice_in_a_check_file_is_sent_once() {
    let emulator = Emulator::start(VISITOR);
    let file = write(
        &emulator,
        "checks.toml",
        r#"
[defaults]
poll_interval = 0.1

[[case]]
name = "twice"
[case.request]
skill = "Sales"
[case.exit_survey]
4991315 = "10 Extremely Likely"
4991318 = ["Speed", "Knowledge", "Speed"]
"#,
    );
    let out = ran(emulator.chatstart(&["check", &file, "--output", "json"]));
    assert_eq!(out.code, 0, "{out:?}");
    let cases = cases(&out);
    let submitted = emulator
        .handle
        .exit_surveys(&chat_id(&cases[0]["uri"]))
        .unwrap();
    assert_eq!(submitted[0].answers[&4_991_318], ["Speed", "Knowledge"]);
}
