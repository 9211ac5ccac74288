//! Unit tests of `update` and `keys`: each interaction, as a user would do it.

use crate::tui::msg::{AppIntent, FormIntent, FormOutcome, SessionIntent, SessionOutcome};
use crossterm::event::{KeyCode, KeyModifiers};

use super::*;
use crate::api::model::ChatState;
use crate::api::validate::Field;
use crate::tui::app::{Health, Level, Lookup, Overlay, Phase};
use crate::tui::form::survey::tests::survey;
use crate::tui::msg::{CopyWhat, StartFailure};

const NONE: KeyModifiers = KeyModifiers::NONE;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;

fn start_failure(ambiguous: bool) -> StartFailure {
    StartFailure {
        message: "POST chat/request: 401 Unauthorized".into(),
        hint: Some("check the appKey".into()),
        may_have_created_chat: ambiguous,
        invalid: Vec::new(),
    }
}

#[test]
fn tab_and_arrows_move_between_fields_and_wrap() {
    let mut app = app();
    let order = app.form.focus_order();
    let start = order
        .iter()
        .position(|f| *f == app.form.focus)
        .expect("focus in order");
    press(&mut app, key(KeyCode::Tab, NONE));
    assert_eq!(app.form.focus, order[start + 1]);
    press(&mut app, key(KeyCode::Down, NONE));
    assert_eq!(app.form.focus, order[start + 2]);
    press(&mut app, key(KeyCode::BackTab, KeyModifiers::SHIFT));
    press(&mut app, key(KeyCode::Up, NONE));
    assert_eq!(app.form.focus, order[start]);
    app.form.focus = order[0].clone();
    press(&mut app, key(KeyCode::Up, NONE));
    assert_eq!(app.form.focus, *order.last().expect("items"), "wraps round");
}

#[test]
fn typing_in_a_text_field_never_triggers_commands() {
    let mut app = app();
    app.form.set_text(TextField::Skill, "");
    let effects = type_text(&mut app, "q c ? e n r y i");
    assert_eq!(app.form.text(TextField::Skill), "q c ? e n r y i");
    assert!(!app.quitting);
    assert_eq!(app.overlay, None);
    assert!(
        effects
            .iter()
            .all(|e| matches!(e, Effect::Debounce { .. } | Effect::DraftLater { .. })),
        "only the lookup is rescheduled and the draft's timer started: {effects:?}"
    );
    // The same in a pre-chat line and in the composer of a live chat.
    app.form.focus = Focus::PreChat(0);
    type_text(&mut app, "?q");
    assert!(app.form.pre_chat.values()[0].ends_with("?q"));
    chatting(&mut app);
    press(&mut app, key(KeyCode::Char('i'), NONE));
    let effects = type_text(&mut app, "qce");
    assert!(effects.is_empty());
    assert_eq!(
        app.session()
            .and_then(|v| v.compose.as_ref())
            .map(|i| i.value()),
        Some("qce")
    );
    assert!(!app.quitting && app.overlay.is_none());
}

#[test]
fn commands_work_outside_text_fields_and_ctrl_chords_everywhere() {
    let mut app = app();
    app.form.focus = Focus::Toggle(crate::tui::form::Toggle::Format);
    press(&mut app, key(KeyCode::Char(' '), NONE));
    assert_eq!(app.form.format, crate::api::Format::Xml);
    press(&mut app, key(KeyCode::Char('?'), NONE));
    assert_eq!(app.overlay, Some(Overlay::Help));
    press(&mut app, key(KeyCode::Esc, NONE));
    assert_eq!(app.overlay, None);
    app.form.focus = Focus::Text(TextField::Skill);
    press(&mut app, key(KeyCode::F(1), NONE));
    assert_eq!(app.overlay, Some(Overlay::Help));
    press(&mut app, key(KeyCode::F(1), NONE));
    let effects = press(&mut app, key(KeyCode::Char('s'), CTRL));
    assert!(matches!(effects.as_slice(), [Effect::StartSession { .. }]));
}

#[test]
fn pre_chat_lines_are_added_edited_moved_and_deleted_with_keys() {
    let mut app = app();
    app.form.focus = Focus::PreChat(0);
    press(&mut app, key(KeyCode::Enter, NONE));
    assert_eq!(app.form.focus, Focus::PreChat(1));
    type_text(&mut app, "second");
    press(&mut app, key(KeyCode::Up, KeyModifiers::ALT));
    assert_eq!(app.form.focus, Focus::PreChat(0));
    assert_eq!(
        app.form.pre_chat.values(),
        ["second", prefill::DEMO_PRE_CHAT_LINE]
    );
    press(&mut app, key(KeyCode::Char('x'), CTRL));
    assert_eq!(app.form.pre_chat.values(), [prefill::DEMO_PRE_CHAT_LINE]);
    let effects = press(&mut app, key(KeyCode::Char('e'), CTRL));
    assert_eq!(
        effects,
        [Effect::OpenEditor(format!(
            "{}\n",
            prefill::DEMO_PRE_CHAT_LINE
        ))]
    );
    send(
        &mut app,
        [Msg::from(FormOutcome::EditorDone(
            Ok("one\n\ntwo\n".into()),
        ))],
    );
    assert_eq!(app.form.pre_chat.values(), ["one", "two"]);
    assert_eq!(app.form.chat_request().pre_chat_lines, ["one", "two"]);
}

#[test]
fn survey_logic_shows_questions_and_choices_feed_the_request() {
    let mut app = app();
    let generation = app.lookup_generation;
    send(
        &mut app,
        [Msg::from(FormOutcome::SurveyLoaded {
            generation,
            result: Ok(Some(survey())),
        })],
    );
    let questions = |app: &App| -> Vec<Focus> {
        app.form
            .focus_order()
            .into_iter()
            .filter(|f| matches!(f, Focus::Survey(_)))
            .collect()
    };
    assert_eq!(questions(&app).len(), 4, "the follow-up starts hidden");
    // A mandatory question without an answer blocks the submit, with its error under it.
    let effects = send(&mut app, [Msg::from(FormIntent::Submit)]);
    assert!(effects.is_empty());
    assert_eq!(app.form.focus, Focus::Survey("1".into()));
    assert!(
        app.form
            .shown_error(&app.errors, &Field::SurveyAnswer("1".into()))
            .is_some()
    );
    press(&mut app, key(KeyCode::Char(' '), NONE));
    assert_eq!(app.form.survey.values("1"), ["CATS"]);
    assert_eq!(questions(&app).len(), 5, "CATS shows the follow-up");
    press(&mut app, key(KeyCode::Right, NONE));
    assert_eq!(app.form.survey.values("1"), ["DOGS"]);
    assert_eq!(questions(&app).len(), 4);
    // Last known value prefilled; check box toggled with Space.
    assert_eq!(app.form.survey.values("3"), ["John"]);
    app.form.focus = Focus::Survey("4".into());
    press(&mut app, key(KeyCode::Left, NONE));
    press(&mut app, key(KeyCode::Char(' '), NONE));
    assert_eq!(app.form.survey.values("4"), ["tech", "billing"]);
    let effects = send(&mut app, [Msg::from(FormIntent::Submit)]);
    let Some(Effect::StartSession {
        request, survey, ..
    }) = effects.first()
    else {
        panic!("no submit: {effects:?} {:?}", app.errors);
    };
    assert!(survey.is_some());
    assert_eq!(request.answers_for("1"), ["DOGS"]);
    assert_eq!(request.answers_for("4"), ["tech", "billing"]);
}

#[test]
fn validation_errors_show_under_the_field_once_it_was_edited() {
    let mut app = app();
    assert!(app.errors.is_empty());
    app.form.focus = Focus::Text(TextField::MaxWaitTime);
    type_text(&mut app, "ten");
    let error = app.form.shown_error(&app.errors, &Field::MaxWaitTime);
    assert!(error.is_some_and(|e| e.contains("ten")), "{error:?}");
    // Another field's error waits until it is edited or a submit is tried.
    app.form.set_text(TextField::Account, "acc");
    app.errors = app.form.validate();
    assert!(app.form.shown_error(&app.errors, &Field::Account).is_none());
    let effects = send(&mut app, [Msg::from(FormIntent::Submit)]);
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::StartSession { .. })),
        "nothing is sent: {effects:?}"
    );
    assert!(app.form.shown_error(&app.errors, &Field::Account).is_some());
    assert_eq!(app.form.focus, Focus::Text(TextField::Account));
    assert_eq!(app.notice.as_ref().map(|n| n.level), Some(Level::Error));
}

#[test]
fn submit_then_tracking_then_ended() {
    let mut app = app();
    let effects = send(&mut app, [Msg::from(FormIntent::Submit)]);
    let Some(Effect::StartSession { request, auth, .. }) = effects.first() else {
        panic!("{effects:?}");
    };
    assert_eq!(request.skill, "Sales");
    assert!(auth.is_none());
    assert!(matches!(app.phase, Phase::Submitting { .. }));
    assert!(app.tick_interval().is_some(), "the spinner animates");
    let id = app.last_id;
    send(
        &mut app,
        [Msg::from(SessionOutcome::Created {
            id,
            uri: URI.into(),
            journal: None,
        })],
    );
    assert_eq!(app.session().map(|v| v.uri.as_str()), Some(URI));
    assert!(app.has_live_chat());
    let id = app.last_id;
    send(
        &mut app,
        [Msg::from(SessionOutcome::Update {
            id,
            update: batch(vec![state_event(1, "t", "waiting")]),
        })],
    );
    assert_eq!(
        app.session().and_then(|v| v.state.clone()),
        Some(ChatState::Waiting)
    );
    send(
        &mut app,
        [Msg::from(SessionOutcome::Update {
            id,
            update: batch(vec![
                state_event(2, "t", "chatting"),
                line_event(3, "t", "agent", "Natalie", "<b>Hi</b>"),
            ]),
        })],
    );
    let view = app.session().expect("session");
    assert_eq!(view.agent.as_deref(), Some("Natalie"));
    assert_eq!(view.transcript.last().map(|l| l.text.as_str()), Some("Hi"));
    assert_eq!(app.tick_interval(), None, "nothing animates while chatting");
    send(
        &mut app,
        [
            Msg::from(SessionOutcome::Update {
                id,
                update: batch(vec![
                    system_event(4, "t", 5, "Natalie has left the chat."),
                    state_event(5, "t", "ended"),
                ]),
            }),
            Msg::from(SessionOutcome::Update {
                id,
                update: crate::session::SessionUpdate::Ended,
            }),
        ],
    );
    let view = app.session().expect("session");
    assert_eq!(view.state, Some(ChatState::Ended));
    assert_eq!(
        view.ended_reason.as_deref(),
        Some("Natalie has left the chat.")
    );
    assert!(!app.has_live_chat());
    // Quitting an ended chat asks nothing.
    assert_eq!(
        send(&mut app, [Msg::from(AppIntent::Quit)]),
        [Effect::StopSession, Effect::Quit]
    );
}

#[test]
fn a_double_submit_starts_one_chat() {
    let mut app = app();
    let effects = send(
        &mut app,
        [Msg::from(FormIntent::Submit), Msg::from(FormIntent::Submit)],
    );
    let starts = effects
        .iter()
        .filter(|e| matches!(e, Effect::StartSession { .. }))
        .count();
    assert_eq!(starts, 1);
    let id = app.last_id;
    send(
        &mut app,
        [Msg::from(SessionOutcome::Created {
            id,
            uri: URI.into(),
            journal: None,
        })],
    );
    assert!(
        send(&mut app, [Msg::from(FormIntent::Submit)]).is_empty(),
        "not while live"
    );
}

#[test]
fn a_failure_keeps_the_form_and_says_why() {
    let mut app = app();
    app.form.focus = Focus::Text(TextField::Language);
    type_text(&mut app, "en-GB");
    send(&mut app, [Msg::from(FormIntent::Submit)]);
    let id = app.last_id;
    send(
        &mut app,
        [Msg::from(SessionOutcome::StartFailed {
            id,
            failure: start_failure(false),
        })],
    );
    assert!(matches!(app.phase, Phase::Editing));
    assert_eq!(app.form.text(TextField::Language), "en-GB");
    assert_eq!(app.form.text(TextField::Skill), "Sales");
    let notice = app.notice.clone().expect("notice");
    assert_eq!(notice.level, Level::Error);
    assert!(notice.text.contains("401"));
    assert_eq!(notice.hint.as_deref(), Some("check the appKey"));
    // Fix and resubmit: no question asked.
    assert!(matches!(
        send(&mut app, [Msg::from(FormIntent::Submit)]).as_slice(),
        [Effect::StartSession { .. }]
    ));
}

#[test]
fn resubmit_after_an_ambiguous_failure_asks_first() {
    let mut app = app();
    send(&mut app, [Msg::from(FormIntent::Submit)]);
    let id = app.last_id;
    send(
        &mut app,
        [Msg::from(SessionOutcome::StartFailed {
            id,
            failure: start_failure(true),
        })],
    );
    assert!(send(&mut app, [Msg::from(FormIntent::Submit)]).is_empty());
    assert_eq!(app.overlay, Some(Overlay::ConfirmResubmit));
    press(&mut app, key(KeyCode::Esc, NONE));
    assert_eq!(app.overlay, None);
    send(&mut app, [Msg::from(FormIntent::Submit)]);
    let effects = press(&mut app, key(KeyCode::Char('y'), NONE));
    assert!(matches!(effects.as_slice(), [Effect::StartSession { .. }]));
}

#[test]
fn results_of_a_stale_session_are_ignored() {
    let mut app = app();
    send(&mut app, [Msg::from(FormIntent::Submit)]);
    let old = app.last_id;
    send(
        &mut app,
        [
            Msg::from(SessionOutcome::Created {
                id: old + 7,
                uri: "http://elsewhere/".into(),
                journal: None,
            }),
            Msg::from(SessionOutcome::StartFailed {
                id: old + 7,
                failure: start_failure(false),
            }),
        ],
    );
    assert!(matches!(app.phase, Phase::Submitting { .. }));
    let id = created_after_submit(&mut app);
    send(
        &mut app,
        [Msg::from(SessionOutcome::Update {
            id: id + 1,
            update: batch(vec![state_event(1, "t", "chatting")]),
        })],
    );
    assert_eq!(app.session().and_then(|v| v.state.clone()), None);
    // A new request replaces the session; the old one's updates are dropped.
    send(
        &mut app,
        [
            Msg::from(SessionIntent::NewRequest),
            Msg::from(FormIntent::Submit),
        ],
    );
    send(
        &mut app,
        [Msg::from(SessionOutcome::Created {
            id,
            uri: "http://old/".into(),
            journal: None,
        })],
    );
    assert!(matches!(app.phase, Phase::Submitting { .. }));
}

fn created_after_submit(app: &mut App) -> u64 {
    let id = app.last_id;
    send(
        app,
        [Msg::from(SessionOutcome::Created {
            id,
            uri: URI.into(),
            journal: None,
        })],
    );
    id
}

#[test]
fn c_copies_the_uri_and_y_the_curl_with_the_app_key_masked() {
    let mut app = app();
    chatting(&mut app);
    let effects = press(&mut app, key(KeyCode::Char('c'), NONE));
    assert_eq!(
        effects,
        [Effect::Copy {
            what: CopyWhat::SessionUri,
            text: URI.into()
        }]
    );
    let effects = press(&mut app, key(KeyCode::Char('y'), NONE));
    let Some(Effect::Copy { text, .. }) = effects.first() else {
        panic!("{effects:?}");
    };
    assert!(text.starts_with("curl "));
    assert!(!text.contains(APP_KEY));
    send(
        &mut app,
        [Msg::from(SessionOutcome::Copied {
            what: CopyWhat::SessionUri,
            result: Ok(crate::copy::CopyReport {
                channels: vec!["OSC 52".into()],
            }),
            file: Some(Ok("/data/last-session-uri.txt".into())),
        })],
    );
    let notice = app.notice.clone().expect("notice").text;
    assert!(notice.contains("OSC 52") && notice.contains("/data/last-session-uri.txt"));
}

#[test]
fn quit_with_a_live_chat_asks_and_can_end_it_first() {
    let mut app = app();
    let id = chatting(&mut app);
    assert!(press(&mut app, key(KeyCode::Char('c'), CTRL)).is_empty());
    assert_eq!(app.overlay, Some(Overlay::ConfirmQuit));
    press(&mut app, key(KeyCode::Esc, NONE));
    assert_eq!(app.overlay, None);
    assert!(!app.quitting);
    press(&mut app, key(KeyCode::Char('q'), NONE));
    let effects = press(&mut app, key(KeyCode::Char('e'), NONE));
    assert_eq!(
        effects,
        [Effect::EndChat {
            id,
            uri: URI.into()
        }]
    );
    assert!(!app.quitting);
    let effects = send(
        &mut app,
        [Msg::from(SessionOutcome::ChatEnded { id, result: Ok(()) })],
    );
    assert_eq!(
        effects,
        [
            Effect::RecordState {
                uri: URI.into(),
                state: "ended".into(),
                agent: Some("Natalie".into()),
            },
            Effect::StopSession,
            Effect::Quit
        ],
        "the history learns the end before the console quits"
    );
    assert!(app.quitting);
}

#[test]
fn quit_can_leave_the_chat_open_and_signals_quit_at_once() {
    let mut app = app();
    chatting(&mut app);
    press(&mut app, key(KeyCode::Char('q'), NONE));
    let effects = press(&mut app, key(KeyCode::Char('q'), NONE));
    assert_eq!(effects, [Effect::StopSession, Effect::Quit]);
    let mut app = super::app();
    chatting(&mut app);
    assert_eq!(
        send(&mut app, [Msg::from(AppIntent::QuitNow)]),
        [Effect::StopSession, Effect::Quit]
    );
}

#[test]
fn lines_are_sent_only_while_chatting() {
    let mut app = app();
    let id = created(&mut app);
    send(
        &mut app,
        [Msg::from(SessionOutcome::Update {
            id,
            update: batch(vec![state_event(1, "t", "waiting")]),
        })],
    );
    press(&mut app, key(KeyCode::Enter, NONE));
    type_text(&mut app, "hello");
    assert!(press(&mut app, key(KeyCode::Enter, NONE)).is_empty());
    assert!(app.notice.is_some());
    send(
        &mut app,
        [Msg::from(SessionOutcome::Update {
            id,
            update: batch(vec![state_event(2, "t", "chatting")]),
        })],
    );
    let effects = press(&mut app, key(KeyCode::Enter, NONE));
    assert_eq!(
        effects,
        [Effect::SendLine {
            id,
            uri: URI.into(),
            text: "hello".into()
        }]
    );
    press(&mut app, key(KeyCode::Esc, NONE));
    assert!(app.session().is_some_and(|v| v.compose.is_none()));
}

#[test]
fn a_line_with_a_control_character_is_refused_and_kept_to_be_put_right() {
    let mut app = app();
    chatting(&mut app);
    press(&mut app, key(KeyCode::Enter, NONE));
    send(
        &mut app,
        "hi\u{1b}there".chars().map(|c| {
            Msg::from(SessionIntent::ComposeEdit(
                tui_input::InputRequest::InsertChar(c),
            ))
        }),
    );
    assert!(
        press(&mut app, key(KeyCode::Enter, NONE)).is_empty(),
        "nothing sent"
    );
    let notice = app
        .notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default();
    assert!(
        notice.contains("line not sent") && notice.contains("ESC"),
        "{notice}"
    );
    let kept = app
        .session()
        .and_then(|v| v.compose.as_ref())
        .map(|input| input.value().to_string());
    assert_eq!(kept.as_deref(), Some("hi\u{1b}there"));
}

#[test]
fn poll_health_shows_retrying_then_lost() {
    let mut app = app();
    let id = created(&mut app);
    send(
        &mut app,
        [Msg::from(SessionOutcome::Update {
            id,
            update: crate::session::SessionUpdate::Retrying {
                attempt: 2,
                error: "503".into(),
                delay: std::time::Duration::from_secs(5),
            },
        })],
    );
    assert!(matches!(
        app.session().map(|v| &v.health),
        Some(Health::Retrying { attempt: 2, .. })
    ));
    send(
        &mut app,
        [Msg::from(SessionOutcome::Update {
            id,
            update: crate::session::SessionUpdate::Lost {
                error: "gone".into(),
                error_kind: crate::api::ErrorKind::Failed,
                explanation: None,
                resume: Some(format!("chatstart watch {URI}")),
            },
        })],
    );
    assert!(
        !app.has_live_chat(),
        "a lost session does not block quitting"
    );
}

#[test]
fn lookups_are_debounced_and_stale_answers_dropped() {
    let mut app = app();
    let first = crate::tui::form::update::init(&mut app);
    assert!(matches!(first.as_slice(), [Effect::Lookup { .. }]));
    let stale = app.lookup_generation;
    type_text(&mut app, "x");
    let current = app.lookup_generation;
    assert!(send(&mut app, [Msg::from(FormOutcome::LookupDue(stale))]).is_empty());
    send(
        &mut app,
        [Msg::from(FormOutcome::AvailabilityLoaded {
            generation: stale,
            available: Ok(false),
            estimate: Err("old".into()),
        })],
    );
    assert_eq!(app.lookup, Lookup::Pending);
    let effects = send(&mut app, [Msg::from(FormOutcome::LookupDue(current))]);
    let Some(Effect::Lookup { request, .. }) = effects.first() else {
        panic!("{effects:?}");
    };
    assert_eq!(request.skill, "Salesx");
    // Visitor fields the form marks invalid stay out of the lookup; valid ones go with it.
    app.form.set_text(TextField::VisitorIp, "999.1.1.1");
    app.form.set_text(TextField::VisitorId, "123");
    app.form.focus = Focus::Text(TextField::Skill);
    type_text(&mut app, "y");
    let due = app.lookup_generation;
    let effects = send(&mut app, [Msg::from(FormOutcome::LookupDue(due))]);
    let Some(Effect::Lookup { request, .. }) = effects.first() else {
        panic!("{effects:?}");
    };
    assert_eq!(
        (request.visitor_ip.as_str(), request.visitor_id.as_str()),
        ("", "123")
    );
}

#[test]
fn the_auth_flow_reveals_its_fields_and_requires_them() {
    let mut app = app();
    app.form.focus = Focus::Toggle(crate::tui::form::Toggle::AuthFlow);
    press(&mut app, key(KeyCode::Char(' '), NONE));
    assert!(
        app.form
            .focus_order()
            .contains(&Focus::Text(TextField::SsoKey))
    );
    assert!(send(&mut app, [Msg::from(FormIntent::Submit)]).is_empty());
    assert!(app.errors.for_field(&Field::SsoKey).is_some());
    assert!(app.errors.for_field(&Field::AuthChatConnId).is_some());
}

#[test]
fn the_end_reason_is_never_an_older_system_message() {
    let mut app = app();
    let id = chatting(&mut app);
    press(&mut app, key(KeyCode::Char('e'), NONE));
    send(
        &mut app,
        [
            Msg::from(SessionOutcome::ChatEnded { id, result: Ok(()) }),
            Msg::from(SessionOutcome::Update {
                id,
                update: batch(vec![state_event(20, "t", "ended")]),
            }),
        ],
    );
    assert_eq!(
        app.session().and_then(|v| v.ended_reason.as_deref()),
        Some("you ended the chat"),
        "not “You are now chatting with Natalie.”"
    );
}

#[test]
fn a_chat_watched_after_it_ended_takes_its_reason_from_the_ending_message_only() {
    let mut app = app();
    let id = created(&mut app);
    // The whole chat in one batch: watching a chat that already ended.
    let whole = |closing: Vec<serde_json::Value>| {
        let mut events = vec![
            state_event(0, "t", "waiting"),
            system_event(1, "t", 4, "Thank you for choosing to chat with us."),
            state_event(2, "t", "chatting"),
            system_event(3, "t", 3, "You are now chatting with Omar."),
        ];
        events.extend(closing);
        batch(events)
    };
    send(
        &mut app,
        [Msg::from(SessionOutcome::Update {
            id,
            update: whole(vec![state_event(4, "t", "ended")]),
        })],
    );
    assert_eq!(
        app.session().and_then(|v| v.ended_reason.as_deref()),
        Some("the chat was ended"),
        "the acceptance message is no reason to end"
    );

    let mut app = super::app();
    let id = created(&mut app);
    let closing = vec![
        system_event(4, "t", 6, "The chat was disconnected due to inactivity."),
        state_event(5, "t", "ended"),
    ];
    send(
        &mut app,
        [Msg::from(SessionOutcome::Update {
            id,
            update: whole(closing),
        })],
    );
    assert_eq!(
        app.session().and_then(|v| v.ended_reason.as_deref()),
        Some("The chat was disconnected due to inactivity.")
    );
}

#[test]
fn quitting_while_the_chat_request_is_on_its_way_asks_first() {
    let mut app = app();
    let effects = send(&mut app, [Msg::from(FormIntent::Submit)]);
    assert!(
        matches!(effects.as_slice(), [Effect::StartSession { .. }]),
        "{effects:?}"
    );
    assert!(matches!(app.phase, Phase::Submitting { .. }));
    assert!(
        send(&mut app, [Msg::from(AppIntent::Quit)]).is_empty(),
        "no quit while a chat may be created"
    );
    assert_eq!(app.overlay, Some(Overlay::ConfirmQuit));
    assert!(
        send(&mut app, [Msg::from(AppIntent::ConfirmAlternative)]).is_empty(),
        "no chat to end yet"
    );
    send(&mut app, [Msg::from(AppIntent::Dismiss)]);
    assert_eq!(app.overlay, None);
    assert!(
        matches!(app.phase, Phase::Submitting { .. }),
        "staying keeps the request going"
    );
    send(&mut app, [Msg::from(AppIntent::Quit)]);
    assert!(
        send(&mut app, [Msg::from(AppIntent::Confirm)]).contains(&Effect::Quit),
        "quit anyway"
    );
}

#[test]
fn the_quit_question_follows_the_phase_its_footer_matches_and_it_closes_when_nothing_is_left() {
    let footer = |app: &App| crate::tui::keymap::footer(app);
    let mut app = app();
    send(
        &mut app,
        [Msg::from(FormIntent::Submit), Msg::from(AppIntent::Quit)],
    );
    assert_eq!(app.overlay, Some(Overlay::ConfirmQuit));
    assert_eq!(
        footer(&app),
        [("q", "quit anyway"), ("Esc", "stay")],
        "no `e` while there is no chat to end"
    );
    // The answer arrives: the question is now about a live chat, with its `e`.
    let id = app.last_id;
    send(
        &mut app,
        [Msg::from(SessionOutcome::Created {
            id,
            uri: URI.into(),
            journal: None,
        })],
    );
    assert_eq!(app.overlay, Some(Overlay::ConfirmQuit));
    assert!(footer(&app).contains(&("e", "end chat & quit")));
    let text = super::snapshots::draw_text(&app, 80, 24);
    assert!(text.contains("A chat is still live"), "{text}");
    // The chat ends while the question is open: nothing is left to ask about.
    send(
        &mut app,
        [Msg::from(SessionOutcome::Update {
            id,
            update: batch(vec![state_event(1, "t", "ended")]),
        })],
    );
    assert_eq!(app.overlay, None);
    assert!(!app.quitting);

    // A request that fails while the question is open closes it too.
    let mut app = super::app();
    send(
        &mut app,
        [Msg::from(FormIntent::Submit), Msg::from(AppIntent::Quit)],
    );
    let id = app.last_id;
    send(
        &mut app,
        [Msg::from(SessionOutcome::StartFailed {
            id,
            failure: start_failure(false),
        })],
    );
    assert_eq!(app.overlay, None);
    assert!(matches!(app.phase, Phase::Editing));
}

#[test]
fn q_on_a_choice_toggle_or_check_box_of_the_form_does_not_quit() {
    let mut app = app();
    let generation = app.lookup_generation;
    send(
        &mut app,
        [Msg::from(FormOutcome::SurveyLoaded {
            generation,
            result: Ok(Some(survey())),
        })],
    );
    for focus in [
        Focus::Toggle(crate::tui::form::Toggle::Format),
        Focus::Survey("1".into()),
        Focus::Survey("4".into()),
    ] {
        app.form.focus = focus.clone();
        let effects = press(&mut app, key(KeyCode::Char('q'), NONE));
        assert!(!effects.contains(&Effect::Quit), "{focus:?}");
        assert!(!app.quitting && app.overlay.is_none(), "{focus:?}");
    }
    assert!(
        crate::tui::keymap::help(&app)
            .iter()
            .all(|(keys, _)| !keys.split([' ', ',']).any(|k| k == "q")),
        "the form's help lists no q"
    );
}

#[test]
fn notices_go_away_once_they_stop_being_true() {
    let notice = |app: &App| app.notice.as_ref().map(|n| n.text.clone());
    // The form's problems: re-counted as they are fixed, gone when none is left.
    let mut app = app();
    let generation = app.lookup_generation;
    send(
        &mut app,
        [Msg::from(FormOutcome::SurveyLoaded {
            generation,
            result: Ok(Some(survey())),
        })],
    );
    app.form.focus = Focus::Text(TextField::MaxWaitTime);
    type_text(&mut app, "x");
    send(&mut app, [Msg::from(FormIntent::Submit)]);
    let both = notice(&app).unwrap_or_default();
    assert!(both.starts_with("2 fields need attention"), "{both}");
    // Both reasons are said, so the count never reads as a miscount.
    assert_eq!(both.matches("; also: ").count(), 1, "{both}");
    app.form.focus = Focus::Text(TextField::MaxWaitTime);
    press(&mut app, key(KeyCode::Backspace, NONE));
    assert!(
        notice(&app).is_some_and(|n| n.starts_with("1 field needs attention")),
        "{:?}",
        notice(&app)
    );
    app.form.focus = Focus::Survey("1".into());
    press(&mut app, key(KeyCode::Char(' '), NONE));
    assert_eq!(notice(&app), None, "answered: nothing needs attention");

    // Lines wait for an agent: said while waiting, gone once one accepted.
    let mut app = super::app();
    let id = created(&mut app);
    send(
        &mut app,
        [Msg::from(SessionOutcome::Update {
            id,
            update: batch(vec![state_event(1, "t", "waiting")]),
        })],
    );
    press(&mut app, key(KeyCode::Char('i'), NONE));
    type_text(&mut app, "hi");
    press(&mut app, key(KeyCode::Enter, NONE));
    assert!(notice(&app).is_some_and(|n| n.contains("once an agent has accepted")));
    send(
        &mut app,
        [Msg::from(SessionOutcome::Update {
            id,
            update: batch(vec![state_event(2, "t", "chatting")]),
        })],
    );
    assert_eq!(notice(&app), None);

    // The editor's result: gone at the next action on the form.
    let mut app = super::app();
    send(
        &mut app,
        [Msg::from(FormOutcome::EditorDone(Ok("one\ntwo\n".into())))],
    );
    assert!(notice(&app).is_some_and(|n| n.contains("2 pre-chat lines")));
    press(&mut app, key(KeyCode::Tab, NONE));
    assert_eq!(notice(&app), None);

    // "Chat created": while it waits; gone once an agent accepts.
    let mut app = super::app();
    let id = created(&mut app);
    let state = |n, s| {
        Msg::from(SessionOutcome::Update {
            id,
            update: batch(vec![state_event(n, "t", s)]),
        })
    };
    send(&mut app, [state(1, "waiting")]);
    assert!(notice(&app).is_some_and(|n| n.starts_with("chat created")));
    send(&mut app, [state(2, "chatting")]);
    assert_eq!(notice(&app), None);
    // "End sent": until the chat shows ended.
    press(&mut app, key(KeyCode::Char('e'), NONE));
    send(
        &mut app,
        [Msg::from(SessionOutcome::ChatEnded { id, result: Ok(()) })],
    );
    assert!(notice(&app).is_some_and(|n| n.starts_with("end sent")));
    send(&mut app, [state(3, "ended")]);
    assert_eq!(notice(&app), None);
}

#[test]
fn an_accepted_end_is_recorded_at_once_and_a_new_request_does_not_call_the_chat_open() {
    let mut app = app();
    let id = chatting(&mut app);
    press(&mut app, key(KeyCode::Char('e'), NONE));
    let effects = send(
        &mut app,
        [Msg::from(SessionOutcome::ChatEnded { id, result: Ok(()) })],
    );
    assert_eq!(
        effects,
        [Effect::RecordState {
            uri: URI.into(),
            state: "ended".into(),
            agent: Some("Natalie".into()),
        }],
        "the history learns the end even if no poll shows it before the tracker stops"
    );
    // The chat is over: no line can be composed, `e` is not offered, `n` does not warn.
    assert!(send(&mut app, [Msg::from(SessionIntent::Compose)]).is_empty());
    assert!(app.session().is_some_and(|v| v.compose.is_none()));
    let effects = press(&mut app, key(KeyCode::Char('n'), NONE));
    assert_eq!(effects, [Effect::StopSession]);
    assert!(
        app.notice
            .as_ref()
            .is_none_or(|n| !n.text.contains("still open")),
        "{:?}",
        app.notice
    );
    assert!(matches!(app.phase, Phase::Editing));
}
