//! The console: a form that starts a chat, then the session followed live. `launch` sets up the
//! real terminal; `run` is the loop, generic over the backend and fed an input stream, so tests
//! drive the whole console on a `TestBackend`.
//!
//! One loop with a biased `select!`: messages from effects first, then input, then the timer
//! that exists only while something animates. After the first of them it takes everything else
//! already waiting — messages, then keys, in order — and draws once for the whole batch.

pub mod app;
pub mod burst;
pub mod checks;
pub mod connection;
pub mod effects;
pub mod errors;
pub mod form;
#[cfg(unix)]
pub mod input;
pub mod keymap;
pub mod msg;
pub mod paste;
pub mod session;
pub mod setup;
pub mod store;
pub mod terminal;
pub mod update;
pub mod view;
pub mod visitor;

use std::io;
use std::sync::Arc;
use std::time::Duration;

use crossterm::event::Event;
use futures_util::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::buffer::Buffer;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use app::App;
use effects::EffectRunner;
use form::prefill;
use msg::{AppIntent, FormOutcome, TerminalOutcome};
use msg::{Effect, Msg};
use store::draft;
use terminal::Host;

use crate::copy::{Clipboard, Osc52Clipboard};
use crate::terminal_text::note;

/// What the loop needs besides the terminal and the input.
pub struct Options {
    pub clipboard: Arc<dyn Clipboard>,
    /// Time between polls of the session.
    pub poll_interval: Duration,
    /// How long failed polls wait, and how many in a row lose the session (tests shorten them).
    pub retry: crate::session::RetryPolicy,
    pub max_failures: u32,
    /// Turn SIGTERM/SIGHUP/SIGINT into quit messages.
    pub signals: bool,
    /// Receives the screen's text after every draw (tests wait on it).
    pub screen: Option<watch::Sender<String>>,
    /// History, draft and config on disk (nothing is written when empty).
    pub store: setup::Store,
    /// How long one batch of waiting input may run before a frame shows where it is.
    pub batch_limit: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            clipboard: Arc::new(Osc52Clipboard),
            poll_interval: crate::session::DEFAULT_POLL_INTERVAL,
            retry: crate::session::RetryPolicy::default(),
            max_failures: crate::session::DEFAULT_MAX_FAILURES,
            signals: false,
            screen: None,
            store: setup::Store::default(),
            batch_limit: BATCH_LIMIT,
        }
    }
}

/// Runs the console until the user quits or the input ends; the final state.
pub async fn run<B, S>(
    terminal: &mut Terminal<B>,
    mut app: App,
    mut input: S,
    host: &mut dyn Host,
    options: Options,
) -> io::Result<App>
where
    B: Backend,
    S: Stream<Item = io::Result<Event>> + Unpin,
{
    let (sender, mut messages) = mpsc::unbounded_channel::<Msg>();
    if options.signals {
        terminal::listen_for_signals(sender.clone());
    }
    let mut runner = EffectRunner::new(
        sender.clone(),
        options.clipboard,
        options.poll_interval,
        options.store,
    )
    .with_retry(options.retry, options.max_failures);
    if let Ok(size) = terminal.size() {
        app.size = (size.width, size.height);
    }
    app.now = std::time::Instant::now();
    app.wall_clock = std::time::SystemTime::now();
    let first = form::update::init(&mut app);
    apply(&mut app, first, &mut runner, terminal, host, &sender)?;
    draw(terminal, &mut app, options.screen.as_ref())?;
    let mut next_tick: Option<Instant> = None;
    while !app.quitting {
        match (app.tick_interval(), next_tick) {
            (Some(interval), None) => next_tick = Some(Instant::now() + interval),
            (None, Some(_)) => next_tick = None,
            _ => {}
        }
        let msg = tokio::select! {
            // Biased: results already waiting are handled before new keys, and keys before the
            // timer, so a busy session never starves typing and nothing redraws needlessly.
            biased;
            Some(msg) = messages.recv() => Some(msg),
            event = input.next() => match event {
                Some(Ok(event)) => keymap::message(&event, &app),
                Some(Err(error)) => return Err(error),
                None => break,
            },
            () = sleep_until(next_tick), if next_tick.is_some() => {
                next_tick = None;
                Some(Msg::from(TerminalOutcome::Tick))
            }
        };
        if let Some(msg) = msg {
            handle(&mut app, msg, &mut runner, terminal, host, &sender)?;
        }
        // Whatever else is already waiting goes into the same frame: keys typed (or a paste
        // the terminal sent as keys) while the last frame was drawn are taken in order, and
        // drawn once, not one frame each falling further behind.
        let batch = Instant::now();
        let mut input_ended = false;
        loop {
            while let Ok(msg) = messages.try_recv() {
                handle(&mut app, msg, &mut runner, terminal, host, &sender)?;
            }
            // A flood still shows progress now and then.
            if app.quitting || batch.elapsed() >= options.batch_limit {
                break;
            }
            match ready(&mut input).await {
                Some(Some(Ok(event))) => {
                    if let Some(msg) = keymap::message(&event, &app) {
                        handle(&mut app, msg, &mut runner, terminal, host, &sender)?;
                    }
                }
                Some(Some(Err(error))) => return Err(error),
                Some(None) => {
                    input_ended = true;
                    break;
                }
                None => break,
            }
        }
        if input_ended {
            break;
        }
        if !app.quitting {
            draw(terminal, &mut app, options.screen.as_ref())?;
        }
    }
    Ok(app)
}

/// How long one batch of waiting input runs at most before a frame shows where it is: a flood
/// of keys (a paste a terminal sends as keys) still shows progress.
pub const BATCH_LIMIT: Duration = Duration::from_millis(50);

/// The next input event if one is ready now (`Some(None)`: the input ended), without waiting.
/// Polled with the loop's own waker, so an input that is not ready still wakes the loop later;
/// outside tokio's budget, which would otherwise end a batch after 128 events already there.
async fn ready<S>(input: &mut S) -> Option<Option<S::Item>>
where
    S: Stream + Unpin,
{
    tokio::task::unconstrained(std::future::poll_fn(|context| {
        std::task::Poll::Ready(match input.poll_next_unpin(context) {
            std::task::Poll::Ready(item) => Some(item),
            std::task::Poll::Pending => None,
        })
    }))
    .await
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

fn handle<B: Backend>(
    app: &mut App,
    msg: Msg,
    runner: &mut EffectRunner,
    terminal: &mut Terminal<B>,
    host: &mut dyn Host,
    sender: &mpsc::UnboundedSender<Msg>,
) -> io::Result<()> {
    app.now = std::time::Instant::now();
    app.wall_clock = std::time::SystemTime::now();
    let effects = update::update(app, msg);
    apply(app, effects, runner, terminal, host, sender)
}

fn apply<B: Backend>(
    app: &mut App,
    effects: Vec<Effect>,
    runner: &mut EffectRunner,
    terminal: &mut Terminal<B>,
    host: &mut dyn Host,
    sender: &mpsc::UnboundedSender<Msg>,
) -> io::Result<()> {
    for effect in effects {
        match effect {
            Effect::Quit => app.quitting = true,
            Effect::OpenEditor(text) => {
                host.suspend()?;
                let result = terminal::run_editor(&text);
                host.resume()?;
                redraw_whole(terminal)?;
                let _ = sender.send(Msg::from(FormOutcome::EditorDone(result)));
            }
            Effect::Suspend => {
                let outcome = match host.cannot_stop() {
                    Some(why) => Err(why),
                    None => {
                        host.suspend()?;
                        let stopped = host.stop();
                        host.resume()?;
                        // The shell drew over the screen meanwhile, maybe at another size.
                        let size = redraw_whole(terminal)?;
                        let _ = sender.send(Msg::from(AppIntent::Resize(size.width, size.height)));
                        stopped.map_err(|e| format!("Ctrl+Z: could not stop: {e}"))
                    }
                };
                let _ = sender.send(Msg::from(TerminalOutcome::Resumed(outcome)));
            }
            other => runner.run(other),
        }
    }
    Ok(())
}

/// Clears the screen so the next frame is drawn whole, at the terminal's size now; that size.
/// (Not `Terminal::clear`: it asks the terminal where its cursor is, and a terminal that does
/// not answer ends the console.)
fn redraw_whole<B: Backend>(terminal: &mut Terminal<B>) -> io::Result<ratatui::layout::Size> {
    let size = terminal
        .size()
        .map_err(|e| io::Error::other(e.to_string()))?;
    terminal
        .resize(ratatui::layout::Rect::from((
            ratatui::layout::Position::ORIGIN,
            size,
        )))
        .map_err(|e| io::Error::other(e.to_string()))?;
    Ok(size)
}

/// Draws the app and records what the frame laid out for `update` and the keys.
fn draw<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    screen: Option<&watch::Sender<String>>,
) -> io::Result<()> {
    let mut geometry = app.geometry.clone();
    let frame = terminal
        .draw(|frame| geometry = view::render(app, frame))
        .map_err(|e| io::Error::other(e.to_string()))?;
    if let Some(screen) = screen {
        screen.send_replace(buffer_text(frame.buffer));
    }
    app.geometry = geometry;
    Ok(())
}

/// The text of a buffer, one line per row (for tests and snapshots).
pub fn buffer_text(buffer: &Buffer) -> String {
    let area = buffer.area;
    let mut text = String::new();
    for y in area.top()..area.bottom() {
        let mut skip = 0;
        for x in area.left()..area.right() {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let symbol = buffer[(x, y)].symbol();
            skip = ratatui::text::Span::raw(symbol).width().saturating_sub(1);
            text.push_str(symbol);
        }
        text.push('\n');
    }
    text
}

/// `chatstart` / `chatstart tui`: the console on the real terminal, prefilled from the flags
/// (`chatstart tui …`, else their environment variables) over the profile (`--profile`,
/// `CHATSTART_PROFILE`, else the config's default). With nothing configured, or a config file
/// that does not load, it runs against the embedded emulator. Returns the exit code.
pub async fn launch(launch: crate::start::Launch) -> i32 {
    // The log goes to its file only: never drawn over the console.
    let log_problem = crate::start::log::start(launch.log_file.as_deref())
        .err()
        .map(|error| error.to_string());
    let (config, config_warnings) =
        match crate::config::Config::load_reporting(launch.config.as_deref()) {
            Ok((config, warnings)) => (Ok(config), warnings),
            Err(error) => (Err(error), Vec::new()),
        };
    let mut start = setup::prepare(&launch, config);
    start.problems.extend(log_problem);
    start.problems.extend(config_warnings);
    // The emulator lives as long as the console.
    let mut _emulator = None;
    let mut demo_origin = None;
    let (form, banner, demo) = match start.form.take() {
        Some(form) => {
            let banner = connection::Connection::from_form(&form).describe();
            (form, banner, false)
        }
        None => {
            let address = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
            match crate::emulator::start(crate::emulator::Scenario::demo(), address).await {
                Ok(handle) => {
                    let form =
                        prefill::demo(&handle.base_url(), handle.account(), handle.app_key());
                    let banner = format!("DEMO · emulator on {}", handle.addr());
                    demo_origin = Some(handle.base_url());
                    _emulator = Some(handle);
                    (form, banner, true)
                }
                Err(error) => {
                    note(format!("error: cannot start the demo emulator: {error}"));
                    return 4;
                }
            }
        }
    };
    let mut app = App::new(form, banner, std::time::Instant::now());
    app.demo = demo;
    app.color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let draft_path = draft::default_path();
    let (found, draft_problem) = draft_path.as_deref().map_or((None, None), draft::read);
    start.problems.extend(draft_problem);
    if crate::paths::data_dir().is_none() {
        start.problems.push(format!(
            "this system has no data directory: set {} so the chats made here are recorded",
            crate::paths::DATA_DIR_ENV
        ));
    }
    setup::apply(&mut app, &start, found);
    let (mut terminal, guard) = match terminal::init() {
        Ok(pair) => pair,
        Err(error) => {
            note(format!("error: cannot set up the terminal: {error}"));
            return 4;
        }
    };
    // The journals are kept as the config file and the profile the console starts with say.
    let journal_retention = start.config.as_ref().map_or_else(
        || crate::config::Config::default().journal_retention(None, launch.no_journal),
        |config| {
            let profile = start.profile.as_ref().map(|(_, profile)| profile);
            config.journal_retention(profile, launch.no_journal)
        },
    );
    let options = Options {
        signals: true,
        store: setup::Store {
            // The demo's chats live in the emulator above: recorded as demo chats, never open.
            history: crate::history::History::open_default().map(|h| {
                h.with_demo_origin(demo_origin.as_deref())
                    .keeping_journals(journal_retention)
            }),
            draft: draft_path,
            config: start.config.take(),
            flags: Some(launch.flags.clone()),
            evidence_dir: None,
        },
        ..Options::default()
    };
    let mut host = terminal::RealHost::default();
    #[cfg(unix)]
    let input: Input = match input::TerminalInput::start() {
        Ok(input) => {
            host.input = Some(input.control());
            Box::pin(input)
        }
        Err(error) => {
            drop(terminal);
            drop(guard);
            note(format!("error: cannot read the terminal: {error}"));
            return 4;
        }
    };
    #[cfg(not(unix))]
    let input: Input = Box::pin(crossterm::event::EventStream::new());
    let outcome = run(
        &mut terminal,
        app,
        test_fault().chain(input),
        &mut host,
        options,
    )
    .await;
    drop(terminal);
    drop(guard);
    match outcome {
        Ok(app) => {
            // Written without panicking (after a hang-up stderr may be a terminal that is gone),
            // and made safe for it: the URIs came from the service.
            for line in app.left_behind() {
                note(line);
            }
            0
        }
        Err(error) => {
            note(format!("error: {error}"));
            4
        }
    }
}

/// Environment variable for the terminal-restore tests: `panic` panics, `task-panic` panics in a
/// background task and `error` fails the input right after the first frame, so every exit path
/// is proven to restore the terminal. (`after-create` is [`crate::contain`]'s.)
pub use crate::contain::TEST_FAULT_ENV;

type Input = std::pin::Pin<Box<dyn Stream<Item = io::Result<Event>> + Send>>;

/// The first input event, when a fault is asked for by [`TEST_FAULT_ENV`].
fn test_fault() -> Input {
    match std::env::var(TEST_FAULT_ENV).as_deref() {
        Ok("panic") => Box::pin(futures_util::stream::once(async {
            panic!("{TEST_FAULT_ENV}=panic: a panic after the first frame")
        })),
        Ok("task-panic") => Box::pin(futures_util::stream::once(async {
            let task = tokio::spawn(async {
                panic!("{TEST_FAULT_ENV}=task-panic: a background task panicked")
            });
            let _ = task.await;
            // Reached only if the panic did not end the console: wait for input as usual.
            std::future::pending::<io::Result<Event>>().await
        })),
        Ok("error") => Box::pin(futures_util::stream::once(async {
            Err(io::Error::other(format!(
                "{TEST_FAULT_ENV}=error: an input error after the first frame"
            )))
        })),
        _ => Box::pin(futures_util::stream::empty()),
    }
}

#[cfg(test)]
mod tests;
