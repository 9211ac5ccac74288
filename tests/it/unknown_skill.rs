//! A skill the service does not know: the emulator answers as the service does (the chat waits,
//! its info says `skillId` 0), and chatstart says so — in the CLI's text and JSON output and in
//! a check's verdict — instead of looking like a queue with no agent online.

use serde_json::Value;

use crate::support::{self, Emulator, ran};

#[test]
fn the_emulator_gives_an_unknown_skill_id_0_and_a_known_one_its_own() {
    let emulator = Emulator::start("[[skills]]\nname = \"Sales\"\nagent_name = \"N\"\n");
    for (skill, expected) in [("Salse", "0"), ("Sales", "1")] {
        let out = ran(emulator.chatstart(&["request", "--skill", skill]));
        assert_eq!(out.code, 0, "{out:?}");
        let info = ran(emulator.chatstart(&["info", out.stdout.trim(), "--output", "json"]));
        let info: Value = serde_json::from_str(info.stdout.trim()).unwrap();
        assert_eq!(info["skillId"], expected, "{skill}: {info}");
    }
}

#[test]
fn the_cli_says_the_skill_is_not_recognised_in_text_and_json() {
    let emulator = Emulator::start(support::FAST);
    let wait = [
        "--wait",
        "chatting",
        "--timeout",
        "2",
        "--poll-interval",
        "0.1",
    ];
    let mut args = vec!["request", "--skill", "Salse"];
    args.extend(wait);
    let text = ran(emulator.chatstart(&args));
    assert_eq!(text.code, 5, "{text:?}");
    assert!(
        text.stdout
            .contains("warning: skill `Salse` not recognised by the service (check its spelling)"),
        "{text:?}"
    );
    assert!(
        text.stderr.contains("why: skill `Salse` not recognised"),
        "the timeout says why: {text:?}"
    );
    args.extend(["--output", "json"]);
    let json = ran(emulator.chatstart(&args));
    let warning = json
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|l| l["type"] == "warning")
        .unwrap_or_else(|| panic!("no warning: {json:?}"));
    assert_eq!(warning["warning"], "skillNotRecognised");
    assert_eq!(warning["skill"], "Salse");
    let known = ran(emulator.chatstart(&[
        "request",
        "--skill",
        "Slow",
        "--wait",
        "chatting",
        "--timeout",
        "1",
    ]));
    assert_eq!(known.code, 5, "{known:?}");
    assert!(!known.stdout.contains("not recognised"), "{known:?}");
}

#[test]
fn a_check_case_fails_at_once_saying_the_skill_is_not_recognised() {
    let emulator = Emulator::start(support::FAST);
    let file = emulator.home.path().join("checks.toml");
    std::fs::write(
        &file,
        "[defaults]\npoll_interval = 0.1\n\n[[case]]\nname = \"typo\"\n[case.request]\nskill = \"Salse\"\n[case.expect]\naccepted_within = 600\nskill = \"Sales\"\n",
    )
    .unwrap();
    let out = ran(emulator.chatstart(&["check", file.to_str().unwrap(), "--output", "json"]));
    assert_eq!(out.code, 1, "an expectation failed: {out:?}");
    let case: Value = serde_json::from_str(out.stdout.lines().next().unwrap()).unwrap();
    let failure = case["case"]["failure"].as_str().unwrap_or_default();
    assert!(
        failure.starts_with("skill `Salse` not recognised by the service (check its spelling)"),
        "{out:?}"
    );
    assert_eq!(case["case"]["left_open"], false);
    assert_eq!(emulator.handle.end_posts(), 1, "its chat was ended");
}
