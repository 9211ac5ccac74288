//! The real binary in a pseudo-terminal, in demo mode (its own in-process emulator): submit with
//! Ctrl+S, wait for the URI and the chatting state on the vt100 screen, press `c`, and find the
//! OSC 52 sequence carrying exactly that URI in what the program wrote.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

const ROWS: u16 = 40;
const COLS: u16 = 200;
const DEADLINE: Duration = Duration::from_secs(60);

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

struct Screen {
    raw: Arc<Mutex<Vec<u8>>>,
}

impl Screen {
    fn text(&self) -> String {
        let raw = self.raw.lock().expect("raw").clone();
        let size = |n: u16| std::num::NonZeroU16::new(n).expect("non-zero");
        let mut parser = vt100::Parser::new(size(ROWS), size(COLS), 0);
        parser.process(&raw);
        parser.screen().contents()
    }

    fn raw(&self) -> Vec<u8> {
        self.raw.lock().expect("raw").clone()
    }

    fn wait_for(&self, what: &str) -> String {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let text = self.text();
            if text.contains(what) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "`{what}` did not appear within {DEADLINE:?}; screen:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

#[test]
fn demo_mode_copy_writes_osc52_with_exactly_the_uri() {
    let data = std::env::temp_dir().join(format!("chatstart-tui-pty-{}", std::process::id()));
    let pty = native_pty_system()
        .openpty(PtySize {
            rows: ROWS,
            cols: COLS,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("pty");
    let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_chatstart"));
    command.env("TERM", "xterm-256color");
    command.env("CHATSTART_DATA_DIR", &data);
    command.env_remove("CHATSTART_APP_KEY");
    command.env_remove("TMUX");
    let mut child = pty.slave.spawn_command(command).expect("spawn");
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().expect("reader");
    let mut writer = pty.master.take_writer().expect("writer");
    let raw = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&raw);
    // Read all the time: a TUI can fill the pty's buffer and block.
    std::thread::spawn(move || {
        let mut buffer = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buffer) {
            if n == 0 {
                break;
            }
            sink.lock().expect("raw").extend_from_slice(&buffer[..n]);
        }
    });
    let screen = Screen { raw };
    let mut send = |bytes: &[u8]| {
        writer.write_all(bytes).expect("write");
        writer.flush().expect("flush");
    };

    let text = screen.wait_for("survey: 4 questions");
    assert!(text.contains("DEMO · emulator on 127.0.0.1:"), "{text}");
    send(b"\x13"); // Ctrl+S: the mandatory question takes the focus
    screen.wait_for("must be answered");
    send(b" ");
    screen.wait_for("(•) CATS");
    send(b"\x13");
    let text = screen.wait_for("CHATTING");
    let uri = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Session URI"))
        .map(|u| u.trim().to_string())
        .expect("URI on screen");
    assert!(
        uri.starts_with("http://127.0.0.1:") && uri.contains("/chat/"),
        "{uri}"
    );

    send(b"c");
    screen.wait_for("copied the session URI");
    let raw = String::from_utf8_lossy(&screen.raw()).into_owned();
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
        std::fs::read_to_string(data.join("last-session-uri.txt"))
            .expect("URI file")
            .trim(),
        uri
    );

    send(b"e");
    screen.wait_for("ENDED");
    send(b"q");
    let deadline = Instant::now() + DEADLINE;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < deadline, "the console did not quit");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    // The reader thread may still hold the last bytes the program wrote before it exited.
    let deadline = Instant::now() + DEADLINE;
    loop {
        let raw = String::from_utf8_lossy(&screen.raw()).into_owned();
        if raw.rfind("\x1b[?1049l") > raw.rfind("\x1b[?1049h") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the alternate screen was not left"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = std::fs::remove_dir_all(&data);
}
