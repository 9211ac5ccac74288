//! Burst mode through the real binary against the emulator.

use std::time::Duration;

use serde_json::Value;

use crate::support::{self, Emulator, Running, ran};

#[test]
fn a_burst_creates_follows_and_ends_every_chat() {
    let emulator = Emulator::start(support::FAST);
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
    let emulator = Emulator::start(support::FAST);
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
    // They were waiting when the time ran out; ended then, none is still waiting.
    assert!(
        out.stdout.contains(
            "created 4/4 · accepted 0 · still waiting 0 · failed 0 · ended by chatstart 4"
        ),
        "{out:?}"
    );
    assert_eq!(
        out.stdout
            .lines()
            .filter(|l| l.contains(" waiting→end "))
            .count(),
        4,
        "{out:?}"
    );
}

#[test]
fn a_burst_left_waiting_counts_the_chats_still_in_the_queue() {
    let emulator = Emulator::start(support::FAST);
    let out = ran(emulator.chatstart(&[
        "burst",
        "--skill",
        "Slow",
        "--count",
        "3",
        "--concurrency",
        "3",
        "--wait",
        "chatting",
        "--timeout",
        "1",
        "--poll-interval",
        "0.1",
    ]));
    assert_eq!(out.code, 5, "{out:?}");
    assert!(
        out.stdout
            .contains("created 3/3 · accepted 0 · still waiting 3 · failed 0\n"),
        "{out:?}"
    );
    assert_eq!(emulator.handle.end_posts(), 0);
}

/// Starts a burst of `count` chats one request at a time, each request held two seconds by the
/// emulator; once the first has arrived, sends `signal` and waits for the command.
fn interrupted_burst(
    emulator: &Emulator,
    count: &str,
    output: &str,
    signal: &str,
) -> (Option<i32>, String, String) {
    emulator.handle.set_faults(vec![
        chatstart::emulator::FaultSpec::parse("slow@request,delay_ms=2000").unwrap(),
    ]);
    let mut running = Running::spawn(
        emulator.chatstart(&[
            "burst",
            "--skill",
            "Slow",
            "--count",
            count,
            "--concurrency",
            "1",
            "--wait",
            "chatting",
            "--poll-interval",
            "0.1",
            "--output",
            output,
        ]),
        Duration::from_secs(20),
    );
    running.wait_until("the burst's first request", || {
        emulator.handle.count("POST", "/chat/request") >= 1
    });
    running.signal(signal);
    running.finish()
}

#[test]
fn an_interrupted_burst_counts_and_labels_each_chat_as_what_happened_to_it() {
    let emulator = Emulator::start(support::FAST);
    // The first request is on its way when the signal comes: its chat is made, followed no
    // further, and ended; the other five are never sent.
    let (code, stdout, stderr) = interrupted_burst(&emulator, "6", "json", "-INT");
    assert_eq!(code, Some(130), "{stdout}{stderr}");
    assert!(
        stderr.contains("interrupted (Ctrl+C): no new chat is sent"),
        "{stderr}"
    );
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 7, "{stdout}");
    for (position, line) in lines[..6].iter().enumerate() {
        assert_eq!(
            line["chat"]["index"], position,
            "each row its own index: {line}"
        );
    }
    let made: Vec<&Value> = lines[..6]
        .iter()
        .filter(|l| l["chat"]["uri"].is_string())
        .collect();
    assert_eq!(made.len(), 1, "{stdout}");
    assert_eq!(made[0]["chat"]["sent"], true);
    assert_eq!(made[0]["chat"]["ended_by_us"], true);
    let unsent = lines[..6]
        .iter()
        .filter(|l| l["chat"]["sent"] == false && l["chat"]["error"].is_null())
        .count();
    assert_eq!(unsent, 5, "{stdout}");
    let summary = &lines[6]["summary"];
    assert_eq!(
        [
            &summary["created"],
            &summary["failed"],
            &summary["not_sent"],
            &summary["still_waiting"],
            &summary["ended_by_us"]
        ],
        [1, 0, 5, 0, 1].map(Value::from).each_ref(),
        "{summary}"
    );
    assert_eq!(emulator.handle.count("POST", "/chat/request"), 1);
    assert_eq!(emulator.handle.end_posts(), 1);
    let entries = history(&emulator, &[]);
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["state"], "ended");
}

#[test]
fn sigterm_and_sighup_stop_a_burst_like_ctrl_c() {
    for signal in ["-TERM", "-HUP"] {
        let emulator = Emulator::start(support::FAST);
        let (code, stdout, stderr) = interrupted_burst(&emulator, "3", "text", signal);
        assert_eq!(code, Some(130), "{signal}: {stdout}{stderr}");
        assert!(
            stdout.contains(
                "created 1/3 · accepted 0 · still waiting 0 · failed 0 · ended by chatstart 1 · not sent 2"
            ),
            "{signal}: {stdout}"
        );
        assert_eq!(
            stdout
                .lines()
                .filter(|l| l.contains("  not sent  "))
                .count(),
            2,
            "{stdout}"
        );
        assert_eq!(
            emulator.handle.end_posts(),
            1,
            "{signal}: no chat left in the queue"
        );
    }
}

#[test]
fn a_burst_whose_history_cannot_be_written_sends_nothing() {
    let emulator = Emulator::start(support::FAST);
    // A file where the data directory should be: nothing can be created there, even by root.
    let blocked = emulator.home.path().join("blocked");
    std::fs::write(&blocked, "").unwrap();
    let mut command = emulator.chatstart(&["burst", "--skill", "Sales", "--count", "3"]);
    command.env("CHATSTART_DATA_DIR", blocked.join("data"));
    let out = ran(command);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("nothing was sent"), "{out:?}");
    assert!(out.stderr.contains("CHATSTART_DATA_DIR"), "{out:?}");
    assert!(
        out.stderr
            .contains(&blocked.join("data").display().to_string()),
        "{out:?}"
    );
    assert_eq!(emulator.handle.count("POST", "/chat/request"), 0);
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
    let emulator = Emulator::start(support::FAST);
    let command = emulator.chatstart(&[
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
    let mut running = Running::spawn(command, Duration::from_secs(60));
    running.wait_until("the burst getting going", || {
        emulator.handle.count("POST", "/chat/request") >= 5
            && emulator.handle.count("GET", "/chat/H") >= 5
    });
    running.signal("-INT");
    let (code, stdout, _) = running.finish();
    assert_eq!(code, Some(130), "{stdout}");
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
    let emulator = Emulator::start(support::FAST);
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
    let listed = history(&emulator, &["--open"]);
    // The lost answers are listed with the open chats: each may be one.
    let (open, lost): (Vec<_>, Vec<_>) = listed.iter().partition(|e| e["uri"] != "");
    assert_eq!(open.len(), 4, "the chats with a URI: {listed:?}");
    assert_eq!(
        lost.len(),
        2,
        "the requests whose answer was lost: {listed:?}"
    );
    assert!(lost.iter().all(|e| e["state"] == "unknown"), "{lost:?}");
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
    // What is left has no URI to end it by: the four lost answers of the two bursts.
    let left = history(&emulator, &["--open"]);
    assert_eq!(left.len(), 4, "{left:?}");
    assert!(
        left.iter()
            .all(|e| e["uri"] == "" && e["state"] == "unknown")
    );
}
