//! Burst mode in the console: the dialog that asks how many chats, the view's state, and the
//! part of `update` that starts, follows, stops and ends a burst of the form's request. Pure,
//! like `update`; the engine is `crate::burst`, run by the effects.

pub mod view;

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use tui_input::Input;

use crate::api::model::ChatState;
use crate::burst::{BurstEvent, ChatOutcome, Summary};
use crate::tui::app::{App, Notice, Overlay, Phase};
use crate::tui::connection::Connection;
use crate::tui::msg::{
    AppIntent, BurstIntent, BurstOutcome, Effect, FormIntent, Intent, SessionId,
};

/// Rows of recently changed chats kept for the table (more than any screen shows).
pub const RECENT_ROWS: usize = 64;
/// Most chats one burst from the console may make.
pub const MAX_COUNT: usize = 10_000;

/// The dialog's fields, in focus order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetupField {
    Count,
    Concurrency,
    Wait,
    EndAfter,
}

impl SetupField {
    const ORDER: [Self; 4] = [Self::Count, Self::Concurrency, Self::Wait, Self::EndAfter];

    fn step(self, step: isize) -> Self {
        let at = Self::ORDER.iter().position(|f| *f == self).unwrap_or(0);
        let len = Self::ORDER.len() as isize;
        Self::ORDER[(at as isize + step).rem_euclid(len) as usize]
    }
}

/// What the burst dialog asks, as typed.
#[derive(Debug, Clone)]
pub struct BurstSetup {
    pub count: Input,
    pub concurrency: Input,
    /// Follow each chat until `waiting` or `chatting`.
    pub wait: ChatState,
    /// End every chat once the burst is done.
    pub end_after: bool,
    pub focus: SetupField,
    /// Why the answers cannot be used, shown in the dialog.
    pub error: Option<String>,
}

impl Default for BurstSetup {
    fn default() -> Self {
        Self {
            count: Input::new("10".into()),
            concurrency: Input::new("5".into()),
            wait: ChatState::Waiting,
            end_after: false,
            focus: SetupField::Count,
            error: None,
        }
    }
}

/// The dialog's answers, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BurstSettings {
    pub count: usize,
    pub concurrency: usize,
    pub wait: ChatState,
    pub end_after: bool,
}

impl BurstSetup {
    /// The answers as numbers, or what is wrong with them.
    pub fn settings(&self) -> Result<BurstSettings, String> {
        let number = |input: &Input, what: &str| -> Result<usize, String> {
            let text = input.value().trim();
            match text.parse::<usize>() {
                Ok(0) | Err(_) => Err(format!("{what} must be a whole number of at least 1")),
                Ok(n) => Ok(n),
            }
        };
        let count = number(&self.count, "the number of chats")?;
        if count > MAX_COUNT {
            return Err(format!(
                "at most {MAX_COUNT} chats from the console (chatstart burst takes up to {})",
                crate::burst::MAX_COUNT
            ));
        }
        let concurrency = number(&self.concurrency, "the chats at once")?;
        Ok(BurstSettings {
            count,
            concurrency: concurrency.min(count),
            wait: self.wait.clone(),
            end_after: self.end_after,
        })
    }

    /// The focus is on a choice, not a text input.
    pub fn focused_input_is_none(&self) -> bool {
        matches!(self.focus, SetupField::Wait | SetupField::EndAfter)
    }

    /// The text input that has the focus, if any.
    pub fn focused_input(&mut self) -> Option<&mut Input> {
        match self.focus {
            SetupField::Count => Some(&mut self.count),
            SetupField::Concurrency => Some(&mut self.concurrency),
            SetupField::Wait | SetupField::EndAfter => None,
        }
    }
}

/// A burst, as followed.
#[derive(Debug, Clone)]
pub struct BurstView {
    pub id: SessionId,
    pub settings: BurstSettings,
    pub outcomes: Vec<ChatOutcome>,
    /// Chat indexes, most recently changed first.
    pub recent: VecDeque<usize>,
    pub started: Instant,
    /// When the engine returned.
    pub finished: Option<Instant>,
    /// A stop was asked for: no new chat, and the engine ends every chat created.
    pub stopping: bool,
    /// End requests still on their way (`e` after the burst).
    pub ending: usize,
    /// Quit once the burst (or the ending) is done.
    pub quit_when_done: bool,
    /// The form's skill, for the heading.
    pub skill: String,
}

impl BurstView {
    pub fn new(id: SessionId, settings: BurstSettings, skill: String, started: Instant) -> Self {
        Self {
            id,
            outcomes: crate::burst::outcomes(settings.count),
            settings,
            recent: VecDeque::new(),
            started,
            finished: None,
            stopping: false,
            ending: 0,
            quit_when_done: false,
            skill,
        }
    }

    /// The engine still runs, or chats are still being ended.
    pub fn is_running(&self) -> bool {
        self.finished.is_none() || self.ending > 0
    }

    /// Applies one of the engine's events.
    pub fn apply(&mut self, event: &BurstEvent) {
        crate::burst::apply(&mut self.outcomes, event);
        let index = event.index();
        self.recent.retain(|i| *i != index);
        self.recent.push_front(index);
        self.recent.truncate(RECENT_ROWS);
    }

    pub fn summary(&self) -> Summary {
        Summary::of(&self.outcomes)
    }

    /// Chats done with: failed, or at the awaited state, or ended.
    pub fn done(&self) -> usize {
        let wait = &self.settings.wait;
        self.outcomes
            .iter()
            .filter(|o| {
                o.error.is_some()
                    || o.is_over()
                    || o.state
                        .as_deref()
                        .map(ChatState::parse)
                        .is_some_and(|s| s.has_reached(wait) || s == ChatState::Ended)
            })
            .count()
    }

    /// Chats created and not known to have ended: what `e` ends.
    pub fn open_chats(&self) -> Vec<(usize, String)> {
        self.outcomes
            .iter()
            .enumerate()
            .filter(|(_, o)| !o.ended_by_us && o.state.as_deref() != Some("ended"))
            .filter_map(|(index, o)| o.uri.clone().map(|uri| (index, uri)))
            .collect()
    }

    /// Time since the start, frozen at the end.
    pub fn elapsed(&self, now: Instant) -> Duration {
        self.finished
            .unwrap_or(now)
            .saturating_duration_since(self.started)
    }
}

/// Opens the dialog (from the form only).
pub fn open(app: &mut App) -> Vec<Effect> {
    app.burst_setup.error = None;
    app.burst_setup.focus = SetupField::Count;
    app.overlay = Some(Overlay::BurstSetup);
    Vec::new()
}

/// The dialog's answer to an intent; `None` when the dialog is not open or passes it on.
pub fn overlay_answer(app: &mut App, intent: &Intent) -> Option<Vec<Effect>> {
    if app.overlay != Some(Overlay::BurstSetup) {
        return None;
    }
    let setup = &mut app.burst_setup;
    match intent {
        Intent::App(AppIntent::DialogEdit(request)) => {
            if let Some(input) = setup.focused_input() {
                input.handle(*request);
                setup.error = None;
            }
        }
        Intent::Form(FormIntent::FocusNext) => setup.focus = setup.focus.step(1),
        Intent::Form(FormIntent::FocusPrev) => setup.focus = setup.focus.step(-1),
        Intent::Form(FormIntent::Cycle(_) | FormIntent::Choose) => match setup.focus {
            SetupField::Wait => {
                setup.wait = if setup.wait == ChatState::Waiting {
                    ChatState::Chatting
                } else {
                    ChatState::Waiting
                };
            }
            SetupField::EndAfter => setup.end_after = !setup.end_after,
            SetupField::Count | SetupField::Concurrency => {}
        },
        Intent::App(AppIntent::Confirm) => return Some(start(app)),
        Intent::App(AppIntent::Dismiss) => app.overlay = None,
        _ => return None,
    }
    Some(Vec::new())
}

/// Starts the burst the dialog describes: the form is checked like a submit, nothing is sent
/// when it has a problem.
fn start(app: &mut App) -> Vec<Effect> {
    let settings = match app.burst_setup.settings() {
        Ok(settings) => settings,
        Err(problem) => {
            app.burst_setup.error = Some(problem);
            return Vec::new();
        }
    };
    app.overlay = None;
    if app.form.auth {
        app.notice = Some(Notice::error(
            "a burst sends the plain chat request: switch the authenticated flow off first",
            None,
        ));
        return Vec::new();
    }
    if !crate::tui::form::update::form_is_valid(app) {
        return Vec::new();
    }
    app.last_id += 1;
    let id = app.last_id;
    let request = app.form.chat_request();
    let skill = request.skill.trim().to_string();
    app.phase = Phase::Burst(Box::new(BurstView::new(
        id,
        settings.clone(),
        skill,
        app.now,
    )));
    app.notice = None;
    let record = Box::new(app.new_session(String::new(), request.clone(), false));
    vec![Effect::StartBurst {
        id,
        connection: Connection::from_form(&app.form),
        request,
        survey: app.form.survey.survey.clone(),
        settings,
        record,
    }]
}

/// What came back from the engine: applied whatever is on screen.
pub fn outcome(app: &mut App, outcome: BurstOutcome) -> Vec<Effect> {
    match outcome {
        BurstOutcome::Progress { id, event } => event_arrived(app, id, &event),
        BurstOutcome::Finished { id, outcomes } => finished(app, id, &outcomes),
    }
}

/// Intents while the burst view is on screen; `None` passes the intent on.
pub fn intent(app: &mut App, intent: &Intent) -> Option<Vec<Effect>> {
    let Phase::Burst(view) = &mut app.phase else {
        return None;
    };
    let effects = match intent {
        Intent::Burst(BurstIntent::Stop) => stop(view),
        Intent::Burst(BurstIntent::EndChats) => return Some(end_open_chats(app)),
        Intent::Burst(BurstIntent::Back) | Intent::App(AppIntent::Dismiss) => {
            if view.is_running() {
                stop(view)
            } else {
                app.phase = Phase::Editing;
                app.notice = None;
                Vec::new()
            }
        }
        Intent::App(AppIntent::Quit) => {
            if view.is_running() && !view.quit_when_done {
                view.quit_when_done = true;
                app.notice = Some(Notice::info(
                    "quitting once every chat of the burst is ended; Ctrl+C again quits now",
                ));
                stop(view)
            } else if view.is_running() {
                app.quitting = true;
                vec![Effect::Quit]
            } else if !view.open_chats().is_empty() {
                app.overlay = Some(Overlay::ConfirmQuit);
                Vec::new()
            } else {
                app.quitting = true;
                vec![Effect::Quit]
            }
        }
        Intent::Form(FormIntent::Submit) => {
            app.notice = Some(Notice::info(
                "the burst's view is on screen: Esc goes back to the form",
            ));
            Vec::new()
        }
        _ => return None,
    };
    Some(effects)
}

/// The quit question's `e`: end the burst's open chats, then quit.
pub fn end_then_quit(app: &mut App) -> Vec<Effect> {
    if let Phase::Burst(view) = &mut app.phase {
        view.quit_when_done = true;
    }
    let effects = end_open_chats(app);
    if effects.is_empty() {
        app.quitting = true;
        return vec![Effect::Quit];
    }
    effects
}

/// Whether quitting would leave chats of a burst open.
pub fn has_open_chats(app: &App) -> bool {
    match &app.phase {
        Phase::Burst(view) => !view.open_chats().is_empty(),
        _ => false,
    }
}

fn stop(view: &mut BurstView) -> Vec<Effect> {
    if view.finished.is_some() || view.stopping {
        return Vec::new();
    }
    view.stopping = true;
    vec![Effect::StopBurst { id: view.id }]
}

fn event_arrived(app: &mut App, id: SessionId, event: &BurstEvent) -> Vec<Effect> {
    // The engine records each chat before its request is sent (one whose answer is lost stays
    // with no URI, state unknown); the states learnt are recorded here, so `chatstart history
    // --open` finds any chat left behind with its last state.
    let Phase::Burst(view) = &mut app.phase else {
        return Vec::new();
    };
    if view.id != id {
        return Vec::new();
    }
    view.apply(event);
    let mut effects: Vec<Effect> = Vec::new();
    match event {
        BurstEvent::State {
            index,
            state,
            agent,
            ..
        } => {
            if let Some(uri) = view.outcomes.get(*index).and_then(|o| o.uri.clone()) {
                effects.push(Effect::RecordState {
                    uri,
                    state: state.as_str().to_string(),
                    agent: agent.clone(),
                });
            }
        }
        BurstEvent::EndedByUs { index, result } => {
            if view.finished.is_some() {
                view.ending = view.ending.saturating_sub(1);
            }
            if let (Ok(()), Some(uri)) = (
                result,
                view.outcomes.get(*index).and_then(|o| o.uri.clone()),
            ) {
                effects.push(Effect::RecordState {
                    uri,
                    state: "ended".into(),
                    agent: None,
                });
            }
            if view.finished.is_some() && view.ending == 0 {
                effects.extend(ending_done(app));
            }
        }
        BurstEvent::Created { .. }
        | BurstEvent::MayExist { .. }
        | BurstEvent::Sending { .. }
        | BurstEvent::Failed { .. }
        | BurstEvent::Lost { .. } => {}
    }
    effects
}

fn finished(app: &mut App, id: SessionId, outcomes: &[ChatOutcome]) -> Vec<Effect> {
    let now = app.now;
    let Phase::Burst(view) = &mut app.phase else {
        return Vec::new();
    };
    if view.id != id {
        return Vec::new();
    }
    // The engine's own record is complete even if an event was dropped on the way.
    if outcomes.len() == view.outcomes.len() {
        view.outcomes = outcomes.to_vec();
    }
    view.finished = Some(now);
    if view.quit_when_done {
        app.quitting = true;
        return vec![Effect::Quit];
    }
    Vec::new()
}

/// After `e`: every end request has answered.
fn ending_done(app: &mut App) -> Vec<Effect> {
    let Phase::Burst(view) = &app.phase else {
        return Vec::new();
    };
    if view.quit_when_done {
        app.quitting = true;
        return vec![Effect::Quit];
    }
    let failed = view
        .outcomes
        .iter()
        .filter(|o| o.uri.is_some() && !o.ended_by_us && o.state.as_deref() != Some("ended"))
        .count();
    app.notice = (failed > 0).then(|| {
        Notice::error(
            format!(
                "{} could not be ended: e tries again",
                crate::plural::count(failed, "chat", "chats")
            ),
            None,
        )
    });
    Vec::new()
}

fn end_open_chats(app: &mut App) -> Vec<Effect> {
    let connection = Connection::from_form(&app.form);
    let Phase::Burst(view) = &mut app.phase else {
        return Vec::new();
    };
    if view.finished.is_none() {
        app.notice = Some(Notice::info(
            "the burst still runs: Esc stops it and ends every chat created",
        ));
        return Vec::new();
    }
    if view.ending > 0 {
        return Vec::new();
    }
    let chats = view.open_chats();
    if chats.is_empty() {
        app.notice = Some(Notice::info("no chat of the burst is open"));
        return Vec::new();
    }
    view.ending = chats.len();
    app.notice = None;
    vec![Effect::EndChats {
        id: view.id,
        connection,
        chats,
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::msg::Msg;
    use crate::tui::tests::{app, send};

    fn screen(app: &App) -> String {
        let mut terminal =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 30)).unwrap();
        terminal
            .draw(|frame| {
                crate::tui::view::render(app, frame);
            })
            .unwrap();
        let buffer = terminal.backend().buffer();
        let width = usize::from(buffer.area.width);
        buffer
            .content()
            .chunks(width)
            .map(|row| {
                row.iter()
                    .map(ratatui::buffer::Cell::symbol)
                    .collect::<String>()
                    + "\n"
            })
            .collect()
    }

    #[test]
    fn a_lost_answer_shows_as_may_exist() {
        let mut app = app();
        let settings = BurstSettings {
            count: 2,
            concurrency: 1,
            wait: ChatState::Waiting,
            end_after: false,
        };
        let started = app.now;
        app.phase = Phase::Burst(Box::new(BurstView::new(
            9,
            settings,
            "Sales".into(),
            started,
        )));
        let lost = BurstEvent::MayExist {
            index: 0,
            error: "chat request failed: the connection broke before the answer arrived".into(),
            error_kind: crate::api::ErrorKind::Failed,
        };
        // The engine recorded the request before sending it; it stays, state unknown.
        let effects = send(
            &mut app,
            [Msg::from(BurstOutcome::Progress { id: 9, event: lost })],
        );
        assert!(effects.is_empty(), "{effects:?}");
        let refused = BurstEvent::Failed {
            index: 1,
            error: "refused".into(),
            error_kind: crate::api::ErrorKind::Refused,
        };
        assert!(
            send(
                &mut app,
                [Msg::from(BurstOutcome::Progress {
                    id: 9,
                    event: refused
                })]
            )
            .is_empty()
        );
        let Phase::Burst(view) = &app.phase else {
            panic!("the burst view");
        };
        let outcomes = view.outcomes.clone();
        send(
            &mut app,
            [Msg::from(BurstOutcome::Finished { id: 9, outcomes })],
        );
        let text = screen(&app);
        assert!(
            text.lines()
                .any(|l| l.starts_with("1 ") && l.contains("may exist -")),
            "the row: {text}"
        );
        assert!(text.contains("failed 1"), "{text}");
        assert!(
            text.contains("may exist 1 — check the agent queue"),
            "{text}"
        );
        assert!(
            !text.contains("no chat of the burst is left open"),
            "{text}"
        );
    }

    #[test]
    fn a_stopped_burst_shows_ended_chats_as_ended_and_unsent_ones_as_not_sent() {
        let mut app = app();
        let settings = BurstSettings {
            count: 3,
            concurrency: 1,
            wait: ChatState::Chatting,
            end_after: false,
        };
        let started = app.now;
        app.phase = Phase::Burst(Box::new(BurstView::new(
            4,
            settings,
            "Sales".into(),
            started,
        )));
        let events = [
            BurstEvent::Sending { index: 0 },
            BurstEvent::Created {
                index: 0,
                uri: "http://x/api/account/1/chat/H0".into(),
                after: Duration::from_millis(5),
            },
            BurstEvent::State {
                index: 0,
                state: ChatState::Waiting,
                agent: None,
                at: Duration::from_millis(9),
            },
            BurstEvent::EndedByUs {
                index: 0,
                result: Ok(()),
            },
        ];
        for event in events {
            send(
                &mut app,
                [Msg::from(BurstOutcome::Progress { id: 4, event })],
            );
        }
        send(&mut app, [Msg::from(BurstIntent::Stop)]);
        let Phase::Burst(view) = &app.phase else {
            panic!("the burst view");
        };
        let outcomes = view.outcomes.clone();
        send(
            &mut app,
            [Msg::from(BurstOutcome::Finished { id: 4, outcomes })],
        );
        let text = screen(&app);
        assert!(
            text.lines()
                .any(|l| l.starts_with("1 ") && l.contains(" ended ")),
            "the row: {text}"
        );
        assert!(
            text.contains(
                "created 1/3 · accepted 0 · still waiting 0 · failed 0 · ended by chatstart 1 · not sent 2"
            ),
            "{text}"
        );
    }
}
