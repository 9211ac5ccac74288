//! Where the appKey goes, through the real binary against emulators on loopback: only to the
//! configured service, the hosts it named, LivePerson's own domains and hosts allowed by name —
//! never to a host a typed URI names. And what the terminal gets: text with control characters
//! escaped, whatever the command.

use crate::support::{self, Emulator, ran};

/// A chat made on an emulator that names itself `localhost` in its links while it is reached as
/// `127.0.0.1`: its URI is on a host other than the configured service's, one the service named.
fn chat_named_on_localhost() -> (Emulator, String) {
    let emulator = Emulator::fast_with("location_host = \"localhost\"");
    let made = ran(emulator.chatstart(&[
        "request",
        "--skill",
        "Sales",
        "--wait",
        "chatting",
        "--timeout",
        "30",
    ]));
    assert_eq!(
        made.code, 0,
        "the Location and next links the service named are followed: {made:?}"
    );
    let uri = made.stdout.lines().next().expect("the URI").to_string();
    assert!(uri.starts_with("http://localhost:"), "{uri}");
    (emulator, uri)
}

#[test]
fn a_typed_uri_on_another_host_gets_no_app_key_and_the_refusal_names_host_and_flag() {
    let (emulator, uri) = chat_named_on_localhost();
    let port = emulator.handle.addr().port();
    // Another machine, or a URI pasted from elsewhere: the history does not know it.
    let elsewhere = tempfile::tempdir().expect("data dir");
    let before = emulator.handle.requests().len();
    for command in [
        vec!["info", uri.as_str()],
        vec!["watch", uri.as_str()],
        vec!["send", uri.as_str(), "hello"],
        vec!["end", uri.as_str()],
    ] {
        // With the service configured, and with no service but the URI's own host.
        for configured in [true, false] {
            let mut run = if configured {
                emulator.chatstart(&command)
            } else {
                let mut bare = emulator.bare(&command);
                bare.env("CHATSTART_APP_KEY", emulator.app_key());
                bare
            };
            run.env("CHATSTART_DATA_DIR", elsewhere.path());
            let out = ran(run);
            assert_eq!(out.code, 2, "{command:?} configured={configured}: {out:?}");
            assert!(
                out.stderr.contains(&format!("localhost:{port}"))
                    && out.stderr.contains("--send-key-to"),
                "the host and the flag that allows it are named: {out:?}"
            );
            assert!(!out.stderr.contains(&emulator.app_key()), "{out:?}");
        }
    }
    assert_eq!(
        emulator.handle.requests().len(),
        before,
        "nothing at all was sent to the URI's host"
    );

    // Allowed by name (flag, or a profile's send_key_to), the same URI works.
    let mut allowed = emulator.chatstart(&["info", &uri, "--send-key-to", "localhost"]);
    allowed.env("CHATSTART_DATA_DIR", elsewhere.path());
    let out = ran(allowed);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("state: chatting"), "{out:?}");
    let config = elsewhere.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.qa]\nbase_url = \"{}\"\naccount = \"{}\"\nsend_key_to = [\"localhost:{port}\"]\n",
            emulator.base_url(),
            emulator.handle.account()
        ),
    )
    .expect("config");
    let mut profiled = emulator.bare(&["--profile", "qa", "info", &uri]);
    profiled
        .env("CHATSTART_DATA_DIR", elsewhere.path())
        .env("CHATSTART_CONFIG", &config)
        .env("CHATSTART_APP_KEY", emulator.app_key());
    let out = ran(profiled);
    assert_eq!(out.code, 0, "{out:?}");

    // Where the history kept it, the service named it: no flag needed, even with no base URL.
    let mut known = emulator.bare(&["info", &uri]);
    known.env("CHATSTART_APP_KEY", emulator.app_key());
    let out = ran(known);
    assert_eq!(out.code, 0, "{out:?}");
}

#[test]
fn loopback_is_the_service_only_when_configured_as_it() {
    let service = Emulator::start(support::FAST);
    let other = Emulator::start(support::FAST);
    let made = ran(other.chatstart(&["request", "--skill", "Slow"]));
    assert_eq!(made.code, 0, "{made:?}");
    let uri = made.stdout.lines().next().expect("URI").to_string();
    // The history of `service`'s home does not know `other`'s chat.
    let before = other.handle.requests().len();
    let out = ran(service.chatstart(&["end", &uri]));
    assert_eq!(out.code, 2, "{out:?}");
    assert_eq!(other.handle.requests().len(), before, "{out:?}");
    assert_eq!(other.handle.end_posts(), 0);
}

#[test]
fn a_base_url_with_user_and_password_is_refused_before_anything_is_sent() {
    let emulator = Emulator::start(support::FAST);
    let with_user = emulator
        .base_url()
        .replace("http://", "http://alice:hunter2@");
    let mut request = emulator.bare(&[
        "request",
        "--skill",
        "Sales",
        "--account",
        emulator.handle.account(),
        "--base-url",
        &with_user,
    ]);
    request.env("CHATSTART_APP_KEY", emulator.app_key());
    let out = ran(request);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("user:pass@") && out.stderr.contains("Authorization"),
        "{out:?}"
    );
    assert!(
        !out.stderr.contains("hunter2"),
        "the password is not repeated: {out:?}"
    );
    assert!(emulator.handle.requests().is_empty());
}

#[test]
fn history_and_profiles_escape_control_characters_from_the_server_and_the_file() {
    let emulator = Emulator::start(&support::FAST.replace(
        "agent_name = \"Natalie\"",
        "agent_name = \"Nat\\u001b]0;pwned\\u0007alie\"",
    ));
    let made = ran(emulator.chatstart(&[
        "request",
        "--skill",
        "Sales",
        "--wait",
        "chatting",
        "--timeout",
        "30",
    ]));
    assert_eq!(made.code, 0, "{made:?}");
    let history = ran(emulator.bare(&["history"]));
    assert_eq!(history.code, 0, "{history:?}");
    assert!(
        history.stdout.contains(r"Nat\u{1b}]0;pwned\u{7}alie"),
        "the agent's name is shown escaped: {history:?}"
    );
    assert!(!history.stdout.contains('\u{1b}'), "{history:?}");

    let config = emulator.config_file();
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(
        &config,
        "[profiles.\"q\\u001b]0;x\\u0007a\"]\nbase_url = \"http://127.0.0.1:9\"\n",
    )
    .unwrap();
    let profiles = ran(emulator.bare(&["profiles"]));
    assert_eq!(profiles.code, 0, "{profiles:?}");
    assert!(
        profiles.stdout.contains(r"q\u{1b}]0;x\u{7}a") && !profiles.stdout.contains('\u{1b}'),
        "{profiles:?}"
    );
}
