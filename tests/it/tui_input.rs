//! The whole console loop in-process (TestBackend, an injected input stream) for how input is
//! taken: a bracketed paste arrives whole as one event; keys that wait together are drawn in one
//! frame; Ctrl+Z gives the terminal up, writes the draft first, and draws the whole screen again
//! once continued. Waits on screen content with a deadline, never a sleep.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chatstart::copy::RecordingClipboard;
use chatstart::emulator::{Scenario, start};
use chatstart::tui::app::App;
use chatstart::tui::form::prefill;
use chatstart::tui::form::{Focus, TextField};
use chatstart::tui::setup::Store;
use chatstart::tui::terminal::{Host, NoHost};
use chatstart::tui::{Options, run};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::{Backend, ClearType, TestBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use tokio::sync::{mpsc, watch};

use crate::support::console;

const DEADLINE: Duration = Duration::from_secs(20);

async fn wait_for(screen: &mut watch::Receiver<String>, what: &str) -> String {
    console::wait_for(screen, what, DEADLINE).await
}

fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// A `TestBackend` that counts the frames drawn (one flush each) and the full clears.
struct Counting {
    inner: TestBackend,
    frames: Arc<AtomicUsize>,
    clears: Arc<AtomicUsize>,
}

impl Backend for Counting {
    type Error = <TestBackend as Backend>::Error;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        self.inner.draw(content)
    }
    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.hide_cursor()
    }
    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.show_cursor()
    }
    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        self.inner.get_cursor_position()
    }
    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Self::Error> {
        self.inner.set_cursor_position(position)
    }
    fn clear(&mut self) -> Result<(), Self::Error> {
        self.clears.fetch_add(1, Ordering::SeqCst);
        self.inner.clear()
    }
    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Self::Error> {
        if clear_type == ClearType::All {
            self.clears.fetch_add(1, Ordering::SeqCst);
        }
        self.inner.clear_region(clear_type)
    }
    fn size(&self) -> Result<Size, Self::Error> {
        self.inner.size()
    }
    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.inner.window_size()
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        self.frames.fetch_add(1, Ordering::SeqCst);
        self.inner.flush()
    }
}

/// A console on a counting 160×40 backend, its keys, screen and counters.
struct Console {
    keys: mpsc::UnboundedSender<Event>,
    screen: watch::Receiver<String>,
    frames: Arc<AtomicUsize>,
    clears: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<std::io::Result<App>>,
}

impl Console {
    /// Starts the console on `app`; `queued` are in its input before it reads any.
    fn start(app: App, queued: Vec<Event>, host: Box<dyn Host>, options: Options) -> Self {
        let (keys, input) = console::input();
        for event in queued {
            keys.send(event).expect("queued");
        }
        let (screen_tx, screen) = watch::channel(String::new());
        let frames = Arc::new(AtomicUsize::new(0));
        let clears = Arc::new(AtomicUsize::new(0));
        let backend = Counting {
            inner: TestBackend::new(160, 40),
            frames: Arc::clone(&frames),
            clears: Arc::clone(&clears),
        };
        let options = Options {
            clipboard: Arc::new(RecordingClipboard::default()),
            screen: Some(screen_tx),
            ..options
        };
        let task = tokio::spawn(async move {
            let mut host = host;
            let mut terminal = Terminal::new(backend).expect("terminal");
            run(&mut terminal, app, input, host.as_mut(), options).await
        });
        Self {
            keys,
            screen,
            frames,
            clears,
            task,
        }
    }

    fn send(&self, event: Event) {
        self.keys.send(event).expect("console listens");
    }

    async fn exit(self) -> App {
        drop(self.keys);
        tokio::time::timeout(DEADLINE, self.task)
            .await
            .expect("the console quits")
            .expect("no panic")
            .expect("no error")
    }
}

/// The demo form against `emulator`, the focus on `field`.
fn demo_app(emulator: &chatstart::emulator::EmulatorHandle, field: TextField) -> App {
    let mut form = prefill::demo(&emulator.base_url(), emulator.account(), emulator.app_key());
    form.focus = Focus::Text(field);
    App::new(form, "DEMO · in-process", Instant::now())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bracketed_paste_arrives_whole_in_one_event_and_its_lines_are_joined() {
    let emulator = start(Scenario::demo(), "127.0.0.1:0".parse().expect("address"))
        .await
        .expect("emulator");
    let mut console = Console::start(
        demo_app(&emulator, TextField::ChatReferrer),
        Vec::new(),
        Box::new(NoHost),
        Options::default(),
    );
    wait_for(&mut console.screen, "Pre-chat survey").await;
    let long = format!("https://shop.example/{}?end=PASTE-END", "a".repeat(10_000));
    console.send(Event::Paste(format!("{long}\r\nsecond line\n")));
    let text = wait_for(&mut console.screen, "second line").await;
    assert!(
        text.contains("pasted 2 lines into Referrer as one line"),
        "{text}"
    );
    let app = console.exit().await;
    assert_eq!(
        app.form.text(TextField::ChatReferrer),
        format!("{long} second line")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_that_wait_together_are_drawn_in_one_frame() {
    // No appKey: nothing is asked of a service, so no answer adds a frame of its own.
    let mut form = prefill::demo("http://127.0.0.1:9", "12345678", "");
    form.focus = Focus::Text(TextField::ChatReferrer);
    let app = App::new(form, "no service", Instant::now());
    let typed: String = (0..600)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    let mut queued: Vec<Event> = typed.chars().map(|c| key(KeyCode::Char(c))).collect();
    queued.push(key(KeyCode::Char('Z')));
    let mut console = Console::start(
        app,
        queued,
        Box::new(NoHost),
        Options {
            // Time never ends a batch here: what is counted is the batching itself.
            batch_limit: Duration::from_secs(3600),
            ..Options::default()
        },
    );
    wait_for(&mut console.screen, "Z").await;
    let frames = console.frames.load(Ordering::SeqCst);
    // The first frame and the one for all the keys (the draft's timer may add one), not one
    // per key.
    assert!(frames <= 3, "{frames} frames for {} keys", typed.len() + 1);
    let app = console.exit().await;
    assert_eq!(app.form.text(TextField::ChatReferrer), format!("{typed}Z"));
}

/// A host that records what the loop asks of the terminal, and what the draft file held when
/// the process was stopped.
#[derive(Clone, Default)]
struct RecordingHost {
    calls: Arc<Mutex<Vec<String>>>,
    draft: Option<std::path::PathBuf>,
    no_shell: bool,
}

impl Host for RecordingHost {
    fn suspend(&mut self) -> std::io::Result<()> {
        self.calls.lock().expect("calls").push("suspend".into());
        Ok(())
    }
    fn resume(&mut self) -> std::io::Result<()> {
        self.calls.lock().expect("calls").push("resume".into());
        Ok(())
    }
    fn cannot_stop(&self) -> Option<String> {
        self.no_shell
            .then(|| "Ctrl+Z: not suspended: no shell with job control".to_string())
    }
    fn stop(&mut self) -> std::io::Result<()> {
        let draft = self
            .draft
            .as_ref()
            .and_then(|path| std::fs::read_to_string(path).ok())
            .unwrap_or_default();
        self.calls.lock().expect("calls").push(format!(
            "stop (draft: {})",
            draft.contains("typed-before-ctrl-z")
        ));
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_z_writes_the_draft_gives_the_terminal_up_and_draws_it_all_again() {
    let emulator = start(Scenario::demo(), "127.0.0.1:0".parse().expect("address"))
        .await
        .expect("emulator");
    let home = tempfile::tempdir().expect("home");
    let draft = home.path().join("draft.json");
    let host = RecordingHost {
        draft: Some(draft.clone()),
        ..RecordingHost::default()
    };
    let calls = Arc::clone(&host.calls);
    let mut console = Console::start(
        demo_app(&emulator, TextField::ChatReferrer),
        Vec::new(),
        Box::new(host),
        Options {
            store: Store {
                draft: Some(draft.clone()),
                ..Store::default()
            },
            ..Options::default()
        },
    );
    wait_for(&mut console.screen, "Pre-chat survey").await;
    console.send(Event::Paste("typed-before-ctrl-z".into()));
    wait_for(&mut console.screen, "typed-before-ctrl-z").await;
    let clears = console.clears.load(Ordering::SeqCst);
    console.send(Event::Key(KeyEvent::new(
        KeyCode::Char('z'),
        KeyModifiers::CONTROL,
    )));
    // The frame after Ctrl+Z comes after the host resumed; keys go on working.
    console.send(key(KeyCode::Char('!')));
    wait_for(&mut console.screen, "typed-before-ctrl-z!").await;
    assert_eq!(
        *calls.lock().expect("calls"),
        ["suspend", "stop (draft: true)", "resume"],
        "the draft is on disk before the process stops"
    );
    assert_eq!(
        console.clears.load(Ordering::SeqCst),
        clears + 1,
        "the whole screen is drawn again after fg"
    );
    console.exit().await;

    // Without a shell to come back to, nothing is given up and the screen says why.
    let host = RecordingHost {
        no_shell: true,
        ..RecordingHost::default()
    };
    let calls = Arc::clone(&host.calls);
    let mut console = Console::start(
        demo_app(&emulator, TextField::ChatReferrer),
        Vec::new(),
        Box::new(host),
        Options::default(),
    );
    wait_for(&mut console.screen, "Pre-chat survey").await;
    console.send(Event::Key(KeyEvent::new(
        KeyCode::Char('z'),
        KeyModifiers::CONTROL,
    )));
    wait_for(&mut console.screen, "not suspended").await;
    assert!(calls.lock().expect("calls").is_empty());
    console.exit().await;
}
