//! Pastes as one event (the terminal's bracketed paste) into every kind of text input: form
//! fields, secrets, pre-chat lines, survey answers, the chat line and the dialogs — and what a
//! paste does where nothing takes text.

use crate::tui::msg::{AppIntent, FormIntent, FormOutcome, Intent};
use crossterm::event::{Event, KeyCode, KeyModifiers};

use super::*;
use crate::tui::app::{Level, Overlay};
use crate::tui::form::Toggle;

fn paste(app: &mut App, text: &str) -> Vec<Effect> {
    press(app, Event::Paste(text.into()))
}

fn notice(app: &App) -> (Level, String) {
    app.notice
        .as_ref()
        .map(|n| (n.level, n.text.clone()))
        .unwrap_or((Level::Info, String::new()))
}

#[test]
fn a_paste_is_one_message_whatever_has_the_focus() {
    let app = app();
    let msg = keymap::message(&Event::Paste("a\nq".into()), &app);
    assert!(
        matches!(msg, Some(Msg::Intent(Intent::App(AppIntent::Paste(ref text)))) if text == "a\nq"),
        "{msg:?}"
    );
}

#[test]
fn a_paste_goes_in_at_the_cursor_of_a_field_and_asks_the_service_again() {
    let mut app = app();
    press(&mut app, key(KeyCode::Home, KeyModifiers::NONE));
    let effects = paste(&mut app, "Premium ");
    assert_eq!(app.form.text(TextField::Skill), "Premium Sales");
    assert_eq!(app.form.inputs[&TextField::Skill].cursor(), 8);
    assert!(
        effects.iter().any(|e| matches!(e, Effect::Debounce { .. })),
        "the skill's availability is asked again: {effects:?}"
    );
    assert_eq!(app.notice, None, "a plain paste needs no word");
}

#[test]
fn pasted_lines_in_a_one_line_field_are_joined_and_it_says_so() {
    let mut app = app();
    app.form.set_text(TextField::Skill, "");
    paste(&mut app, "Sales\r\nTier 2\n");
    assert_eq!(app.form.text(TextField::Skill), "Sales Tier 2");
    let (level, text) = notice(&app);
    assert_eq!(level, Level::Info);
    assert!(
        text.contains("2 lines") && text.contains("Skill") && text.contains("spaces"),
        "{text}"
    );
    // One line with its line break, as copied from a terminal: taken as it is, silently.
    app.form.set_text(TextField::Language, "");
    app.form.focus = Focus::Text(TextField::Language);
    app.notice = None;
    paste(&mut app, "en-US\n");
    assert_eq!(app.form.text(TextField::Language), "en-US");
    assert_eq!(app.notice, None);
}

#[test]
fn control_characters_never_get_into_a_field_and_it_says_how_many_were_left_out() {
    let mut app = app();
    app.form.set_text(TextField::Skill, "");
    paste(&mut app, "Sa\u{1b}[1mles\u{7}\tTeam");
    assert_eq!(app.form.text(TextField::Skill), "Sa[1mles Team");
    let (_, text) = notice(&app);
    assert!(text.contains("2 control character(s) left out"), "{text}");
}

#[test]
fn a_secret_takes_one_line_without_its_line_break_and_refuses_more() {
    let mut app = app();
    app.form.focus = Focus::Text(TextField::AppKey);
    app.form.set_text(TextField::AppKey, "");
    paste(&mut app, "  key-0123\n");
    assert_eq!(app.form.text(TextField::AppKey), "key-0123");
    paste(&mut app, "part-one\npart-two\n");
    assert_eq!(
        app.form.text(TextField::AppKey),
        "key-0123",
        "nothing joined into a masked key"
    );
    let (level, text) = notice(&app);
    assert_eq!(level, Level::Error);
    assert!(
        text.contains("appKey is one line") && text.contains("2 lines"),
        "{text}"
    );
    assert!(
        !text.contains("part-one"),
        "the paste is not echoed: {text}"
    );
}

#[test]
fn a_long_sso_key_pasted_in_one_go_is_whole_and_masked() {
    let mut app = app();
    app.form.focus = Focus::Toggle(Toggle::AuthFlow);
    press(&mut app, key(KeyCode::Char(' '), KeyModifiers::NONE));
    app.form.focus = Focus::Text(TextField::SsoKey);
    let key_text = format!("{SSO_KEY}{}", "k".repeat(10_000));
    paste(&mut app, &format!("{key_text}\n"));
    assert_eq!(app.form.text(TextField::SsoKey), key_text);
    let text = snapshots::draw_text(&app, 80, 24);
    assert!(text.contains("SSO key"), "{text}");
}

#[test]
fn pasted_lines_in_a_pre_chat_line_become_lines_of_their_own() {
    let mut app = app();
    app.form.pre_chat =
        crate::tui::form::prechat::PreChat::from_values(&["Order: ".into(), "last".into()]);
    app.form.focus = Focus::PreChat(0);
    paste(&mut app, "12345\n\nShipped: yes\r\nPaid: no\n");
    assert_eq!(
        app.form.pre_chat.values(),
        ["Order: 12345", "Shipped: yes", "Paid: no", "last"],
        "blank lines are left out, the lines after stay"
    );
    assert_eq!(app.form.focus, Focus::PreChat(2), "the last pasted line");
    let (_, text) = notice(&app);
    assert!(text.contains("3 pre-chat lines"), "{text}");
    // The text after the cursor ends the last pasted line.
    app.form.pre_chat = crate::tui::form::prechat::PreChat::from_values(&["AB".into()]);
    app.form.focus = Focus::PreChat(0);
    press(&mut app, key(KeyCode::Left, KeyModifiers::NONE));
    paste(&mut app, "1\n2");
    assert_eq!(app.form.pre_chat.values(), ["A1", "2B"]);
    assert_eq!(app.form.pre_chat.lines[1].cursor(), 1);
}

#[test]
fn a_survey_text_answer_takes_a_paste_and_a_choice_question_does_not() {
    let mut app = app();
    let generation = app.lookup_generation;
    send(
        &mut app,
        [Msg::from(FormOutcome::SurveyLoaded {
            generation,
            result: Ok(Some(crate::tui::form::survey::tests::survey())),
        })],
    );
    let text_question = app
        .form
        .focus_order()
        .into_iter()
        .find(|f| matches!(f, Focus::Survey(id) if app.form.survey.is_text_question(id)))
        .expect("a text question");
    let Focus::Survey(id) = text_question.clone() else {
        unreachable!()
    };
    app.form.focus = text_question;
    app.form
        .survey
        .text
        .insert(id.clone(), tui_input::Input::default());
    paste(&mut app, "Felix\nthe cat");
    assert_eq!(app.form.survey.values(&id), ["Felix the cat"]);
    let choice = app
        .form
        .focus_order()
        .into_iter()
        .find(|f| matches!(f, Focus::Survey(id) if !app.form.survey.is_text_question(id)))
        .expect("a choice question");
    app.form.focus = choice;
    let before = app.form.chat_request();
    paste(&mut app, "DOGS");
    assert_eq!(app.form.chat_request(), before);
    assert!(notice(&app).1.contains("paste ignored"), "{:?}", app.notice);
}

#[test]
fn a_paste_on_a_toggle_or_while_sending_changes_nothing_and_says_why() {
    let mut app = app();
    app.form.focus = Focus::Toggle(Toggle::Format);
    let before = app.form.chat_request();
    let effects = paste(&mut app, "xml");
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(app.form.format, crate::api::Format::Json);
    assert!(notice(&app).1.contains("Format"), "{:?}", app.notice);

    app.form.focus = Focus::Text(TextField::Skill);
    send(&mut app, [Msg::from(FormIntent::Submit)]);
    paste(&mut app, "Billing");
    assert_eq!(app.form.chat_request(), before);
    assert!(notice(&app).1.contains("on its way"), "{:?}", app.notice);
}

#[test]
fn the_chat_line_takes_a_paste_as_one_line_and_the_session_view_without_it_ignores_one() {
    let mut app = app();
    chatting(&mut app);
    let effects = paste(&mut app, "e\nq");
    assert!(
        effects.is_empty() && !app.quitting,
        "no key runs: {effects:?}"
    );
    assert!(notice(&app).1.contains("press i"), "{:?}", app.notice);
    press(&mut app, key(KeyCode::Char('i'), KeyModifiers::NONE));
    paste(&mut app, "does it include\nphone support?\n");
    assert_eq!(
        app.session()
            .and_then(|v| v.compose.as_ref())
            .map(tui_input::Input::value),
        Some("does it include phone support?")
    );
}

#[test]
fn dialogs_take_a_paste_in_their_input() {
    // The profile name.
    let mut app = app();
    press(&mut app, key(KeyCode::Char('o'), KeyModifiers::CONTROL));
    assert_eq!(app.overlay, Some(Overlay::SaveProfile));
    paste(&mut app, "qa-eu\n");
    assert_eq!(app.dialog_input.value(), "qa-eu");
    // A secret asked at start: one line, or nothing.
    let mut app = super::app();
    app.prompts = vec![TextField::SsoKey];
    crate::tui::setup::next_question(&mut app);
    paste(&mut app, "one\ntwo");
    assert_eq!(app.dialog_input.value(), "");
    assert_eq!(notice(&app).0, Level::Error);
    paste(&mut app, "sso-key\n");
    assert_eq!(app.dialog_input.value(), "sso-key");
    // The check file's path.
    let mut app = super::app();
    press(&mut app, key(KeyCode::F(7), KeyModifiers::NONE));
    app.dialog_input = tui_input::Input::default();
    paste(&mut app, "checks/eu.toml\n");
    assert_eq!(app.dialog_input.value(), "checks/eu.toml");
    // The burst's count.
    let mut app = super::app();
    press(&mut app, key(KeyCode::F(6), KeyModifiers::NONE));
    assert_eq!(app.overlay, Some(Overlay::BurstSetup));
    app.burst_setup.count = tui_input::Input::default();
    paste(&mut app, "25\n");
    assert_eq!(app.burst_setup.count.value(), "25");
    // A question takes no text.
    let mut app = super::app();
    app.overlay = Some(Overlay::ConfirmResubmit);
    let effects = paste(&mut app, "y");
    assert!(effects.is_empty() && app.overlay == Some(Overlay::ConfirmResubmit));
}
