//! A panic in a task that owns a chat (a check case, a burst chat, the console's session) still
//! ends that chat: the real binary, made to panic on purpose right after the chat exists
//! (`CHATSTART_TEST_FAULT=after-create`), against the emulator's request log.

use serde_json::Value;

use crate::support::{self, Emulator, ran};

/// Sales is never accepted while the test runs: a chat left open would still be waiting.
const SCENARIO: &str = r#"
[[skills]]
name = "Sales"
id = 1
agent_name = "Natalie"
accept_after_ms = 600000
"#;

const FAULT: (&str, &str) = ("CHATSTART_TEST_FAULT", "after-create");

#[test]
fn a_check_case_that_panics_still_ends_its_chat() {
    let emulator = Emulator::start(SCENARIO);
    let file = emulator.home.path().join("checks.toml");
    std::fs::write(
        &file,
        "[[case]]\nname = \"p\"\n[case.request]\nskill = \"Sales\"\n",
    )
    .unwrap();
    let mut command = emulator.chatstart(&["check", file.to_str().unwrap(), "--output", "json"]);
    command.env(FAULT.0, FAULT.1);
    let out = ran(command);
    assert_eq!(out.code, 4, "{out:?}");
    let case: Value = serde_json::from_str(out.stdout.lines().next().unwrap()).unwrap();
    let error = case["case"]["error"].as_str().unwrap_or_default();
    assert!(error.contains("stopped unexpectedly"), "{out:?}");
    assert_eq!(case["case"]["left_open"], false, "{out:?}");
    assert_eq!(emulator.handle.count("POST", "/chat/request"), 1);
    assert_eq!(emulator.handle.end_posts(), 1, "the chat was ended");
}

#[test]
fn a_burst_chat_that_panics_is_ended_even_without_end_after() {
    let emulator = Emulator::start(SCENARIO);
    let mut command = emulator.chatstart(&[
        "burst", "--skill", "Sales", "--count", "3", "--output", "json",
    ]);
    command.env(FAULT.0, FAULT.1);
    let out = ran(command);
    let chats: Vec<Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|l| l["type"] == "chat")
        .collect();
    assert_eq!(chats.len(), 3, "{out:?}");
    for chat in &chats {
        assert_eq!(chat["chat"]["ended_by_us"], true, "{out:?}");
        let error = chat["chat"]["error"].as_str().unwrap_or_default();
        assert!(error.contains("stopped unexpectedly"), "{out:?}");
    }
    assert_eq!(emulator.handle.end_posts(), 3, "each chat ended once");
}

#[test]
fn the_console_survives_a_panic_in_its_session_task_and_ends_the_chat() {
    let emulator = Emulator::start(SCENARIO);
    let mut command = support::pty::chatstart(emulator.home.path());
    command.args([
        "tui",
        "--base-url",
        &emulator.base_url(),
        "--account",
        emulator.handle.account(),
        "--skill",
        "Sales",
    ]);
    command.env("CHATSTART_APP_KEY", emulator.app_key());
    command.env(FAULT.0, FAULT.1);
    let mut pty = support::pty::Pty::spawn(command);
    pty.wait_for("new chat request");
    pty.send(b"\x13"); // Ctrl+S
    pty.wait_for_screen("the panic said, and the chat ended", |screen| {
        screen.contains("stopped unexpectedly") && screen.contains("the chat was ended")
    });
    assert_eq!(emulator.handle.count("POST", "/chat/request"), 1);
    assert_eq!(emulator.handle.end_posts(), 1, "the chat was ended");
    pty.send(b"\x03");
    let status = pty.wait_exit();
    assert!(
        status.success(),
        "the console went on, then quit: {status:?}"
    );
}
