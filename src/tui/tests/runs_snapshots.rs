//! Snapshots of the burst and check views at 80×24 and 160×48, with a fixed clock.

use crate::tui::msg::{AppIntent, BurstIntent, BurstOutcome, ChecksIntent, ChecksOutcome};
use std::sync::Arc;
use std::time::Duration;

use super::runs::started_burst;
use super::snapshots::draw_text;
use super::*;
use crate::api::model::ChatState;
use crate::burst::BurstEvent;
use crate::check::{CaseResult, CheckFile};

fn snapshot(name: &str, app: &App) {
    insta::assert_snapshot!(format!("{name}_80x24"), draw_text(app, 80, 24));
    insta::assert_snapshot!(format!("{name}_160x48"), draw_text(app, 160, 48));
}

pub(super) fn valid_app() -> App {
    let mut app = app();
    app.color = false;
    app.form.pre_chat = crate::tui::form::prechat::PreChat::from_values(&["hi".into()]);
    app.errors = app.form.validate();
    app
}

/// A burst of five: accepted, waiting, refused, sending, not started.
pub(super) fn burst(app: &mut App) -> u64 {
    let id = started_burst(app, 5);
    let start = app.now;
    let events = [
        BurstEvent::Sending { index: 0 },
        BurstEvent::Created {
            index: 0,
            uri: format!("{URI}0"),
            after: Duration::from_millis(40),
        },
        BurstEvent::Created {
            index: 1,
            uri: "http://127.0.0.1:8480/api/account/12345678/chat/H9876543210-fedcba?v=1".into(),
            after: Duration::from_millis(100),
        },
        BurstEvent::State {
            index: 1,
            state: ChatState::Waiting,
            agent: None,
            at: Duration::from_millis(150),
        },
        BurstEvent::Failed {
            index: 2,
            error: "400 Bad Request: Bad captcha (internalCode 10)\n why: …".into(),
            error_kind: crate::api::ErrorKind::Refused,
        },
        BurstEvent::State {
            index: 0,
            state: ChatState::Chatting,
            agent: Some("Natalie".into()),
            at: Duration::from_millis(1240),
        },
        BurstEvent::Sending { index: 3 },
    ];
    for event in events {
        send(app, [Msg::from(BurstOutcome::Progress { id, event })]);
    }
    app.now = start + Duration::from_secs(5);
    id
}

#[test]
fn burst_running() {
    let mut app = valid_app();
    burst(&mut app);
    snapshot("burst_running", &app);
}

#[test]
fn burst_done_with_its_summary() {
    let mut app = valid_app();
    let id = burst(&mut app);
    let mut outcomes = match &app.phase {
        crate::tui::app::Phase::Burst(view) => view.outcomes.clone(),
        _ => panic!("burst view"),
    };
    outcomes[3].error = Some("stopped before it was sent".into());
    send(
        &mut app,
        [
            Msg::from(BurstIntent::Stop),
            Msg::from(BurstOutcome::Finished { id, outcomes }),
        ],
    );
    let text = draw_text(&app, 80, 24);
    assert!(
        text.contains("created 2/5 · accepted 1 · still waiting 1"),
        "{text}"
    );
    assert!(text.contains("time to accept: min 1.2 s"), "{text}");
    assert!(text.contains("2 chats still open — e ends them"), "{text}");
    snapshot("burst_done", &app);
}

#[test]
fn checks_with_verdicts_a_running_case_and_a_waiting_one() {
    let mut app = valid_app();
    send(
        &mut app,
        [Msg::from(ChecksIntent::Open), Msg::from(AppIntent::Confirm)],
    );
    let text = "[[case]]\nname = \"sales: routed and greeted\"\n\
                [[case]]\nname = \"routing rule to Sales\"\n\
                [[case]]\nname = \"billing with the survey\"\nprofile = \"staging\"\n\
                [[case]]\nname = \"tech after hours\"\n";
    let file = Arc::new(CheckFile::parse(text).expect("parses"));
    let effects = send(
        &mut app,
        [Msg::from(ChecksOutcome::FileLoaded {
            path: "checks.toml".into(),
            result: Ok(file),
        })],
    );
    let [Effect::RunChecks { id, .. }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    let id = *id;
    let start = app.now;
    let passed = CaseResult {
        name: "sales: routed and greeted".into(),
        repeat: 1,
        passed: true,
        uri: Some(URI.into()),
        time_to_queue_ms: Some(14),
        time_to_accept_ms: Some(2480),
        duration_ms: 3120,
        ..CaseResult::default()
    };
    let failed = CaseResult {
        name: "routing rule to Sales".into(),
        repeat: 1,
        failure: Some("expected the chat routed to skill Sales; info says Support".into()),
        uri: Some(URI.into()),
        time_to_queue_ms: Some(9),
        time_to_accept_ms: Some(610),
        duration_ms: 900,
        ..CaseResult::default()
    };
    send(
        &mut app,
        [
            Msg::from(ChecksOutcome::CaseStarted { id, index: 0 }),
            Msg::from(ChecksOutcome::CaseFinished {
                id,
                index: 0,
                result: Box::new(passed),
            }),
            Msg::from(ChecksOutcome::CaseStarted { id, index: 1 }),
            Msg::from(ChecksOutcome::CaseFinished {
                id,
                index: 1,
                result: Box::new(failed),
            }),
        ],
    );
    app.now = start + Duration::from_secs(4);
    send(
        &mut app,
        [Msg::from(ChecksOutcome::CaseStarted { id, index: 2 })],
    );
    app.now = start + Duration::from_secs(7);
    send(&mut app, [Msg::from(AppIntent::Select(1))]);
    snapshot("checks_running", &app);
    let error = CaseResult {
        name: "billing with the survey".into(),
        repeat: 1,
        error: Some(
            "400 Bad Request: Bad captcha\n      why: the account's captcha setting blocks API chats\n      next: turn it off"
                .into(),
        ),
        duration_ms: 200,
        ..CaseResult::default()
    };
    send(
        &mut app,
        [
            Msg::from(ChecksOutcome::CaseFinished {
                id,
                index: 2,
                result: Box::new(error.clone()),
            }),
            Msg::from(ChecksOutcome::CaseStarted { id, index: 3 }),
            Msg::from(ChecksOutcome::CaseFinished {
                id,
                index: 3,
                result: Box::new(CaseResult {
                    name: "tech after hours".into(),
                    ..error
                }),
            }),
            Msg::from(AppIntent::Select(1)),
        ],
    );
    snapshot("checks_done", &app);
}
