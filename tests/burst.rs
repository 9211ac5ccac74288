//! Burst mode through the real binary against the emulator.

mod common;

use std::time::{Duration, Instant};

use common::{Emulator, ran};
use serde_json::Value;

#[test]
fn a_burst_creates_follows_and_ends_every_chat() {
    let emulator = Emulator::start(common::FAST);
    let out = ran(emulator.chatstart(&[
        "burst",
        "--skill",
        "Sales",
        "--count",
        "12",
        "--concurrency",
        "3",
        "--wait",
        "chatting",
        "--end-after",
        "--poll-interval",
        "0.1",
        "--output",
        "json",
    ]));
    assert_eq!(out.code, 0, "{out:?}");
    let lines: Vec<Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 13, "one line per chat and the summary");
    let summary = &lines[12]["summary"];
    assert_eq!(summary["created"], 12);
    assert_eq!(summary["accepted"], 12);
    assert_eq!(summary["ended_by_us"], 12);
    let [min, median, p95, max] = [0, 1, 2, 3].map(|i| summary["accept_ms"][i].as_u64().unwrap());
    assert!(min <= median && median <= p95 && p95 <= max, "{summary}");
    assert!(min >= 250, "the scenario accepts after 300 ms: {summary}");
    let uris: std::collections::HashSet<&str> = lines[..12]
        .iter()
        .map(|l| l["chat"]["uri"].as_str().unwrap())
        .collect();
    assert_eq!(uris.len(), 12, "twelve distinct chats");
    assert!(lines[..12].iter().all(|l| l["chat"]["agent"] == "Natalie"));
    assert_eq!(
        emulator.handle.count("POST", "/chat/request"),
        12,
        "each chat requested once"
    );
    let ends = emulator.handle.end_posts();
    assert_eq!(ends, 12, "--end-after ends them all");
}

#[test]
fn a_burst_that_cannot_be_accepted_in_time_exits_5_and_counts_the_waiting() {
    let emulator = Emulator::start(common::FAST);
    let out = ran(emulator.chatstart(&[
        "burst",
        "--skill",
        "Slow",
        "--count",
        "4",
        "--concurrency",
        "4",
        "--wait",
        "chatting",
        // Time enough for all four to be created and seen waiting on a loaded machine; the
        // Slow skill's agent takes a minute, so none is accepted before it runs out.
        "--timeout",
        "10",
        "--poll-interval",
        "0.1",
        "--end-after",
    ]));
    assert_eq!(out.code, 5, "{out:?}");
    assert!(
        out.stdout.contains(
            "created 4/4 · accepted 0 · still waiting 4 · failed 0 · ended by chatstart 4"
        ),
        "{out:?}"
    );
}

#[test]
fn refused_chat_requests_are_counted_as_failed_with_the_api_exit_code() {
    let emulator = Emulator::fast_with("captcha = true");
    let out = ran(emulator.chatstart(&["burst", "--skill", "Sales", "--count", "3"]));
    assert_eq!(out.code, 3, "{out:?}");
    assert!(
        out.stdout
            .contains("created 0/3 · accepted 0 · still waiting 0 · failed 3"),
        "{out:?}"
    );
    assert!(out.stderr.contains("Bad captcha"), "{out:?}");
}

#[test]
fn ctrl_c_ends_every_chat_created_before_exiting() {
    let emulator = Emulator::start(common::FAST);
    let mut command = emulator.chatstart(&[
        "burst",
        "--skill",
        "Slow",
        "--count",
        "5",
        "--concurrency",
        "5",
        "--wait",
        "chatting",
        "--poll-interval",
        "0.2",
    ]);
    let child = command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while emulator.handle.count("POST", "/chat/request") < 5
        || emulator.handle.count("GET", "/chat/H") < 5
    {
        assert!(Instant::now() < deadline, "the burst never got going");
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(130), "{stdout}");
    assert!(stdout.contains("ended by chatstart 5"), "{stdout}");
    let ends = emulator.handle.end_posts();
    assert_eq!(ends, 5, "no chat left in the queue");
}

#[test]
fn a_chat_accepted_before_its_first_poll_has_reached_waiting() {
    // The agent accepts at once, so the first poll already reads `chatting`: a wait for
    // `waiting` is met (the chat has been through the queue), not held until the chat ends
    // (ten minutes here, far past the harness's deadline).
    let emulator = Emulator::start(
        r#"
default_chat_timeout_secs = 600
[[skills]]
name = "Instant"
id = 9
available = true
agent_name = "Ines"
accept_after_ms = 0
"#,
    );
    let out = ran(emulator.chatstart(&[
        "burst",
        "--skill",
        "Instant",
        "--count",
        "3",
        "--concurrency",
        "3",
        "--wait",
        "waiting",
        "--poll-interval",
        "30",
        "--end-after",
        "--output",
        "json",
    ]));
    assert_eq!(out.code, 0, "{out:?}");
    let lines: Vec<Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        lines[..3].iter().all(|l| l["chat"]["state"] == "chatting"),
        "{out:?}"
    );
}

fn history(emulator: &Emulator, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["history", "--output", "json"];
    all.extend_from_slice(args);
    let out = ran(emulator.bare(&all));
    assert_eq!(out.code, 0, "{out:?}");
    out.stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn lost_answers_are_flagged_as_may_exist_and_every_chat_goes_to_the_history() {
    let emulator = Emulator::start(common::FAST);
    let drop_every_third =
        || vec![chatstart::emulator::FaultSpec::parse("drop@request,skip=1,every=3").unwrap()];
    emulator.handle.set_faults(drop_every_third());
    // One at a time, so which requests lose their answer does not depend on timing.
    let burst = |output: &str| {
        ran(emulator.chatstart(&[
            "burst",
            "--skill",
            "Slow",
            "--count",
            "6",
            "--concurrency",
            "1",
            "--output",
            output,
        ]))
    };
    let out = burst("json");
    assert_eq!(out.code, 4, "a chat request's answer was lost: {out:?}");
    let lines: Vec<Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let summary = &lines[6]["summary"];
    assert_eq!(
        (
            &summary["created"],
            &summary["failed"],
            &summary["may_exist"]
        ),
        (&Value::from(4), &Value::from(0), &Value::from(2)),
        "{summary}"
    );
    let flagged = lines[..6]
        .iter()
        .filter(|l| l["chat"]["may_exist"] == true && l["chat"]["uri"].is_null())
        .count();
    assert_eq!(flagged, 2, "{out:?}");
    assert_eq!(emulator.handle.count("POST", "/chat/request"), 6);

    let entries = history(&emulator, &[]);
    assert_eq!(entries.len(), 6, "every request is in the history");
    let unknown: Vec<&Value> = entries.iter().filter(|e| e["uri"] == "").collect();
    assert_eq!(unknown.len(), 2, "{entries:?}");
    assert!(
        unknown.iter().all(|e| e["state"] == "unknown"),
        "{unknown:?}"
    );
    let made: Vec<&str> = lines[..6]
        .iter()
        .filter_map(|l| l["chat"]["uri"].as_str())
        .collect();
    let open = history(&emulator, &["--open"]);
    assert_eq!(open.len(), 4, "the chats with a URI: {open:?}");
    assert!(
        open.iter()
            .all(|e| made.contains(&e["uri"].as_str().unwrap())
                && e["state"] == "waiting"
                && e["skill"] == "Slow")
    );

    emulator.handle.set_faults(drop_every_third());
    let out = burst("text");
    assert_eq!(out.code, 4, "{out:?}");
    assert!(
        out.stdout
            .contains("failed 0 · may exist 2 — check the agent queue"),
        "{out:?}"
    );
    assert_eq!(
        out.stdout
            .lines()
            .filter(|l| l.contains("may exist  "))
            .count(),
        2,
        "{out:?}"
    );
    emulator.handle.set_faults(Vec::new());
    let ended = ran(emulator.chatstart(&["end", "--all-open", "--yes"]));
    assert_eq!(ended.code, 0, "{ended:?}");
    assert!(ended.stdout.contains("ended 8 of 8"), "{ended:?}");
    assert!(history(&emulator, &["--open"]).is_empty());
}
