//! The real terminal: init and restore (raw mode, alternate screen, mouse, bracketed paste), a
//! drop guard and a panic hook so every exit path restores it, suspend/resume around `$EDITOR`
//! and Ctrl+Z, and signals (SIGTERM, SIGHUP, SIGINT) turned into quit messages.

use crate::tui::msg::AppIntent;
use std::io::{self, BufWriter, Stdout, stdout};

use crossterm::cursor::Show;
use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::execute;
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen};
use ratatui::backend::CrosstermBackend;
use tokio::sync::mpsc;

use crate::tui::msg::Msg;

/// Restores the terminal when dropped: on return, on error, and while unwinding.
pub struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Leaves raw mode, the alternate screen, mouse reporting and bracketed paste; safe to call more
/// than once.
pub fn restore() {
    let _ = execute!(stdout(), DisableBracketedPaste, DisableMouseCapture, Show);
    ratatui::restore();
}

/// The console's terminal. Frames are written through a buffer as large as any frame, so each
/// reaches the terminal in one write: never half a frame on a slow SSH link, and one system call
/// instead of one per kilobyte (the size of stdout's own buffer).
pub type ConsoleTerminal = ratatui::Terminal<CrosstermBackend<BufWriter<Stdout>>>;

/// Enters the console's terminal mode; the guard puts the terminal back.
pub fn init() -> io::Result<(ConsoleTerminal, TerminalGuard)> {
    // The hook restores the terminal (mouse, raw mode, screen) before the panic is printed,
    // then ends the process: a panic anywhere — a background task too, which tokio would
    // otherwise catch while the console went on drawing into a terminal no longer in raw mode.
    // The draft and the history are already on disk.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // A task that owns a chat catches its own panic to end that chat (`contain`): the
        // console goes on.
        if crate::contain::is_caught_here() {
            previous(info);
            return;
        }
        restore();
        previous(info);
        std::process::exit(101);
    }));
    crossterm::terminal::enable_raw_mode()?;
    let guard = TerminalGuard;
    // Bracketed paste: a paste arrives as one event, not as keys that would run commands.
    execute!(
        stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste
    )?;
    let backend = CrosstermBackend::new(BufWriter::with_capacity(FRAME_BUFFER, stdout()));
    Ok((ratatui::Terminal::new(backend)?, guard))
}

/// Bytes of the frame buffer: a full 200×60 frame with colours is well under this.
const FRAME_BUFFER: usize = 256 * 1024;

/// What the loop needs from the terminal besides drawing: giving it up for an editor or to the
/// shell (Ctrl+Z).
pub trait Host: Send {
    /// Gives the terminal back as the shell had it (for `$EDITOR`, or while stopped).
    fn suspend(&mut self) -> io::Result<()>;
    /// Takes the terminal again.
    fn resume(&mut self) -> io::Result<()>;
    /// Why the console cannot be stopped for Ctrl+Z, when it cannot: no job-control shell started
    /// it, so nothing would take the terminal or bring the console back.
    fn cannot_stop(&self) -> Option<String>;
    /// Stops the whole process (SIGTSTP, as Ctrl+Z in a shell does); returns once the shell
    /// continues it (`fg`).
    fn stop(&mut self) -> io::Result<()>;
}

/// The real terminal, and the reader of its input (paused while the terminal is given up, so
/// it takes none of the editor's or the shell's keys).
#[derive(Default)]
pub struct RealHost {
    #[cfg(unix)]
    pub input: Option<crate::tui::input::InputControl>,
}

impl Host for RealHost {
    fn suspend(&mut self) -> io::Result<()> {
        #[cfg(unix)]
        if let Some(input) = &self.input {
            input.pause();
        }
        execute!(
            stdout(),
            DisableBracketedPaste,
            DisableMouseCapture,
            LeaveAlternateScreen,
            Show
        )?;
        crossterm::terminal::disable_raw_mode()
    }

    fn resume(&mut self) -> io::Result<()> {
        crossterm::terminal::enable_raw_mode()?;
        execute!(
            stdout(),
            EnterAlternateScreen,
            EnableMouseCapture,
            EnableBracketedPaste
        )?;
        #[cfg(unix)]
        if let Some(input) = &self.input {
            input.resume();
        }
        Ok(())
    }

    fn cannot_stop(&self) -> Option<String> {
        #[cfg(unix)]
        {
            (!job_control::shell_can_continue()).then(|| {
                "Ctrl+Z: not suspended: chatstart was not started from a shell with job \
                 control, so nothing could bring it back"
                    .to_string()
            })
        }
        #[cfg(not(unix))]
        Some("Ctrl+Z: suspending needs a Unix shell".to_string())
    }

    fn stop(&mut self) -> io::Result<()> {
        #[cfg(unix)]
        {
            use rustix::process::{Signal, getpid, kill_process};
            // Stops every thread here; the call returns after SIGCONT.
            kill_process(getpid(), Signal::TSTP)?;
        }
        Ok(())
    }
}

#[cfg(unix)]
mod job_control {
    use rustix::process::{Pid, getpgid, getpgrp, getppid, getsid};

    /// Whether a shell can continue the console once stopped. The kernel drops SIGTSTP in a
    /// process group that no process of the session outside it looks after (an "orphaned" group:
    /// chatstart started directly by tmux, ssh or a launcher); the group is looked after when an
    /// ancestor outside it, in the same session, is its parent — a shell, past `cargo run` or
    /// `env` in the same group.
    pub fn shell_can_continue() -> bool {
        let own_group = getpgrp();
        let Ok(session) = getsid(None) else {
            return true;
        };
        let mut ancestor = getppid();
        // A chain of wrappers is short; the bound only guards against a loop.
        for _ in 0..32 {
            let Some(pid) = ancestor else {
                return false;
            };
            if getsid(Some(pid)).ok() != Some(session) {
                return false;
            }
            match getpgid(Some(pid)) {
                Ok(group) if group != own_group => return true,
                Ok(_) => ancestor = parent_of(pid),
                // Unknown: try; at worst nothing stops and the console comes straight back.
                Err(_) => return true,
            }
        }
        true
    }

    /// The parent of another process, from `/proc` (Linux); `None` when it cannot be read.
    fn parent_of(pid: Pid) -> Option<Pid> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", pid.as_raw_nonzero())).ok()?;
        // `pid (comm) state ppid …`: the name may hold spaces and parentheses.
        let after_name = stat.rsplit_once(')')?.1;
        let parent: i32 = after_name.split_whitespace().nth(1)?.parse().ok()?;
        Pid::from_raw(parent)
    }
}

/// No terminal to give up (tests on `TestBackend`).
pub struct NoHost;

impl Host for NoHost {
    fn suspend(&mut self) -> io::Result<()> {
        Ok(())
    }

    fn resume(&mut self) -> io::Result<()> {
        Ok(())
    }

    fn cannot_stop(&self) -> Option<String> {
        Some("Ctrl+Z: no terminal to suspend".to_string())
    }

    fn stop(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Turns SIGTERM and SIGHUP (a lost SSH link) into `QuitNow`, SIGINT into `Quit`, SIGWINCH into
/// `Resize`; and a terminal that hangs up without a SIGHUP reaching the console into `QuitNow`.
pub fn listen_for_signals(messages: mpsc::UnboundedSender<Msg>) {
    #[cfg(unix)]
    {
        watch_for_hangup(messages.clone());
        use tokio::signal::unix::{SignalKind, signal};
        // The input thread sleeps in its own poll(2), where crossterm's resize signal is not
        // seen: the new size is taken here.
        if let Ok(mut resized) = signal(SignalKind::window_change()) {
            let messages = messages.clone();
            tokio::spawn(async move {
                while resized.recv().await.is_some() {
                    if let Ok((width, height)) = crossterm::terminal::size() {
                        if messages
                            .send(Msg::from(AppIntent::Resize(width, height)))
                            .is_err()
                        {
                            return;
                        }
                    }
                }
            });
        }
        for (kind, msg) in [
            (SignalKind::terminate(), Msg::from(AppIntent::QuitNow)),
            (SignalKind::hangup(), Msg::from(AppIntent::QuitNow)),
            (SignalKind::interrupt(), Msg::from(AppIntent::Quit)),
        ] {
            let Ok(mut stream) = signal(kind) else {
                continue;
            };
            let messages = messages.clone();
            tokio::spawn(async move {
                while stream.recv().await.is_some() {
                    if messages.send(msg.clone()).is_err() {
                        return;
                    }
                }
            });
        }
    }
    #[cfg(not(unix))]
    let _ = messages;
}

/// When the terminal goes away, a SIGHUP normally ends the console; but one blocked or caught
/// elsewhere (`sudo`, a tracer, a launcher that blocks it) never arrives, and the terminal
/// library's reader then spins on a tty that reads nothing, at full CPU, for ever. A thread asleep
/// in poll(2) for no event at all wakes only when the tty hangs up (POLLHUP), and quits then —
/// at no cost until that moment.
#[cfg(unix)]
fn watch_for_hangup(messages: mpsc::UnboundedSender<Msg>) {
    use rustix::event::{PollFd, PollFlags, poll};
    use std::io::IsTerminal;
    if !io::stdin().is_terminal() {
        return;
    }
    let _ = std::thread::Builder::new()
        .name("hangup".into())
        .spawn(move || {
            let stdin = io::stdin();
            loop {
                let mut watched = [PollFd::new(&stdin, PollFlags::empty())];
                match poll(&mut watched, None) {
                    Err(rustix::io::Errno::INTR) => {}
                    Err(_) => return,
                    Ok(_) => {
                        let gone = PollFlags::HUP | PollFlags::ERR | PollFlags::NVAL;
                        if watched[0].revents().intersects(gone) {
                            let _ = messages.send(Msg::from(AppIntent::QuitNow));
                            return;
                        }
                    }
                }
            }
        });
}

/// Runs `$VISUAL` / `$EDITOR` (else `vi`) on `text` in a temporary file; the edited text.
pub fn run_editor(text: &str) -> Result<String, String> {
    let editor = std::env::var("VISUAL")
        .or_else(|_| std::env::var("EDITOR"))
        .ok()
        .filter(|e| !e.trim().is_empty())
        .unwrap_or_else(|| "vi".into());
    let path = std::env::temp_dir().join(format!(
        "chatstart-pre-chat-{}-{}.txt",
        std::process::id(),
        fastrand::u32(..)
    ));
    std::fs::write(&path, text).map_err(|e| e.to_string())?;
    // The editor value may carry arguments (`code --wait`).
    let mut words = editor.split_whitespace();
    let program = words.next().unwrap_or("vi");
    let status = std::process::Command::new(program)
        .args(words)
        .arg(&path)
        .status()
        .map_err(|e| format!("{program}: {e}"));
    let result = match status {
        Ok(status) if status.success() => read_edited(&path),
        Ok(status) => Err(format!(
            "{program} exited with {status}; the lines were not changed"
        )),
        Err(error) => Err(error),
    };
    let _ = std::fs::remove_file(&path);
    result
}

/// The lines as the editor left them. Bytes that are not UTF-8 (a paste in another encoding)
/// show as � in the line they were in, rather than losing every line as an editor that "did
/// not run".
fn read_edited(path: &std::path::Path) -> Result<String, String> {
    std::fs::read(path)
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn lines_from_the_editor_with_a_byte_that_is_not_utf8_are_kept() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("lines.txt");
        std::fs::write(&path, b"first\ncaf\xe9 order\nthird\n").expect("written");
        let text = super::read_edited(&path).expect("read");
        assert_eq!(
            text.lines().collect::<Vec<_>>(),
            ["first", "caf\u{FFFD} order", "third"]
        );
    }
}
