//! `--output json` through the real binary: every command prints only JSON lines, each with a
//! `type` the README documents, and a failure is an `error` line too.

use std::collections::BTreeSet;

use base64::Engine;
use serde_json::Value;

use crate::support::{self, Emulator, Ran, ran};

/// The JSON lines of a command's stdout; every line must be one, with a string `type`.
fn json_lines(out: &Ran) -> Vec<Value> {
    out.stdout
        .lines()
        .map(|line| {
            let value: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}\n{out:?}"));
            assert!(value["type"].is_string(), "no type: {line}\n{out:?}");
            value
        })
        .collect()
}

fn types(lines: &[Value]) -> Vec<String> {
    lines
        .iter()
        .map(|l| l["type"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The types the README's JSON table lists.
fn documented_types() -> BTreeSet<String> {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let table = readme
        .split("### JSON output")
        .nth(1)
        .expect("a JSON output section");
    table
        .lines()
        .take_while(|line| !line.starts_with('#'))
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split('`').next())
        .map(str::to_string)
        .collect()
}

#[test]
fn every_command_prints_typed_json_lines_the_readme_documents() {
    let emulator = Emulator::start(support::FAST);
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut run = |args: &[&str], expected_code: i32| -> Vec<Value> {
        let mut all = args.to_vec();
        all.extend(["--output", "json"]);
        let out = ran(emulator.chatstart(&all));
        assert_eq!(out.code, expected_code, "{args:?}: {out:?}");
        let lines = json_lines(&out);
        seen.extend(types(&lines));
        lines
    };

    let made = run(
        &[
            "request",
            "--skill",
            "Sales",
            "--wait",
            "chatting",
            "--timeout",
            "30",
        ],
        0,
    );
    assert_eq!(types(&made)[0], "session");
    let uri = made[0]["uri"].as_str().expect("uri").to_string();
    assert_eq!(types(&run(&["info", &uri], 0)), ["info"]);
    assert_eq!(types(&run(&["send", &uri, "hello"], 0)), ["sent"]);
    assert!(types(&run(&["watch", &uri, "--wait", "chatting"], 0)).contains(&"state".into()));
    assert_eq!(types(&run(&["end", &uri], 0)), ["end"]);
    run(&["request", "--skill", "Slow"], 0);
    let cleanup = run(&["end", "--all-open", "--yes"], 0);
    assert_eq!(types(&cleanup), ["end", "cleanup"], "{cleanup:?}");
    assert_eq!(cleanup[1]["ended"], 1);
    let nothing = run(&["end", "--all-open", "--yes"], 0);
    assert_eq!(types(&nothing), ["cleanup"], "nothing open is said too");
    let out = ran(emulator.bare(&["history", "--output", "json"]));
    let history = json_lines(&out);
    assert!(
        history.len() >= 2 && types(&history).iter().all(|t| t == "history"),
        "{out:?}"
    );
    assert_eq!(types(&run(&["survey"], 0)), ["survey"]);
    assert_eq!(
        types(&run(&["availability", "--skill", "Sales"], 0)),
        ["availability"]
    );
    let burst = run(
        &["burst", "--skill", "Sales", "--count", "2", "--end-after"],
        0,
    );
    assert_eq!(types(&burst), ["chat", "chat", "summary"]);
    let check = emulator.home.path().join("checks.toml");
    std::fs::write(
        &check,
        "[defaults]\npoll_interval = 0.1\n[[case]]\nname = \"sales\"\n[case.request]\nskill = \"Sales\"\n",
    )
    .unwrap();
    assert_eq!(
        types(&run(&["check", check.to_str().unwrap()], 0)),
        ["case", "summary"]
    );
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let key = format!(
        "{}.{}.c2ln",
        engine.encode(r#"{"alg":"RS256"}"#),
        engine.encode(r#"{"sub":"visitor-1","exp":4102444800}"#)
    );
    assert_eq!(
        types(&run(&["auth", "--inspect", "--sso-key", &key], 0)),
        ["inspection"]
    );

    seen.extend(types(&history));
    let config = emulator.config_file();
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(&config, "[profiles.qa]\ndomain = \"va.example\"\n").unwrap();
    let out = ran(emulator.bare(&["profiles", "--output", "json"]));
    let profiles = json_lines(&out);
    assert_eq!(types(&profiles), ["profile"], "{out:?}");
    assert_eq!(profiles[0]["name"], "qa");
    seen.extend(types(&profiles));

    let documented = documented_types();
    let undocumented: Vec<&String> = seen.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "README's JSON table lacks {undocumented:?} (it has {documented:?})"
    );
}

#[test]
fn a_failure_is_an_error_line_with_its_code_why_and_hint() {
    let emulator = Emulator::start(support::FAST);
    // Bad input: exit 2, nothing sent.
    let out = ran(emulator.chatstart(&["info", "not a uri", "--output", "json"]));
    assert_eq!(out.code, 2, "{out:?}");
    let lines = json_lines(&out);
    assert_eq!(types(&lines), ["error"], "{out:?}");
    assert_eq!(lines[0]["code"], 2);
    assert!(lines[0]["message"].as_str().unwrap().contains("not a uri"));
    assert!(out.stderr.is_empty(), "said once, on stdout: {out:?}");

    // Refused by the API: exit 3, with why and hint from the explained-errors table.
    let mut wrong_key = emulator.bare(&[
        "availability",
        "--base-url",
        &emulator.base_url(),
        "--account",
        emulator.handle.account(),
        "--output",
        "json",
    ]);
    wrong_key.env("CHATSTART_APP_KEY", "not-the-key");
    let out = ran(wrong_key);
    assert_eq!(out.code, 3, "{out:?}");
    let lines = json_lines(&out);
    assert_eq!(types(&lines), ["error"], "{out:?}");
    assert_eq!(lines[0]["code"], 3);
    assert!(
        lines[0]["why"].is_string() && lines[0]["hint"].is_string(),
        "{out:?}"
    );
    assert!(!out.stdout.contains("not-the-key"), "{out:?}");

    // A usage error of the command line itself.
    let out = ran(emulator.chatstart(&["request", "--output", "json", "--no-such-flag"]));
    assert_eq!(out.code, 2, "{out:?}");
    let lines = json_lines(&out);
    assert_eq!(types(&lines), ["error"], "{out:?}");
    assert!(
        lines[0]["message"]
            .as_str()
            .unwrap()
            .contains("--no-such-flag"),
        "{out:?}"
    );

    // Text output keeps error:/why:/hint: on stderr.
    let out = ran(emulator.chatstart(&["info", "not a uri"]));
    assert!(
        out.stdout.is_empty() && out.stderr.starts_with("error: "),
        "{out:?}"
    );
}
