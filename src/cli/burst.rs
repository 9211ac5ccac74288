//! `chatstart burst`: many chats at once, a live table while they run, a summary at the end.

use std::collections::VecDeque;
use std::io::IsTerminal;
use std::time::Duration;

use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Modifier, Style};
use ratatui::widgets::{Cell, Gauge, Row, Table};
use ratatui::{Frame, Terminal, TerminalOptions, Viewport};
use serde_json::json;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use super::args::{BurstArgs, OutputArg, WaitState};
use super::context::Context;
use super::exit;
use super::interrupt::{INTERRUPTED, Interrupts};
use super::print::{Output, note, say};
use super::run::{Failure, Outcome, connect, prepare_request, seconds_flag};
use crate::api::model::ChatState;
use crate::burst::{self, BurstEvent, BurstPlan, ChatOutcome, Status, Summary};
use crate::history::{Flow, Recording, SessionRecord};

/// Rows of the live table.
const TABLE_ROWS: usize = 12;

pub async fn run(ctx: &Context, args: BurstArgs) -> Outcome {
    if args.count == 0 || args.concurrency == 0 {
        return Err(Failure::usage(
            "--count and --concurrency must be at least 1",
        ));
    }
    if args.count > burst::MAX_COUNT {
        return Err(Failure::usage(format!(
            "--count: at most {} chats in one burst (`{}` is surely a typo)",
            burst::MAX_COUNT,
            args.count
        )));
    }
    let start = ctx.layered(&super::input::flags(&args.connection, &args.fields)?)?;
    let request = start.request.chat_request()?;
    let api = connect(&start.connection, None)?;
    // Before anything goes out: a chat is sent only when the history can keep it.
    let history = ctx.recording_history()?;
    let survey = prepare_request(&api, &request).await?;
    let plan = BurstPlan {
        count: args.count,
        // More in flight than there are chats is all of them at once.
        concurrency: args.concurrency.min(args.count),
        wait: match args.wait {
            WaitState::Waiting => ChatState::Waiting,
            WaitState::Chatting => ChatState::Chatting,
            WaitState::Ended => ChatState::Ended,
        },
        timeout: args
            .timeout
            .map(|t| seconds_flag("--timeout", t))
            .transpose()?,
        poll_interval: args
            .poll_interval
            .map(|t| super::run::interval_flag("--poll-interval", t))
            .transpose()?
            .unwrap_or(crate::session::DEFAULT_POLL_INTERVAL),
        end_after: args.end_after,
    };
    let (events, mut received) = mpsc::unbounded_channel();
    let (stop, stopped) = watch::channel(false);
    let recorder = Recorder { ctx };
    // The engine records each chat request before sending it, as `request` does.
    let recording = Recording {
        history: history.clone(),
        template: SessionRecord::created(
            ctx.profile_name(),
            &api.config().account,
            "",
            Flow::Request,
            &request,
            None,
        )
        .connected_with(api.config()),
    };
    let mut interrupts = Interrupts::listen();
    let engine = tokio::spawn(burst::run(
        api,
        request,
        survey,
        plan.clone(),
        Some(recording),
        events,
        stopped,
    ));
    let live = args.output == OutputArg::Text && std::io::stdout().is_terminal();
    let mut view = Progress::new(&plan);
    let mut terminal = if live { inline_terminal() } else { None };
    let mut interrupted = false;
    let mut redraw = tokio::time::interval(Duration::from_millis(200));
    loop {
        tokio::select! {
            event = received.recv() => match event {
                Some(event) => {
                    view.apply(&event);
                    recorder.record(&event, &view.outcomes);
                }
                None => break,
            },
            // Every signal stops the burst the same way: no new chat, the requests on their way
            // answered, every chat created ended. Another signal only says so again.
            signal = interrupts.next() => {
                interrupted = true;
                let _ = stop.send(true);
                let sending = view.outcomes.iter().filter(|o| o.status() == Status::Sending).count();
                let said = format!(
                    "{signal}: no new chat is sent; waiting for {} on their way, then ending every chat created…",
                    crate::plural::count(sending, "chat request", "chat requests")
                );
                if terminal.is_none() {
                    note(&said);
                }
                view.note = Some(said);
            }
            // Redrawn on a timer only while the burst runs: the clocks in the table move.
            _ = redraw.tick(), if terminal.is_some() => {
                if let Some(terminal) = terminal.as_mut() {
                    let _ = terminal.draw(|frame| view.draw(frame));
                }
            }
        }
    }
    if let Some(terminal) = terminal.as_mut() {
        if let Ok(frame) = terminal.draw(|frame| view.draw(frame)) {
            // Leave the cursor under the table, so what follows is printed below it.
            let bottom = frame.area.bottom().saturating_sub(1);
            let _ = terminal.set_cursor_position((0, bottom));
        }
        say("");
    }
    drop(terminal);
    let outcomes = engine
        .await
        .map_err(|e| Failure::usage(format!("the burst stopped unexpectedly: {e}")))?;
    report(&outcomes, Output::new(args.output), live);
    Ok(exit_code(&outcomes, &plan, interrupted))
}

/// Writes what becomes of each chat of the burst to the history (the engine records each
/// chat itself, before its request is sent), so `history --open` lists any left behind and
/// `end --all-open` can end them.
struct Recorder<'a> {
    ctx: &'a Context,
}

impl Recorder<'_> {
    fn record(&self, event: &BurstEvent, outcomes: &[ChatOutcome]) {
        let Some(history) = &self.ctx.history else {
            return;
        };
        let uri_of = |index: &usize| outcomes.get(*index).and_then(|o| o.uri.as_deref());
        let result = match event {
            BurstEvent::State {
                index,
                state,
                agent,
                ..
            } => match uri_of(index) {
                Some(uri) => history.state(uri, state.as_str(), agent.as_deref()),
                None => Ok(()),
            },
            BurstEvent::EndedByUs {
                index,
                result: Ok(()),
            } => match uri_of(index) {
                Some(uri) => history.state(uri, "ended", None),
                None => Ok(()),
            },
            BurstEvent::Created { .. }
            | BurstEvent::MayExist { .. }
            | BurstEvent::Sending { .. }
            | BurstEvent::Failed { .. }
            | BurstEvent::Lost { .. }
            | BurstEvent::EndedByUs { .. } => Ok(()),
        };
        if let Err(error) = result {
            note(format!("warning: could not write the history: {error}"));
        }
    }
}

fn inline_terminal() -> Option<Terminal<ratatui::backend::CrosstermBackend<std::io::Stdout>>> {
    let backend = ratatui::backend::CrosstermBackend::new(std::io::stdout());
    let height = u16::try_from(TABLE_ROWS + 4).unwrap_or(16);
    Terminal::with_options(
        backend,
        TerminalOptions {
            viewport: Viewport::Inline(height),
        },
    )
    .ok()
}

/// 0 when every chat was created (and reached the awaited state); else the first creation
/// failure's code (3 refused, 4 network); 5 when chats did not reach the state in time; 130
/// after Ctrl+C.
fn exit_code(outcomes: &[ChatOutcome], plan: &BurstPlan, interrupted: bool) -> i32 {
    if interrupted {
        return INTERRUPTED;
    }
    if let Some(code) = outcomes.iter().find_map(|o| o.error_kind.map(exit::of)) {
        return code;
    }
    let reached = |o: &ChatOutcome| match plan.wait {
        ChatState::Chatting => o.time_to_accept_ms.is_some(),
        ChatState::Ended => o.state.as_deref() == Some("ended"),
        _ => o.uri.is_some(),
    };
    if outcomes.iter().all(reached) {
        exit::OK
    } else {
        exit::NOT_REACHED
    }
}

fn report(outcomes: &[ChatOutcome], output: Output, live: bool) {
    let summary = Summary::of(outcomes);
    if output.is_json() {
        for outcome in outcomes {
            output.json(&json!({"type": "chat", "chat": outcome}));
        }
        output.json(&json!({"type": "summary", "summary": summary}));
        return;
    }
    if !live {
        for outcome in outcomes {
            say(format!(
                "{:>4}  {:<12} {:>8}  {:<10} {}",
                outcome.index + 1,
                outcome.state_label(),
                outcome
                    .time_to_accept_ms
                    .map_or("-".into(), |ms| format!("{ms} ms")),
                outcome.agent.as_deref().unwrap_or("-"),
                outcome
                    .uri
                    .as_deref()
                    .or(outcome.error.as_deref())
                    .unwrap_or("-")
            ));
        }
    }
    say(summary.counts());
    if let Some([min, median, p95, max]) = summary.accept_ms {
        say(format!(
            "time to accept: min {min} ms · median {median} ms · p95 {p95} ms · max {max} ms"
        ));
    }
    if let Some(error) = outcomes.iter().find_map(|o| o.error.as_deref()) {
        note(format!("first error: {error}"));
    }
}

/// What the live table shows.
struct Progress {
    outcomes: Vec<ChatOutcome>,
    /// Chat indexes, most recently changed first.
    recent: VecDeque<usize>,
    started: Instant,
    wait: ChatState,
    note: Option<String>,
}

impl Progress {
    fn new(plan: &BurstPlan) -> Self {
        Self {
            outcomes: burst::outcomes(plan.count),
            recent: VecDeque::new(),
            started: Instant::now(),
            wait: plan.wait.clone(),
            note: None,
        }
    }

    fn apply(&mut self, event: &BurstEvent) {
        burst::apply(&mut self.outcomes, event);
        let index = event.index();
        self.recent.retain(|i| *i != index);
        self.recent.push_front(index);
        self.recent.truncate(TABLE_ROWS);
    }

    fn draw(&self, frame: &mut Frame) {
        let [gauge, table] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(frame.area());
        let summary = Summary::of(&self.outcomes);
        let done = self
            .outcomes
            .iter()
            .filter(|o| {
                o.error.is_some()
                    || o.is_over()
                    || o.state.as_deref().is_some_and(|s| s == self.wait.as_str())
            })
            .count();
        let ratio = done as f64 / self.outcomes.len().max(1) as f64;
        let label = self.note.clone().unwrap_or_else(|| {
            let failed = self.outcomes.iter().filter(|o| o.failed()).count();
            format!(
                "{done}/{} · created {} · accepted {} · failed {failed}{} · {:.1} s",
                self.outcomes.len(),
                summary.created,
                summary.accepted,
                if summary.may_exist > 0 {
                    format!(" · may exist {}", summary.may_exist)
                } else {
                    String::new()
                },
                self.started.elapsed().as_secs_f64()
            )
        });
        frame.render_widget(
            Gauge::default().ratio(ratio.clamp(0.0, 1.0)).label(label),
            gauge,
        );
        let rows = self
            .recent
            .iter()
            .filter_map(|i| self.outcomes.get(*i))
            .map(|o| {
                let tail = o
                    .uri
                    .as_deref()
                    .map(|u| {
                        u.rsplit('/')
                            .next()
                            .unwrap_or(u)
                            .chars()
                            .rev()
                            .take(22)
                            .collect::<Vec<_>>()
                    })
                    .map(|c| c.into_iter().rev().collect::<String>())
                    .unwrap_or_else(|| "…".into());
                let in_queue = match (o.time_to_accept_ms, o.created_ms) {
                    (Some(ms), _) => format!("{:.1} s", ms as f64 / 1000.0),
                    (None, Some(created)) => {
                        let now =
                            u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
                        format!("{:.1} s…", now.saturating_sub(created) as f64 / 1000.0)
                    }
                    (None, None) => "-".into(),
                };
                let state = o.state_label();
                Row::new(vec![
                    Cell::from(format!("{}", o.index + 1)),
                    Cell::from(tail),
                    Cell::from(state),
                    Cell::from(in_queue),
                    Cell::from(o.agent.clone().unwrap_or_default()),
                ])
            });
        let header = Row::new(["#", "chat", "state", "in queue", "agent"])
            .style(Style::new().add_modifier(Modifier::BOLD));
        let widths = [
            Constraint::Length(5),
            Constraint::Length(23),
            Constraint::Length(9),
            Constraint::Length(10),
            Constraint::Min(8),
        ];
        frame.render_widget(Table::new(rows, widths).header(header), table);
    }
}
