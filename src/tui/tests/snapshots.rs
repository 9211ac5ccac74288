//! Screen snapshots on `TestBackend` at 80×24 and 160×48, with a fixed clock; no secret may
//! appear in any of them.

use crate::tui::msg::{AppIntent, FormIntent, FormOutcome, SessionIntent, SessionOutcome};
use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::*;
use crate::tui::buffer_text;
use crate::tui::form::Toggle;
use crate::tui::view;

/// Draws the app at this size; the screen's text.
fn draw(app: &App, width: u16, height: u16) -> String {
    let mut app = app.clone();
    app.size = (width, height);
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal
        .draw(|frame| {
            view::render(&app, frame);
        })
        .expect("draw");
    let text = buffer_text(terminal.backend().buffer());
    assert!(!text.contains(APP_KEY), "the appKey is on screen:\n{text}");
    assert!(!text.contains(SSO_KEY), "the SSO key is on screen:\n{text}");
    text
}

/// The screen's text at this size (no secret may be on it).
pub(super) fn draw_text(app: &App, width: u16, height: u16) -> String {
    draw(app, width, height)
}

/// Snapshots the app at both sizes.
fn snapshot(name: &str, app: &App) {
    insta::assert_snapshot!(format!("{name}_80x24"), draw(app, 80, 24));
    insta::assert_snapshot!(format!("{name}_160x48"), draw(app, 160, 48));
}

pub(super) fn with_survey(app: &mut App) {
    let generation = app.lookup_generation;
    send(
        app,
        [
            Msg::from(FormOutcome::SurveyLoaded {
                generation,
                result: Ok(Some(crate::tui::form::survey::tests::survey())),
            }),
            Msg::from(FormOutcome::AvailabilityLoaded {
                generation,
                available: Ok(true),
                estimate: Ok(crate::api::model::EstimatedWait::Seconds(3)),
            }),
        ],
    );
}

#[test]
fn empty_form() {
    let mut app = App::new(Form::default(), "account  (discovered)", t0());
    app.color = false;
    snapshot("empty_form", &app);
}

#[test]
fn filled_form_with_a_validation_error() {
    let mut app = app();
    with_survey(&mut app);
    app.form.focus = Focus::Text(TextField::MaxWaitTime);
    type_text(&mut app, "9999999");
    app.form.focus = Focus::Text(TextField::Language);
    type_text(&mut app, "en-US");
    app.form.focus = Focus::Text(TextField::MaxWaitTime);
    snapshot("filled_form_error", &app);
}

#[test]
fn survey_with_each_question_type() {
    let mut app = app();
    with_survey(&mut app);
    app.form.focus = Focus::Survey("1".into());
    send(&mut app, [Msg::from(FormIntent::Choose)]);
    app.form.focus = Focus::Survey("4".into());
    snapshot("survey", &app);
}

#[test]
fn auth_flow_masks_the_sso_key() {
    let mut app = app();
    app.form.focus = Focus::Toggle(Toggle::AuthFlow);
    send(&mut app, [Msg::from(FormIntent::Choose)]);
    app.form.focus = Focus::Text(TextField::SsoKey);
    type_text(&mut app, SSO_KEY);
    let text = draw(&app, 80, 24);
    assert!(text.contains("SSO key"));
    assert!(text.contains("••••"));
}

#[test]
fn submitting_shows_a_spinner_and_elapsed_time() {
    let mut app = app();
    send(&mut app, [Msg::from(FormIntent::Submit)]);
    app.now += Duration::from_millis(1300);
    let text = draw(&app, 80, 24);
    assert!(text.contains("sending the chat request… 1.3 s"), "{text}");
}

#[test]
fn waiting() {
    let mut app = app();
    let id = created(&mut app);
    let start = app.now;
    send(
        &mut app,
        [
            Msg::from(SessionOutcome::Update {
                id,
                update: batch(vec![
                    state_event(1, "2025-11-25T10:12:00.000+0000", "waiting"),
                    system_event(
                        2,
                        "2025-11-25T10:12:00.000+0000",
                        1,
                        "Thank you for choosing to chat with us.  An agent will be with you shortly.",
                    ),
                    system_event(
                        3,
                        "2025-11-25T10:12:00.000+0000",
                        0,
                        "Hi, I'd like to know more about the Gold plan.",
                    ),
                ]),
            }),
            Msg::from(SessionOutcome::Update {
                id,
                update: crate::session::SessionUpdate::EstimatedWait(
                    crate::api::model::EstimatedWait::Seconds(95),
                ),
            }),
            Msg::from(SessionOutcome::Update {
                id,
                update: crate::session::SessionUpdate::Retrying {
                    attempt: 2,
                    error: "GET chat: 503 Service Unavailable".into(),
                    delay: Duration::from_secs(10),
                },
            }),
        ],
    );
    app.now = start + Duration::from_secs(72);
    app.notice = None;
    snapshot("waiting", &app);
}

#[test]
fn chatting_with_a_transcript() {
    let mut app = app();
    chatting(&mut app);
    app.notice = None;
    send(&mut app, [Msg::from(SessionIntent::Compose)]);
    type_text(&mut app, "Yes please");
    snapshot("chatting", &app);
}

#[test]
fn ended() {
    let mut app = app();
    let id = chatting(&mut app);
    send(
        &mut app,
        [Msg::from(SessionOutcome::Update {
            id,
            update: batch(vec![
                system_event(
                    9,
                    "2025-11-25T10:14:00.000+0000",
                    5,
                    "Natalie has left the chat.",
                ),
                state_event(10, "2025-11-25T10:14:00.000+0000", "ended"),
            ]),
        })],
    );
    app.notice = None;
    let text = draw(&app, 80, 24);
    assert!(
        text.contains("[ ■ ENDED ] Natalie has left the chat."),
        "{text}"
    );
}

#[test]
fn inspector() {
    let mut app = app();
    let id = chatting(&mut app);
    for (method, path, status, body) in [
        ("POST", "chat/request", 201, ""),
        (
            "GET",
            "chat/H1234567890-abcdef",
            200,
            "{\"chat\":{\"events\":{\"event\":[]}}}",
        ),
    ] {
        send(
            &mut app,
            [Msg::from(SessionOutcome::Exchange {
                id,
                exchange: crate::api::exchange::Exchange {
                    operation: crate::api::Operation::Session,
                    started: std::time::UNIX_EPOCH,
                    method: method.into(),
                    url: format!("http://127.0.0.1:8480/api/account/12345678/{path}?v=1&NC=true"),
                    request_headers: vec![
                        ("Accept".into(), "application/json".into()),
                        ("Authorization".into(), "LivePerson appKey=••••".into()),
                    ],
                    request_body: (method == "POST")
                        .then(|| "{\"request\":{\"skill\":\"Sales\"}}".to_string()),
                    status: Some(status),
                    response_headers: vec![("content-type".into(), "application/json".into())],
                    response_body: Some(body.into()),
                    elapsed: Duration::from_millis(4),
                    error: None,
                },
            })],
        );
    }
    app.notice = None;
    send(&mut app, [Msg::from(SessionIntent::ToggleInspector)]);
    snapshot("inspector", &app);
}

#[test]
fn help_overlay() {
    let mut app = app();
    send(&mut app, [Msg::from(AppIntent::Help)]);
    snapshot("help_form", &app);
    let mut app = super::app();
    chatting(&mut app);
    send(&mut app, [Msg::from(AppIntent::Help)]);
    insta::assert_snapshot!("help_session_80x24", draw(&app, 80, 24));
}

#[test]
fn quit_question() {
    let mut app = app();
    chatting(&mut app);
    send(&mut app, [Msg::from(AppIntent::Quit)]);
    insta::assert_snapshot!("quit_question_80x24", draw(&app, 80, 24));
}

#[test]
fn clicks_focus_the_field_drawn_there() {
    let mut app = app();
    app.size = (80, 24);
    let text = draw(&app, 80, 24);
    let row = text
        .lines()
        .position(|l| l.contains("Language"))
        .expect("Language row");
    let focus = view::geometry(&app).form_item_at(30, row as u16);
    assert_eq!(focus, Some(Focus::Text(TextField::Language)));
}

#[test]
fn a_long_survey_label_wraps_and_keeps_its_required_mark() {
    let label = "Before we connect you, please tell us which of our product teams you would like \
                 to talk to today, so that the right specialist can pick up your chat";
    let doc = serde_json::json!({"survey":{"id":"1","header":"About you","questions":{"question":[
        {"id":"7","order":"0","mandatory":"true","type":"Dropdown Box","label":label,
         "entry":[{"value":"CATS"},{"value":"DOGS"}]}]}}});
    let survey = crate::api::model::Survey::from_document(&doc).expect("survey");
    let mut app = app();
    let generation = app.lookup_generation;
    send(
        &mut app,
        [Msg::from(FormOutcome::SurveyLoaded {
            generation,
            result: Ok(Some(survey)),
        })],
    );
    app.form.focus = Focus::Survey("7".into());
    for (width, height) in [(80, 24), (160, 48)] {
        let text = draw(&app, width, height);
        let rows: Vec<&str> = text
            .lines()
            .skip_while(|l| !l.contains("▸ Before we connect"))
            .take_while(|l| !l.contains("CATS"))
            .collect();
        let joined = rows.iter().map(|r| r.trim()).collect::<Vec<_>>().join(" ");
        assert!(joined.contains("can pick up your chat"), "{text}");
        assert!(joined.contains("*required  (choose one)"), "{text}");
        assert!(
            rows.iter()
                .all(|r| r.trim_end().chars().count() <= usize::from(width))
        );
    }
}

#[test]
fn a_focused_pre_chat_line_keeps_its_keys_hint_in_view() {
    let mut app = app();
    with_survey(&mut app);
    app.form.focus = Focus::Text(TextField::ConversationId);
    send(&mut app, [Msg::from(FormIntent::FocusNext)]);
    assert_eq!(app.form.focus, Focus::PreChat(0));
    let text = draw(&app, 80, 24);
    assert!(text.contains("▸ Line 1"), "{text}");
    assert!(text.contains("Enter add below · Ctrl+X delete"), "{text}");
}

#[test]
fn an_empty_survey_text_answer_reads_as_one_to_type_without_colour() {
    let mut app = app();
    app.color = false;
    with_survey(&mut app);
    app.form
        .survey
        .text
        .insert("3".into(), tui_input::Input::default());
    app.form.focus = Focus::Survey("3".into());
    let text = draw(&app, 80, 24);
    let rows: Vec<&str> = text.lines().collect();
    let at = rows
        .iter()
        .position(|l| l.contains("Your name?"))
        .expect("the question");
    assert!(rows[at + 1].contains("‹type an answer›"), "{text}");
}

#[test]
fn a_long_value_reads_from_its_start_until_it_is_typed_in() {
    let mut app = app();
    app.form.focus = Focus::Text(TextField::ChatReferrer);
    type_text(
        &mut app,
        "https://www.example.com/pricing/gold-plan?utm_source=newsletter&x=END",
    );
    let typing = draw(&app, 80, 24);
    assert!(
        typing.contains("x=END"),
        "typed in, the cursor's end shows:\n{typing}"
    );
    app.form.focus = Focus::Text(TextField::Language);
    let left = draw(&app, 80, 24);
    assert!(left.contains("https://www.example.com/"), "{left}");
    assert!(left.contains('…'), "the cut is marked:\n{left}");
    assert!(!left.contains("x=END"), "{left}");
}

#[test]
fn the_help_scrolls_when_the_screen_is_too_small_for_it() {
    let mut app = app();
    app.size = (50, 15);
    press(&mut app, key(KeyCode::F(1), KeyModifiers::NONE));
    let keys = crate::tui::keymap::help(&app);
    // Each entry's key starts its row (what it does may wrap).
    let shown = |text: &str, key: &str| {
        text.lines()
            .any(|row| row.starts_with(&format!("│ {key} ")))
    };
    let (first, last) = (keys[0].0, keys[keys.len() - 1].0);
    let top = draw(&app, 50, 15);
    assert!(top.contains("scroll"), "the title says it scrolls:\n{top}");
    assert!(shown(&top, first) && !shown(&top, last), "{top}");
    press(&mut app, key(KeyCode::End, KeyModifiers::NONE));
    let bottom = draw(&app, 50, 15);
    assert!(shown(&bottom, last) && !shown(&bottom, first), "{bottom}");
    press(&mut app, key(KeyCode::Home, KeyModifiers::NONE));
    assert_eq!(draw(&app, 50, 15), top);
    // On a screen it fits, nothing scrolls.
    app.size = (160, 48);
    press(&mut app, key(KeyCode::End, KeyModifiers::NONE));
    assert_eq!(app.help_scroll, 0);
    assert!(!draw(&app, 160, 48).contains("scroll"));
}
