//! `chatstart export` through the real binary against the in-process emulator: the HAR holds
//! exactly the exchanges the emulator saw for the chat, in order, with their statuses, and has
//! the HAR 1.2 shape; a damaged journal line is skipped and said; a session with no journal
//! exports what the history has; no secret is written; an unknown session is a usage error.

use std::path::Path;

use serde_json::Value;

use crate::support::{self, Emulator, Ran, ran};

/// Requests a chat, waits until an agent accepts, adds a line and ends it: its URI.
fn chat_to_its_end(emulator: &Emulator, extra: &[&str]) -> String {
    let mut args = vec![
        "request",
        "--skill",
        "Sales",
        "--wait",
        "chatting",
        "--timeout",
        "30",
        "--poll-interval",
        "0.1",
        "--output",
        "json",
    ];
    args.extend(extra);
    let out = ran(emulator.chatstart(&args));
    assert_eq!(out.code, 0, "{out:?}");
    let first: Value = serde_json::from_str(out.stdout.lines().next().unwrap()).unwrap();
    let uri = first["uri"].as_str().expect("a session line").to_string();
    let out = ran(emulator.chatstart(&["send", &uri, "where is my order?"]));
    assert_eq!(out.code, 0, "{out:?}");
    let out = ran(emulator.chatstart(&["end", &uri]));
    assert_eq!(out.code, 0, "{out:?}");
    uri
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// `METHOD path status` of each HAR entry.
fn calls_in_har(har: &Value) -> Vec<String> {
    har["log"]["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|entry| {
            let url = url::Url::parse(entry["request"]["url"].as_str().unwrap()).unwrap();
            format!(
                "{} {} {}",
                entry["request"]["method"].as_str().unwrap(),
                url.path(),
                entry["response"]["status"]
            )
        })
        .collect()
}

/// `METHOD path status` of each request the emulator saw.
fn calls_seen(emulator: &Emulator) -> Vec<String> {
    emulator
        .handle
        .requests()
        .iter()
        .map(|r| format!("{} {} {}", r.method, r.path, r.status))
        .collect()
}

/// Every field HAR 1.2 requires of an entry, with its type.
fn assert_har_1_2_entry(entry: &Value) {
    let context = || entry.to_string();
    assert!(
        entry["startedDateTime"].as_str().unwrap().ends_with('Z'),
        "{}",
        context()
    );
    assert!(entry["time"].as_f64().unwrap() >= 0.0, "{}", context());
    let request = &entry["request"];
    for (field, check) in [
        ("method", request["method"].is_string()),
        ("url", request["url"].is_string()),
        ("httpVersion", request["httpVersion"] == "HTTP/1.1"),
        ("cookies", request["cookies"].is_array()),
        ("headers", request["headers"].is_array()),
        ("queryString", request["queryString"].is_array()),
        ("headersSize", request["headersSize"] == -1),
        ("bodySize", request["bodySize"].is_u64()),
    ] {
        assert!(check, "request.{field}: {}", context());
    }
    for header in request["headers"].as_array().unwrap() {
        assert!(header["name"].is_string() && header["value"].is_string());
    }
    if let Some(post) = request.get("postData") {
        assert!(
            post["mimeType"].is_string() && post["text"].is_string(),
            "{}",
            context()
        );
    }
    let response = &entry["response"];
    for (field, check) in [
        ("status", response["status"].is_u64()),
        ("statusText", response["statusText"].is_string()),
        ("httpVersion", response["httpVersion"].is_string()),
        ("cookies", response["cookies"].is_array()),
        ("headers", response["headers"].is_array()),
        ("content.size", response["content"]["size"].is_u64()),
        (
            "content.mimeType",
            response["content"]["mimeType"].is_string(),
        ),
        ("redirectURL", response["redirectURL"].is_string()),
        ("headersSize", response["headersSize"] == -1),
        ("bodySize", response["bodySize"].is_i64()),
    ] {
        assert!(check, "response.{field}: {}", context());
    }
    assert!(entry["cache"].is_object(), "{}", context());
    let timings = &entry["timings"];
    for phase in ["send", "wait", "receive"] {
        assert!(
            timings[phase].as_f64().unwrap() >= 0.0,
            "{phase}: {}",
            context()
        );
    }
    for optional in ["blocked", "dns", "connect", "ssl"] {
        assert_eq!(timings[optional], -1, "{optional}: {}", context());
    }
}

#[test]
fn the_har_holds_exactly_the_exchanges_the_emulator_saw_for_the_chat() {
    let emulator = Emulator::start(support::FAST);
    let uri = chat_to_its_end(&emulator, &[]);
    let har_path = emulator.home.path().join("chat.har");
    let out = ran(emulator.bare(&["export", &uri, "--har", har_path.to_str().unwrap()]));
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.contains(&format!("HAR: {}", har_path.display())),
        "{out:?}"
    );

    let har = read_json(&har_path);
    assert_eq!(har["log"]["version"], "1.2");
    assert_eq!(har["log"]["creator"]["name"], "chatstart");
    // This emulator served this chat alone: what it saw is what the HAR must hold.
    assert_eq!(calls_in_har(&har), calls_seen(&emulator));
    let entries = har["log"]["entries"].as_array().unwrap();
    for entry in entries {
        assert_har_1_2_entry(entry);
    }
    assert_eq!(entries[0]["_operation"], "chat-request");
    assert_eq!(entries[0]["response"]["statusText"], "Created");
    assert_eq!(entries[0]["response"]["redirectURL"], uri.as_str());
    assert_eq!(entries.last().unwrap()["_operation"], "end-chat");

    let text = std::fs::read_to_string(&har_path).unwrap();
    assert!(!text.contains(&emulator.app_key()), "the appKey leaked");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&har_path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn a_bundle_by_chat_id_holds_the_har_the_transcript_and_the_summary() {
    let emulator = Emulator::start(support::FAST);
    let uri = chat_to_its_end(&emulator, &[]);
    let chat_id = uri.rsplit('/').next().unwrap();
    let bundle = emulator.home.path().join("evidence");
    let out = ran(emulator.bare(&[
        "export",
        chat_id,
        "--bundle",
        bundle.to_str().unwrap(),
        "--output",
        "json",
    ]));
    assert_eq!(out.code, 0, "{out:?}");
    let line: Value = serde_json::from_str(out.stdout.trim()).expect("one JSON line");
    assert_eq!(line["type"], "export");
    assert_eq!(line["uri"], uri.as_str());
    assert_eq!(line["bundle"], bundle.to_str().unwrap());
    assert_eq!(line["skipped"], 0);
    assert_eq!(line["files"].as_array().unwrap().len(), 3);

    let har = read_json(&bundle.join("session.har"));
    assert_eq!(calls_in_har(&har), calls_seen(&emulator));
    let transcript = std::fs::read_to_string(bundle.join("transcript.md")).unwrap();
    for expected in [
        "# Chat transcript: Sales · ",
        "state: **waiting**",
        "state: **chatting**",
        "**Natalie** (agent): Hi, I'm Natalie & happy to help.",
        "**Visitor**: where is my order?",
        "**Visitor** ended the chat",
    ] {
        assert!(
            transcript.contains(expected),
            "{expected}\n---\n{transcript}"
        );
    }
    let summary = std::fs::read_to_string(bundle.join("summary.md")).unwrap();
    let chat_id_row = format!("- chat id: {chat_id}\n");
    for expected in [
        chat_id_row.as_str(),
        "- rtSessionId: ",
        "- visitorId: ",
        "- agent: Natalie",
        "- accepted (chatting) after ",
        "by the visitor (our end call)",
    ] {
        assert!(summary.contains(expected), "{expected}\n---\n{summary}");
    }
    for file in ["session.har", "transcript.md", "summary.md"] {
        let text = std::fs::read_to_string(bundle.join(file)).unwrap();
        assert!(
            !text.contains(&emulator.app_key()),
            "the appKey is in {file}"
        );
    }
}

#[test]
fn a_damaged_journal_line_is_skipped_and_said_and_the_export_succeeds() {
    let emulator = Emulator::start(support::FAST);
    chat_to_its_end(&emulator, &[]);
    let journal = the_journal(&emulator);
    let mut raw = std::fs::read(&journal).unwrap();
    raw.extend_from_slice(b"{\"started\":\"cut sho\n\xff\xfe\n");
    std::fs::write(&journal, raw).unwrap();

    let out: Ran = ran(emulator.bare(&["export", "--last", "--har", "-"]));
    assert_eq!(out.code, 0, "{out:?}");
    let har: Value = serde_json::from_str(&out.stdout).expect("stdout is the HAR");
    assert_eq!(calls_in_har(&har), calls_seen(&emulator));
    assert!(
        out.stderr
            .contains(&format!("warning: journal {} line", journal.display()))
            && out.stderr.contains("UTF-8"),
        "{out:?}"
    );
    assert!(har["log"]["comment"].as_str().unwrap().contains("skipped"));
}

#[test]
fn a_chat_kept_without_a_journal_exports_what_the_history_has() {
    let emulator = Emulator::start(support::FAST);
    chat_to_its_end(&emulator, &["--no-journal"]);
    let bundle = emulator.home.path().join("evidence");
    let out = ran(emulator.bare(&["export", "--last", "--bundle", bundle.to_str().unwrap()]));
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stderr
            .contains(&format!("warning: {}", chatstart::export::NOT_KEPT)),
        "{out:?}"
    );
    let har = read_json(&bundle.join("session.har"));
    assert_eq!(har["log"]["entries"], serde_json::json!([]));
    assert_eq!(har["log"]["comment"], chatstart::export::NOT_KEPT);
    let summary = std::fs::read_to_string(bundle.join("summary.md")).unwrap();
    assert!(summary.contains("- skill: Sales"), "{summary}");
    assert!(summary.contains("exchanges were not kept"), "{summary}");
}

/// The one journal the emulator's chats left.
fn the_journal(emulator: &Emulator) -> std::path::PathBuf {
    std::fs::read_dir(emulator.data_dir().join("journals"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .expect("the chat's journal")
}

#[test]
fn a_journal_gone_since_is_named_and_said_gone() {
    let emulator = Emulator::start(support::FAST);
    chat_to_its_end(&emulator, &[]);
    let journal = the_journal(&emulator);
    std::fs::remove_file(&journal).unwrap();
    let out = ran(emulator.bare(&["export", "--last", "--har", "-"]));
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stderr.contains(&format!(
            "warning: its journal {} is gone (pruned by retention, or deleted)",
            journal.display()
        )),
        "{out:?}"
    );
}

#[test]
fn a_chat_id_two_hosts_gave_is_refused_with_both_uris() {
    let emulator = Emulator::start(support::FAST);
    let uri = chat_to_its_end(&emulator, &[]);
    let chat_id = uri.rsplit('/').next().unwrap();
    // The same chat id from another host: its record as the first one's, with the host changed.
    let history = emulator.data_dir().join("history.jsonl");
    let text = std::fs::read_to_string(&history).unwrap();
    let elsewhere = uri.replacen("127.0.0.1", "localhost", 1);
    assert_ne!(elsewhere, uri);
    let copied: String = text
        .lines()
        .filter(|line| line.contains(&format!("\"uri\":\"{uri}\"")))
        .map(|line| format!("{}\n", line.replace(&uri, &elsewhere)))
        .collect();
    assert!(!copied.is_empty(), "{text}");
    std::fs::write(&history, format!("{text}{copied}")).unwrap();

    let out = ran(emulator.bare(&["export", chat_id, "--har", "-"]));
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stdout.is_empty(), "{out:?}");
    for expected in [
        format!("2 sessions in the history have the chat id {chat_id}"),
        "give the URI".to_string(),
        format!("  {uri}\n"),
        format!("  {elsewhere}"),
    ] {
        assert!(out.stderr.contains(&expected), "{expected}: {out:?}");
    }
    let out = ran(emulator.bare(&["export", &uri, "--har", "-"]));
    assert_eq!(out.code, 0, "the whole URI is exact: {out:?}");
}

#[test]
fn a_mistyped_path_is_refused_not_made_into_a_directory_tree() {
    let emulator = Emulator::start(support::FAST);
    chat_to_its_end(&emulator, &[]);
    let missing = emulator.home.path().join("mistyped").join("d");
    for flag in ["--har", "--transcript", "--bundle"] {
        let file = missing.join("x");
        let out = ran(emulator.bare(&["export", "--last", flag, file.to_str().unwrap()]));
        assert_eq!(out.code, 2, "{flag}: {out:?}");
        assert!(
            out.stderr.contains(&format!(
                "the directory {} does not exist",
                missing.display()
            )),
            "{flag}: {out:?}"
        );
        assert!(
            !emulator.home.path().join("mistyped").exists(),
            "{flag} made a directory"
        );
    }
    let file = emulator.home.path().join("evidence");
    std::fs::write(&file, "mine").unwrap();
    let out = ran(emulator.bare(&["export", "--last", "--bundle", file.to_str().unwrap()]));
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .contains(&format!("{} is a file, not a directory", file.display())),
        "{out:?}"
    );
}

#[test]
fn no_session_or_a_blank_one_is_a_usage_error_that_offers_last() {
    let emulator = Emulator::start(support::FAST);
    for blank in ["", "  "] {
        let out = ran(emulator.bare(&["export", blank]));
        assert_eq!(out.code, 2, "{out:?}");
        assert!(
            out.stderr.contains("SESSION is empty") && out.stderr.contains("--last"),
            "{out:?}"
        );
    }
    let out = ran(emulator.bare(&["export"]));
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("<SESSION|--last>"), "{out:?}");
}

#[test]
fn a_session_not_in_the_history_is_a_usage_error_that_points_at_the_history() {
    let emulator = Emulator::start(support::FAST);
    chat_to_its_end(&emulator, &[]);
    let out = ran(emulator.bare(&["export", "H-not-a-chat", "--har", "x.har"]));
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .contains("no session in the history matches the chat id H-not-a-chat")
            && out.stderr.contains("chatstart history"),
        "{out:?}"
    );
    let out = ran(emulator.bare(&["export", "--last", "--har", "-", "--transcript", "-"]));
    assert_eq!(out.code, 2, "{out:?}");
}
