//! The visitor's dialogs: the transcript by e-mail, the exit survey after the end and the
//! offline survey, driven by keys as a user does, with the effects and the screen asserted.

use crossterm::event::{KeyCode, KeyModifiers};

use super::snapshots::draw_text;
use super::visitor::{end, exit_survey, links, lost, refused, visitor_chat};
use super::*;
use crate::api::TranscriptSent;
use crate::api::model::{Survey, VisitorLinks};
use crate::history::VisitorAction;
use crate::tui::app::{Lookup, Overlay};
use crate::tui::msg::VisitorOutcome;
use crate::tui::visitor::ExitSurveyStep;
use serde_json::json;

const EXIT: &str = "http://127.0.0.1:8480/api/account/12345678/chat/H1/exitSurvey";

/// A transcript request to this address, as the dialog makes it.
fn typed_transcript(email: &str) -> crate::api::TranscriptRequest {
    crate::api::TranscriptRequest {
        email: email.into(),
        subject: None,
        timezone_offset_ms: None,
    }
}

/// A chat whose exit survey is open.
fn exit_survey_open(app: &mut App) -> u64 {
    let id = visitor_chat(app);
    end(app, id);
    send(
        app,
        [Msg::from(VisitorOutcome::ExitSurveyLoaded {
            id,
            result: Ok(Some(exit_survey())),
        })],
    );
    assert_eq!(app.overlay, Some(Overlay::Survey));
    id
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
    // A subject is a line, not a letter: a pasted page is refused where it was typed.
    send(
        &mut app,
        [Msg::from(crate::tui::msg::AppIntent::Paste(
            "x".repeat(201),
        ))],
    );
    let effects = press(&mut app, key(KeyCode::Enter, KeyModifiers::NONE));
    assert!(effects.is_empty(), "{effects:?}");
    assert!(
        app.transcript_dialog
            .error
            .as_deref()
            .is_some_and(|e| e.contains("at most 200 characters")),
        "{:?}",
        app.transcript_dialog.error
    );
    press(&mut app, key(KeyCode::Char('u'), KeyModifiers::CONTROL));
    type_text(&mut app, "Order 7");
    let effects = press(&mut app, key(KeyCode::Enter, KeyModifiers::NONE));
    let Some(Effect::RequestTranscript { transcript, .. }) = effects.first() else {
        panic!("{effects:?}");
    };
    assert_eq!(transcript.email, "qa@example.com");
    assert_eq!(transcript.subject.as_deref(), Some("Order 7"));
    // This machine's zone is read where the request is sent, not in `update`.
    assert_eq!(transcript.timezone_offset_ms, None);
    assert_eq!(app.overlay, None);
    let effects = send(
        &mut app,
        [Msg::from(VisitorOutcome::TranscriptSent {
            id,
            transcript: transcript.clone(),
            result: Ok(TranscriptSent::SubjectDropped),
        })],
    );
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::RecordVisitor { .. })),
        "{effects:?}"
    );
    let screen = draw_text(&app, 120, 30);
    assert!(
        screen.contains(
            "transcript requested for qa@example.com without the subject (transcript-request;"
        ),
        "{screen}"
    );
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
            result: Err(refused("HTTP 400: An unknown question id was posted: 0")),
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
    // The form says so where availability shows, and the footer offers it even at 80 columns.
    let screen = draw_text(&app, 80, 24);
    assert!(
        screen.contains("not available (Ctrl+F: the offline survey)"),
        "{screen}"
    );
    assert!(screen.contains("Ctrl+F  offline survey"), "{screen}");
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
    let screen = draw_text(&app, 80, 24);
    assert!(screen.contains("Offline survey · Sales"), "{screen}");
    assert!(screen.contains("Esc  close"), "{screen}");
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
fn the_transcript_dialog_names_the_link_a_subject_goes_to() {
    let mut app = app();
    let id = visitor_chat(&mut app);
    press(&mut app, key(KeyCode::Char('t'), KeyModifiers::NONE));
    assert!(draw_text(&app, 80, 24).contains("no link here takes a subject"));
    press(&mut app, key(KeyCode::Esc, KeyModifiers::NONE));
    send(
        &mut app,
        [Msg::from(SessionOutcome::Update {
            id,
            update: SessionUpdate::Links(VisitorLinks {
                transcript_with_subject: Some(format!("{URI}/transcriptWithSubject")),
                ..links()
            }),
        })],
    );
    press(&mut app, key(KeyCode::Char('t'), KeyModifiers::NONE));
    type_text(&mut app, "zoe@example.com");
    let screen = draw_text(&app, 80, 24);
    assert!(
        screen.contains("a subject goes to transcript-with-subject-request"),
        "{screen}"
    );
    let effects = press(&mut app, key(KeyCode::Enter, KeyModifiers::NONE));
    let Some(Effect::RequestTranscript { transcript, .. }) = effects.first() else {
        panic!("{effects:?}");
    };
    // The answer replaces "asking…" and says which link took it.
    assert!(draw_text(&app, 120, 30).contains("asking for the transcript"));
    send(
        &mut app,
        [Msg::from(VisitorOutcome::TranscriptSent {
            id,
            transcript: transcript.clone(),
            result: Ok(TranscriptSent::Plain),
        })],
    );
    let screen = draw_text(&app, 120, 30);
    assert!(!screen.contains("asking for the transcript"), "{screen}");
    assert!(
        screen.contains(
            "transcript requested for zoe@example.com (transcript-request): the service took it"
        ),
        "{screen}"
    );
    // A refusal says the status and the service's message.
    send(
        &mut app,
        [Msg::from(VisitorOutcome::TranscriptSent {
            id,
            transcript: typed_transcript("qa@example.com"),
            result: Err(refused(
                "transcript request failed: HTTP 400: Invalid email address",
            )),
        })],
    );
    let screen = draw_text(&app, 120, 30);
    assert!(
        screen.contains(
            "transcript not requested: transcript request failed: HTTP 400: Invalid email address"
        ),
        "{screen}"
    );
}

#[test]
fn an_exit_survey_link_read_with_the_end_still_brings_the_exit_survey() {
    let mut app = app();
    let id = chatting(&mut app);
    let without = VisitorLinks {
        exit_survey: None,
        ..links()
    };
    send(
        &mut app,
        [Msg::from(SessionOutcome::Update {
            id,
            update: SessionUpdate::Links(without),
        })],
    );
    let effects = end(&mut app, id);
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::LoadExitSurvey { .. })),
        "{effects:?}"
    );
    let effects = send(
        &mut app,
        [Msg::from(SessionOutcome::Update {
            id,
            update: SessionUpdate::Links(links()),
        })],
    );
    assert!(
        matches!(effects.as_slice(), [Effect::LoadExitSurvey { href, .. }] if href == EXIT),
        "{effects:?}"
    );
}

#[test]
fn the_survey_dialog_draws_the_pre_chat_surveys_widgets() {
    let mut app = app();
    exit_survey_open(&mut app);
    let screen = draw_text(&app, 80, 24);
    // As the form draws a question: the focus marker, the required mark and the kind, the
    // highlighted entry, the text input's hint.
    for drawn in [
        "▸ How likely are you to recommend us? *required  (choose one)",
        "›( ) 10  ( ) 0",
        "  Anything else?  (text)",
        "‹type an answer›",
        "── How did we do? ──",
    ] {
        assert!(screen.contains(drawn), "{drawn:?} in:\n{screen}");
    }
    // The same question in the form reads the same.
    app.form.survey.load(Some(exit_survey()));
    app.form.focus = Focus::Survey("1".into());
    app.overlay = None;
    app.survey_dialog = None;
    app.phase = crate::tui::app::Phase::Editing;
    let form = draw_text(&app, 80, 24);
    assert!(
        form.contains("▸ How likely are you to recommend us? *required  (choose one)"),
        "{form}"
    );
}

#[test]
fn enter_moves_on_from_a_text_answer_and_picks_a_choice() {
    let mut app = app();
    exit_survey_open(&mut app);
    press(&mut app, key(KeyCode::Enter, KeyModifiers::NONE));
    let dialog = app.survey_dialog.as_ref().expect("open");
    assert_eq!(dialog.form.values("1"), ["10 Extremely Likely"]);
    press(&mut app, key(KeyCode::Tab, KeyModifiers::NONE));
    type_text(&mut app, "ok");
    press(&mut app, key(KeyCode::Enter, KeyModifiers::NONE));
    let dialog = app.survey_dialog.as_ref().expect("open");
    assert_eq!(dialog.form.values("2"), ["ok"]);
    assert_eq!(
        dialog.focused().as_deref(),
        Some("1"),
        "wrapped to the first"
    );
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
    assert_eq!(
        screen.lines().filter(|l| l.contains("long answer")).count(),
        1,
        "the long answer is one row: {screen}"
    );
    for _ in 0..11 {
        press(&mut app, key(KeyCode::Tab, KeyModifiers::NONE));
    }
    let screen = draw_text(&app, 80, 24);
    assert!(screen.contains("▸ Question number 12"), "{screen}");
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
            result: Err(refused("HTTP 503: Service temporarily unavailable")),
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
            transcript: typed_transcript("qa@example.com"),
            result: Err(refused("HTTP 400: Invalid email address")),
        })],
    );
    assert_eq!(app.overlay, Some(Overlay::Transcript));
    assert_eq!(app.transcript_dialog.email.value(), "qa@example.com");
    assert!(draw_text(&app, 80, 24).contains("Invalid email address"));
}

#[test]
fn a_call_whose_answer_was_lost_is_said_as_maybe_and_kept_as_unknown() {
    use crate::history::Outcome;
    let unknown = |effects: &[Effect]| {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::RecordVisitor {
                    action,
                    outcome: Outcome::Unknown,
                    ..
                } => Some(action.clone()),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    let mut app = app();
    let id = visitor_chat(&mut app);
    // The name: it may be set.
    let effects = send(
        &mut app,
        [Msg::from(SessionOutcome::Update {
            id,
            update: SessionUpdate::VisitorNamed {
                name: "Zoë".into(),
                result: Err(*lost("visitor name failed: timed out")),
            },
        })],
    );
    assert!(
        matches!(unknown(&effects).as_slice(), [VisitorAction::Named { .. }]),
        "{effects:?}"
    );
    // The transcript: not offered again at once (it may be mailed twice).
    press(&mut app, key(KeyCode::Char('t'), KeyModifiers::NONE));
    type_text(&mut app, "zoe@example.com");
    press(&mut app, key(KeyCode::Enter, KeyModifiers::NONE));
    let effects = send(
        &mut app,
        [Msg::from(VisitorOutcome::TranscriptSent {
            id,
            transcript: typed_transcript("zoe@example.com"),
            result: Err(lost("transcript request failed: timed out after 10 s")),
        })],
    );
    assert!(
        matches!(
            unknown(&effects).as_slice(),
            [VisitorAction::Transcript { .. }]
        ),
        "{effects:?}"
    );
    assert_eq!(app.overlay, None);
    // The exit survey: closed, said as maybe submitted.
    end(&mut app, id);
    send(
        &mut app,
        [Msg::from(VisitorOutcome::ExitSurveyLoaded {
            id,
            result: Ok(Some(exit_survey())),
        })],
    );
    press(&mut app, key(KeyCode::Right, KeyModifiers::NONE));
    let effects = press(&mut app, key(KeyCode::Char('s'), KeyModifiers::CONTROL));
    let Some(Effect::SubmitExitSurvey {
        survey, answers, ..
    }) = effects.first().cloned()
    else {
        panic!("{effects:?}");
    };
    let effects = send(
        &mut app,
        [Msg::from(VisitorOutcome::ExitSurveySubmitted {
            id,
            uri: URI.into(),
            survey,
            answers,
            result: Err(lost("exit survey answers failed: the connection dropped")),
        })],
    );
    assert!(
        matches!(
            unknown(&effects).as_slice(),
            [VisitorAction::ExitSurvey { .. }]
        ),
        "{effects:?}"
    );
    assert_eq!(app.overlay, None);
    let screen = draw_text(&app, 120, 30);
    for said in [
        "visitor name Zoë may have been set: no answer came (visitor name failed: timed out)",
        "the transcript for zoe@example.com may have been requested: no answer came",
        "exit survey may have been submitted: no answer came",
    ] {
        assert!(screen.contains(said), "{said:?} in:\n{screen}");
    }
}
