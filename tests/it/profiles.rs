//! Profiles, precedence, secret sources, history, logs and completions, through the real binary
//! against the emulator.

use serde_json::Value;

use crate::support::{self, Emulator, ran};

/// Writes the default config file of the emulator's private home.
fn write_config(emulator: &Emulator, text: &str) {
    let path = emulator.config_file();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn qa_profile(emulator: &Emulator, extra: &str) -> String {
    format!(
        r#"# my QA setups
default_profile = "qa"

[profiles.qa]
base_url = "{}"
account = "{}"
app_key_env = "QA_APP_KEY"  # the key lives in the environment
{extra}

[profiles.qa.request]
skill = "Sales"
pre_chat_lines = ["from the profile"]
language = "en-US"
"#,
        emulator.base_url(),
        emulator.handle.account()
    )
}

fn last_chat_body(emulator: &Emulator) -> Value {
    let post = emulator
        .handle
        .requests()
        .into_iter()
        .rev()
        .find(|r| r.method == "POST" && r.path.contains("/chat/request"))
        .expect("a chat request");
    serde_json::from_str(&post.body).unwrap()
}

#[test]
fn a_profile_supplies_connection_secret_and_request_defaults() {
    let emulator = Emulator::start(support::FAST);
    write_config(&emulator, &qa_profile(&emulator, ""));
    let mut command = emulator.bare(&["request"]);
    command.env("QA_APP_KEY", emulator.app_key());
    let out = ran(command);
    assert_eq!(out.code, 0, "{out:?}");
    let body = last_chat_body(&emulator);
    assert_eq!(body["request"]["skill"], "Sales");
    assert_eq!(
        body["request"]["preChatLines"]["line"][0],
        "from the profile"
    );
    assert_eq!(body["request"]["language"], "en-US");
}

#[test]
fn flags_beat_the_environment_which_beats_the_profile() {
    let emulator = Emulator::start(support::FAST);
    write_config(&emulator, &qa_profile(&emulator, "format = \"xml\""));
    // A flag overrides the profile's skill and pre-chat lines.
    let mut command = emulator.bare(&[
        "--profile",
        "qa",
        "request",
        "--skill",
        "Slow",
        "--pre-chat-line",
        "flag",
    ]);
    command.env("QA_APP_KEY", emulator.app_key());
    assert_eq!(ran(command).code, 0);
    let post = emulator
        .handle
        .requests()
        .into_iter()
        .rev()
        .find(|r| r.method == "POST")
        .unwrap();
    assert!(
        post.body.contains("<skill>Slow</skill>") && post.body.contains("<line>flag</line>"),
        "{}",
        post.body
    );
    // The environment overrides the profile's format; the flag overrides the environment.
    let mut command = emulator.bare(&["request"]);
    command
        .env("QA_APP_KEY", emulator.app_key())
        .env("CHATSTART_FORMAT", "json");
    assert_eq!(ran(command).code, 0);
    assert_eq!(
        last_chat_body(&emulator)["request"]["skill"],
        "Sales",
        "JSON, from the environment"
    );
    // CHATSTART_APP_KEY (environment) beats the profile's source, and a wrong one is refused.
    let mut command = emulator.bare(&["request"]);
    command
        .env("QA_APP_KEY", emulator.app_key())
        .env("CHATSTART_APP_KEY", "wrong-key");
    assert_eq!(ran(command).code, 3, "the environment's key was used");
    let mut command = emulator.bare(&["request", "--app-key", &emulator.app_key()]);
    command.env("CHATSTART_APP_KEY", "wrong-key");
    assert_eq!(ran(command).code, 0, "the flag beats the environment");
}

#[test]
fn secret_sources_env_command_missing_and_failing() {
    let emulator = Emulator::start(support::FAST);
    let key = emulator.app_key();
    write_config(
        &emulator,
        &qa_profile(&emulator, "").replace(
            "app_key_env = \"QA_APP_KEY\"",
            &format!("app_key_cmd = \"printf '{key}\\\\n'\""),
        ),
    );
    let out = ran(emulator.bare(&["request"]));
    assert_eq!(out.code, 0, "the command's output is the key: {out:?}");

    write_config(&emulator, &qa_profile(&emulator, ""));
    let missing = ran(emulator.bare(&["request"]));
    assert_eq!(missing.code, 2, "{missing:?}");
    assert!(
        missing
            .stderr
            .contains("profile `qa`: appKey: the environment variable QA_APP_KEY is not set"),
        "{missing:?}"
    );

    write_config(
        &emulator,
        &qa_profile(&emulator, "").replace(
            "app_key_env = \"QA_APP_KEY\"",
            "app_key_cmd = \"printf half-; printf key; echo vault locked >&2; exit 1\"",
        ),
    );
    let failing = ran(emulator.bare(&["request"]));
    assert_eq!(failing.code, 2, "{failing:?}");
    assert!(failing.stderr.contains("vault locked"), "{failing:?}");
    assert!(
        !failing.stderr.contains("half-key"),
        "a failing command's output is never shown: {failing:?}"
    );
    assert_eq!(
        emulator.handle.count("POST", "/chat/request"),
        1,
        "only the working source sent a chat"
    );
}

#[test]
fn a_broken_config_names_the_file_and_line() {
    let emulator = Emulator::start(support::FAST);
    write_config(
        &emulator,
        "[profiles.qa]\naccount = \"1\"\napp_key = \"in-clear\"\n",
    );
    let out = ran(emulator.bare(&["profiles"]));
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .contains(&emulator.config_file().display().to_string()),
        "{out:?}"
    );
    assert!(out.stderr.contains("line 3"), "{out:?}");
    assert!(
        out.stderr.contains("app_key_env"),
        "says what to write instead: {out:?}"
    );
    assert!(!out.stderr.contains("in-clear"), "{out:?}");

    write_config(&emulator, "[profiles.qa]\nacount = \"1\"\n");
    let typo = ran(emulator.bare(&["profiles"]));
    assert!(
        typo.stderr.contains("line 2") && typo.stderr.contains("acount"),
        "{typo:?}"
    );
    write_config(&emulator, "[profiles.qa]\naccount = \"1\"\n");
    let unknown = ran(emulator.bare(&["--profile", "nope", "profiles"]));
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("no profile `nope`"), "{unknown:?}");
}

#[test]
fn profiles_are_listed_and_saved_profiles_round_trip_keeping_comments() {
    let emulator = Emulator::start(support::FAST);
    write_config(&emulator, &qa_profile(&emulator, ""));
    let mut config = chatstart::config::Config::load(Some(&emulator.config_file())).unwrap();
    let mut saved = config.file.profiles["qa"].clone();
    saved.request.skill = "Billing".into();
    saved.request.survey_answers = vec![
        chatstart::api::SurveyAnswer {
            question_id: "1001".into(),
            values: vec!["CATS".into()],
        },
        chatstart::api::SurveyAnswer {
            question_id: "1003".into(),
            values: vec!["billing".into(), "shipping".into()],
        },
    ];
    saved.auth = true;
    saved.sso_key_cmd = Some("pass show sso".into());
    config.save_profile("billing", &saved).unwrap();
    let text = std::fs::read_to_string(emulator.config_file()).unwrap();
    assert!(
        text.contains("# my QA setups") && text.contains("# the key lives in the environment"),
        "{text}"
    );
    let reloaded = chatstart::config::Config::load(Some(&emulator.config_file())).unwrap();
    assert_eq!(reloaded.file.profiles["billing"], saved, "round trip");
    assert_eq!(
        reloaded.file.profiles["qa"], config.file.profiles["qa"],
        "the other profile untouched"
    );

    let listed = ran(emulator.bare(&["profiles"]));
    assert_eq!(listed.code, 0, "{listed:?}");
    assert!(
        listed
            .stdout
            .lines()
            .any(|l| l.starts_with("* qa ") && l.contains("request")),
        "{listed:?}"
    );
    assert!(
        listed
            .stdout
            .lines()
            .any(|l| l.starts_with("  billing ") && l.contains("auth") && l.contains("Billing")),
        "{listed:?}"
    );
}

#[test]
fn history_lists_sessions_newest_first_with_their_last_state() {
    let emulator = Emulator::start(support::FAST);
    write_config(
        &emulator,
        &qa_profile(&emulator, "").replace("default_profile = \"qa\"", ""),
    );
    let mut first = emulator.bare(&[
        "--profile",
        "qa",
        "request",
        "--wait",
        "chatting",
        "--timeout",
        "30",
    ]);
    first.env("QA_APP_KEY", emulator.app_key());
    let first = ran(first);
    let first_uri = first.stdout.lines().next().unwrap().to_string();
    let second = ran(emulator.chatstart(&["request", "--skill", "Slow"]));
    let second_uri = second.stdout.lines().next().unwrap().to_string();

    let listed = ran(emulator.bare(&["history", "--output", "json"]));
    let entries: Vec<Value> = listed
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(entries.len(), 2, "{listed:?}");
    assert_eq!(entries[0]["uri"], second_uri.as_str(), "newest first");
    assert_eq!(entries[1]["uri"], first_uri.as_str());
    assert_eq!(entries[1]["state"], "chatting");
    assert_eq!(entries[1]["agent"], "Natalie");
    assert_eq!(entries[1]["profile"], "qa");
    assert_eq!(
        entries[1]["request"]["skill"], "Sales",
        "the request is kept to run again"
    );

    let only_qa = ran(emulator.bare(&["--profile", "qa", "history"]));
    assert_eq!(only_qa.stdout.lines().count(), 1, "{only_qa:?}");
    ran(emulator.chatstart(&["end", &first_uri]));
    let open = ran(emulator.bare(&["history", "--open"]));
    assert!(
        open.stdout.contains(&second_uri) && !open.stdout.contains(&first_uri),
        "{open:?}"
    );
}

#[test]
fn no_secret_reaches_any_file_the_program_writes() {
    let emulator = Emulator::start(support::FAST);
    let app_key = emulator.app_key();
    let sso_key = "sso-key-never-written-7f3a";
    write_config(
        &emulator,
        &qa_profile(
            &emulator,
            "sso_key_env = \"QA_SSO_KEY\"\nauth_conn_id = \"568046210\"",
        ),
    );
    let log = emulator.home.path().join("http.log");
    let log_arg = log.display().to_string();
    let run = |args: &[&str]| {
        let mut command = emulator.bare(args);
        command
            .env("QA_APP_KEY", &app_key)
            .env("QA_SSO_KEY", sso_key);
        ran(command)
    };
    let requested = run(&[
        "--log-file",
        &log_arg,
        "request",
        "--wait",
        "chatting",
        "--timeout",
        "30",
    ]);
    assert_eq!(requested.code, 0, "{requested:?}");
    let authed = run(&[
        "--log-file",
        &log_arg,
        "auth",
        "--engagement-id",
        "1",
        "--le-visitor-id",
        "V",
        "--le-session-id",
        "S",
        "--le-context-id",
        "2",
        "--wait",
        "chatting",
        "--timeout",
        "30",
        "--app-key-in",
        "query",
    ]);
    assert_eq!(authed.code, 0, "{authed:?}");
    let uri = authed.stdout.lines().next().unwrap();
    assert_eq!(run(&["--log-file", &log_arg, "end", uri]).code, 0);

    let log_text = std::fs::read_to_string(&log).unwrap();
    assert!(
        log_text.contains("chat/request") && log_text.contains("conversation.json"),
        "the log has the exchanges"
    );
    let mut files = Vec::new();
    let mut stack = vec![emulator.home.path().to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            if entry.path().is_dir() {
                stack.push(entry.path());
            } else {
                files.push(entry.path());
            }
        }
    }
    assert!(files.len() >= 3, "config, history and log: {files:?}");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(!text.contains(&app_key), "appKey in {}", file.display());
        assert!(!text.contains(sso_key), "SSO key in {}", file.display());
    }
    for output in [&requested, &authed] {
        assert!(!output.stdout.contains(&app_key) && !output.stderr.contains(sso_key));
    }
}

#[test]
fn completions_are_generated_from_the_cli_definition() {
    let emulator = Emulator::start(support::FAST);
    for shell in ["bash", "zsh", "fish"] {
        let out = ran(emulator.bare(&["completions", shell]));
        assert_eq!(out.code, 0, "{shell}: {out:?}");
        for word in ["request", "watch", "max-wait-time", "app-key-in"] {
            assert!(out.stdout.contains(word), "{shell} completion lacks {word}");
        }
    }
}

/// Runs `chatstart ARGS` with stdout on a pipe that `read` reads from, then closes early:
/// what `| head -1` does.
#[cfg(unix)]
fn with_early_closed_stdout(
    emulator: &Emulator,
    args: &[&str],
    read: impl FnOnce(std::process::ChildStdout),
) -> (std::process::ExitStatus, String) {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = emulator
        .bare(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    read(child.stdout.take().unwrap());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    (child.wait().unwrap(), stderr)
}

#[cfg(unix)]
fn ended_quietly(status: std::process::ExitStatus, stderr: &str) -> bool {
    use std::os::unix::process::ExitStatusExt;
    !stderr.contains("panicked")
        && !stderr.contains("Broken pipe")
        && (status.success() || status.signal() == Some(13))
}

#[cfg(unix)]
#[test]
fn a_reader_that_goes_away_ends_the_command_quietly() {
    use std::io::BufRead;
    let emulator = Emulator::start(support::FAST);
    // Far more than a pipe holds, so the command is still writing when the reader leaves.
    let history = chatstart::history::History::at(emulator.data_dir().join("history.jsonl"));
    let request = chatstart::api::ChatRequest::default();
    for n in 0..2000 {
        let uri = format!("http://127.0.0.1:9/api/account/1/chat/H{n:0>60}");
        let record = chatstart::history::SessionRecord::created(
            None,
            "1",
            &uri,
            chatstart::history::Flow::Request,
            &request,
            None,
        );
        history.created(record).unwrap();
    }
    let (status, stderr) = with_early_closed_stdout(&emulator, &["history"], |stdout| {
        let mut first = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut first)
            .unwrap();
        assert!(first.contains("/chat/H"), "{first}");
    });
    assert!(ended_quietly(status, &stderr), "{status:?}: {stderr}");
    // Closed before the first write.
    let (status, stderr) = with_early_closed_stdout(&emulator, &["completions", "bash"], drop);
    assert!(ended_quietly(status, &stderr), "{status:?}: {stderr}");
}

/// A profile that sends the appKey in the query (the account refuses the header), its key in
/// QA_APP_KEY.
fn query_profile(emulator: &Emulator) -> String {
    format!(
        r#"[profiles.qa]
base_url = "{}"
account = "{}"
app_key_env = "QA_APP_KEY"
app_key_in = "query"

[profiles.qa.request]
skill = "Slow"
"#,
        emulator.base_url(),
        emulator.handle.account()
    )
}

fn open_uris(emulator: &Emulator) -> Vec<String> {
    let out = ran(emulator.bare(&["history", "--open", "--output", "json"]));
    assert_eq!(out.code, 0, "{out:?}");
    out.stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["uri"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn cleanup_ends_each_chat_the_way_it_was_made() {
    let emulator = Emulator::fast_with("refuse_app_key_header = true");
    write_config(&emulator, &query_profile(&emulator));
    let key = emulator.app_key();
    let by_profile = || {
        let mut command = emulator.bare(&["--profile", "qa", "request"]);
        command.env("QA_APP_KEY", &key);
        let out = ran(command);
        assert_eq!(out.code, 0, "{out:?}");
        out.stdout.lines().next().unwrap().to_string()
    };
    let first = by_profile();
    // CHATSTART_APP_KEY alone: the key is right, the placement comes from the profile.
    let mut cleanup = emulator.bare(&["end", "--all-open", "--yes"]);
    cleanup.env("CHATSTART_APP_KEY", &key);
    let out = ran(cleanup);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("ended 1 of 1"), "{out:?}");
    assert!(open_uris(&emulator).is_empty());

    let second = by_profile();
    let by_flags =
        ran(emulator.chatstart(&["request", "--skill", "Slow", "--app-key-in", "query"]));
    assert_eq!(by_flags.code, 0, "{by_flags:?}");
    let by_flags = by_flags.stdout.lines().next().unwrap().to_string();
    let history = std::fs::read_to_string(emulator.data_dir().join("history.jsonl")).unwrap();
    assert!(history.contains(r#""app_key_in":"query""#), "{history}");
    assert!(!history.contains(&key), "never the key: {history}");
    // No flag and no CHATSTART_APP_KEY: the profile's own source serves its chat; the chat made
    // with flags has no key to be ended with, and says so.
    let mut cleanup = emulator.bare(&["end", "--all-open", "--yes"]);
    cleanup.env("QA_APP_KEY", &key);
    let out = ran(cleanup);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stdout.contains("ended 1 of 2"), "{out:?}");
    assert!(
        out.stderr.contains("made without a profile") && out.stderr.contains("CHATSTART_APP_KEY"),
        "{out:?}"
    );
    assert_eq!(open_uris(&emulator), std::slice::from_ref(&by_flags));
    // With the key, the record's placement (query) is used.
    let mut cleanup = emulator.bare(&["end", "--all-open", "--yes"]);
    cleanup.env("CHATSTART_APP_KEY", &key);
    let out = ran(cleanup);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(open_uris(&emulator).is_empty());
    for uri in [first, second, by_flags] {
        let watched =
            ran(emulator.chatstart(&["watch", &uri, "--app-key-in", "query", "--timeout", "60"]));
        assert!(
            watched.stdout.ends_with("state: ended\n"),
            "really ended: {watched:?}"
        );
    }
}

#[test]
fn chats_of_a_stopped_emulator_and_of_the_demo_do_not_fail_the_cleanup() {
    let live = Emulator::start(support::FAST);
    let stopped = Emulator::start(support::FAST);
    let key = live.app_key();
    let request_on = |emulator: &Emulator| {
        let mut command = live.bare(&[
            "request",
            "--skill",
            "Slow",
            "--base-url",
            &emulator.base_url(),
            "--account",
            emulator.handle.account(),
        ]);
        command.env("CHATSTART_APP_KEY", &key);
        let out = ran(command);
        assert_eq!(out.code, 0, "{out:?}");
        out.stdout.lines().next().unwrap().to_string()
    };
    let orphan = request_on(&stopped);
    let kept = request_on(&live);
    // A chat of the console's demo emulator, as the console records it.
    let history = chatstart::history::History::at(live.data_dir().join("history.jsonl"))
        .with_demo_origin(Some("http://127.0.0.1:1"));
    let demo_uri = "http://127.0.0.1:1/api/account/12345678/chat/Hdemo";
    history
        .created(chatstart::history::SessionRecord::created(
            None,
            "12345678",
            demo_uri,
            chatstart::history::Flow::Request,
            &chatstart::api::ChatRequest::default(),
            None,
        ))
        .unwrap();
    let address = stopped.handle.addr();
    drop(stopped);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::net::TcpStream::connect(address).is_ok() {
        assert!(
            std::time::Instant::now() < deadline,
            "the emulator never stopped"
        );
        std::thread::yield_now();
    }
    let open = open_uris(&live);
    assert_eq!(open.len(), 2, "the demo chat is not open: {open:?}");
    assert!(!open.contains(&demo_uri.to_string()));
    let listed = ran(live.bare(&["history"]));
    assert!(
        listed
            .stdout
            .lines()
            .any(|l| l.contains(demo_uri) && l.contains("(demo: gone with its console)")),
        "the demo chat is listed as one: {listed:?}"
    );

    let out = ran(live.chatstart(&["end", "--all-open", "--yes"]));
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("ended 1 of 2"), "{out:?}");
    assert!(out.stdout.contains("marked gone"), "{out:?}");
    assert!(
        out.stderr.contains(&orphan) && out.stderr.contains("stopped"),
        "{out:?}"
    );
    assert!(
        open_uris(&live).is_empty(),
        "and the next cleanup has nothing to do"
    );
    let again = ran(live.chatstart(&["end", "--all-open", "--yes"]));
    assert_eq!(again.code, 0, "{again:?}");
    let watched = ran(live.chatstart(&["watch", &kept, "--timeout", "60"]));
    assert!(watched.stdout.ends_with("state: ended\n"), "{watched:?}");
}

#[test]
fn ending_a_chat_that_is_gone_already_is_not_an_error() {
    let emulator = Emulator::fast_with("ended_chat_ttl_secs = 0");
    let out = ran(emulator.chatstart(&["request", "--skill", "Slow"]));
    let uri = out.stdout.lines().next().unwrap().to_string();
    assert_eq!(ran(emulator.chatstart(&["end", &uri])).code, 0);
    let again = ran(emulator.chatstart(&["end", &uri]));
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stderr.contains("already over"), "{again:?}");
}

#[test]
fn listing_commands_do_not_fail_on_config_problems_they_do_not_depend_on() {
    let emulator = Emulator::start(support::FAST);
    write_config(
        &emulator,
        &qa_profile(&emulator, "")
            .replace("default_profile = \"qa\"", "default_profile = \"gone\""),
    );
    let listed = ran(emulator.bare(&["profiles"]));
    assert_eq!(listed.code, 0, "{listed:?}");
    assert!(listed.stdout.contains("  qa "), "{listed:?}");
    assert!(
        listed.stderr.contains("default_profile = \"gone\"")
            && listed.stderr.contains("names no profile"),
        "{listed:?}"
    );
    // A command that uses the default still says what is wrong.
    let request = ran(emulator.bare(&["request"]));
    assert_eq!(request.code, 2, "{request:?}");
    assert!(request.stderr.contains("no profile `gone`"), "{request:?}");

    // A chat made through a profile since removed from the file.
    write_config(&emulator, &qa_profile(&emulator, ""));
    let mut command = emulator.bare(&["--profile", "qa", "request"]);
    command.env("QA_APP_KEY", emulator.app_key());
    let made = ran(command);
    assert_eq!(made.code, 0, "{made:?}");
    let uri = made.stdout.lines().next().unwrap().to_string();
    write_config(&emulator, "[profiles.other]\naccount = \"1\"\n");
    let filtered = ran(emulator.bare(&["--profile", "qa", "history"]));
    assert_eq!(filtered.code, 0, "{filtered:?}");
    assert!(filtered.stdout.contains(&uri), "{filtered:?}");
    let other = ran(emulator.chatstart(&["request", "--skill", "Slow"]));
    let other = other.stdout.lines().next().unwrap().to_string();
    // A broken config file: the history does not need it.
    write_config(&emulator, "[profiles.qa\n");
    let listed = ran(emulator.bare(&["history", "--open"]));
    assert_eq!(listed.code, 0, "{listed:?}");
    assert!(listed.stdout.contains(&uri), "{listed:?}");
    // Nor does a cleanup of chats made without a profile; the profile's chat is reported.
    let cleanup = ran(emulator.chatstart(&["end", "--all-open", "--yes"]));
    assert_eq!(cleanup.code, 2, "{cleanup:?}");
    assert!(cleanup.stdout.contains("ended 1 of 2"), "{cleanup:?}");
    assert!(
        cleanup.stderr.contains("profile `qa`") && cleanup.stderr.contains("config file"),
        "{cleanup:?}"
    );
    assert_eq!(open_uris(&emulator), [uri], "{other} ended");
}

#[test]
fn a_history_line_cut_short_does_not_swallow_the_next_chat() {
    let emulator = Emulator::start(support::FAST);
    std::fs::create_dir_all(emulator.data_dir()).unwrap();
    let path = emulator.data_dir().join("history.jsonl");
    std::fs::write(&path, r#"{"kind":"session","time":"2026-12-01T05:4"#).unwrap();
    let out = ran(emulator.chatstart(&["request", "--skill", "Slow"]));
    assert_eq!(out.code, 0, "{out:?}");
    let uri = out.stdout.lines().next().unwrap().to_string();
    assert_eq!(open_uris(&emulator), [uri]);
}
