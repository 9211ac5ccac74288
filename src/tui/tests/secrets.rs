//! Secrets on screen: a fixed-width mask at rest and while typed (the screen never tells a
//! key's length), and the SSO key's inspection under its field.

use crate::tui::msg::FormIntent;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::*;
use crate::tui::form::Toggle;

fn jwt(claims: &serde_json::Value) -> String {
    let part = |v: &serde_json::Value| URL_SAFE_NO_PAD.encode(v.to_string());
    format!(
        "{}.{}.c2lnbmF0dXJl",
        part(&json!({"alg": "RS256", "typ": "JWT"})),
        part(claims)
    )
}

#[test]
fn a_secret_at_rest_is_masked_at_a_fixed_width_whatever_its_length() {
    let screens: Vec<String> = ["k", "a-much-longer-application-key-0123456789"]
        .into_iter()
        .map(|key| {
            let mut app = app();
            app.form.set_text(TextField::AppKey, key);
            super::snapshots::draw_text(&app, 160, 48)
        })
        .collect();
    assert_eq!(screens[0], screens[1], "the screen tells the key's length");
    let line = screens[0]
        .lines()
        .find(|l| l.contains("appKey  "))
        .expect("the appKey row");
    assert_eq!(line.matches('•').count(), 8, "{line}");

    // While typed too: the same mask whatever the length; the cursor at its end.
    let typed: Vec<(String, Option<ratatui::layout::Position>)> = ["abc", "abcdefghijklmnop"]
        .into_iter()
        .map(|key| {
            let mut app = app();
            app.form.focus = Focus::Text(TextField::AppKey);
            app.form.set_text(TextField::AppKey, key);
            let mut terminal =
                ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 48)).expect("tty");
            let frame = terminal
                .draw(|frame| {
                    crate::tui::view::render(&app, frame);
                })
                .expect("draw");
            let text = crate::tui::buffer_text(frame.buffer);
            let cursor = terminal.get_cursor_position().ok();
            (text, cursor)
        })
        .collect();
    assert_eq!(typed[0], typed[1], "typing tells the key's length");
    assert!(
        typed[0].0.contains("▸ appKey           •••••••• "),
        "{}",
        typed[0].0
    );
    assert_eq!(
        typed[0].1.map(|p| p.x),
        Some(19 + 8),
        "the cursor after the mask"
    );
}

#[test]
fn the_auth_form_shows_the_sso_keys_inspection_under_its_field() {
    let mut app = app();
    app.form.focus = Focus::Toggle(Toggle::AuthFlow);
    send(&mut app, [Msg::from(FormIntent::Choose)]);
    app.wall_clock = std::time::UNIX_EPOCH + std::time::Duration::from_secs(2_000_000_000);
    let expired = jwt(&json!({"iss": "https://idp.example", "sub": "visitor-17",
                              "aud": "liveperson", "exp": 1_999_999_000}));
    app.form.set_text(TextField::SsoKey, expired.clone());
    let text = super::snapshots::draw_text(&app, 160, 48);
    assert!(!text.contains(&expired), "the key itself is never shown");
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("SSO key"))
        .expect("the SSO key field");
    let under = lines[at + 1..at + 6].join("\n");
    assert!(under.contains("✗ expired 16 min ago"), "{text}");
    assert!(!text.contains("EXPIRED"), "not shouted: {text}");
    assert!(
        under.contains("https://idp.example") && under.contains("visitor-17"),
        "{text}"
    );
    assert!(under.contains("liveperson"), "{text}");

    // A key cut short in copy-and-paste is called out.
    app.form.set_text(TextField::SsoKey, "eyJhbGciOi.broken");
    let text = super::snapshots::draw_text(&app, 160, 48);
    assert!(text.contains("✗ not a well-formed JWT"), "{text}");
}
