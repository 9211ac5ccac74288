//! The real binary in a pseudo-terminal, as a terminal would feed it: a 10 KB bracketed paste
//! and a 5 KB paste sent as plain keys (a terminal without bracketed paste) both arrive whole
//! and soon, with no key pressed after them; and Ctrl+Z under an interactive shell gives the
//! terminal back (main screen, line editing, no bracketed paste) until `fg` brings the console
//! back, drawn whole. Every wait is on what the screen or a file shows, with a deadline.

use portable_pty::CommandBuilder;

use crate::support::pty::{Pty, chatstart, hermetic, wait_until};

/// The draft's referrer field once it holds `length` characters; the draft, else `None`.
fn draft_referrer(home: &std::path::Path, length: usize) -> Option<String> {
    let text = std::fs::read_to_string(home.join("data").join("draft.json")).ok()?;
    let draft: serde_json::Value = serde_json::from_str(&text).ok()?;
    let referrer = draft["request"]["chat_referrer"].as_str()?.to_string();
    (referrer.chars().count() == length).then_some(referrer)
}

/// Moves the demo's focus from the skill to the referrer, which no lookup depends on.
fn focus_the_referrer(pty: &mut Pty) {
    // Skill, Visitor name, Max wait, Language, Engagement id, Campaign id, Visitor IP.
    for _ in 0..7 {
        pty.send(b"\t");
    }
    pty.wait_for("▸ Referrer");
}

#[test]
fn pastes_arrive_whole_bracketed_or_sent_as_plain_keys() {
    let home = tempfile::tempdir().expect("home");
    let mut pty = Pty::spawn(chatstart(home.path()));
    pty.wait_for("survey: 4 questions");
    assert!(
        pty.raw_text().contains("\x1b[?2004h"),
        "bracketed paste is asked of the terminal"
    );
    focus_the_referrer(&mut pty);

    // A bracketed paste, as terminals send one: two lines, 10 KB.
    let first: String = "https://shop.example/".to_string() + &"b".repeat(10_000);
    let mut paste = b"\x1b[200~".to_vec();
    paste.extend_from_slice(format!("{first}\r\nBRACKETED-END\r\n").as_bytes());
    paste.extend_from_slice(b"\x1b[201~");
    pty.send(&paste);
    pty.wait_for("BRACKETED-END");
    pty.wait_for("pasted 2 lines into Referrer as one line");
    let expected = format!("{first} BRACKETED-END");
    let saved = wait_until("the whole paste in the draft", || {
        draft_referrer(home.path(), expected.chars().count())
    })
    .expect("the whole paste reaches the draft");
    assert_eq!(saved, expected);

    // 5 KB as plain keys, in one write: crossterm's default reader left the rest of each 1 KB
    // read in the terminal until the next key; nothing follows this one.
    pty.send(b"\x15"); // Ctrl+U
    let keys: String = (0..5_000)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .chain("-KEYS-END".chars())
        .collect();
    pty.send(keys.as_bytes());
    pty.wait_for("-KEYS-END");
    let saved = wait_until("the typed keys in the draft", || {
        draft_referrer(home.path(), keys.chars().count())
    })
    .expect("every key reaches the draft");
    assert_eq!(saved, keys);

    pty.send(b"\x03");
    assert!(pty.wait_exit().success());
}

/// The screen has a line that is exactly `line`.
fn wait_for_line(pty: &Pty, line: &str) -> String {
    wait_until(&format!("the line `{line}`"), || {
        let text = pty.text();
        text.lines().any(|l| l.trim_end() == line).then_some(text)
    })
    .unwrap_or_else(|| panic!("no line `{line}`; screen:\n{}", pty.text()))
}

#[test]
fn ctrl_z_gives_the_terminal_to_the_shell_and_fg_brings_the_console_back() {
    let home = tempfile::tempdir().expect("home");
    let mut command = CommandBuilder::new("bash");
    command.args(["--norc", "--noprofile", "-i"]);
    hermetic(&mut command, home.path());
    command.env("PS1", "shell$ ");
    let mut pty = Pty::spawn(command);
    pty.wait_for("shell$");
    pty.send(format!("'{}'\r", env!("CARGO_BIN_EXE_chatstart")).as_bytes());
    pty.wait_for("survey: 4 questions");
    focus_the_referrer(&mut pty);
    pty.send(b"typed-before-ctrl-z");
    pty.wait_for("typed-before-ctrl-z");

    let before = pty.raw().len();
    pty.send(b"\x1a"); // Ctrl+Z
    let text = pty.wait_for("Stopped");
    assert!(
        !text.contains("new chat request"),
        "the shell's screen, not the console's:\n{text}"
    );
    // Before the shell says the job stopped (its prompt then turns its own bracketed paste on).
    let after = String::from_utf8_lossy(&pty.raw()[before..]).into_owned();
    let stopped = after.find("Stopped").expect("the shell's word");
    for (sequence, what) in [
        ("\x1b[?1049l", "the alternate screen is left"),
        ("\x1b[?2004l", "bracketed paste is turned off"),
    ] {
        assert!(
            after.find(sequence).is_some_and(|at| at < stopped),
            "{what} before the console stops: {after:?}"
        );
    }
    // The draft was written before the console stopped.
    let draft = std::fs::read_to_string(home.path().join("data").join("draft.json"))
        .expect("the draft is on disk");
    assert!(draft.contains("typed-before-ctrl-z"), "{draft}");
    // The shell has the terminal back, with its line editing: the command echoes and runs.
    pty.send(b"echo back-in-the-shell\r");
    wait_for_line(&pty, "back-in-the-shell");

    pty.send(b"fg\r");
    pty.wait_for_screen("the whole console drawn again", |text| {
        text.contains("new chat request")
            && text.contains("Pre-chat survey")
            && text.contains("typed-before-ctrl-z")
    });
    // And it reads keys again.
    pty.send(b"!");
    pty.wait_for("typed-before-ctrl-z!");
    pty.send(b"\x03");
    pty.wait_gone("new chat request");
    pty.send(b"exit\r");
    pty.wait_exit();
}
