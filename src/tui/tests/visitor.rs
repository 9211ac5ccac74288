//! The visitor's side in the console: typing told on change only, the agent's typing shown,
//! the name, the transcript dialog, the exit survey after the end and the offline survey.

use crossterm::event::{KeyCode, KeyModifiers};
use serde_json::json;

use super::snapshots::draw_text;
use super::*;
use crate::api::TranscriptSent;
use crate::api::model::{Survey, VisitorLinks};
use crate::history::VisitorAction;
use crate::tui::app::{Lookup, Overlay};
use crate::tui::msg::{VisitorIntent, VisitorOutcome};
use crate::tui::visitor::ExitSurveyStep;

const TYPING: &str = "http://127.0.0.1:8480/api/account/12345678/chat/H1/info/visitorTyping";
const EXIT: &str = "http://127.0.0.1:8480/api/account/12345678/chat/H1/exitSurvey";
const TRANSCRIPT: &str = "http://127.0.0.1:8480/api/account/12345678/chat/H1/transcriptRequest";

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

fn set_typing(effects: &[Effect]) -> Vec<bool> {
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

fn end(app: &mut App, id: u64) -> Vec<Effect> {
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
fn t_asks_for_the_address_prefilled_checks_it_and_says_what_the_service_answered() {
    let mut app = app();
    app.form.transcript_email = Some("qa@example.com".into());
    let id = visitor_chat(&mut app);
    press(&mut app, key(KeyCode::Char('t'), KeyModifiers::NONE));
    assert_eq!(app.overlay, Some(Overlay::Transcript));
    assert_eq!(app.transcript_dialog.email.value(), "qa@example.com");
    // A bad address is said in the dialog; nothing is sent.
    for _ in 0..4 {
        press(&mut app, key(KeyCode::Backspace, KeyModifiers::NONE));
    }
    let effects = press(&mut app, key(KeyCode::Enter, KeyModifiers::NONE));
    assert!(effects.is_empty(), "{effects:?}");
    assert!(app.transcript_dialog.error.is_some());
    type_text(&mut app, ".com");
    press(&mut app, key(KeyCode::Tab, KeyModifiers::NONE));
    type_text(&mut app, "Order 7");
    let effects = press(&mut app, key(KeyCode::Enter, KeyModifiers::NONE));
    let Some(Effect::RequestTranscript { transcript, .. }) = effects.first() else {
        panic!("{effects:?}");
    };
    assert_eq!(transcript.email, "qa@example.com");
    assert_eq!(transcript.subject.as_deref(), Some("Order 7"));
    assert_eq!(app.overlay, None);
    let effects = send(
        &mut app,
        [Msg::from(VisitorOutcome::TranscriptSent {
            id,
            result: Ok((TranscriptSent::SubjectDropped, transcript.clone())),
        })],
    );
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::RecordVisitor { .. })),
        "{effects:?}"
    );
    let screen = draw_text(&app, 120, 30);
    assert!(screen.contains("without the subject"), "{screen}");
}

#[test]
fn the_exit_survey_opens_after_the_end_checks_its_answers_and_submits_value_texts() {
    let mut app = app();
    let id = visitor_chat(&mut app);
    let effects = end(&mut app, id);
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::LoadExitSurvey { href, .. } if href == EXIT)),
        "{effects:?}"
    );
    send(
        &mut app,
        [Msg::from(VisitorOutcome::ExitSurveyLoaded {
            id,
            result: Ok(Some(exit_survey())),
        })],
    );
    assert_eq!(app.overlay, Some(Overlay::Survey));
    let screen = draw_text(&app, 80, 24);
    assert!(
        screen.contains("How likely are you to recommend us? *"),
        "{screen}"
    );
    assert!(
        screen.contains("( ) 10"),
        "the display value shows: {screen}"
    );
    // The mandatory question unanswered: refused in the dialog.
    let ctrl_s = key(KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert!(press(&mut app, ctrl_s.clone()).is_empty());
    assert!(draw_text(&app, 80, 24).contains("must be answered"));
    press(&mut app, key(KeyCode::Right, KeyModifiers::NONE));
    press(&mut app, key(KeyCode::Left, KeyModifiers::NONE));
    press(&mut app, key(KeyCode::Tab, KeyModifiers::NONE));
    type_text(&mut app, "fast help");
    let effects = press(&mut app, ctrl_s);
    let Some(Effect::SubmitExitSurvey { answers, href, .. }) = effects.first() else {
        panic!("{effects:?}");
    };
    assert_eq!(href, EXIT);
    let sent: Vec<(&str, Vec<String>)> = answers
        .iter()
        .map(|a| (a.question_id.as_str(), a.values.clone()))
        .collect();
    assert_eq!(
        sent,
        [
            ("1", vec!["10 Extremely Likely".to_string()]),
            ("2", vec!["fast help".to_string()])
        ]
    );
    // A refusal keeps the answers on screen.
    send(
        &mut app,
        [Msg::from(VisitorOutcome::ExitSurveySubmitted {
            id,
            uri: URI.into(),
            survey: exit_survey(),
            answers: answers.clone(),
            result: Err("HTTP 400: An unknown question id was posted: 0".into()),
        })],
    );
    assert_eq!(app.overlay, Some(Overlay::Survey));
    let screen = draw_text(&app, 80, 24);
    assert!(screen.contains("unknown question id"), "{screen}");
    let effects = send(
        &mut app,
        [Msg::from(VisitorOutcome::ExitSurveySubmitted {
            id,
            uri: URI.into(),
            survey: exit_survey(),
            answers: answers.clone(),
            result: Ok(()),
        })],
    );
    assert_eq!(app.overlay, None);
    assert!(
        effects.iter().any(|e| matches!(
            e,
            Effect::RecordVisitor {
                action: VisitorAction::ExitSurvey { .. },
                ..
            }
        )),
        "{effects:?}"
    );
    assert!(draw_text(&app, 80, 24).contains("exit survey submitted"));
}

#[test]
fn no_exit_survey_opens_nothing_and_esc_skips_one() {
    let mut app = app();
    let id = visitor_chat(&mut app);
    end(&mut app, id);
    send(
        &mut app,
        [Msg::from(VisitorOutcome::ExitSurveyLoaded {
            id,
            result: Ok(None),
        })],
    );
    assert_eq!(app.overlay, None);
    assert!(draw_text(&app, 80, 24).contains("no exit survey"));

    let mut app = super::app();
    let id = visitor_chat(&mut app);
    end(&mut app, id);
    send(
        &mut app,
        [Msg::from(VisitorOutcome::ExitSurveyLoaded {
            id,
            result: Ok(Some(exit_survey())),
        })],
    );
    let effects = press(&mut app, key(KeyCode::Esc, KeyModifiers::NONE));
    assert!(effects.is_empty());
    assert_eq!(app.overlay, None);
    assert_eq!(
        app.session().map(|v| v.visitor.exit_survey.clone()),
        Some(ExitSurveyStep::Skipped)
    );
}

#[test]
fn the_offline_survey_is_offered_only_when_no_agent_can_take_the_chat() {
    let mut app = app();
    let skill = app.form.chat_request().skill;
    app.lookup = Lookup::Done {
        skill: skill.clone(),
        available: Ok(true),
        estimate: Err(String::new()),
    };
    let ctrl_f = key(KeyCode::Char('f'), KeyModifiers::CONTROL);
    assert!(press(&mut app, ctrl_f.clone()).is_empty());
    app.lookup = Lookup::Done {
        skill,
        available: Ok(false),
        estimate: Err(String::new()),
    };
    assert!(draw_text(&app, 120, 30).contains("offline survey"));
    let effects = press(&mut app, ctrl_f);
    let Some(Effect::LoadOfflineSurvey { request, .. }) = effects.first() else {
        panic!("{effects:?}");
    };
    send(
        &mut app,
        [Msg::from(VisitorOutcome::OfflineSurveyLoaded {
            request: Box::new(request.clone()),
            result: Ok(Some(exit_survey())),
        })],
    );
    assert_eq!(app.overlay, Some(Overlay::Survey));
    assert!(draw_text(&app, 80, 24).contains("Offline survey"));
    press(&mut app, key(KeyCode::Right, KeyModifiers::NONE));
    let effects = press(&mut app, key(KeyCode::Char('s'), KeyModifiers::CONTROL));
    assert!(
        matches!(effects.first(), Some(Effect::SubmitOfflineSurvey { .. })),
        "{effects:?}"
    );
    send(
        &mut app,
        [Msg::from(VisitorOutcome::OfflineSurveySubmitted {
            result: Ok(()),
        })],
    );
    assert_eq!(app.overlay, None);
    assert!(draw_text(&app, 120, 30).contains("offline survey submitted"));
    // The form is as it was.
    assert_eq!(app.form.chat_request(), *request);
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
fn a_survey_taller_than_the_screen_keeps_its_focused_question_and_its_failure_in_view() {
    let questions: Vec<serde_json::Value> = (1..=12)
        .map(|n| {
            json!({"id": n.to_string(), "order": n.to_string(), "mandatory": "false",
                   "type": "Text Area", "label": format!("Question number {n}")})
        })
        .collect();
    let survey = Survey::from_document(
        &json!({"survey": {"id": "9", "questions": {"question": questions}}}),
    )
    .expect("a survey");
    let mut app = app();
    let id = visitor_chat(&mut app);
    end(&mut app, id);
    send(
        &mut app,
        [Msg::from(VisitorOutcome::ExitSurveyLoaded {
            id,
            result: Ok(Some(survey.clone())),
        })],
    );
    // A long answer stays one row; the last question, focused, is on screen.
    type_text(&mut app, &"long answer ".repeat(40));
    let screen = draw_text(&app, 80, 24);
    assert!(
        screen.contains("…"),
        "the long answer is cut to its end: {screen}"
    );
    for _ in 0..11 {
        press(&mut app, key(KeyCode::Tab, KeyModifiers::NONE));
    }
    let screen = draw_text(&app, 80, 24);
    assert!(screen.contains("› Question number 12"), "{screen}");
    let answers = vec![crate::api::SurveyAnswer {
        question_id: "1".into(),
        values: vec!["x".into()],
    }];
    send(
        &mut app,
        [Msg::from(VisitorOutcome::ExitSurveySubmitted {
            id,
            uri: URI.into(),
            survey,
            answers,
            result: Err("HTTP 503: Service temporarily unavailable".into()),
        })],
    );
    let screen = draw_text(&app, 80, 24);
    assert!(screen.contains("HTTP 503"), "{screen}");
    assert!(
        screen.contains("Esc  skip"),
        "the footer keeps the way out: {screen}"
    );
}

#[test]
fn a_refused_transcript_request_comes_back_with_what_was_typed() {
    let mut app = app();
    let id = visitor_chat(&mut app);
    press(&mut app, key(KeyCode::Char('t'), KeyModifiers::NONE));
    type_text(&mut app, "qa@example.com");
    let effects = press(&mut app, key(KeyCode::Enter, KeyModifiers::NONE));
    assert!(matches!(
        effects.first(),
        Some(Effect::RequestTranscript { .. })
    ));
    send(
        &mut app,
        [Msg::from(VisitorOutcome::TranscriptSent {
            id,
            result: Err("HTTP 400: Invalid email address".into()),
        })],
    );
    assert_eq!(app.overlay, Some(Overlay::Transcript));
    assert_eq!(app.transcript_dialog.email.value(), "qa@example.com");
    assert!(draw_text(&app, 80, 24).contains("Invalid email address"));
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
