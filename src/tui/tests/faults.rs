//! What the console says under faults: polls failing and recovering, a lost session and how to
//! resume it, a chat request whose answer was lost (a chat may exist: resubmit asks first), and
//! an explained error from the table.

use super::*;
use crate::api::ApiError;
use crate::api::error::{NetworkFailure, Operation};
use crate::session::SessionUpdate;
use crate::tui::app::Overlay;
use crate::tui::effects::failure;

fn screen(app: &App) -> String {
    super::snapshots::draw_text(app, 160, 48)
}

#[test]
fn failing_polls_show_reconnecting_then_the_lost_session_and_how_to_resume() {
    let mut app = app();
    let id = created(&mut app);
    let retrying = |attempt| Msg::Session {
        id,
        update: SessionUpdate::Retrying {
            attempt,
            error: "HTTP 503 Service Unavailable".into(),
            delay: std::time::Duration::from_secs(2),
        },
    };
    send(&mut app, [retrying(1), retrying(2)]);
    let text = screen(&app);
    assert!(text.contains("reconnecting (attempt 2)"), "{text}");
    assert!(!text.contains("attempt 1"), "{text}");
    send(
        &mut app,
        [Msg::Session {
            id,
            update: SessionUpdate::Recovered,
        }],
    );
    assert!(!screen(&app).contains("reconnecting"));
    send(
        &mut app,
        [
            retrying(1),
            Msg::Session {
                id,
                update: SessionUpdate::Lost {
                    error: "gave up after 6 attempts".into(),
                    exit_code: 4,
                    explanation: None,
                    resume: Some(format!("chatstart watch {URI}")),
                },
            },
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
    send(&mut app, [Msg::Submit]);
    let id = app.last_id;
    let error = ApiError::Network {
        operation: Operation::ChatRequest,
        failure: NetworkFailure::Timeout,
        detail: "no answer".into(),
        timeout: std::time::Duration::from_secs(10),
    };
    send(
        &mut app,
        [Msg::StartFailed {
            id,
            failure: failure(error),
        }],
    );
    let text = screen(&app);
    assert!(text.contains("a chat may have been created"), "{text}");
    assert!(text.contains("Ctrl+R"), "how to check: {text}");
    let effects = send(&mut app, [Msg::Submit]);
    assert!(
        effects
            .iter()
            .all(|e| !matches!(e, Effect::StartSession { .. }))
    );
    assert_eq!(app.overlay, Some(Overlay::ConfirmResubmit));
    assert!(screen(&app).contains("may already be waiting in the queue"));

    // A refused request (nothing created) is sent again without a question.
    let mut app = super::app();
    send(&mut app, [Msg::Submit]);
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
        [Msg::StartFailed {
            id,
            failure: refused,
        }],
    );
    let effects = send(&mut app, [Msg::Submit]);
    assert!(matches!(effects.first(), Some(Effect::StartSession { .. })));
}
