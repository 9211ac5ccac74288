//! A command running in the background while the test watches the emulator and signals it.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A command running in the background: its stderr read line by line as it comes, its stdout
/// read as it comes too (a command never blocks on a full pipe). Every wait fails after the
/// deadline it was started with, and a command the test lets go of unfinished is killed.
pub struct Running {
    child: Child,
    stderr: mpsc::Receiver<String>,
    stdout: Option<JoinHandle<Vec<u8>>>,
    said: Vec<String>,
    deadline: Duration,
}

impl Running {
    pub fn spawn(mut command: Command, deadline: Duration) -> Self {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("chatstart starts");
        let (lines, stderr) = mpsc::channel();
        let pipe = child.stderr.take().expect("stderr");
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        let mut pipe = child.stdout.take().expect("stdout");
        let stdout = std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        });
        Self {
            child,
            stderr,
            stdout: Some(stdout),
            said: Vec::new(),
            deadline,
        }
    }

    /// Waits until `condition` holds, failing (and killing the command) after the deadline.
    pub fn wait_until(&mut self, what: &str, condition: impl Fn() -> bool) {
        let deadline = Instant::now() + self.deadline;
        while !condition() {
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("{what}: not within {:?}", self.deadline);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits for a line of stderr containing `text`.
    pub fn wait_for_stderr(&mut self, text: &str) {
        let deadline = Instant::now() + self.deadline;
        while !self.said.iter().any(|line| line.contains(text)) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stderr.recv_timeout(left) {
                Ok(line) => self.said.push(line),
                Err(_) => {
                    let _ = self.child.kill();
                    panic!("`{text}` never said; stderr so far: {:?}", self.said);
                }
            }
        }
    }

    /// Sends `signal` (`-INT`, `-TERM`, `-HUP`) to the command.
    pub fn signal(&self, signal: &str) {
        super::kill(signal, self.child.id());
    }

    /// Waits for the command to end: the exit code, stdout and the whole of stderr.
    pub fn finish(mut self) -> (Option<i32>, String, String) {
        let deadline = Instant::now() + self.deadline;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the command did not end; stderr: {:?}", self.said);
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let stdout = self.stdout.take().expect("stdout once");
        let stdout = String::from_utf8_lossy(&stdout.join().expect("stdout reader")).into_owned();
        self.said.extend(self.stderr.iter());
        (status.code(), stdout, self.said.join("\n"))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
