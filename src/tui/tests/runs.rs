//! Burst and check views through `update`: the dialogs' validation, events applied, the stop
//! signal, verdicts listed, a case's chat opened and left again.

use crate::tui::msg::{BurstOutcome, ChecksOutcome, SessionOutcome};
use std::sync::Arc;
use std::time::Duration;

use super::*;
use crate::api::model::ChatState;
use crate::burst::{BurstEvent, ChatOutcome};
use crate::check::{CaseResult, CheckFile};
use crate::tui::app::{Overlay, Phase};
use crate::tui::burst::BurstView;
use crate::tui::checks::{CaseStatus, CheckView};

/// The app with its mandatory survey question answered, so the form is valid.
pub(super) fn valid_app() -> App {
    let mut app = app();
    app.form.pre_chat = crate::tui::form::prechat::PreChat::from_values(&["hi".into()]);
    app.errors = app.form.validate();
    assert!(app.errors.0.is_empty(), "{:?}", app.errors);
    app
}

fn burst_view(app: &App) -> &BurstView {
    match &app.phase {
        Phase::Burst(view) => view,
        other => panic!("not the burst view: {other:?}"),
    }
}

fn check_view(app: &App) -> &CheckView {
    match &app.phase {
        Phase::Checks(view) => view,
        other => panic!("not the check view: {other:?}"),
    }
}

/// Opens the burst dialog with Ctrl+B and sets count and concurrency by typing.
fn burst_dialog(app: &mut App, count: &str, concurrency: &str) {
    press(app, key(KeyCode::Char('b'), KeyModifiers::CONTROL));
    assert_eq!(app.overlay, Some(Overlay::BurstSetup));
    for _ in 0..4 {
        press(app, key(KeyCode::Backspace, KeyModifiers::NONE));
    }
    type_text(app, count);
    press(app, key(KeyCode::Tab, KeyModifiers::NONE));
    for _ in 0..4 {
        press(app, key(KeyCode::Backspace, KeyModifiers::NONE));
    }
    type_text(app, concurrency);
}

/// Starts a burst of `count` chats, following them until chatting: its id.
pub(super) fn started_burst(app: &mut App, count: usize) -> u64 {
    burst_dialog(app, &count.to_string(), "2");
    press(app, key(KeyCode::Tab, KeyModifiers::NONE));
    press(app, key(KeyCode::Char(' '), KeyModifiers::NONE));
    let effects = press(app, key(KeyCode::Enter, KeyModifiers::NONE));
    let [Effect::StartBurst { id, settings, .. }] = effects.as_slice() else {
        panic!("one StartBurst: {effects:?}");
    };
    assert_eq!(
        (settings.count, settings.concurrency, &settings.wait),
        (count, 2.min(count), &ChatState::Chatting)
    );
    *id
}

pub(super) fn burst_created(index: usize) -> BurstEvent {
    BurstEvent::Created {
        index,
        uri: format!("{URI}-{index}"),
        after: Duration::from_millis(10),
    }
}

fn chatting(index: usize, at_ms: u64) -> BurstEvent {
    BurstEvent::State {
        index,
        state: ChatState::Chatting,
        agent: Some("Natalie".into()),
        at: Duration::from_millis(at_ms),
    }
}

#[test]
fn the_burst_dialog_refuses_bad_numbers_and_sends_nothing() {
    let mut app = valid_app();
    burst_dialog(&mut app, "0", "5");
    let effects = press(&mut app, key(KeyCode::Enter, KeyModifiers::NONE));
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(app.overlay, Some(Overlay::BurstSetup), "the dialog stays");
    assert!(
        app.burst_setup
            .error
            .as_deref()
            .is_some_and(|e| e.contains("at least 1")),
        "{:?}",
        app.burst_setup.error
    );
    // Typing clears the problem; a letter is not a number either.
    press(&mut app, key(KeyCode::BackTab, KeyModifiers::NONE));
    type_text(&mut app, "x");
    assert_eq!(app.burst_setup.error, None);
    assert!(press(&mut app, key(KeyCode::Enter, KeyModifiers::NONE)).is_empty());
    assert!(matches!(app.phase, Phase::Editing));
}

#[test]
fn an_invalid_form_starts_no_burst_and_shows_its_errors() {
    let mut app = app();
    app.form.set_text(TextField::MaxWaitTime, "9999999");
    burst_dialog(&mut app, "3", "2");
    let effects = press(&mut app, key(KeyCode::Enter, KeyModifiers::NONE));
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::StartBurst { .. })),
        "{effects:?}"
    );
    assert!(matches!(app.phase, Phase::Editing));
    assert_eq!(app.overlay, None);
    assert!(app.form.show_all_errors, "errors show under their fields");
    assert_eq!(app.form.focus, Focus::Text(TextField::MaxWaitTime));
}

#[test]
fn the_dialog_keeps_its_answers_and_counts_default_to_ten_and_five() {
    let mut app = valid_app();
    press(&mut app, key(KeyCode::F(6), KeyModifiers::NONE));
    let settings = app.burst_setup.settings().expect("defaults are valid");
    assert_eq!((settings.count, settings.concurrency), (10, 5));
    assert_eq!(settings.wait, ChatState::Waiting);
    press(&mut app, key(KeyCode::Esc, KeyModifiers::NONE));
    assert_eq!(app.overlay, None);
    burst_dialog(&mut app, "7", "3");
    press(&mut app, key(KeyCode::Esc, KeyModifiers::NONE));
    press(&mut app, key(KeyCode::Char('b'), KeyModifiers::CONTROL));
    assert_eq!(
        app.burst_setup.focus,
        crate::tui::burst::SetupField::Count,
        "typing goes to the count again"
    );
    let settings = app.burst_setup.settings().expect("valid");
    assert_eq!((settings.count, settings.concurrency), (7, 3));
}

#[test]
fn burst_events_fill_the_view_and_the_history() {
    let mut app = valid_app();
    let id = started_burst(&mut app, 3);
    let effects = send(
        &mut app,
        [Msg::from(BurstOutcome::Progress {
            id,
            event: burst_created(0),
        })],
    );
    // The engine recorded the chat before its request went out: nothing more to record.
    assert!(effects.is_empty(), "{effects:?}");
    let effects = send(
        &mut app,
        [Msg::from(BurstOutcome::Progress {
            id,
            event: chatting(0, 310),
        })],
    );
    assert!(
        matches!(effects.as_slice(), [Effect::RecordState { state, .. }] if state == "chatting"),
        "{effects:?}"
    );
    // A stale burst's events change nothing.
    send(
        &mut app,
        [Msg::from(BurstOutcome::Progress {
            id: id + 9,
            event: burst_created(1),
        })],
    );
    let view = burst_view(&app);
    assert_eq!(view.outcomes[0].time_to_accept_ms, Some(300));
    assert_eq!(view.outcomes[1], ChatOutcome::waiting_its_turn(1));
    assert_eq!(view.recent.front(), Some(&0));
    assert_eq!(view.done(), 1);
    assert!(view.is_running());
    assert!(app.tick_interval().is_some(), "clocks move while it runs");
}

#[test]
fn esc_stops_the_running_burst_once_and_then_goes_back_to_the_form() {
    let mut app = valid_app();
    let id = started_burst(&mut app, 3);
    send(
        &mut app,
        [Msg::from(BurstOutcome::Progress {
            id,
            event: burst_created(0),
        })],
    );
    let effects = press(&mut app, key(KeyCode::Esc, KeyModifiers::NONE));
    assert_eq!(effects, [Effect::StopBurst { id }]);
    assert!(burst_view(&app).stopping);
    assert!(
        press(&mut app, key(KeyCode::Char('q'), KeyModifiers::NONE)).is_empty(),
        "one stop signal"
    );
    let mut outcomes = burst_view(&app).outcomes.clone();
    outcomes[0].ended_by_us = true;
    send(
        &mut app,
        [Msg::from(BurstOutcome::Finished { id, outcomes })],
    );
    assert!(!burst_view(&app).is_running());
    assert_eq!(app.tick_interval(), None, "no timer once done");
    press(&mut app, key(KeyCode::Esc, KeyModifiers::NONE));
    assert!(matches!(app.phase, Phase::Editing));
    assert_eq!(app.form.text(TextField::Skill), "Sales", "the form is kept");
}

#[test]
fn e_ends_the_chats_still_open_after_the_burst() {
    let mut app = valid_app();
    let id = started_burst(&mut app, 3);
    for event in [burst_created(0), burst_created(1), chatting(0, 50)] {
        send(&mut app, [Msg::from(BurstOutcome::Progress { id, event })]);
    }
    let failed = BurstEvent::Failed {
        index: 2,
        error: "refused".into(),
        error_kind: crate::api::ErrorKind::Refused,
    };
    send(
        &mut app,
        [Msg::from(BurstOutcome::Progress { id, event: failed })],
    );
    let outcomes = burst_view(&app).outcomes.clone();
    send(
        &mut app,
        [Msg::from(BurstOutcome::Finished { id, outcomes })],
    );
    let effects = press(&mut app, key(KeyCode::Char('e'), KeyModifiers::NONE));
    let [Effect::EndChats { chats, .. }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(
        chats.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
        [0, 1],
        "the failed chat has nothing to end"
    );
    assert!(burst_view(&app).is_running(), "ending");
    for index in [0, 1] {
        let event = BurstEvent::EndedByUs {
            index,
            result: Ok(()),
        };
        send(&mut app, [Msg::from(BurstOutcome::Progress { id, event })]);
    }
    let view = burst_view(&app);
    assert!(view.open_chats().is_empty());
    assert!(!view.is_running());
    assert_eq!(view.summary().ended_by_us, 2);
}

#[test]
fn quitting_with_open_burst_chats_asks_and_e_ends_them_first() {
    let mut app = valid_app();
    let id = started_burst(&mut app, 1);
    send(
        &mut app,
        [Msg::from(BurstOutcome::Progress {
            id,
            event: burst_created(0),
        })],
    );
    let outcomes = burst_view(&app).outcomes.clone();
    send(
        &mut app,
        [Msg::from(BurstOutcome::Finished { id, outcomes })],
    );
    press(&mut app, key(KeyCode::Char('q'), KeyModifiers::NONE));
    assert_eq!(app.overlay, Some(Overlay::ConfirmQuit));
    let effects = press(&mut app, key(KeyCode::Char('e'), KeyModifiers::NONE));
    assert!(
        matches!(effects.as_slice(), [Effect::EndChats { .. }]),
        "{effects:?}"
    );
    assert!(!app.quitting);
    let event = BurstEvent::EndedByUs {
        index: 0,
        result: Ok(()),
    };
    let effects = send(&mut app, [Msg::from(BurstOutcome::Progress { id, event })]);
    assert!(effects.contains(&Effect::Quit), "{effects:?}");
    assert!(app.quitting);
}

/// A parsed check file of two cases.
fn two_cases() -> Arc<CheckFile> {
    let text = "[[case]]\nname = \"first\"\n[case.request]\nskill = \"Sales\"\n\n\
                [[case]]\nname = \"second\"\nprofile = \"staging\"\n";
    Arc::new(CheckFile::parse(text).expect("parses"))
}

/// Asks for the default path and answers it with `file`: the run's id.
pub(super) fn running_checks(app: &mut App) -> u64 {
    press(app, key(KeyCode::Char('t'), KeyModifiers::CONTROL));
    assert_eq!(app.overlay, Some(Overlay::CheckPath { error: None }));
    assert_eq!(app.dialog_input.value(), "checks.toml");
    let effects = press(app, key(KeyCode::Enter, KeyModifiers::NONE));
    assert_eq!(
        effects,
        [Effect::LoadCheckFile {
            path: "checks.toml".into()
        }]
    );
    let effects = send(
        app,
        [Msg::from(ChecksOutcome::FileLoaded {
            path: "checks.toml".into(),
            result: Ok(two_cases()),
        })],
    );
    let [Effect::RunChecks { id, plan, .. }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(plan.file.cases.len(), 2);
    *id
}

pub(super) fn verdict(name: &str, passed: bool) -> CaseResult {
    CaseResult {
        name: name.into(),
        repeat: 1,
        passed,
        failure: (!passed).then(|| "expected the chat routed to skill X; info says Sales".into()),
        uri: Some(format!("{URI}-{name}")),
        time_to_queue_ms: Some(12),
        time_to_accept_ms: Some(300),
        duration_ms: 900,
        ..CaseResult::default()
    }
}

#[test]
fn a_check_file_that_does_not_load_says_why_in_the_question() {
    let mut app = valid_app();
    press(&mut app, key(KeyCode::Char('t'), KeyModifiers::CONTROL));
    press(&mut app, key(KeyCode::Enter, KeyModifiers::NONE));
    let error = "check file checks.toml: TOML parse error at line 4, column 1".to_string();
    let effects = send(
        &mut app,
        [Msg::from(ChecksOutcome::FileLoaded {
            path: "checks.toml".into(),
            result: Err(error.clone()),
        })],
    );
    assert!(effects.is_empty());
    assert_eq!(app.overlay, Some(Overlay::CheckPath { error: Some(error) }));
    assert!(matches!(app.phase, Phase::Editing));
}

#[test]
fn checks_list_progress_and_verdicts_as_they_arrive() {
    let mut app = valid_app();
    let id = running_checks(&mut app);
    let view = check_view(&app);
    assert_eq!(view.cases.len(), 2);
    assert!(view.cases.iter().all(|c| c.status == CaseStatus::Pending));
    assert_eq!(view.notes.len(), 1, "the second case's profile is noted");
    send(
        &mut app,
        [Msg::from(ChecksOutcome::CaseStarted { id, index: 0 })],
    );
    assert!(matches!(
        check_view(&app).cases[0].status,
        CaseStatus::Running { .. }
    ));
    send(
        &mut app,
        [Msg::from(ChecksOutcome::CaseFinished {
            id,
            index: 0,
            result: Box::new(verdict("first", true)),
        })],
    );
    // Esc waits for the verdicts: a running case still ends its chat.
    press(&mut app, key(KeyCode::Esc, KeyModifiers::NONE));
    assert!(check_view(&app).is_running());
    send(
        &mut app,
        [
            Msg::from(ChecksOutcome::CaseStarted { id, index: 1 }),
            Msg::from(ChecksOutcome::CaseFinished {
                id,
                index: 1,
                result: Box::new(verdict("second", false)),
            }),
        ],
    );
    let view = check_view(&app);
    assert!(!view.is_running());
    let totals = view.totals(app.now);
    assert_eq!((totals.passed, totals.failed, totals.cases), (1, 1, 2));
}

#[test]
fn enter_follows_a_cases_chat_and_n_comes_back_to_the_results() {
    let mut app = valid_app();
    let id = running_checks(&mut app);
    for (index, name) in [(0, "first"), (1, "second")] {
        send(
            &mut app,
            [Msg::from(ChecksOutcome::CaseFinished {
                id,
                index,
                result: Box::new(verdict(name, index == 0)),
            })],
        );
    }
    press(&mut app, key(KeyCode::Down, KeyModifiers::NONE));
    let effects = press(&mut app, key(KeyCode::Enter, KeyModifiers::NONE));
    let [Effect::Watch { uri, .. }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert!(uri.ends_with("-second"), "{uri}");
    assert!(matches!(&app.phase, Phase::Session(view) if view.uri == *uri));
    let session = app.last_id;
    send(
        &mut app,
        [Msg::from(SessionOutcome::Update {
            id: session,
            update: crate::session::SessionUpdate::Ended,
        })],
    );
    press(&mut app, key(KeyCode::Char('n'), KeyModifiers::NONE));
    let view = check_view(&app);
    assert_eq!(view.selected, 1, "back where it was");
    press(&mut app, key(KeyCode::Esc, KeyModifiers::NONE));
    assert!(matches!(app.phase, Phase::Editing));
}

#[test]
fn a_selected_case_says_what_the_visitors_side_did() {
    let mut app = valid_app();
    let id = running_checks(&mut app);
    let result = CaseResult {
        visitor_name: Some("Zoë".into()),
        ..verdict("first", true)
    };
    send(
        &mut app,
        [
            Msg::from(ChecksOutcome::CaseStarted { id, index: 0 }),
            Msg::from(ChecksOutcome::CaseFinished {
                id,
                index: 0,
                result: Box::new(result),
            }),
        ],
    );
    let screen = super::snapshots::draw_text(&app, 100, 30);
    assert!(screen.contains("visitor name set: Zoë"), "{screen}");
}
