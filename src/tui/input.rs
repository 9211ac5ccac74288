//! The terminal's input as a stream, read by a thread of its own: every event is handed over as
//! soon as it is parsed, so the loop finds all that is waiting (a paste sent as keys, keys typed
//! during a frame) at once and draws once for them. The thread pauses while `$EDITOR` or the
//! shell has the terminal, so it takes none of their keys; idle, it sleeps in poll(2).

use std::io::{self, IsTerminal, Read, Write};
use std::os::unix::net::UnixStream;
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use crossterm::event::Event;
use futures_util::Stream;
use tokio::sync::mpsc;

/// How long crossterm is asked for an event before the thread sleeps in its own poll(2). Events
/// crossterm parsed from an earlier read (the rest of a paste) are handed out by a timed poll
/// only, at once; the time is the wait when there is none, so generous costs nothing.
const PARSED_EVENTS_WAIT: Duration = Duration::from_millis(50);

/// How long a pause waits for the thread to let go of the terminal, at most.
const PAUSE_WAIT: Duration = Duration::from_secs(2);

/// The terminal's events, from the reader thread.
pub struct TerminalInput {
    events: mpsc::UnboundedReceiver<io::Result<Event>>,
    control: InputControl,
}

/// Pauses and resumes the reader thread (for `$EDITOR` and Ctrl+Z); stops it when dropped with
/// the input.
#[derive(Clone)]
pub struct InputControl {
    shared: Arc<Shared>,
    wake: Arc<UnixStream>,
}

#[derive(Default)]
struct State {
    paused: bool,
    /// The thread waits for `paused` to clear: it reads nothing.
    parked: bool,
    stopped: bool,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl TerminalInput {
    /// Starts reading the terminal (stdin when it is one, else `/dev/tty`).
    pub fn start() -> io::Result<Self> {
        let tty = Tty::open()?;
        let (wake, woken) = UnixStream::pair()?;
        wake.set_nonblocking(true)?;
        woken.set_nonblocking(true)?;
        let (sender, events) = mpsc::unbounded_channel();
        let control = InputControl {
            shared: Arc::default(),
            wake: Arc::new(wake),
        };
        let shared = Arc::clone(&control.shared);
        std::thread::Builder::new()
            .name("terminal input".into())
            .spawn(move || read_terminal(&sender, &shared, &tty, woken))?;
        Ok(Self { events, control })
    }

    /// The handle that pauses and resumes the reading.
    pub fn control(&self) -> InputControl {
        self.control.clone()
    }
}

impl Drop for TerminalInput {
    fn drop(&mut self) {
        self.control.shared.state().stopped = true;
        self.control.shared.changed.notify_all();
        self.control.poke();
    }
}

impl Stream for TerminalInput {
    type Item = io::Result<Event>;

    fn poll_next(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.events.poll_recv(context)
    }
}

impl InputControl {
    /// Stops reading until [`Self::resume`]; returns once the thread has let go of the
    /// terminal (or after [`PAUSE_WAIT`], when it is inside a paste that never ends).
    pub fn pause(&self) {
        self.shared.state().paused = true;
        self.poke();
        let state = self.shared.state();
        let _ = self
            .shared
            .changed
            .wait_timeout_while(state, PAUSE_WAIT, |s| !s.parked && !s.stopped);
    }

    /// Reads again.
    pub fn resume(&self) {
        self.shared.state().paused = false;
        self.shared.changed.notify_all();
    }

    /// Wakes the thread from its poll(2).
    fn poke(&self) {
        let _ = (&*self.wake).write(&[1]);
    }
}

/// The terminal the thread reads, as crossterm picks it.
enum Tty {
    Stdin(io::Stdin),
    Device(std::fs::File),
}

impl Tty {
    fn open() -> io::Result<Self> {
        let stdin = io::stdin();
        if stdin.is_terminal() {
            Ok(Self::Stdin(stdin))
        } else {
            std::fs::File::open("/dev/tty").map(Self::Device)
        }
    }

    fn fd(&self) -> std::os::fd::BorrowedFd<'_> {
        use std::os::fd::AsFd;
        match self {
            Self::Stdin(stdin) => stdin.as_fd(),
            Self::Device(file) => file.as_fd(),
        }
    }
}

/// The thread: hands over every event crossterm has, then sleeps in poll(2) until the terminal
/// has bytes again or a pause is asked for. Ends when the input is dropped, the loop is gone,
/// or the terminal hangs up (the stream then ends).
fn read_terminal(
    sender: &mpsc::UnboundedSender<io::Result<Event>>,
    shared: &Shared,
    tty: &Tty,
    mut woken: UnixStream,
) {
    use rustix::event::{PollFd, PollFlags, poll};
    loop {
        {
            let mut state = shared.state();
            if state.paused {
                state.parked = true;
                shared.changed.notify_all();
                state = shared
                    .changed
                    .wait_while(state, |s| s.paused && !s.stopped)
                    .unwrap_or_else(PoisonError::into_inner);
                state.parked = false;
            }
            if state.stopped {
                return;
            }
        }
        loop {
            match crossterm::event::poll(PARSED_EVENTS_WAIT) {
                Ok(true) => {
                    let event = crossterm::event::read();
                    let failed = event.is_err();
                    if sender.send(event).is_err() || failed {
                        return;
                    }
                }
                Ok(false) => break,
                Err(error) => {
                    let _ = sender.send(Err(error));
                    return;
                }
            }
            if shared.state().paused {
                break;
            }
        }
        if shared.state().paused {
            continue;
        }
        let tty_fd = tty.fd();
        let mut watched = [
            PollFd::new(&tty_fd, PollFlags::IN),
            PollFd::new(&woken, PollFlags::IN),
        ];
        match poll(&mut watched, None) {
            Err(rustix::io::Errno::INTR) => {}
            Err(_) => return,
            Ok(_) => {
                let gone = PollFlags::HUP | PollFlags::ERR | PollFlags::NVAL;
                if watched[0].revents().intersects(gone) {
                    return;
                }
                if watched[1].revents().contains(PollFlags::IN) {
                    let mut drained = [0u8; 64];
                    while matches!(woken.read(&mut drained), Ok(n) if n > 0) {}
                }
            }
        }
    }
}
