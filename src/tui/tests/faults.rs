//! What the console says under faults: polls failing and recovering, a lost session and how to
//! resume it, a chat request whose answer was lost (a chat may exist: resubmit asks first), and
//! an explained error from the table.

use super::*;
use crate::api::ApiError;
use crate::api::error::{NetworkFailure, Operation};
use crate::session::SessionUpdate;
use crate::tui::app::Overlay;
use crate::tui::effects::failure;
use crate::tui::msg::{FormIntent, FormOutcome, SessionIntent, SessionOutcome};

fn screen(app: &App) -> String {
    super::snapshots::draw_text(app, 160, 48)
}

#[test]
fn failing_polls_show_reconnecting_then_the_lost_session_and_how_to_resume() {
    let mut app = app();
    let id = created(&mut app);
    let retrying = |attempt| {
        Msg::from(SessionOutcome::Update {
            id,
            update: SessionUpdate::Retrying {
                attempt,
                error: "HTTP 503 Service Unavailable".into(),
                delay: std::time::Duration::from_secs(2),
            },
        })
    };
    send(&mut app, [retrying(1), retrying(2)]);
    let text = screen(&app);
    assert!(text.contains("reconnecting (attempt 2)"), "{text}");
    assert!(!text.contains("attempt 1"), "{text}");
    send(
        &mut app,
        [Msg::from(SessionOutcome::Update {
            id,
            update: SessionUpdate::Recovered,
        })],
    );
    assert!(!screen(&app).contains("reconnecting"));
    send(
        &mut app,
        [
            retrying(1),
            Msg::from(SessionOutcome::Update {
                id,
                update: SessionUpdate::Lost {
                    error: "gave up after 6 attempts".into(),
                    error_kind: crate::api::ErrorKind::Failed,
                    explanation: None,
                    resume: Some(format!("chatstart watch {URI}")),
                },
            }),
        ],
    );
    let text = screen(&app);
    assert!(text.contains("session lost"), "{text}");
    assert!(text.contains(&format!("chatstart watch {URI}")), "{text}");
    assert!(!text.contains("reconnecting"), "{text}");
}

#[test]
fn a_lost_answer_to_the_chat_request_says_a_chat_may_exist_and_resubmit_asks() {
    let mut app = app();
    app.form.app_key_in = crate::api::AppKeyPlacement::Query;
    let effects = send(&mut app, [Msg::from(FormIntent::Submit)]);
    // The history keeps the attempt, written before it is sent: no URI, and how the service
    // was reached. A lost answer leaves it so (state unknown).
    let Some(Effect::StartSession { record, .. }) = effects.first() else {
        panic!("{effects:?}");
    };
    assert!(record.uri.is_empty(), "{record:?}");
    assert_eq!(record.app_key_in, crate::api::AppKeyPlacement::Query);
    assert_eq!(record.request.skill, app.form.chat_request().skill);
    let id = app.last_id;
    let error = ApiError::Network {
        operation: Operation::ChatRequest,
        failure: NetworkFailure::Dropped,
        detail: "error reading a body from connection: end of file before message length reached"
            .into(),
        timeout: std::time::Duration::from_secs(10),
    };
    send(
        &mut app,
        [Msg::from(SessionOutcome::StartFailed {
            id,
            failure: failure(error),
        })],
    );
    // At both sizes the whole message and its hint show: a chat may exist, and how to check
    // in the console (the footer's own "Ctrl+R history" does not count).
    for (width, height) in [(80, 24), (160, 48)] {
        let text = super::snapshots::draw_text(&app, width, height);
        let status: String = text
            .lines()
            .skip_while(|l| !l.starts_with("✗ error:"))
            .take_while(|l| !l.starts_with(" Ctrl+S"))
            .map(str::trim)
            .collect::<Vec<_>>()
            .join(" ");
        assert!(status.contains("a chat may have been created"), "{text}");
        assert!(
            status.contains("Ctrl+R lists the chats whose URI did arrive (w watches one, x ends it); Ctrl+S asks first"),
            "how to check, whole: {text}"
        );
        assert!(!status.contains('…'), "nothing cut: {text}");
    }
    let effects = send(&mut app, [Msg::from(FormIntent::Submit)]);
    assert!(
        effects
            .iter()
            .all(|e| !matches!(e, Effect::StartSession { .. }))
    );
    assert_eq!(app.overlay, Some(Overlay::ConfirmResubmit));
    assert!(screen(&app).contains("may already be waiting in the queue"));

    // A refused request (nothing created) is sent again without a question.
    let mut app = super::app();
    send(&mut app, [Msg::from(FormIntent::Submit)]);
    let id = app.last_id;
    let refused = ApiError::Network {
        operation: Operation::ChatRequest,
        failure: NetworkFailure::ConnectTimeout,
        detail: "no route".into(),
        timeout: std::time::Duration::from_secs(10),
    };
    let refused = failure(refused);
    assert!(!refused.may_have_created_chat);
    send(
        &mut app,
        [Msg::from(SessionOutcome::StartFailed {
            id,
            failure: refused,
        })],
    );
    let effects = send(&mut app, [Msg::from(FormIntent::Submit)]);
    assert!(matches!(effects.first(), Some(Effect::StartSession { .. })));
}

#[test]
fn the_status_area_grows_to_show_a_long_error_and_its_hint_whole() {
    let mut app = app();
    send(&mut app, [Msg::from(FormIntent::Submit)]);
    let id = app.last_id;
    let refused = crate::api::error::from_status(
        Operation::ChatRequest,
        401,
        r#"{"error":{"message":"Invalid appKey","internalCode":10}}"#,
        None,
    );
    send(
        &mut app,
        [Msg::from(SessionOutcome::StartFailed {
            id,
            failure: failure(refused),
        })],
    );
    let text = super::snapshots::draw_text(&app, 80, 24);
    let joined: String = text.lines().map(str::trim).collect::<Vec<_>>().join(" ");
    assert!(
        joined.contains("hint: the appKey was not accepted for this account — check the appKey field (or the profile's app_key_env / app_key_cmd) and the Account"),
        "{text}"
    );
    assert!(
        !joined.contains("--app-key"),
        "console words, not flags: {text}"
    );
    // The form keeps most of the screen, whatever the message's length.
    app.notice = Some(crate::tui::app::Notice::error(
        "word ".repeat(400),
        Some("x".into()),
    ));
    let text = super::snapshots::draw_text(&app, 80, 24);
    let status_rows = text
        .lines()
        .filter(|l| l.starts_with("✗ error:") || l.starts_with("         word"))
        .count();
    assert!(status_rows <= 6, "{text}");
    assert!(text.contains('…'), "a cut message says so: {text}");
}

#[test]
fn a_dead_port_says_so_in_one_short_line_under_the_skill() {
    let mut app = app();
    let generation = app.lookup_generation;
    let dead = ApiError::Network {
        operation: Operation::Availability,
        failure: NetworkFailure::Connect,
        detail: "client error (Connect): tcp connect error: Connection refused (os error 111)"
            .into(),
        timeout: std::time::Duration::from_secs(10),
    };
    let short = crate::tui::errors::short(&dead);
    send(
        &mut app,
        [
            Msg::from(FormOutcome::SurveyLoaded {
                generation,
                result: Err(short.clone()),
            }),
            Msg::from(FormOutcome::AvailabilityLoaded {
                generation,
                available: Err(short.clone()),
                estimate: Err(short),
            }),
        ],
    );
    let text = super::snapshots::draw_text(&app, 80, 24);
    let rows: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.contains("Skill"))
        .skip(1)
        .take_while(|l| !l.contains("Visitor name"))
        .collect();
    assert!(rows.len() <= 2, "{text}");
    assert!(!text.contains("tcp connect error"), "{text}");
    let joined: String = rows.iter().map(|r| r.trim()).collect::<Vec<_>>().join(" ");
    assert!(
        joined.contains("availability and survey unknown: could not connect (connection refused)"),
        "{text}"
    );
}

#[test]
fn leaving_a_live_chat_for_a_new_request_shows_how_to_follow_it_whole() {
    let mut app = app();
    chatting(&mut app);
    send(&mut app, [Msg::from(SessionIntent::NewRequest)]);
    for (width, height) in [(80, 24), (160, 48)] {
        let text = super::snapshots::draw_text(&app, width, height);
        let joined: String = text
            .lines()
            .skip_while(|l| !l.starts_with("ℹ "))
            .map(str::trim)
            .collect();
        assert!(joined.contains("Ctrl+R then w follows it again"), "{text}");
        assert!(joined.contains(URI), "the URI whole: {text}");
    }
}

#[test]
fn a_survey_that_could_not_be_read_is_said_so_with_the_step_that_fixes_it() {
    let mut app = app();
    app.form.survey =
        crate::tui::form::survey::SurveyForm::with_answers(&[crate::api::SurveyAnswer {
            question_id: "12786273".into(),
            values: vec!["CATS".into()],
        }]);
    let refused = crate::api::error::from_status(
        Operation::Survey,
        401,
        "lp_problem=consumer_key_rejected&lp_problem_advice=the appKey is permanently unacceptable",
        None,
    );
    let said = crate::tui::errors::short_with_step(&refused);
    assert!(said.contains("switch “appKey in” to query"), "{said}");
    let generation = app.lookup_generation;
    send(
        &mut app,
        [Msg::from(FormOutcome::SurveyLoaded {
            generation,
            result: Err(said),
        })],
    );
    let errors = app.form.validate();
    let message = errors
        .0
        .iter()
        .find(|e| matches!(e.field, crate::api::validate::Field::SurveyAnswer(_)))
        .map(|e| e.message.clone())
        .expect("the answers cannot be checked");
    assert!(message.contains("could not be read"), "{message}");
    assert!(!message.contains("none was found"), "{message}");
}
