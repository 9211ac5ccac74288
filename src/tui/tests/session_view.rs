//! The session view's scrolling: the transcript (clamped to what the layout shows, anchored from
//! the top while scrolled back, back to the newest on send) and the inspector's detail.

use crate::tui::msg::{SessionIntent, SessionOutcome};
use std::time::Duration;

use crossterm::event::{KeyCode, KeyModifiers};

use super::*;
use crate::api::exchange::Exchange;

const NONE: KeyModifiers = KeyModifiers::NONE;

fn screen(app: &App) -> String {
    super::snapshots::draw_text(app, app.size.0, app.size.1)
}

/// A chatting session at 80×24 with `count` more agent lines than fit on the screen.
fn long_chat(count: u64) -> (App, u64) {
    let mut app = app();
    app.size = (80, 24);
    let id = chatting(&mut app);
    app.notice = None;
    let lines = (0..count)
        .map(|n| {
            line_event(
                100 + n,
                "2025-11-25T10:13:00.000+0000",
                "agent",
                "Natalie",
                &format!("line number {n}"),
            )
        })
        .collect();
    send(
        &mut app,
        [Msg::from(SessionOutcome::Update {
            id,
            update: batch(lines),
        })],
    );
    (app, id)
}

fn top(app: &App) -> Option<usize> {
    app.session().and_then(|v| v.transcript_top)
}

#[test]
fn after_home_down_and_page_down_move_at_once_and_end_follows_again() {
    let (mut app, _) = long_chat(40);
    press(&mut app, key(KeyCode::Home, NONE));
    assert_eq!(top(&app), Some(0));
    assert!(screen(&app).contains("10:12:00 · state: waiting"));
    press(&mut app, key(KeyCode::Down, NONE));
    assert_eq!(top(&app), Some(1), "one row down, not from u16::MAX");
    press(&mut app, key(KeyCode::PageDown, NONE));
    let after_page = top(&app).expect("still scrolled");
    assert!(after_page > 1, "{after_page}");
    // Up past the top stops at the top; down past the bottom follows the newest.
    for _ in 0..100 {
        press(&mut app, key(KeyCode::Up, NONE));
    }
    assert_eq!(top(&app), Some(0));
    for _ in 0..10 {
        press(&mut app, key(KeyCode::PageDown, NONE));
    }
    assert_eq!(top(&app), None, "follows the newest again");
    assert!(screen(&app).contains("line number 39"));
    press(&mut app, key(KeyCode::PageUp, NONE));
    assert!(top(&app).is_some());
    press(&mut app, key(KeyCode::End, NONE));
    assert_eq!(top(&app), None);
}

#[test]
fn a_transcript_that_fits_does_not_scroll() {
    let mut app = app();
    app.size = (160, 48);
    chatting(&mut app);
    press(&mut app, key(KeyCode::Home, NONE));
    press(&mut app, key(KeyCode::PageUp, NONE));
    assert_eq!(top(&app), None);
}

#[test]
fn lines_arriving_while_scrolled_back_do_not_move_the_view_and_sending_jumps_to_the_newest() {
    let (mut app, id) = long_chat(40);
    press(&mut app, key(KeyCode::PageUp, NONE));
    press(&mut app, key(KeyCode::PageUp, NONE));
    let before = screen(&app);
    let at = top(&app);
    send(
        &mut app,
        [Msg::from(SessionOutcome::Update {
            id,
            update: batch(vec![line_event(
                500,
                "2025-11-25T10:14:00.000+0000",
                "agent",
                "Natalie",
                "a new line while you read",
            )]),
        })],
    );
    assert_eq!(top(&app), at);
    let after = screen(&app);
    let transcript = |text: &str| text.lines().skip(4).take(15).collect::<Vec<_>>().join("\n");
    assert_eq!(transcript(&before), transcript(&after), "the view drifted");
    press(&mut app, key(KeyCode::Char('i'), NONE));
    type_text(&mut app, "hello");
    let effects = press(&mut app, key(KeyCode::Enter, NONE));
    assert!(effects.iter().any(|e| matches!(e, Effect::SendLine { .. })));
    assert_eq!(top(&app), None, "back to the newest");
}

fn exchange(status: u16, body: &str) -> Exchange {
    Exchange {
        operation: crate::api::Operation::Session,
        started: std::time::UNIX_EPOCH,
        method: "GET".into(),
        url: "http://127.0.0.1:8480/api/account/12345678/chat/H1234567890-abcdef/events?v=1&NC=true&appKey=%E2%80%A2%E2%80%A2%E2%80%A2%E2%80%A2".into(),
        request_headers: vec![
            ("Accept".into(), "application/json".into()),
            ("User-Agent".into(), "chatstart/0.1".into()),
        ],
        request_body: None,
        status: Some(status),
        response_headers: vec![
            ("content-type".into(), "application/json".into()),
            ("content-length".into(), "512".into()),
        ],
        response_body: Some(body.into()),
        elapsed: Duration::from_millis(4),
        error: None,
    }
}

/// A JSON body of many events, one line as the service sends it.
fn long_body() -> String {
    let events: Vec<String> = (0..12)
        .map(|n| format!(r#"{{"@id":"{n}","@type":"line","text":"event number {n}"}}"#))
        .collect();
    format!(r#"{{"events":{{"event":[{}]}}}}"#, events.join(","))
}

fn inspecting(size: (u16, u16)) -> App {
    let mut app = app();
    app.size = size;
    let id = chatting(&mut app);
    app.notice = None;
    for status in [201, 200] {
        send(
            &mut app,
            [Msg::from(SessionOutcome::Exchange {
                id,
                exchange: exchange(status, &long_body()),
            })],
        );
    }
    app
}

fn inspecting_a_post(size: (u16, u16)) -> App {
    let mut app = inspecting(size);
    let id = app.last_id;
    let mut post = exchange(201, "");
    post.method = "POST".into();
    post.request_body =
        Some(r#"{"request":{"skill":"Sales","preChatLines":{"line":["hi"]}}}"#.into());
    post.response_body = Some(long_body());
    send(
        &mut app,
        [Msg::from(SessionOutcome::Exchange { id, exchange: post })],
    );
    send(&mut app, [Msg::from(SessionIntent::ToggleInspector)]);
    app
}

fn open_inspector(mut app: App) -> App {
    send(&mut app, [Msg::from(SessionIntent::ToggleInspector)]);
    app
}

#[test]
fn the_inspector_shows_the_status_first_and_its_detail_scrolls_to_the_end_of_the_body() {
    let mut app = open_inspector(inspecting((80, 24)));
    let text = screen(&app);
    assert!(
        text.contains("→ 200 · 4 ms · http://127.0.0.1:8480"),
        "{text}"
    );
    assert!(text.contains("appKey=••••"), "the mask unencoded: {text}");
    assert!(!text.contains("%E2%80%A2"), "{text}");
    assert!(
        text.contains("GET  200"),
        "the summary keeps the status: {text}"
    );
    assert!(!text.contains("event number 11"), "{text}");
    // `}` scrolls the detail down, clamped at the body's end; `{` back up.
    for _ in 0..50 {
        press(&mut app, key(KeyCode::Char('}'), NONE));
    }
    let text = screen(&app);
    assert!(
        text.contains("\"text\": \"event number 11\""),
        "pretty JSON, whole: {text}"
    );
    let max = app.session().map(|v| v.inspector_scroll).expect("view");
    press(&mut app, key(KeyCode::Char('}'), NONE));
    assert_eq!(
        app.session().map(|v| v.inspector_scroll),
        Some(max),
        "clamped"
    );
    press(&mut app, key(KeyCode::Char('{'), NONE));
    assert!(app.session().map(|v| v.inspector_scroll) < Some(max));
    // Tab gives the arrow keys to the inspector; the transcript stays where it was.
    press(&mut app, key(KeyCode::Tab, NONE));
    press(&mut app, key(KeyCode::Home, NONE));
    assert_eq!(app.session().map(|v| v.inspector_scroll), Some(0));
    press(&mut app, key(KeyCode::Down, NONE));
    assert_eq!(app.session().map(|v| v.inspector_scroll), Some(1));
    assert_eq!(top(&app), None);
    press(&mut app, key(KeyCode::Tab, NONE));
    assert!(!app.session().is_some_and(|v| v.inspector_focus));
    // Another exchange starts at its top.
    press(&mut app, key(KeyCode::Char('['), NONE));
    assert_eq!(app.session().map(|v| v.inspector_scroll), Some(0));
}

#[test]
fn the_inspector_puts_request_and_response_side_by_side_on_a_wide_screen() {
    let app = inspecting_a_post((200, 60));
    let text = screen(&app);
    let row = text
        .lines()
        .find(|l| l.contains("── request ──"))
        .expect("request side");
    assert!(row.contains("── response ──"), "{text}");
    assert!(text.contains("\"skill\": \"Sales\""), "{text}");
    assert!(text.contains("\"text\": \"event number 0\""), "{text}");
    // A GET has no body to show beside the answer: one column, the whole width.
    let app = open_inspector(inspecting((200, 60)));
    let text = screen(&app);
    let row = text
        .lines()
        .find(|l| l.contains("── request ──"))
        .expect("request side");
    assert!(!row.contains("── response ──"), "{text}");
}

#[test]
fn the_transcript_says_whose_clock_its_times_are() {
    let (mut app, id) = long_chat(1);
    assert!(
        screen(&app).contains("Transcript · server time UTC "),
        "{}",
        screen(&app)
    );
    send(
        &mut app,
        [Msg::from(SessionOutcome::Update {
            id,
            update: batch(vec![line_event(
                900,
                "2025-11-25T05:14:00.000-05:00",
                "agent",
                "Natalie",
                "from a server five hours behind",
            )]),
        })],
    );
    let text = screen(&app);
    assert!(text.contains("server time UTC-05:00"), "{text}");
    assert!(
        text.contains("05:14:00 Natalie"),
        "the server's time of day:\n{text}"
    );
}

#[test]
fn an_agents_paragraphs_and_breaks_stay_on_their_own_rows() {
    let (mut app, id) = long_chat(0);
    send(
        &mut app,
        [Msg::from(SessionOutcome::Update {
            id,
            update: batch(vec![line_event(
                900,
                "2025-11-25T10:14:00.000+0000",
                "agent",
                "Natalie",
                "<p>first paragraph</p><p>second paragraph</p>a line<br>after a break",
            )]),
        })],
    );
    let text = screen(&app);
    let rows: Vec<&str> = text.lines().map(str::trim).collect();
    assert!(
        rows.iter()
            .any(|r| r.ends_with("Natalie › first paragraph")),
        "{text}"
    );
    for part in ["second paragraph", "a line", "after a break"] {
        assert!(rows.contains(&part), "`{part}` on its own row:\n{text}");
    }
}

#[test]
fn a_skill_the_service_does_not_know_is_said_in_the_session_view() {
    let info = |skill_id: &str| {
        crate::api::model::Info::from_document(&serde_json::json!(
            {"info": {"state": "waiting", "skillName": "Sales", "skillId": skill_id}}
        ))
        .map(Box::new)
        .ok()
    };
    let mut app = app();
    app.size = (100, 30);
    let id = created(&mut app);
    let known = SessionUpdate::Batch {
        events: Vec::new(),
        info: info("25975313"),
    };
    send(
        &mut app,
        [Msg::from(SessionOutcome::Update { id, update: known })],
    );
    assert!(!screen(&app).contains("not recognised"), "{}", screen(&app));
    let unknown = SessionUpdate::Batch {
        events: Vec::new(),
        info: info("0"),
    };
    send(
        &mut app,
        [Msg::from(SessionOutcome::Update {
            id,
            update: unknown,
        })],
    );
    let text = screen(&app);
    assert!(
        text.contains("skill `Sales` not recognised by the service") && text.contains("spelling"),
        "{text}"
    );
}
