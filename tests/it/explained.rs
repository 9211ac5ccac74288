//! Explained errors, the SSO key inspector and orphan cleanup, through the real binary.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;

use crate::support::{self, Emulator, ran};

#[test]
fn the_readme_lists_every_explanation_of_the_code() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for explanation in chatstart::api::explain::all() {
        assert!(
            readme.contains(explanation.name),
            "README lacks `{}`",
            explanation.name
        );
        assert!(
            readme.contains(explanation.why),
            "README lacks the why of `{}`",
            explanation.name
        );
    }
}

#[test]
fn errors_are_shown_with_status_message_why_and_next_step() {
    let emulator = Emulator::start(support::FAST);
    // An unknown path: a base URL with a path the service does not have.
    let mut wrong = emulator.bare(&["request", "--skill", "Sales", "--account", "12345678"]);
    wrong
        .args(["--base-url", &format!("{}/wrong", emulator.base_url())])
        .env("CHATSTART_APP_KEY", emulator.app_key());
    let out = ran(wrong);
    assert_eq!(out.code, 3, "{out:?}");
    assert!(
        out.stderr.contains("HTTP 404") && out.stderr.contains("(internalCode 28)"),
        "{out:?}"
    );
    assert!(
        out.stderr
            .contains("why: the service does not know this address"),
        "{out:?}"
    );
    assert!(out.stderr.contains("hint: check --base-url"), "{out:?}");
}

#[test]
fn a_chat_that_vanished_after_it_ended_is_explained() {
    let emulator = Emulator::fast_with("ended_chat_ttl_secs = 0");
    let created = ran(emulator.chatstart(&["request", "--skill", "Slow"]));
    let uri = created.stdout.lines().next().unwrap().to_string();
    assert_eq!(ran(emulator.chatstart(&["end", &uri])).code, 0);
    // The history saw it end: its 404 is no lost session.
    let known = ran(emulator.chatstart(&["watch", &uri]));
    assert_eq!(known.code, 0, "{known:?}");
    assert!(
        known
            .stderr
            .contains("the chat ended (the history has it ended at ")
            && known.stderr.contains("nothing left to follow"),
        "{known:?}"
    );
    let awaited = ran(emulator.chatstart(&["watch", &uri, "--wait", "chatting"]));
    assert_eq!(awaited.code, 5, "it will never be chatting: {awaited:?}");
    // Watched from where the history does not know it (another machine, a colleague's URI).
    let elsewhere = tempfile::tempdir().expect("data dir");
    let mut watch = emulator.chatstart(&["watch", &uri]);
    watch.env("CHATSTART_DATA_DIR", elsewhere.path());
    let watched = ran(watch);
    assert_eq!(
        watched.code, 3,
        "a 404 is the service refusing: the session is lost, with exit 3: {watched:?}"
    );
    assert!(
        watched
            .stderr
            .contains("Chat session not found (internalCode 12)")
            && watched
                .stderr
                .contains("why: the chat has ended and the service no longer keeps it")
            && watched
                .stderr
                .contains("hint: if it ended, nothing is left to clean up"),
        "{watched:?}"
    );
}

fn jwt(claims: &str) -> String {
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.c2ln",
        engine.encode(r#"{"alg":"RS256"}"#),
        engine.encode(claims)
    )
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn auth_inspect_reads_jwts_without_sending_or_printing_them() {
    let emulator = Emulator::start(support::FAST);
    let valid = jwt(&format!(
        r#"{{"iss":"https://idp.example","sub":"visitor-7","aud":"lp","exp":{}}}"#,
        now() + 7200
    ));
    let out = ran(emulator.chatstart(&["auth", "--inspect", "--sso-key", &valid]));
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.starts_with("valid JWT, expires in 1 h 59 min")
            || out.stdout.starts_with("valid JWT, expires in 2 h"),
        "{out:?}"
    );
    assert!(
        out.stdout.contains("issuer     https://idp.example")
            && out.stdout.contains("audience   lp"),
        "{out:?}"
    );
    assert!(
        !out.stdout.contains(&valid) && !out.stderr.contains(&valid),
        "the key is never printed"
    );

    let expired = jwt(&format!(r#"{{"sub":"v","exp":{}}}"#, now() - 3 * 3600));
    let out = ran(emulator.chatstart(&["auth", "--inspect", "--sso-key", &expired]));
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stdout.starts_with("EXPIRED 3 h"), "{out:?}");

    let malformed = &valid[..valid.len() - 20];
    let mut command = emulator.chatstart(&["auth", "--inspect"]);
    command.env("CHATSTART_SSO_KEY", malformed);
    let out = ran(command);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stdout.starts_with("NOT A WELL-FORMED JWT"), "{out:?}");
    assert!(
        emulator.handle.requests().is_empty(),
        "inspecting sends nothing"
    );
}

#[test]
fn open_chats_are_listed_and_ended_from_the_history() {
    let emulator = Emulator::start(support::FAST);
    let mut uris = Vec::new();
    for _ in 0..3 {
        let out = ran(emulator.chatstart(&["request", "--skill", "Slow"]));
        uris.push(out.stdout.lines().next().unwrap().to_string());
    }
    assert_eq!(ran(emulator.chatstart(&["end", &uris[0]])).code, 0);
    let open = ran(emulator.bare(&["history", "--open"]));
    assert_eq!(open.stdout.lines().count(), 2, "{open:?}");

    let refused = ran(emulator.chatstart(&["end", "--all-open"]));
    assert_eq!(refused.code, 2, "no terminal, no --yes: {refused:?}");
    assert!(refused.stderr.contains("--yes"), "{refused:?}");

    let ended = ran(emulator.chatstart(&["end", "--all-open", "--yes"]));
    assert_eq!(ended.code, 0, "{ended:?}");
    assert!(ended.stdout.contains("ended 2 of 2"), "{ended:?}");
    let open = ran(emulator.bare(&["history", "--open"]));
    assert!(open.stdout.starts_with("no open sessions"), "{open:?}");
    let watched = ran(emulator.chatstart(&["watch", &uris[2], "--timeout", "60"]));
    assert!(
        watched.stdout.ends_with("state: ended\n"),
        "really ended: {watched:?}"
    );
}

#[test]
fn auth_inspect_json_is_one_object_of_claims_and_warnings() {
    let emulator = Emulator::start(support::FAST);
    let exp = now() + 7200;
    let valid = jwt(&format!(
        r#"{{"iss":"https://idp.example","sub":"visitor-7","aud":"lp","exp":{exp},"iat":{},"name":"Ann"}}"#,
        now()
    ));
    let out =
        ran(emulator.chatstart(&["auth", "--inspect", "--sso-key", &valid, "--output", "json"]));
    assert_eq!(out.code, 0, "{out:?}");
    let inspected: serde_json::Value =
        serde_json::from_str(out.stdout.trim()).expect("one JSON object");
    assert_eq!(inspected["verdict"], "valid", "{inspected}");
    assert_eq!(inspected["usable"], true);
    assert_eq!(inspected["claims"]["iss"], "https://idp.example");
    assert_eq!(inspected["claims"]["sub"], "visitor-7");
    assert_eq!(inspected["claims"]["aud"], "lp");
    assert_eq!(inspected["claims"]["exp"], exp);
    assert!(
        inspected["claims"].get("name").is_none(),
        "only the registered claims"
    );
    assert_eq!(inspected["warnings"], serde_json::json!([]));
    assert!(
        !out.stdout.contains(&valid)
            && !out.stdout.contains(".c2ln")
            && !out.stdout.contains("c2ln"),
        "neither the key nor its signature: {out:?}"
    );

    let expired = jwt(&format!(r#"{{"sub":"v","exp":{}}}"#, now() - 3 * 3600));
    let out = ran(emulator.chatstart(&[
        "auth",
        "--inspect",
        "--sso-key",
        &expired,
        "--output",
        "json",
    ]));
    assert_eq!(out.code, 2, "{out:?}");
    let inspected: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(inspected["verdict"], "expired");
    assert!(
        inspected["warnings"][0]
            .as_str()
            .unwrap()
            .starts_with("EXPIRED 3 h")
    );
    assert!(
        emulator.handle.requests().is_empty(),
        "inspecting sends nothing"
    );
}

#[test]
fn a_time_claim_given_as_a_string_is_a_warning_not_no_expiry() {
    let emulator = Emulator::start(support::FAST);
    let exp = (now() + 3600).to_string();
    let key = jwt(&format!(r#"{{"sub":"v","exp":"{exp}"}}"#));
    let out = ran(emulator.chatstart(&["auth", "--inspect", "--sso-key", &key]));
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stdout.starts_with("BAD CLAIM: `exp` is the string")
            && out.stdout.contains("not a number (a NumericDate"),
        "{out:?}"
    );
    assert!(!out.stdout.contains("no expiry"), "{out:?}");
    let out =
        ran(emulator.chatstart(&["auth", "--inspect", "--sso-key", &key, "--output", "json"]));
    assert_eq!(out.code, 2, "{out:?}");
    let inspected: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(inspected["verdict"], "bad_claims");
    assert!(
        inspected["warnings"][0]
            .as_str()
            .unwrap()
            .starts_with("`exp` is the string"),
        "{inspected}"
    );
    assert_eq!(inspected["claims"]["exp"], exp.as_str());
}
