//! The real binary in a pseudo-terminal, in demo mode (its own in-process emulator): submit with
//! Ctrl+S, wait for the URI and the chatting state on the vt100 screen, press `c`, and find the
//! OSC 52 sequence carrying exactly that URI in what the program wrote.

use crate::support::pty::{Pty, chatstart, left_alternate_screen};

/// Standard base64 with padding (the test must not trust the code it checks).
fn base64(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(TABLE[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn demo_mode_copy_writes_osc52_with_exactly_the_uri() {
    let home = tempfile::tempdir().expect("home");
    let mut pty = Pty::spawn(chatstart(home.path()));

    pty.wait_for_screen("the demo's form with its survey", |text| {
        text.contains("survey: 4 questions") && text.contains("DEMO · emulator on 127.0.0.1:")
    });
    pty.send(b"\x13"); // Ctrl+S: the mandatory question takes the focus
    pty.wait_for("must be answered");
    pty.send(b" ");
    pty.wait_for("(•) CATS");
    pty.send(b"\x13");
    let text = pty.wait_for("CHATTING");
    let uri = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Session URI"))
        .map(|u| u.trim().to_string())
        .expect("URI on screen");
    assert!(
        uri.starts_with("http://127.0.0.1:") && uri.contains("/chat/"),
        "{uri}"
    );

    pty.send(b"c");
    pty.wait_for("copied the session URI");
    let raw = pty.raw_text();
    let sequence = format!("\x1b]52;c;{}", base64(uri.as_bytes()));
    let at = raw
        .find(&sequence)
        .unwrap_or_else(|| panic!("no OSC 52 with the URI in the output"));
    let rest = &raw[at + sequence.len()..];
    assert!(
        rest.starts_with("\x1b\\") || rest.starts_with('\x07'),
        "the OSC 52 sequence carries more than the URI: {:?}",
        &rest[..rest.len().min(20)]
    );
    assert_eq!(
        std::fs::read_to_string(home.path().join("data").join("last-session-uri.txt"))
            .expect("URI file")
            .trim(),
        uri
    );

    pty.send(b"e");
    pty.wait_for("ENDED");
    // The demo's chat has an exit survey: it opens after the end; Esc skips it.
    pty.wait_for("Exit survey");
    pty.send(b"\x1b");
    pty.wait_for("exit survey skipped");
    pty.send(b"q");
    // Every byte the program wrote before it exited is read by then.
    let status = pty.wait_exit();
    assert!(status.success(), "{status:?}");
    assert!(
        left_alternate_screen(&pty.raw_text()),
        "the alternate screen was not left"
    );
}

/// The visitor's whole chat on the demo: a name the agent greets, the agent's typing shown, the
/// transcript asked for with `t`, and the exit survey answered after the end. The history keeps
/// each of them.
#[test]
fn demo_mode_the_visitors_whole_chat_from_name_to_exit_survey() {
    let home = tempfile::tempdir().expect("home");
    let mut pty = Pty::spawn(chatstart(home.path()));
    pty.wait_for("survey: 4 questions");
    pty.send(b"\t"); // Skill → Visitor name
    pty.send("Zoë".as_bytes());
    pty.wait_for("Zoë");
    pty.send(b"\x13");
    pty.wait_for("must be answered");
    pty.send(b" ");
    pty.wait_for("(•) CATS");
    pty.send(b"\x13");
    pty.wait_for("visitor name set: Zoë");
    // The demo's agent types before greeting, and greets by the name set.
    pty.wait_for("Natalie is typing…");
    pty.wait_for("Hi Zoë, I'm Natalie");
    pty.send(b"t");
    pty.wait_for("Transcript by e-mail");
    pty.send(b"zoe@example.com\r");
    pty.wait_for("transcript requested for zoe@example.com");
    pty.send(b"e");
    pty.wait_for("Exit survey");
    pty.send(b"\x1b[C"); // → picks the first choice's neighbour: "8 Likely"
    pty.send(b"\x1b[B"); // ↓ the next question
    pty.send(b"\x1b[C");
    pty.send(b"\x1b[D"); // ← back to "Yes"
    pty.send(b"\x13");
    pty.wait_for("exit survey submitted");
    pty.send(b"q");
    let status = pty.wait_exit();
    assert!(status.success(), "{status:?}");
    let history =
        std::fs::read_to_string(home.path().join("data").join("history.jsonl")).expect("history");
    for did in ["\"named\"", "\"transcript\"", "\"exit-survey\""] {
        assert!(
            history.contains(did),
            "{did} missing from the history:\n{history}"
        );
    }
}
