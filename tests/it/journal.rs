//! The session journal, from outside: the real binary against the in-process emulator over real
//! HTTP. Every exchange of a chat lands in the journal its history record names, whichever
//! command makes it (request, send, end, burst, check); `--no-journal` and the config's and the
//! profile's settings keep none; retention prunes as configured; and no secret is ever written,
//! in clear, URL-encoded or base64, wherever it went (header, query, body, echoed error).

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{self, Emulator, ran};

fn journal_dir(emulator: &Emulator) -> PathBuf {
    emulator.data_dir().join("journals")
}

/// The journal files, by name.
fn journal_files(emulator: &Emulator) -> Vec<String> {
    let mut names: Vec<String> = match std::fs::read_dir(journal_dir(emulator)) {
        Ok(entries) => entries
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    };
    names.sort();
    names
}

/// The history's sessions, newest first, as `history --output json` lists them.
fn sessions(emulator: &Emulator) -> Vec<Value> {
    let out = ran(emulator.bare(&["history", "--output", "json"]));
    assert_eq!(out.code, 0, "{out:?}");
    out.json_lines()
        .into_iter()
        .filter(|line| line["uri"].is_string())
        .collect()
}

/// The journal a session's record names: its lines, parsed.
fn journal_of(emulator: &Emulator, session: &Value) -> Vec<Value> {
    let id = session["journal"]
        .as_str()
        .unwrap_or_else(|| panic!("the record names its journal: {session}"));
    let text = std::fs::read_to_string(journal_dir(emulator).join(format!("{id}.jsonl")))
        .expect("the journal is there");
    text.lines()
        .map(|line| serde_json::from_str(line).expect("a journal line is JSON"))
        .collect()
}

/// `METHOD path status` of each journal line (the path without the query).
fn calls_in_journal(lines: &[Value]) -> Vec<String> {
    lines
        .iter()
        .map(|line| {
            let url = url::Url::parse(line["url"].as_str().unwrap()).unwrap();
            format!(
                "{} {} {}",
                line["method"].as_str().unwrap(),
                url.path(),
                line["status"]
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

#[test]
fn every_exchange_of_a_chat_is_in_its_journal_whichever_command_made_it() {
    let emulator = Emulator::start(support::FAST);
    let out = ran(emulator.chatstart(&[
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
    ]));
    assert_eq!(out.code, 0, "{out:?}");
    let uri = out.json_lines()[0]["uri"].as_str().unwrap().to_string();
    let out = ran(emulator.chatstart(&["send", &uri, "a line"]));
    assert_eq!(out.code, 0, "{out:?}");
    let out = ran(emulator.chatstart(&["end", &uri]));
    assert_eq!(out.code, 0, "{out:?}");

    let sessions = sessions(&emulator);
    assert_eq!(sessions.len(), 1);
    let journal = journal_of(&emulator, &sessions[0]);
    // This emulator served this chat alone: what it saw is what the journal must hold, in
    // order, with the same statuses — from the request to the end, across three commands.
    assert_eq!(calls_in_journal(&journal), calls_seen(&emulator));
    let operations: Vec<&str> = journal
        .iter()
        .map(|l| l["operation"].as_str().unwrap())
        .collect();
    assert_eq!(operations.first(), Some(&"chat-request"));
    assert!(operations.contains(&"add-line"), "{operations:?}");
    assert_eq!(operations.last(), Some(&"end-chat"));
    let request = &journal[0];
    assert_eq!(request["status"], 201);
    assert!(
        request["responseHeaders"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h[0].as_str().unwrap().eq_ignore_ascii_case("location")
                && h[1].as_str() == Some(uri.as_str())),
        "the Location is kept: {request}"
    );
    assert!(request["requestBody"].as_str().unwrap().contains("Sales"));
    assert!(request["started"].as_str().unwrap().ends_with('Z'));
    assert!(request["elapsedMs"].as_f64().unwrap() >= 0.0);
}

#[test]
fn no_journal_is_kept_with_the_flag_the_config_or_the_profile_saying_so() {
    let cases: [(&str, &[&str], &str); 3] = [
        ("--no-journal", &["--no-journal"], ""),
        (
            "[journal] enabled = false",
            &[],
            "[journal]\nenabled = false\n",
        ),
        (
            "a profile's journal = false",
            &["--profile", "private"],
            "[profiles.private]\njournal = false\n",
        ),
    ];
    for (why, flags, config) in cases {
        let emulator = Emulator::start(support::FAST);
        if !config.is_empty() {
            std::fs::create_dir_all(emulator.config_file().parent().unwrap()).unwrap();
            std::fs::write(emulator.config_file(), config).unwrap();
        }
        let mut args = vec!["request", "--skill", "Slow"];
        args.extend_from_slice(flags);
        let out = ran(emulator.chatstart(&args));
        assert_eq!(out.code, 0, "{why}: {out:?}");
        let uri = out.stdout.trim().to_string();
        let out = ran(emulator.chatstart(&[&["end", &uri][..], flags].concat()));
        assert_eq!(out.code, 0, "{why}: {out:?}");
        let sessions = sessions(&emulator);
        assert_eq!(
            sessions.len(),
            1,
            "{why}: the history still records the chat"
        );
        assert!(sessions[0]["journal"].is_null(), "{why}: {}", sessions[0]);
        assert_eq!(journal_files(&emulator), Vec::<String>::new(), "{why}");
    }
    // And without any of them, the same commands keep one: the cases above could fail.
    let emulator = Emulator::start(support::FAST);
    let out = ran(emulator.chatstart(&["request", "--skill", "Slow"]));
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(journal_files(&emulator).len(), 1);
}

#[test]
fn retention_keeps_the_newest_journals_as_configured() {
    let emulator = Emulator::start(support::FAST);
    std::fs::create_dir_all(emulator.config_file().parent().unwrap()).unwrap();
    std::fs::write(emulator.config_file(), "[journal]\nkeep = 2\n").unwrap();
    // A journal written to within the last minutes may be a chat still followed: never pruned.
    for _ in 0..4 {
        let out = ran(emulator.chatstart(&["request", "--skill", "Slow"]));
        assert_eq!(out.code, 0, "{out:?}");
    }
    assert_eq!(
        journal_files(&emulator).len(),
        4,
        "live journals are never pruned"
    );
    // An hour later, newest first ten seconds apart, they are chats done with.
    let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for (age, session) in sessions(&emulator).iter().enumerate() {
        let name = format!("{}.jsonl", session["journal"].as_str().unwrap());
        std::fs::File::options()
            .write(true)
            .open(journal_dir(&emulator).join(name))
            .unwrap()
            .set_modified(an_hour_ago - std::time::Duration::from_secs(10 * age as u64))
            .unwrap();
    }
    let out = ran(emulator.chatstart(&["request", "--skill", "Slow"]));
    assert_eq!(out.code, 0, "{out:?}");
    let sessions = sessions(&emulator);
    assert_eq!(sessions.len(), 5, "the history keeps every chat");
    let newest: Vec<String> = sessions[..2]
        .iter()
        .map(|s| format!("{}.jsonl", s["journal"].as_str().unwrap()))
        .collect();
    let mut expected = newest.clone();
    expected.sort();
    assert_eq!(
        journal_files(&emulator),
        expected,
        "the two newest are kept"
    );
    // Ending the oldest chat, whose journal was pruned, does not make it again with only its end.
    let oldest = sessions[3]["uri"].as_str().unwrap();
    let out = ran(emulator.chatstart(&["end", oldest]));
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(journal_files(&emulator), expected, "no partial journal");

    // A retention the file cannot mean is refused as the file is read, naming the key.
    std::fs::write(emulator.config_file(), "[journal]\nkeep = 0\n").unwrap();
    let out = ran(emulator.chatstart(&["request", "--skill", "Slow"]));
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("[journal] keep"), "{out:?}");
}

#[test]
fn a_burst_and_a_check_keep_one_journal_per_chat() {
    let emulator = Emulator::start(support::FAST);
    let out = ran(emulator.chatstart(&[
        "burst",
        "--skill",
        "Sales",
        "--count",
        "3",
        "--concurrency",
        "3",
        "--wait",
        "chatting",
        "--end-after",
        "--poll-interval",
        "0.1",
    ]));
    assert_eq!(out.code, 0, "{out:?}");
    let check = emulator.home.path().join("one.toml");
    std::fs::write(
        &check,
        "[[case]]\nname = \"sales\"\n[case.request]\nskill = \"Sales\"\n[case.expect]\naccepted_within = 30\n",
    )
    .unwrap();
    let out = ran(emulator.chatstart(&["check", check.to_str().unwrap()]));
    assert_eq!(out.code, 0, "{out:?}");

    let sessions = sessions(&emulator);
    assert_eq!(sessions.len(), 4);
    let mut ids: Vec<&str> = sessions
        .iter()
        .map(|s| s["journal"].as_str().expect("each names a journal"))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 4, "one journal each");
    for session in &sessions {
        let journal = journal_of(&emulator, session);
        let chat_requests = journal
            .iter()
            .filter(|l| l["operation"] == "chat-request")
            .count();
        assert_eq!(chat_requests, 1, "{session}");
        let chat_id = session["uri"].as_str().unwrap().rsplit('/').next().unwrap();
        // Every later call of the journal is this chat's, none of its neighbours'.
        for line in journal.iter().skip(1) {
            let url = line["url"].as_str().unwrap();
            assert!(url.contains(chat_id), "{url} is not {chat_id}'s");
        }
        assert!(
            journal.iter().any(|l| l["operation"] == "end-chat"),
            "its end is in it: {session}"
        );
    }
}

/// Every form a secret can take in text: as is, URL-encoded (either hex case, `+` or `%20` for
/// a space) and base64 (standard or URL-safe, padded or not).
fn forms_of(secret: &str) -> Vec<String> {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    let mut forms = vec![
        secret.to_string(),
        encoded.clone(),
        encoded.to_lowercase(),
        encoded.replace('+', "%20"),
    ];
    for engine in [STANDARD, URL_SAFE, STANDARD_NO_PAD, URL_SAFE_NO_PAD] {
        forms.push(engine.encode(secret));
    }
    forms
}

/// Whether some base64 run of `text` decodes to bytes holding `secret`: a secret encoded along
/// with what surrounds it (an echoed body) reads differently from the secret encoded alone.
fn base64_holds(text: &str, secret: &str) -> bool {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    let in_run = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '-' | '_');
    text.split(|c: char| !in_run(c))
        .filter(|run| run.len() >= 16)
        .any(|run| {
            // Each start within a quantum, each end trimmed to a whole number of characters.
            (0..4).any(|skip| {
                let run = &run[skip.min(run.len())..];
                let whole = &run[..run.len() - run.len() % 4];
                [STANDARD_NO_PAD, URL_SAFE_NO_PAD].iter().any(|engine| {
                    engine
                        .decode(whole)
                        .is_ok_and(|bytes| String::from_utf8_lossy(&bytes).contains(secret))
                })
            })
        })
}

/// Every file under `dir`, read as bytes.
fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push((path.clone(), std::fs::read(&path).unwrap()));
        }
    }
    found
}

const APP_KEY: &str = "Kq+7/xZr=ap&key9";
const SSO_KEY: &str = "sso+Secret/Val=42&x";

#[test]
fn no_secret_is_in_any_journal_or_export_whatever_place_it_went() {
    // The appKey rides in the Authorization header, then in the query; the SSO key in the auth
    // body; and a server echoes each back in an error, base64 included.
    let emulator = Emulator::start(&format!("app_key = \"{APP_KEY}\"\n{}", support::FAST));
    emulator.handle.set_faults(support::faults(&[
        "echo@conversation,count=1",
        "echo@info,count=1",
    ]));
    let auth = |extra: &[&str]| {
        let mut args = vec![
            "auth",
            "--sso-key",
            SSO_KEY,
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
        ];
        args.extend_from_slice(extra);
        ran(emulator.chatstart(&args))
    };
    let mut outputs = vec![auth(&[])];
    assert_ne!(
        outputs[0].code, 0,
        "the echoed auth call fails: {:?}",
        outputs[0]
    );
    let out = auth(&[
        "--app-key-in",
        "query",
        "--wait",
        "chatting",
        "--timeout",
        "30",
        "--poll-interval",
        "0.1",
        "--output",
        "json",
    ]);
    assert_eq!(out.code, 0, "{out:?}");
    let uri = out
        .json_lines()
        .iter()
        .find(|l| l["type"] == "session")
        .and_then(|l| l["uri"].as_str())
        .unwrap()
        .to_string();
    outputs.push(out);
    // `info` is answered with the echo: the URL with the appKey in its query, and the headers.
    outputs.push(ran(emulator.chatstart(&[
        "info",
        &uri,
        "--app-key-in",
        "query",
    ])));
    outputs.push(ran(emulator.chatstart(&["info", &uri])));
    outputs.push(ran(emulator.chatstart(&[
        "end",
        &uri,
        "--app-key-in",
        "query",
    ])));
    let seen = emulator.handle.requests();
    let echoed = seen.iter().filter(|r| r.fault.is_some()).count();
    assert_eq!(echoed, 2, "both echoes were answered");
    assert!(
        seen.iter()
            .any(|r| r.query.contains("appKey=") && r.method == "GET"),
        "the appKey went in a query"
    );
    assert!(
        seen.iter().any(|r| r.body.contains(SSO_KEY)),
        "the SSO key went in a body"
    );

    let bundle = emulator.home.path().join("bundle");
    let out = ran(emulator.bare(&["export", &uri, "--bundle", bundle.to_str().unwrap()]));
    assert_eq!(out.code, 0, "{out:?}");
    outputs.push(out);

    let mut files = files_under(&emulator.data_dir());
    files.extend(files_under(&bundle));
    let journals = files
        .iter()
        .filter(|(path, _)| path.extension().is_some_and(|x| x == "jsonl"))
        .filter(|(path, _)| path.parent().is_some_and(|p| p.ends_with("journals")))
        .count();
    assert_eq!(journals, 2, "the failed auth's journal and the chat's");
    assert!(files_under(&bundle).len() >= 3, "HAR, transcript, summary");
    for (secret, name) in [(APP_KEY, "appKey"), (SSO_KEY, "SSO key")] {
        for form in forms_of(secret) {
            for (path, content) in &files {
                assert!(
                    !String::from_utf8_lossy(content).contains(&form),
                    "the {name} as `{form}` is in {}",
                    path.display()
                );
                assert!(
                    !base64_holds(&String::from_utf8_lossy(content), secret),
                    "the {name} is base64-encoded within {}",
                    path.display()
                );
            }
            for out in &outputs {
                assert!(
                    !out.stdout.contains(&form) && !out.stderr.contains(&form),
                    "the {name} as `{form}` was printed: {out:?}"
                );
                assert!(
                    !base64_holds(&out.stdout, secret) && !base64_holds(&out.stderr, secret),
                    "the {name} was printed base64-encoded within: {out:?}"
                );
            }
        }
    }
    // The echoes themselves were kept, masked: the evidence says what the server said.
    let all: String = files
        .iter()
        .map(|(_, content)| String::from_utf8_lossy(content).into_owned())
        .collect();
    assert!(all.contains("Bad request: "), "the echoed errors are kept");
}

#[test]
fn a_refused_chat_request_is_kept_and_export_last_hands_it_on() {
    let emulator = Emulator::start(support::FAST);
    let mut refused = emulator.chatstart(&["request", "--skill", "Sales"]);
    refused.env("CHATSTART_APP_KEY", "not-the-key");
    let out = ran(refused);
    assert_eq!(out.code, 3, "refused: {out:?}");
    assert!(sessions(&emulator).is_empty(), "no chat, no session listed");
    let bundle = emulator.home.path().join("refused");
    let out = ran(emulator.bare(&["export", "--last", "--bundle", bundle.to_str().unwrap()]));
    assert_eq!(out.code, 0, "{out:?}");
    let summary = std::fs::read_to_string(bundle.join("summary.md")).unwrap();
    assert!(
        summary.contains("- no chat was made: the chat request was answered HTTP 401"),
        "{summary}"
    );
    let har: Value =
        serde_json::from_str(&std::fs::read_to_string(bundle.join("session.har")).unwrap())
            .unwrap();
    let entries = har["log"]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["response"]["status"], 401);
    assert!(
        !std::fs::read_to_string(bundle.join("session.har"))
            .unwrap()
            .contains("not-the-key"),
        "the key that was refused is a secret too"
    );
    // The same time format as a chat's, and no URI where there is none.
    assert!(summary.contains(" UTC\n"), "{summary}");
    let mut export = emulator.bare(&["export", "--last", "--har", "r.har", "--output", "json"]);
    export.current_dir(emulator.home.path());
    let out = ran(export);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.json_lines()[0]["uri"], Value::Null, "{out:?}");
}

#[test]
fn export_refuses_one_file_for_two_and_a_bundle_on_stdout() {
    let emulator = Emulator::start(support::FAST);
    let out = ran(emulator.chatstart(&["request", "--skill", "Slow"]));
    assert_eq!(out.code, 0, "{out:?}");
    let home = emulator.home.path();
    let in_home = |args: &[&str]| {
        let mut command = emulator.bare(args);
        command.current_dir(home);
        ran(command)
    };
    let out = in_home(&["export", "--last", "--har", "same", "--transcript", "same"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("both name same"), "{out:?}");
    assert!(!home.join("same").exists(), "nothing written");
    let out = in_home(&["export", "--last", "--bundle", "-"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(!home.join("-").exists(), "no directory named -");
    std::fs::create_dir(home.join("adir")).unwrap();
    let out = in_home(&["export", "--last", "--har", "adir"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("adir is a directory"), "{out:?}");
}

#[test]
fn a_request_refused_before_sending_keeps_no_journal() {
    let emulator = Emulator::start(support::FAST);
    // The survey is read to check the answer, which names no question of it: nothing is sent.
    let out = ran(emulator.chatstart(&["request", "--skill", "Sales", "--survey", "999=x"]));
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        emulator.handle.requests().iter().any(|r| r.method == "GET"),
        "the survey was read"
    );
    assert_eq!(journal_files(&emulator), Vec::<String>::new());
}
