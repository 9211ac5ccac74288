//! Interruptions and local failures through the real binary against the emulator: signals sent
//! to the real process while a chat request is on its way or a chat is followed, a data
//! directory that cannot be written, a damaged history, a service that stops answering, a URI
//! that never existed. None may lose a chat or say something that is not so.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;

use crate::support::{self, Emulator, Running, ran};

const DEADLINE: Duration = Duration::from_secs(20);

fn history(emulator: &Emulator, args: &[&str]) -> (Vec<Value>, String) {
    let mut all = vec!["history", "--output", "json"];
    all.extend_from_slice(args);
    let out = ran(emulator.bare(&all));
    assert_eq!(out.code, 0, "{out:?}");
    let entries = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (entries, out.stderr)
}

/// The authenticated flow's flags, as the emulator accepts them.
const AUTH: [&str; 12] = [
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
];

fn slow_requests(emulator: &Emulator, delay_ms: u64) {
    emulator.handle.set_faults(vec![
        chatstart::emulator::FaultSpec::parse(&format!("slow@request,delay_ms={delay_ms}"))
            .unwrap(),
    ]);
}

#[test]
fn ctrl_c_while_the_chat_request_is_on_its_way_waits_for_its_answer_and_keeps_the_chat() {
    let emulator = Emulator::start(support::FAST);
    slow_requests(&emulator, 1500);
    let mut running = Running::spawn(
        emulator.chatstart(&["request", "--skill", "Slow", "--wait", "chatting"]),
        DEADLINE,
    );
    running.wait_until("the request sent", || {
        emulator.handle.count("POST", "/chat/request") == 1
    });
    running.signal("-INT");
    let (code, stdout, stderr) = running.finish();
    assert_eq!(code, Some(130), "{stdout}{stderr}");
    let uri = stdout.lines().next().unwrap_or_default().to_string();
    assert!(uri.contains("/chat/"), "the URI still printed: {stdout}");
    assert!(stderr.contains("waiting for its answer"), "{stderr}");
    assert!(
        stderr.contains("the chat was created") && stderr.contains(&format!("chatstart end {uri}")),
        "says it exists and how to end it: {stderr}"
    );
    let (entries, _) = history(&emulator, &["--open"]);
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["uri"], uri.as_str());
}

#[test]
fn a_second_signal_stops_at_once_and_the_history_keeps_the_request_as_unknown() {
    let emulator = Emulator::start(support::FAST);
    slow_requests(&emulator, 15_000);
    let mut running = Running::spawn(
        emulator.chatstart(&["request", "--skill", "Sales"]),
        DEADLINE,
    );
    running.wait_until("the request sent", || {
        emulator.handle.count("POST", "/chat/request") == 1
    });
    running.signal("-INT");
    running.wait_for_stderr("waiting for its answer");
    running.signal("-TERM");
    let (code, stdout, stderr) = running.finish();
    assert_eq!(code, Some(130), "{stdout}{stderr}");
    assert!(stderr.contains("a chat may exist"), "{stderr}");
    let (entries, _) = history(&emulator, &[]);
    assert_eq!(
        entries.len(),
        1,
        "the chat the service made is not lost: {entries:?}"
    );
    assert_eq!(
        (&entries[0]["uri"], &entries[0]["state"]),
        (&Value::from(""), &Value::from("unknown"))
    );
    // It is listed with the open chats: it may be one, in a queue.
    let (open, _) = history(&emulator, &["--open"]);
    assert_eq!(
        open, entries,
        "history --open lists the request whose answer was lost"
    );
    let text = ran(emulator.bare(&["history", "--open"]));
    assert!(
        text.stdout.contains("unknown") && text.stdout.contains("its answer was lost"),
        "{text:?}"
    );
    // The cleanup has nothing to end it by, and says so rather than "nothing open".
    let cleanup = ran(emulator.chatstart(&["end", "--all-open", "--yes"]));
    assert_eq!(cleanup.code, 0, "{cleanup:?}");
    assert!(
        cleanup
            .stderr
            .contains("1 chat request in the history never got its answer"),
        "{cleanup:?}"
    );
}

#[test]
fn a_signal_while_following_says_the_chat_is_still_there_and_how_to_end_it() {
    for (signal, flow) in [("-INT", "request"), ("-TERM", "auth"), ("-HUP", "request")] {
        let emulator = Emulator::start(support::FAST);
        let mut args = vec![flow, "--skill", "Slow", "--wait", "chatting"];
        if flow == "auth" {
            args.extend(AUTH);
        }
        let mut running = Running::spawn(emulator.chatstart(&args), DEADLINE);
        running.wait_until("the chat followed", || {
            emulator.handle.count("GET", "/chat/H") > 0
        });
        running.signal(signal);
        let (code, stdout, stderr) = running.finish();
        assert_eq!(code, Some(130), "{signal} {flow}: {stdout}{stderr}");
        let uri = stdout.lines().next().unwrap_or_default();
        assert!(
            stderr.contains("the chat is still there")
                && stderr.contains(&format!("chatstart end {uri}")),
            "{signal} {flow}: {stderr}"
        );
        let (entries, _) = history(&emulator, &["--open"]);
        assert_eq!(entries.len(), 1, "{signal} {flow}: {entries:?}");
        assert_eq!(emulator.handle.end_posts(), 0, "the chat is left as it was");
    }
}

#[test]
fn a_data_directory_that_cannot_be_written_stops_the_command_before_anything_is_sent() {
    let emulator = Emulator::start(support::FAST);
    // A file where the data directory should be: nothing can be created there, even by root.
    let blocked = emulator.home.path().join("blocked");
    std::fs::write(&blocked, "").unwrap();
    let data = blocked.join("data");
    for args in [
        vec!["request", "--skill", "Sales"],
        [&["auth", "--skill", "Sales"][..], &AUTH].concat(),
    ] {
        let mut command = emulator.chatstart(&args);
        command.env("CHATSTART_DATA_DIR", &data);
        let out = ran(command);
        assert_eq!(out.code, 2, "{args:?}: {out:?}");
        assert!(out.stderr.contains("nothing was sent"), "{out:?}");
        assert!(out.stderr.contains(&data.display().to_string()), "{out:?}");
        assert!(out.stderr.contains("CHATSTART_DATA_DIR"), "{out:?}");
    }
    assert_eq!(emulator.handle.count("POST", "/chat/request"), 0);
    assert_eq!(emulator.handle.count("POST", "/conversation"), 0);
}

#[test]
fn a_damaged_history_line_is_skipped_with_its_number_and_the_rest_stays_usable() {
    let emulator = Emulator::start(support::FAST);
    for _ in 0..2 {
        let out = ran(emulator.chatstart(&["request", "--skill", "Slow"]));
        assert_eq!(out.code, 0, "{out:?}");
    }
    let path = emulator.data_dir().join("history.jsonl");
    let mut bytes = std::fs::read(&path).unwrap();
    // Line 1 is the first request, recorded before it was sent; line 2 its chat, URI and all.
    let second_line = bytes.iter().position(|b| *b == b'\n').unwrap() + 1;
    // One byte that is not UTF-8, inside the second line.
    bytes[second_line + 10] = 0xFF;
    std::fs::write(&path, bytes).unwrap();
    let named = format!("{} line 2: not valid UTF-8", path.display());

    let (all, warned) = history(&emulator, &[]);
    assert!(warned.contains(&named), "{warned}");
    // The other chat is listed; the first, its outcome unreadable, reads as a chat that may
    // exist (its request was recorded before it was sent).
    let states: Vec<&str> = all.iter().map(|e| e["state"].as_str().unwrap()).collect();
    assert_eq!(states, ["waiting", "unknown"], "{all:?}");
    let (open, warned) = history(&emulator, &["--open"]);
    // Both: the chat, and the request that may have made one (listed, with no URI to end).
    let open_states: Vec<&str> = open.iter().map(|e| e["state"].as_str().unwrap()).collect();
    assert_eq!(open_states, ["waiting", "unknown"], "{open:?}");
    assert!(warned.contains(&named), "{warned}");
    let ended = ran(emulator.chatstart(&["end", "--all-open", "--yes"]));
    assert_eq!(ended.code, 0, "{ended:?}");
    assert!(ended.stdout.contains("ended 1 of 1"), "{ended:?}");
    assert!(ended.stderr.contains(&named), "{ended:?}");
}

#[test]
fn watching_a_uri_whose_host_refuses_gives_up_at_once_without_offering_a_resume() {
    let home = tempfile::tempdir().unwrap();
    // Nothing listens on port 9 of loopback (discard is never served here). It is given as
    // the service: a URI on another host would get no appKey, and no request at all.
    let mut command = support::in_home(
        home.path(),
        &[
            "watch",
            "http://127.0.0.1:9/api/account/12345678/chat/H1",
            "--base-url",
            "http://127.0.0.1:9",
        ],
    );
    command.env("CHATSTART_APP_KEY", "k");
    let out = ran(command);
    assert_eq!(out.code, 4, "{out:?}");
    assert!(out.stderr.contains("could not follow the chat"), "{out:?}");
    assert!(!out.stderr.contains("poll failed"), "no retries: {out:?}");
    assert!(!out.stderr.contains("resume with"), "{out:?}");
    assert!(!out.stderr.contains("lost the session"), "{out:?}");
}

#[test]
fn a_service_that_dies_while_the_chat_waits_is_not_said_to_leave_nothing_behind() {
    let home = tempfile::tempdir().unwrap();
    let mut emulator = support::KillOnDrop(
        support::in_home(home.path(), &["emulator", "--port", "0"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut banner = BufReader::new(emulator.0.stdout.take().unwrap());
    let mut first = String::new();
    banner.read_line(&mut first).unwrap();
    let base = first
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no base URL in {first}"))
        .to_string();
    let mut command = support::in_home(
        home.path(),
        &[
            "request",
            "--base-url",
            &base,
            "--account",
            "12345678",
            "--skill",
            "Tech",
            "--wait",
            "chatting",
            "--poll-interval",
            "0.1",
            "--poll-retries",
            "1",
        ],
    );
    command.env("CHATSTART_APP_KEY", "demo-app-key-0123456789abcdef");
    let mut running = Running::spawn(command, DEADLINE);
    let history_file = home.path().join("data").join("history.jsonl");
    running.wait_until("the chat recorded waiting", || {
        std::fs::read_to_string(&history_file).is_ok_and(|t| t.contains("\"state\":\"waiting\""))
    });
    // The service goes away while the chat waits in its queue.
    let _ = emulator.0.kill();
    let _ = emulator.0.wait();
    let (code, stdout, stderr) = running.finish();
    assert_eq!(code, Some(4), "{stdout}{stderr}");
    assert!(
        !stderr.contains("nothing needs cleaning up") && !stderr.contains("nothing was sent"),
        "{stderr}"
    );
    assert!(
        stderr.contains("the chat itself may still be there"),
        "{stderr}"
    );
    assert!(stderr.contains("chatstart end"), "{stderr}");
}

#[test]
fn ending_a_uri_nothing_knows_is_not_called_already_over() {
    let emulator = Emulator::fast_with("ended_chat_ttl_secs = 0");
    let mistyped = format!(
        "{}/api/account/{}/chat/Hmistyped",
        emulator.base_url(),
        emulator.handle.account()
    );
    let out = ran(emulator.chatstart(&["end", &mistyped]));
    assert_eq!(out.code, 3, "{out:?}");
    assert!(out.stderr.contains("has no record of it"), "{out:?}");
    assert!(!out.stderr.contains("already over"), "{out:?}");

    // A chat the history knows, ended and gone: that one is over, exit 0.
    let created = ran(emulator.chatstart(&["request", "--skill", "Slow"]));
    let uri = created.stdout.lines().next().unwrap().to_string();
    assert_eq!(ran(emulator.chatstart(&["end", &uri])).code, 0);
    let again = ran(emulator.chatstart(&["end", &uri]));
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stderr.contains("already over"), "{again:?}");
}

#[test]
fn a_damaged_config_line_is_skipped_with_its_number_and_the_other_profiles_work() {
    let emulator = Emulator::start(support::FAST);
    let path = emulator.config_file();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut text = format!(
        "[profiles.good]\nbase_url = \"{}\"\naccount = \"{}\"\napp_key_env = \"KEY\"\n\n[profiles.other]\naccount = \"1\"\ndomain = \"",
        emulator.base_url(),
        emulator.handle.account()
    )
    .into_bytes();
    // Line 8, a value, holds a byte that is not UTF-8.
    text.extend_from_slice(b"\xffexample.net\"\n");
    std::fs::write(&path, text).unwrap();
    let named = format!("{} line 8: not valid UTF-8", path.display());

    let listed = ran(emulator.bare(&["profiles"]));
    assert_eq!(listed.code, 0, "{listed:?}");
    assert!(listed.stderr.contains(&named), "{listed:?}");
    assert!(
        listed.stdout.contains("good") && listed.stdout.contains("other"),
        "{listed:?}"
    );
    let mut command = emulator.bare(&["--profile", "good", "request", "--skill", "Sales"]);
    command.env("KEY", emulator.app_key());
    let out = ran(command);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains(&named), "{out:?}");
}

#[test]
fn a_signal_during_the_authentication_call_lets_it_answer_and_sends_no_chat_request() {
    let emulator = Emulator::start(support::FAST);
    emulator.handle.set_faults(vec![
        chatstart::emulator::FaultSpec::parse("slow@conversation,delay_ms=1500").unwrap(),
    ]);
    let mut running = Running::spawn(
        emulator.chatstart(&[&["auth", "--skill", "Sales"][..], &AUTH].concat()),
        DEADLINE,
    );
    running.wait_until("the authentication call sent", || {
        emulator.handle.count("POST", "/conversation") == 1
    });
    running.signal("-INT");
    let (code, stdout, stderr) = running.finish();
    assert_eq!(code, Some(130), "{stdout}{stderr}");
    assert!(stderr.contains("the chat request was not sent"), "{stderr}");
    assert_eq!(emulator.handle.count("POST", "/chat/request"), 0);
    let (entries, _) = history(&emulator, &[]);
    assert!(entries.is_empty(), "no chat, nothing unknown: {entries:?}");
}

#[test]
fn the_cleanup_counts_a_chat_the_service_had_ended_as_already_over_not_as_ended() {
    let emulator = Emulator::start(support::FAST);
    let mut uris = Vec::new();
    for _ in 0..2 {
        let made = ran(emulator.chatstart(&["request", "--skill", "Sales"]));
        assert_eq!(made.code, 0, "{made:?}");
        uris.push(made.stdout.lines().next().expect("the URI").to_string());
    }
    // Ended from elsewhere (another machine's history): this history still has it open.
    let elsewhere = tempfile::tempdir().unwrap();
    let mut end = emulator.chatstart(&["end", &uris[0]]);
    end.env("CHATSTART_DATA_DIR", elsewhere.path());
    assert_eq!(ran(end).code, 0);

    let ends_before = emulator.handle.count("POST", "/events");
    let cleanup = ran(emulator.chatstart(&["end", "--all-open", "--yes"]));
    assert_eq!(cleanup.code, 0, "{cleanup:?}");
    assert!(
        cleanup
            .stdout
            .contains("ended 1 of 2; 1 was already over (no end sent)"),
        "{cleanup:?}"
    );
    assert_eq!(emulator.handle.count("POST", "/events"), ends_before + 1);
    let json = ran(emulator.chatstart(&["end", "--all-open", "--yes", "--output", "json"]));
    assert!(json.stdout.contains("\"open\":0"), "{json:?}");
}
