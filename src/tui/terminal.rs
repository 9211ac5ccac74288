//! The real terminal: init and restore (raw mode, alternate screen, mouse), a drop guard and a
//! panic hook so every exit path restores it, suspend/resume around `$EDITOR`, and signals
//! (SIGTERM, SIGHUP, SIGINT) turned into quit messages.

use std::io::{self, BufWriter, Stdout, stdout};

use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen};
use ratatui::backend::CrosstermBackend;
use tokio::sync::mpsc;

use super::msg::Msg;

/// Restores the terminal when dropped: on return, on error, and while unwinding.
pub struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Leaves raw mode, the alternate screen and mouse reporting; safe to call more than once.
pub fn restore() {
    let _ = execute!(stdout(), DisableMouseCapture);
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
    execute!(stdout(), EnterAlternateScreen, EnableMouseCapture)?;
    let backend = CrosstermBackend::new(BufWriter::with_capacity(FRAME_BUFFER, stdout()));
    Ok((ratatui::Terminal::new(backend)?, guard))
}

/// Bytes of the frame buffer: a full 200×60 frame with colours is well under this.
const FRAME_BUFFER: usize = 256 * 1024;

/// What the loop needs from the terminal besides drawing: giving it up for an editor.
pub trait Host: Send {
    /// Gives the terminal back to the shell (for `$EDITOR`).
    fn suspend(&mut self) -> io::Result<()>;
    /// Takes the terminal again.
    fn resume(&mut self) -> io::Result<()>;
}

/// The real terminal.
pub struct RealHost;

impl Host for RealHost {
    fn suspend(&mut self) -> io::Result<()> {
        execute!(stdout(), DisableMouseCapture, LeaveAlternateScreen)?;
        crossterm::terminal::disable_raw_mode()
    }

    fn resume(&mut self) -> io::Result<()> {
        crossterm::terminal::enable_raw_mode()?;
        execute!(stdout(), EnterAlternateScreen, EnableMouseCapture)
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
}

/// Turns SIGTERM and SIGHUP (a lost SSH link) into `QuitNow`, SIGINT into `Quit`; and a
/// terminal that hangs up without a SIGHUP reaching the console into `QuitNow` too.
pub fn listen_for_signals(messages: mpsc::UnboundedSender<Msg>) {
    #[cfg(unix)]
    {
        watch_for_hangup(messages.clone());
        use tokio::signal::unix::{SignalKind, signal};
        for (kind, msg) in [
            (SignalKind::terminate(), Msg::QuitNow),
            (SignalKind::hangup(), Msg::QuitNow),
            (SignalKind::interrupt(), Msg::Quit),
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
                            let _ = messages.send(Msg::QuitNow);
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
