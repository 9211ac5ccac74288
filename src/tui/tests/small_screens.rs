//! Every screen and overlay on small terminals (50×15, 80×24): what does not fit is said to be
//! there (▲ above, ▼ below), and the footer of every screen keeps F1 and Ctrl+C.

use crate::tui::msg::{
    AppIntent, ChecksIntent, ChecksOutcome, FormIntent, SessionIntent, SessionOutcome,
};
use std::sync::Arc;
use std::time::Duration;

use super::runs_snapshots::{burst, valid_app};
use super::snapshots::{draw_text, with_survey};
use super::*;
use crate::check::CheckFile;
use crate::history::{Entry, Flow, SessionRecord};
use crate::tui::app::{Overlay, Phase};

const SIZES: [(u16, u16); 2] = [(50, 15), (80, 24)];

fn snapshot(name: &str, app: &App) {
    for (width, height) in SIZES {
        insta::assert_snapshot!(
            format!("small_{name}_{width}x{height}"),
            draw_text(app, width, height)
        );
    }
}

/// The footer (the screen's last row) has help and quit, at every size down to 50×15.
fn footer_keeps_help_and_quit(app: &App) {
    for (width, height) in SIZES {
        let mut app = app.clone();
        app.size = (width, height);
        let text = draw_text(&app, width, height);
        let footer = text.lines().last().unwrap_or_default();
        assert!(
            footer.contains(" F1  help") && footer.contains(" Ctrl+C  quit"),
            "{width}×{height}: the footer lost F1 or Ctrl+C:\n{text}"
        );
    }
}

fn the_form(app: &App) -> App {
    let mut app = app.clone();
    with_survey(&mut app);
    app.notice = None;
    app
}

#[test]
fn the_form_says_which_sections_are_below_and_above_the_screen() {
    let mut app = the_form(&app());
    app.size = (50, 15);
    let top = draw_text(&app, 50, 15);
    assert!(
        top.contains("▼ more below: Pre-chat lines, Pre-chat survey"),
        "{top}"
    );
    assert!(
        !top.contains("▲"),
        "nothing is above the first field:\n{top}"
    );
    app.form.focus = Focus::Survey("4".into());
    let bottom = draw_text(&app, 50, 15);
    assert!(bottom.contains("▲ above: Connection, Request"), "{bottom}");
    // At 80×24 too: the pre-chat lines and the survey start below the screen.
    let text = draw_text(&the_form(&super::app()), 80, 24);
    assert!(
        text.contains("▼ more below: Pre-chat lines, Pre-chat survey, Authenticated flow"),
        "{text}"
    );
    // The sign is not a field: a click on it focuses nothing.
    let mut app = the_form(&super::app());
    app.size = (80, 24);
    let row = text
        .lines()
        .position(|l| l.starts_with("▼ more below"))
        .expect("the sign");
    assert_eq!(
        crate::tui::view::geometry(&app).form_item_at(5, row as u16),
        None
    );
    // A form that fits says nothing.
    assert!(!draw_text(&app, 160, 48).contains("more below"));
    snapshot("form_top", &the_form(&super::app()));
    let mut app = the_form(&super::app());
    app.form.focus = Focus::Survey("4".into());
    snapshot("form_survey", &app);
}

#[test]
fn the_footer_keeps_help_and_quit_on_every_screen() {
    let form = the_form(&app());
    footer_keeps_help_and_quit(&form);
    let mut sending = app();
    send(&mut sending, [Msg::from(FormIntent::Submit)]);
    footer_keeps_help_and_quit(&sending);
    let mut session = app();
    chatting(&mut session);
    footer_keeps_help_and_quit(&session);
    send(&mut session, [Msg::from(SessionIntent::Compose)]);
    footer_keeps_help_and_quit(&session);
    send(
        &mut session,
        [
            Msg::from(AppIntent::Dismiss),
            Msg::from(SessionIntent::ToggleInspector),
        ],
    );
    footer_keeps_help_and_quit(&session);
    let mut running = valid_app();
    burst(&mut running);
    footer_keeps_help_and_quit(&running);
    let mut checks = valid_app();
    running_checks(&mut checks, 3);
    footer_keeps_help_and_quit(&checks);
}

#[test]
fn the_footer_drops_other_keys_first_and_keeps_an_overlays_way_out() {
    let mut app = the_form(&app());
    app.size = (50, 15);
    let keys = crate::tui::keymap::footer_fitted(&app, 50);
    assert_eq!(keys.first(), Some(&("Ctrl+S", "send")), "{keys:?}");
    assert_eq!(
        &keys[keys.len() - 2..],
        [("F1", "help"), ("Ctrl+C", "quit")]
    );
    let width: usize = keys
        .iter()
        .map(crate::tui::keymap::footer_entry_width)
        .sum();
    assert!(width <= 50, "{keys:?}");
    // An overlay's keys: its last one (the way out) stays however narrow.
    app.overlay = Some(Overlay::History { selected: 0 });
    let keys = crate::tui::keymap::footer_fitted(&app, 20);
    assert_eq!(keys.last(), Some(&("Esc", "close")), "{keys:?}");
}

fn long_transcript(app: &mut App) -> u64 {
    let id = chatting(app);
    let lines: Vec<_> = (0..30)
        .map(|i| {
            line_event(
                100 + i,
                "2025-11-25T10:13:00.000+0000",
                "agent",
                "Natalie",
                &format!("line {i} of a long answer"),
            )
        })
        .collect();
    send(
        app,
        [Msg::from(SessionOutcome::Update {
            id,
            update: batch(lines),
        })],
    );
    app.notice = None;
    id
}

#[test]
fn the_transcript_says_when_earlier_or_newer_lines_are_off_screen() {
    let mut app = app();
    long_transcript(&mut app);
    app.size = (50, 15);
    let following = draw_text(&app, 50, 15);
    assert!(
        following.contains("line 29 of a long answer"),
        "{following}"
    );
    assert!(following.contains("▲ more above (PgUp)"), "{following}");
    snapshot("transcript_following", &app);
    press(&mut app, key(KeyCode::Home, KeyModifiers::NONE));
    let top = draw_text(&app, 50, 15);
    assert!(
        top.contains("▼ more below (scrolled — End follows)"),
        "{top}"
    );
    assert!(!top.contains("▲"), "{top}");
    // A short transcript that fits says nothing.
    let mut app = super::app();
    chatting(&mut app);
    app.notice = None;
    assert!(!draw_text(&app, 160, 48).contains("more above"));
}

#[test]
fn the_inspector_says_what_of_the_exchange_and_the_list_is_cut_off() {
    let mut app = app();
    let id = chatting(&mut app);
    for n in 0..9 {
        let body = format!(
            "{{\"chat\":{{\"events\":{{\"event\":[{}]}}}}}}",
            (0..6)
                .map(|i| format!("{{\"@id\":\"{i}\",\"text\":\"event {i} of poll {n}\"}}"))
                .collect::<Vec<_>>()
                .join(",")
        );
        send(
            &mut app,
            [Msg::from(SessionOutcome::Exchange {
                id,
                exchange: crate::api::exchange::Exchange {
                    operation: crate::api::Operation::Session,
                    started: std::time::UNIX_EPOCH,
                    method: "GET".into(),
                    url: format!("http://127.0.0.1:8480/api/account/12345678/chat/H1/events?n={n}"),
                    request_headers: vec![("Accept".into(), "application/json".into())],
                    request_body: None,
                    status: Some(200),
                    response_headers: vec![("content-type".into(), "application/json".into())],
                    response_body: Some(body),
                    elapsed: Duration::from_millis(4),
                    error: None,
                },
            })],
        );
    }
    app.notice = None;
    send(&mut app, [Msg::from(SessionIntent::ToggleInspector)]);
    let text = draw_text(&app, 80, 24);
    assert!(text.contains("more rows below ({ })"), "{text}");
    snapshot("inspector", &app);
}

fn entries(count: usize) -> Vec<Entry> {
    (0..count)
        .map(|i| {
            let request = crate::api::ChatRequest {
                skill: "Sales".into(),
                ..crate::api::ChatRequest::default()
            };
            let mut session = SessionRecord::created(
                None,
                "12345678",
                &format!("http://127.0.0.1:8480/api/account/12345678/chat/H{i:04}"),
                Flow::Request,
                &request,
                None,
            );
            format!("2025-11-25T10:{:02}:00Z", i % 60).clone_into(&mut session.time);
            Entry {
                updated: session.time.clone(),
                session,
                agent: None,
            }
        })
        .collect()
}

#[test]
fn long_lists_in_overlays_say_how_many_are_off_screen() {
    let mut app = app();
    app.history = entries(30);
    app.overlay = Some(Overlay::History { selected: 0 });
    app.size = (50, 15);
    let text = draw_text(&app, 50, 15);
    assert!(text.contains("▼ 2"), "{text}");
    assert!(text.contains("more below (sessions"), "{text}");
    assert!(
        text.contains("Esc") && text.contains("close"),
        "the keys stay:\n{text}"
    );
    snapshot("history", &app);
    app.overlay = Some(Overlay::History { selected: 29 });
    let text = draw_text(&app, 50, 15);
    assert!(text.contains("more above (sessions"), "{text}");
    assert!(!text.contains("more below"), "{text}");

    let mut app = super::app();
    app.profiles = (0..20)
        .map(|i| (format!("profile-{i:02}"), crate::config::Profile::default()))
        .collect();
    app.overlay = Some(Overlay::Profiles { selected: 10 });
    let text = draw_text(&app, 50, 15);
    assert!(text.contains("profile-10"), "the chosen one shows:\n{text}");
    assert!(
        text.contains("more above") && text.contains("more below"),
        "{text}"
    );
    snapshot("profiles", &app);
}

#[test]
fn questions_and_dialogs_fit_a_small_screen_or_say_they_are_cut() {
    let mut draft = crate::tui::store::draft::Draft::of(&form(), Some("qa"));
    draft.request.skill = "Billing".into();
    draft.request.pre_chat_lines = vec!["typed before the crash".into()];
    let mut app = app();
    app.draft_offer = Some(Box::new(draft));
    app.overlay = Some(Overlay::RestoreDraft);
    for (width, height) in SIZES {
        let text = draw_text(&app, width, height);
        assert!(
            text.contains("restore it") && text.contains("discard it"),
            "{width}×{height}:\n{text}"
        );
    }
    snapshot("draft_offer", &app);

    let mut app = super::app();
    chatting(&mut app);
    send(&mut app, [Msg::from(AppIntent::Quit)]);
    let text = draw_text(&app, 50, 15);
    assert!(
        text.contains("end the chat, then quit") && text.contains("stay"),
        "{text}"
    );

    let mut app = super::app();
    app.size = (50, 15);
    send(&mut app, [Msg::from(AppIntent::Help)]);
    let text = draw_text(&app, 50, 15);
    assert!(text.contains("more row(s) below"), "{text}");
    snapshot("help", &app);
}

#[test]
fn the_check_list_says_how_many_cases_are_off_screen() {
    let mut app = valid_app();
    running_checks(&mut app, 12);
    app.size = (50, 15);
    let text = draw_text(&app, 50, 15);
    assert!(text.contains("more below (cases"), "{text}");
    snapshot("checks", &app);
}

fn running_checks(app: &mut App, cases: usize) -> u64 {
    send(
        app,
        [Msg::from(ChecksIntent::Open), Msg::from(AppIntent::Confirm)],
    );
    let text: String = (0..cases)
        .map(|i| format!("[[case]]\nname = \"case {i}\"\n"))
        .collect();
    let file = Arc::new(CheckFile::parse(&text).expect("parses"));
    let effects = send(
        app,
        [Msg::from(ChecksOutcome::FileLoaded {
            path: "checks.toml".into(),
            result: Ok(file),
        })],
    );
    let [Effect::RunChecks { id, .. }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert!(matches!(app.phase, Phase::Checks(_)));
    *id
}

#[test]
fn the_burst_and_the_chat_line_fit_a_small_screen() {
    let mut app = valid_app();
    burst(&mut app);
    snapshot("burst", &app);
    let mut app = super::app();
    chatting(&mut app);
    app.notice = None;
    send(&mut app, [Msg::from(SessionIntent::Compose)]);
    type_text(&mut app, "a line being written");
    snapshot("composer", &app);
}

#[test]
fn session_lines_wrap_on_a_narrow_screen_instead_of_running_off_it() {
    let mut app = app();
    let id = created(&mut app);
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
        ],
    );
    app.notice = None;
    let text = draw_text(&app, 50, 15);
    let words: Vec<&str> = text.split_whitespace().collect();
    for word in [
        "know",
        "more",
        "Gold",
        "plan.",
        "estimated",
        "wait:",
        "1",
        "min",
        "35",
        "s",
    ] {
        assert!(words.contains(&word), "`{word}` is cut:\n{text}");
    }
}
