//! The visitor's side in the console: typing told on change only, the agent's typing shown,
//! the name, the transcript dialog, the exit survey after the end and the offline survey.

use crossterm::event::{KeyCode, KeyModifiers};
use serde_json::json;

use super::snapshots::draw_text;
use super::*;
use crate::api::model::{Survey, VisitorLinks};
use crate::history::VisitorAction;
use crate::tui::msg::{VisitorIntent, VisitorOutcome};

const TYPING: &str = "http://127.0.0.1:8480/api/account/12345678/chat/H1/info/visitorTyping";
const EXIT: &str = "http://127.0.0.1:8480/api/account/12345678/chat/H1/exitSurvey";
const TRANSCRIPT: &str = "http://127.0.0.1:8480/api/account/12345678/chat/H1/transcriptRequest";

/// A call the service refused: nothing was taken.
pub fn refused(message: &str) -> Box<crate::api::error::CallFailure> {
    Box::new(crate::api::error::CallFailure::not_sent(message))
}

/// A call whose answer was lost after it went out: the service may have taken it.
pub fn lost(message: &str) -> Box<crate::api::error::CallFailure> {
    Box::new(crate::api::error::CallFailure {
        outcome_unknown: true,
        ..*refused(message)
    })
}

pub fn links() -> VisitorLinks {
    VisitorLinks {
        exit_survey: Some(EXIT.into()),
        transcript: Some(TRANSCRIPT.into()),
        transcript_with_subject: None,
        visitor_name: None,
        visitor_typing: Some(TYPING.into()),
    }
}

/// A chatting session whose links are known: its id.
pub fn visitor_chat(app: &mut App) -> u64 {
    let id = chatting(app);
    send(
        app,
        [Msg::from(SessionOutcome::Update {
            id,
            update: SessionUpdate::Links(links()),
        })],
    );
    id
}

pub fn exit_survey() -> Survey {
    Survey::from_document(
        &json!({"survey": {"id": "361348", "header": "How did we do?",
        "questions": {"question": [
            {"id": "1", "logicId": "11", "order": "0", "mandatory": "true",
             "type": "Radio Button", "label": "How likely are you to recommend us?",
             "entry": [{"value": "10 Extremely Likely", "displayValue": "10"},
                       {"value": "0 Not at all Likely", "displayValue": "0"}]},
            {"id": "2", "logicId": "12", "order": "1", "mandatory": "false",
             "type": "Text Area", "label": "Anything else?"}]}}}),
    )
    .expect("a survey")
}

pub fn set_typing(effects: &[Effect]) -> Vec<bool> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::SetTyping { typing, .. } => Some(*typing),
            _ => None,
        })
        .collect()
}

fn idle_generation(effects: &[Effect]) -> Option<u64> {
    effects.iter().rev().find_map(|e| match e {
        Effect::TypingIdleAfter { generation, .. } => Some(*generation),
        _ => None,
    })
}

/// The chat shows ended at the next poll.
pub fn end(app: &mut App, id: u64) -> Vec<Effect> {
    send(
        app,
        [Msg::from(SessionOutcome::Update {
            id,
            update: batch(vec![state_event(
                20,
                "2025-11-25T10:20:00.000+0000",
                "ended",
            )]),
        })],
    )
}

#[test]
fn typing_is_told_at_the_first_key_once_then_not_typing_when_idle_sent_or_left() {
    let mut app = app();
    let id = visitor_chat(&mut app);
    press(&mut app, key(KeyCode::Char('i'), KeyModifiers::NONE));
    let effects = type_text(&mut app, "hel");
    assert_eq!(set_typing(&effects), [true], "on change only: {effects:?}");
    // An idle timer of an earlier key does nothing; the last one says not typing.
    let last = idle_generation(&effects).expect("an idle timer");
    let stale = send(
        &mut app,
        [Msg::from(VisitorOutcome::TypingIdle {
            id,
            generation: last - 1,
        })],
    );
    assert!(set_typing(&stale).is_empty(), "{stale:?}");
    let idle = send(
        &mut app,
        [Msg::from(VisitorOutcome::TypingIdle {
            id,
            generation: last,
        })],
    );
    assert_eq!(set_typing(&idle), [false]);
    // Typing again, then sending: not typing goes with the line.
    assert_eq!(set_typing(&type_text(&mut app, "lo")), [true]);
    let sent = press(&mut app, key(KeyCode::Enter, KeyModifiers::NONE));
    assert_eq!(set_typing(&sent), [false]);
    assert!(sent.iter().any(|e| matches!(e, Effect::SendLine { .. })));
    // Typing again (the input stays open after a send), then leaving the input.
    assert_eq!(set_typing(&type_text(&mut app, "x")), [true]);
    let left = press(&mut app, key(KeyCode::Esc, KeyModifiers::NONE));
    assert_eq!(set_typing(&left), [false]);
}

#[test]
fn a_line_pasted_into_the_composer_is_typing_too() {
    let mut app = app();
    visitor_chat(&mut app);
    press(&mut app, key(KeyCode::Char('i'), KeyModifiers::NONE));
    let effects = send(
        &mut app,
        [Msg::from(crate::tui::msg::AppIntent::Paste(
            "order 12345".into(),
        ))],
    );
    assert_eq!(set_typing(&effects), [true], "{effects:?}");
    assert!(idle_generation(&effects).is_some(), "{effects:?}");
    // Once told, a second paste asks nothing more of the service.
    let effects = send(
        &mut app,
        [Msg::from(crate::tui::msg::AppIntent::Paste(
            " again".into(),
        ))],
    );
    assert!(set_typing(&effects).is_empty(), "{effects:?}");
}

#[test]
fn typing_is_never_told_after_the_end_nor_without_its_link() {
    let mut app = app();
    let id = visitor_chat(&mut app);
    press(&mut app, key(KeyCode::Char('i'), KeyModifiers::NONE));
    let effects = type_text(&mut app, "a");
    let last = idle_generation(&effects).expect("an idle timer");
    end(&mut app, id);
    let idle = send(
        &mut app,
        [Msg::from(VisitorOutcome::TypingIdle {
            id,
            generation: last,
        })],
    );
    assert!(
        set_typing(&idle).is_empty(),
        "after the end (Q35): {idle:?}"
    );

    let mut app = super::app();
    chatting(&mut app);
    press(&mut app, key(KeyCode::Char('i'), KeyModifiers::NONE));
    let effects = type_text(&mut app, "abc");
    assert!(
        set_typing(&effects).is_empty(),
        "no link, no call: {effects:?}"
    );
}

#[test]
fn a_refused_typing_status_is_said_and_not_asked_again_at_each_key() {
    let mut app = app();
    let id = visitor_chat(&mut app);
    press(&mut app, key(KeyCode::Char('i'), KeyModifiers::NONE));
    assert_eq!(set_typing(&type_text(&mut app, "a")), [true]);
    let refusal = "visitor typing failed: HTTP 400: Cannot set visitor's typing status";
    send(
        &mut app,
        [Msg::from(VisitorOutcome::TypingTold {
            id,
            typing: true,
            result: Err(refusal.into()),
        })],
    );
    let screen = draw_text(&app, 120, 30);
    assert!(
        screen.contains("the service refused the visitor's typing status typing: visitor typing failed: HTTP 400"),
        "{screen}"
    );
    // What was meant stays what was told: the next keys ask nothing more of the service.
    let effects = type_text(&mut app, "bc");
    assert!(set_typing(&effects).is_empty(), "{effects:?}");
    // The pause still says it stopped, once; taken, the refusal goes.
    let last = idle_generation(&effects).expect("an idle timer");
    let idle = send(
        &mut app,
        [Msg::from(VisitorOutcome::TypingIdle {
            id,
            generation: last,
        })],
    );
    assert_eq!(set_typing(&idle), [false]);
    send(
        &mut app,
        [Msg::from(VisitorOutcome::TypingTold {
            id,
            typing: false,
            result: Ok(()),
        })],
    );
    assert!(!draw_text(&app, 120, 30).contains("refused the visitor's typing"));
}

#[test]
fn the_agents_typing_shows_under_the_state_while_it_lasts() {
    let mut app = app();
    let id = visitor_chat(&mut app);
    let screen = |app: &mut App| draw_text(app, 100, 30);
    assert!(!screen(&mut app).contains("is typing"));
    send(
        &mut app,
        [Msg::from(SessionOutcome::Update {
            id,
            update: SessionUpdate::AgentTyping(true),
        })],
    );
    assert!(
        screen(&mut app).contains("Natalie is typing…"),
        "{}",
        screen(&mut app)
    );
    send(
        &mut app,
        [Msg::from(SessionOutcome::Update {
            id,
            update: SessionUpdate::AgentTyping(false),
        })],
    );
    assert!(!screen(&mut app).contains("is typing"));
}

#[test]
fn the_name_set_is_said_and_kept_in_the_history_and_a_refusal_is_said() {
    let mut app = app();
    let id = visitor_chat(&mut app);
    let effects = send(
        &mut app,
        [Msg::from(SessionOutcome::Update {
            id,
            update: SessionUpdate::VisitorNamed {
                name: "Zoë".into(),
                result: Ok(()),
            },
        })],
    );
    assert!(
        effects.iter().any(|e| matches!(e, Effect::RecordVisitor {
            action: VisitorAction::Named { name }, ..
        } if name == "Zoë")),
        "{effects:?}"
    );
    assert!(draw_text(&app, 100, 30).contains("visitor name set: Zoë"));
    let effects = send(
        &mut app,
        [Msg::from(SessionOutcome::Update {
            id,
            update: SessionUpdate::VisitorNamed {
                name: "Zoë".into(),
                result: Err(crate::api::error::CallFailure::not_sent(
                    "HTTP 400: bad name",
                )),
            },
        })],
    );
    assert!(
        effects.is_empty(),
        "a refused name is not kept: {effects:?}"
    );
    assert!(draw_text(&app, 100, 30).contains("visitor name Zoë not set: HTTP 400"));
}

#[test]
fn the_form_sends_the_visitor_name_to_the_tracker_and_refuses_a_bad_one_where_typed() {
    let mut app = app();
    app.form.set_text(TextField::VisitorName, "a\u{202e}b");
    let effects = send(&mut app, [Msg::from(FormIntent::Submit)]);
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::StartSession { .. })),
        "{effects:?}"
    );
    assert!(
        app.errors
            .for_field(&crate::api::validate::Field::VisitorName)
            .is_some()
    );
    app.form.set_text(TextField::VisitorName, " Zoë ");
    let effects = send(&mut app, [Msg::from(FormIntent::Submit)]);
    assert!(
        matches!(effects.as_slice(), [Effect::StartSession { visitor_name: Some(name), .. }] if name == "Zoë"),
        "{effects:?}"
    );
}

#[test]
fn intents_of_the_visitor_side_do_nothing_where_they_do_not_apply() {
    let mut app = app();
    assert!(send(&mut app, [Msg::from(VisitorIntent::OpenTranscript)]).is_empty());
    assert_eq!(app.overlay, None);
    // Off the form the offline survey is not offered.
    visitor_chat(&mut app);
    assert!(send(&mut app, [Msg::from(VisitorIntent::OpenOfflineSurvey)]).is_empty());
    assert_eq!(app.overlay, None);
}

#[test]
fn the_visitor_screens_at_80x24() {
    let mut app = app();
    app.form.transcript_email = Some("qa@example.com".into());
    let id = visitor_chat(&mut app);
    send(
        &mut app,
        [Msg::from(SessionOutcome::Update {
            id,
            update: SessionUpdate::AgentTyping(true),
        })],
    );
    insta::assert_snapshot!("visitor_agent_typing_80x24", draw_text(&app, 80, 24));
    press(&mut app, key(KeyCode::Char('t'), KeyModifiers::NONE));
    insta::assert_snapshot!("visitor_transcript_dialog_80x24", draw_text(&app, 80, 24));
    press(&mut app, key(KeyCode::Esc, KeyModifiers::NONE));
    end(&mut app, id);
    send(
        &mut app,
        [Msg::from(VisitorOutcome::ExitSurveyLoaded {
            id,
            result: Ok(Some(exit_survey())),
        })],
    );
    insta::assert_snapshot!("visitor_exit_survey_80x24", draw_text(&app, 80, 24));
}

#[test]
fn a_line_being_written_when_the_chat_ends_stays_on_screen() {
    let mut app = app();
    let id = visitor_chat(&mut app);
    press(&mut app, key(KeyCode::Char('i'), KeyModifiers::NONE));
    type_text(&mut app, "one more thing");
    end(&mut app, id);
    let screen = draw_text(&app, 100, 30);
    assert!(
        screen.contains("not sent, the chat ended first: one more thing"),
        "{screen}"
    );
}
