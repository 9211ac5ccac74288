//! Bad input is refused before anything is sent: the real binary against the emulator, whose
//! request log must stay empty, for every kind of value — numbers of a check file, of a profile
//! and of the flags, unknown keys, control characters, URLs that are not what the flag takes.

use crate::support::{self, Emulator, ran};

/// Runs `chatstart ARGS` against the emulator; asserts exit 2, that nothing reached the
/// emulator, and returns stderr.
fn refused(emulator: &Emulator, args: &[&str]) -> String {
    refused_command(emulator, emulator.chatstart(args))
}

fn refused_command(emulator: &Emulator, command: std::process::Command) -> String {
    let out = ran(command);
    assert_eq!(out.code, 2, "{out:?}");
    let requests = emulator.handle.requests();
    assert!(requests.is_empty(), "sent: {requests:?}\n{out:?}");
    out.stderr
}

fn write(emulator: &Emulator, name: &str, text: &str) -> String {
    let path = emulator.home.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn a_check_file_with_an_unusable_number_sends_nothing_and_names_file_case_line_and_key() {
    let emulator = Emulator::start(support::FAST);
    for (expect, key) in [
        ("accepted_within = -1", "expect.accepted_within: `-1`"),
        (
            "not_accepted_within = -3",
            "expect.not_accepted_within: `-3`",
        ),
        ("accepted_within = 1e300", "expect.accepted_within: `1e300`"),
    ] {
        // A good case first: nothing of it may be sent either.
        let file = write(
            &emulator,
            "checks.toml",
            &format!(
                "[[case]]\nname = \"fine\"\n[case.request]\nskill = \"Sales\"\n\n\
                 [[case]]\nname = \"bad\"\n[case.request]\nskill = \"Sales\"\n[case.expect]\n{expect}\n"
            ),
        );
        let stderr = refused(&emulator, &["check", &file]);
        assert!(
            stderr.contains(&format!("check file {file}: case `bad`, line 11: {key}")),
            "{stderr}"
        );
    }
    let file = write(
        &emulator,
        "steps.toml",
        "[[case]]\nname = \"s\"\n[[case.step]]\nexpect = \"hi\"\nwithin = -1\n",
    );
    let stderr = refused(&emulator, &["check", &file]);
    assert!(
        stderr.contains("case `s`, line 5: step 1: within"),
        "{stderr}"
    );
}

#[test]
fn a_typo_in_a_request_table_is_refused_with_its_line() {
    let emulator = Emulator::start(support::FAST);
    let file = write(
        &emulator,
        "checks.toml",
        "[[case]]\nname = \"typo\"\n[case.request]\nskil = \"Sales\"\n",
    );
    let stderr = refused(&emulator, &["check", &file]);
    assert!(
        stderr.contains("line 4") && stderr.contains("unknown field `skil`"),
        "{stderr}"
    );
    std::fs::create_dir_all(emulator.config_file().parent().unwrap()).unwrap();
    std::fs::write(
        emulator.config_file(),
        "[profiles.qa]\naccount = \"1\"\n[profiles.qa.request]\nskil = \"Sales\"\n",
    )
    .unwrap();
    let stderr = refused(&emulator, &["request", "--profile", "qa"]);
    assert!(
        stderr.contains("line 4") && stderr.contains("unknown field `skil`"),
        "{stderr}"
    );
}

#[test]
fn numbers_given_as_flags_are_checked_before_anything_is_sent() {
    let emulator = Emulator::start(support::FAST);
    let cases: [(&[&str], &str); 9] = [
        (&["burst", "--skill", "Sales", "--count", "0"], "--count"),
        (
            &["burst", "--skill", "Sales", "--concurrency", "0"],
            "--concurrency",
        ),
        (
            &["burst", "--skill", "Sales", "--timeout", "-1"],
            "--timeout: `-1`",
        ),
        (&["burst", "--skill", "Sales", "--count", "-1"], "--count"),
        (
            &[
                "request",
                "--skill",
                "Sales",
                "--wait",
                "chatting",
                "--timeout",
                "1e300",
            ],
            "--timeout: `1e300`",
        ),
        (
            &[
                "request",
                "--skill",
                "Sales",
                "--wait",
                "chatting",
                "--poll-interval",
                "0",
            ],
            "--poll-interval: `0`",
        ),
        (
            &["request", "--skill", "Sales", "--http-timeout", "-5"],
            "--http-timeout: `-5`",
        ),
        (
            &["request", "--skill", "Sales", "--max-wait-time", "-5"],
            "--max-wait-time",
        ),
        (&["check", "missing.toml", "--repeat", "0"], ""),
    ];
    for (args, named) in cases {
        let stderr = refused(&emulator, args);
        assert!(stderr.contains(named), "{args:?}: {stderr}");
    }
    let file = write(&emulator, "ok.toml", "[[case]]\nname = \"a\"\n");
    for repeat in ["0", "10000000"] {
        let stderr = refused(&emulator, &["check", &file, "--repeat", repeat]);
        assert!(stderr.contains("--repeat"), "{stderr}");
    }
    let stderr = refused(
        &emulator,
        &["burst", "--skill", "Sales", "--count", "100000000"],
    );
    assert!(stderr.contains("--count: at most 100000"), "{stderr}");
}

#[test]
fn more_at_once_than_there_is_work_is_all_of_it_at_once() {
    let emulator = Emulator::start(support::FAST);
    let most = usize::MAX.to_string();
    let out = ran(emulator.chatstart(&[
        "burst",
        "--skill",
        "Sales",
        "--count",
        "2",
        "--concurrency",
        &most,
        "--end-after",
        "--output",
        "json",
    ]));
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!out.stderr.contains("panicked"), "{out:?}");
    assert_eq!(emulator.handle.count("POST", "/chat/request"), 2);
    let file = write(
        &emulator,
        "ok.toml",
        "[[case]]\nname = \"a\"\n[case.request]\nskill = \"Sales\"\n",
    );
    let out = ran(emulator.chatstart(&["check", &file, "--concurrency", &most]));
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!out.stderr.contains("panicked"), "{out:?}");
}

#[test]
fn control_characters_are_refused_where_they_are_typed() {
    let emulator = Emulator::start(support::FAST);
    let cases: [(&[&str], &str); 5] = [
        (
            &["request", "--skill", "Sa\u{1b}les"],
            "--skill: contains ESC",
        ),
        (
            &[
                "request",
                "--skill",
                "Sales",
                "--pre-chat-line",
                "ok",
                "--pre-chat-line",
                "a\u{7}b",
            ],
            "--pre-chat-line #2: contains BEL",
        ),
        (
            &["request", "--skill", "Sales", "--user-agent", "two\nlines"],
            "--user-agent: contains a line break",
        ),
        (
            &[
                "request",
                "--skill",
                "Sales",
                "--survey",
                "1003=billing\u{1b}",
            ],
            "--survey 1003=…: contains ESC",
        ),
        (
            &[
                "request",
                "--skill",
                "Sales",
                "--chat-referrer",
                "https://x.example/\u{8}",
            ],
            "--chat-referrer: contains backspace",
        ),
    ];
    for (args, named) in cases {
        let stderr = refused(&emulator, args);
        assert!(stderr.contains(named), "{args:?}: {stderr}");
    }
    let uri = format!(
        "{}/api/account/{}/chat/H1",
        emulator.base_url(),
        emulator.handle.account()
    );
    let stderr = refused(&emulator, &["send", &uri, "hi\u{1b}[2J"]);
    assert!(stderr.contains("TEXT: contains ESC"), "{stderr}");
    let mut auth = emulator.chatstart(&[
        "auth",
        "--skill",
        "Sales",
        "--auth-conn-id",
        "1",
        "--engagement-id",
        "1",
        "--le-visitor-id",
        "v",
        "--le-session-id",
        "s",
        "--le-context-id",
        "2",
    ]);
    auth.env("CHATSTART_SSO_KEY", "k12197\u{7}");
    let stderr = refused_command(&emulator, auth);
    assert!(
        stderr.contains("--sso-key: the SSO key contains BEL") && !stderr.contains("k12197"),
        "{stderr}"
    );
}

#[test]
fn urls_that_are_not_what_the_flag_takes_say_what_to_write() {
    let emulator = Emulator::start(support::FAST);
    let address = emulator
        .base_url()
        .trim_start_matches("http://")
        .to_string();
    let bare = |args: &[&str]| {
        let mut command = emulator.bare(args);
        command.args(["--account", emulator.handle.account(), "--skill", "Sales"]);
        command.env("CHATSTART_APP_KEY", emulator.app_key());
        command
    };
    let stderr = refused_command(&emulator, bare(&["request", "--base-url", &address]));
    assert!(
        stderr.contains(&format!(
            "--base-url: `{address}` has no scheme: write http://{address}"
        )),
        "{stderr}"
    );
    let url = emulator.base_url();
    let stderr = refused_command(&emulator, bare(&["request", "--domain", &url]));
    assert!(
        stderr.contains(&format!("--domain: `{url}` is a URL, not a domain"))
            && stderr.contains("--base-url")
            && stderr.contains(&address),
        "{stderr}"
    );
}

#[test]
fn an_account_written_as_a_number_in_a_profile_is_taken() {
    let emulator = Emulator::start(support::FAST);
    std::fs::create_dir_all(emulator.config_file().parent().unwrap()).unwrap();
    std::fs::write(
        emulator.config_file(),
        format!(
            "[profiles.qa]\nbase_url = \"{}\"\naccount = {}\napp_key_env = \"KEY\"\n\
             [profiles.qa.request]\nskill = \"Sales\"\nmax_wait_time = 600\n",
            emulator.base_url(),
            emulator.handle.account()
        ),
    )
    .unwrap();
    let mut command = emulator.bare(&["request", "--profile", "qa"]);
    command.env("KEY", emulator.app_key());
    let out = ran(command);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(emulator.handle.count("POST", "/chat/request"), 1);
}
