//! The real binary in a pseudo-terminal for the console's tests: keys in, the screen (vt100) and
//! the raw bytes out, signals, and an exit awaited until every byte it wrote was read.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

pub const ROWS: u16 = 40;
pub const COLS: u16 = 200;
pub const DEADLINE: Duration = Duration::from_secs(60);

/// A program running in a pseudo-terminal.
pub struct Pty {
    child: Box<dyn Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    raw: Arc<Mutex<Vec<u8>>>,
    /// The reader saw the end of the output (every process holding the terminal is gone).
    closed: Arc<AtomicBool>,
    _master: Box<dyn MasterPty + Send>,
}

/// `chatstart` with a private home ([`hermetic`]).
pub fn chatstart(home: &Path) -> CommandBuilder {
    let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_chatstart"));
    hermetic(&mut command, home);
    command
}

/// Makes a command's environment private to `home` ([`super::private_env`]), in an xterm.
pub fn hermetic(command: &mut CommandBuilder, home: &Path) {
    command.env("TERM", "xterm-256color");
    for (variable, value) in super::private_env(home) {
        match value {
            Some(value) => command.env(variable, value),
            None => command.env_remove(variable),
        }
    }
}

impl Pty {
    pub fn spawn(command: CommandBuilder) -> Self {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("pty");
        let child = pair.slave.spawn_command(command).expect("spawn");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("reader");
        let writer = pair.master.take_writer().expect("writer");
        let raw = Arc::new(Mutex::new(Vec::new()));
        let closed = Arc::new(AtomicBool::new(false));
        let (sink, done) = (Arc::clone(&raw), Arc::clone(&closed));
        // Read all the time: a TUI can fill the pty's buffer and block.
        std::thread::spawn(move || {
            let mut buffer = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                sink.lock().expect("raw").extend_from_slice(&buffer[..n]);
            }
            done.store(true, Ordering::SeqCst);
        });
        Self {
            child,
            writer,
            raw,
            closed,
            _master: pair.master,
        }
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).expect("write");
        self.writer.flush().expect("flush");
    }

    pub fn raw(&self) -> Vec<u8> {
        self.raw.lock().expect("raw").clone()
    }

    /// The screen as a terminal shows it now.
    pub fn text(&self) -> String {
        let size = |n: u16| std::num::NonZeroU16::new(n).expect("non-zero");
        let mut parser = vt100::Parser::new(size(ROWS), size(COLS), 0);
        parser.process(&self.raw());
        parser.screen().contents()
    }

    /// Waits until the screen shows `what`; the screen.
    pub fn wait_for(&self, what: &str) -> String {
        wait_until(&format!("`{what}` on screen"), || {
            let text = self.text();
            text.contains(what).then_some(text)
        })
        .unwrap_or_else(|| panic!("`{what}` did not appear; screen:\n{}", self.text()))
    }

    /// Waits until the whole screen passes `test` (`what` names it): a frame reaches the
    /// terminal in pieces, so what is asserted of one is waited for, never read from the first
    /// screen that shows part of it.
    pub fn wait_for_screen(&self, what: &str, test: impl Fn(&str) -> bool) -> String {
        wait_until(what, || {
            let text = self.text();
            test(&text).then_some(text)
        })
        .unwrap_or_else(|| panic!("never on screen: {what}; screen:\n{}", self.text()))
    }

    /// Waits until the screen no longer shows `what`; the screen.
    pub fn wait_gone(&self, what: &str) -> String {
        wait_until(&format!("`{what}` gone"), || {
            let text = self.text();
            (!text.contains(what)).then_some(text)
        })
        .unwrap_or_else(|| panic!("`{what}` stayed; screen:\n{}", self.text()))
    }

    pub fn pid(&self) -> u32 {
        self.child.process_id().expect("pid")
    }

    /// Sends a signal by name (`TERM`, `HUP`, `KILL`).
    pub fn signal(&self, name: &str) {
        super::kill(&format!("-{name}"), self.pid());
    }

    /// Waits for the program to exit and for every byte it wrote to be read.
    pub fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let child = &mut self.child;
        let status = wait_until("the program to exit", || child.try_wait().expect("wait"))
            .expect("the program exits");
        let closed = &self.closed;
        wait_until("the end of its output", || {
            closed.load(Ordering::SeqCst).then_some(())
        })
        .expect("the output ends");
        status
    }

    /// The raw output as text (escape sequences included).
    pub fn raw_text(&self) -> String {
        String::from_utf8_lossy(&self.raw()).into_owned()
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// Polls `probe` until it gives a value, for at most [`DEADLINE`].
pub fn wait_until<T>(_what: &str, mut probe: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + DEADLINE;
    loop {
        if let Some(value) = probe() {
            return Some(value);
        }
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The alternate screen was entered and, after the last time, left.
pub fn left_alternate_screen(raw: &str) -> bool {
    raw.rfind("\x1b[?1049h")
        .is_some_and(|entered| raw.rfind("\x1b[?1049l").is_some_and(|left| left > entered))
}
