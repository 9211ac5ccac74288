//! Every row of the spec's validation table (§4) that the client checks before sending, in the
//! console: a bad value is typed into its field, a submit is tried, and the problem must show on
//! the screen right under that field — and nothing is sent.
//!
//! Not here: V4 (`serviceQueue`/`agent`: the client sends neither) and V13 (`conversationId`
//! in auth mode: the engine checks it against the auth answer, after the form).

use crate::tui::msg::{FormIntent, FormOutcome};
use tui_input::InputRequest;

use super::*;
use crate::tui::form::Toggle;

/// A case: the table row, what to do to the form, the label of the field and what the
/// message under it says.
struct Case {
    row: &'static str,
    setup: fn(&mut App),
    label: &'static str,
    message: &'static str,
}

/// Types `value` into `field` as a user would (clearing it first).
fn type_into(app: &mut App, focus: Focus, value: &str) {
    app.form.focus = focus;
    send(app, [Msg::from(FormIntent::Edit(InputRequest::DeleteLine))]);
    for c in value.chars() {
        send(
            app,
            [Msg::from(FormIntent::Edit(InputRequest::InsertChar(c)))],
        );
    }
}

fn text(field: TextField, value: &'static str) -> impl Fn(&mut App) {
    move |app| type_into(app, Focus::Text(field), value)
}

/// The authenticated flow with every required field filled.
fn auth_on(app: &mut App) {
    app.form.focus = Focus::Toggle(Toggle::AuthFlow);
    send(app, [Msg::from(FormIntent::Choose)]);
    for (field, value) in [
        (TextField::SsoKey, SSO_KEY),
        (TextField::AuthChatConnId, "568046210"),
        (TextField::EngagementId, "1"),
        (TextField::LeVisitorId, "V"),
        (TextField::LeSessionId, "S"),
        (TextField::LeContextId, "2"),
    ] {
        type_into(app, Focus::Text(field), value);
    }
}

/// The survey loaded, its mandatory drop-down answered.
fn survey_answered(app: &mut App) {
    let generation = app.lookup_generation;
    send(
        app,
        [Msg::from(FormOutcome::SurveyLoaded {
            generation,
            result: Ok(Some(crate::tui::form::survey::tests::survey())),
        })],
    );
    app.form.focus = Focus::Survey("1".into());
    send(app, [Msg::from(FormIntent::Choose)]);
}

const CASES: &[Case] = &[
    Case {
        row: "V1 account digits",
        setup: |app| text(TextField::Account, "12ab")(app),
        label: "Account",
        message: "not an account id",
    },
    Case {
        row: "V2 appKey without whitespace",
        setup: |app| text(TextField::AppKey, "abc def")(app),
        label: "appKey",
        message: "whitespace inside",
    },
    Case {
        row: "V3 maxWaitTime 0..86400",
        setup: |app| text(TextField::MaxWaitTime, "86401")(app),
        label: "Max wait (s)",
        message: "between 0 and 86400",
    },
    Case {
        row: "V5 visitorId digits",
        setup: |app| text(TextField::VisitorId, "v-42")(app),
        label: "Visitor id",
        message: "not a valid visitor id",
    },
    Case {
        row: "V6 visitorIp an IP address",
        setup: |app| text(TextField::VisitorIp, "300.1.1.1")(app),
        label: "Visitor IP",
        message: "not an IPv4 or IPv6",
    },
    Case {
        row: "V7 interactionTimeout positive",
        setup: |app| text(TextField::InteractionTimeout, "0")(app),
        label: "Idle timeout (s)",
        message: "not a positive whole number",
    },
    Case {
        row: "V8 engagementId digits",
        setup: |app| text(TextField::EngagementId, "e1")(app),
        label: "Engagement id",
        message: "not a valid engagement id",
    },
    Case {
        row: "V8 campaignId digits",
        setup: |app| text(TextField::CampaignId, "c1")(app),
        label: "Campaign id",
        message: "not a valid campaign id",
    },
    Case {
        row: "V8 authChatConnId digits",
        setup: |app| {
            auth_on(app);
            text(TextField::AuthChatConnId, "conn")(app);
        },
        label: "authChatConnId",
        message: "not a valid authChatConnId",
    },
    Case {
        row: "V9 LETagContextId digits",
        setup: |app| text(TextField::LeContextId, "ctx")(app),
        label: "LETag context",
        message: "not a valid LETagContextId",
    },
    Case {
        row: "V9 LETagVisitorId required (auth)",
        setup: |app| {
            auth_on(app);
            text(TextField::LeVisitorId, "")(app);
        },
        label: "LETag visitor",
        message: "required",
    },
    Case {
        row: "V10 language tag",
        setup: |app| text(TextField::Language, "english!")(app),
        label: "Language",
        message: "not a language tag",
    },
    Case {
        row: "V11 pre-chat lines non-empty",
        setup: |app| {
            send(app, [Msg::from(FormIntent::AddPreChatLine)]);
        },
        label: "Line 2",
        message: "cannot be empty",
    },
    Case {
        row: "V12 SSO key required",
        setup: |app| {
            auth_on(app);
            text(TextField::SsoKey, "")(app);
        },
        label: "SSO key",
        message: "required",
    },
    Case {
        row: "V12 redirectUri absolute",
        setup: |app| {
            auth_on(app);
            text(TextField::RedirectUri, "/callback")(app);
        },
        label: "Redirect URI",
        message: "not an absolute http(s) URL",
    },
    Case {
        row: "control character (ESC) in the skill",
        setup: |app| text(TextField::Skill, "Sa\u{1b}les")(app),
        label: "Skill",
        message: "contains ESC",
    },
    Case {
        row: "control character (BEL) in the user agent",
        setup: |app| text(TextField::UserAgent, "curl\u{7}")(app),
        label: "User agent",
        message: "contains BEL",
    },
    Case {
        row: "line break in the referrer",
        setup: |app| text(TextField::ChatReferrer, "https://a.example/\nb")(app),
        label: "Referrer",
        message: "contains a line break",
    },
    Case {
        row: "control character in the SSO key",
        setup: |app| {
            auth_on(app);
            text(TextField::SsoKey, "k12197\u{1b}")(app);
        },
        label: "SSO key",
        message: "contains ESC",
    },
    Case {
        row: "V14 mandatory question answered",
        setup: |app| {
            let generation = app.lookup_generation;
            send(
                app,
                [Msg::from(FormOutcome::SurveyLoaded {
                    generation,
                    result: Ok(Some(crate::tui::form::survey::tests::survey())),
                })],
            );
        },
        label: "Which team?",
        message: "must be answered",
    },
    Case {
        row: "V14 mandatory text answered",
        setup: |app| {
            survey_answered(app);
            type_into(app, Focus::Survey("3".into()), "");
        },
        label: "Your name?",
        message: "must be answered",
    },
    Case {
        row: "V14 e-mail question",
        setup: |app| {
            survey_answered(app);
            type_into(app, Focus::Survey("5".into()), "not-an-address");
        },
        label: "E-mail",
        message: "not an e-mail address",
    },
];

#[test]
fn every_validation_row_shows_its_error_under_its_field_and_sends_nothing() {
    for case in CASES {
        let mut app = app();
        (case.setup)(&mut app);
        let effects = send(&mut app, [Msg::from(FormIntent::Submit)]);
        assert!(
            !effects
                .iter()
                .any(|e| matches!(e, Effect::StartSession { .. })),
            "{}: sent anyway",
            case.row
        );
        let errors: Vec<_> = app.errors.0.iter().map(|e| &e.message).collect();
        assert_eq!(
            errors.len(),
            1,
            "{}: one problem only: {errors:?}",
            case.row
        );
        // The submit moved the focus to the field, so it is on screen even at 80×24.
        for (width, height) in [(80, 24), (160, 48)] {
            let screen = super::snapshots::draw_text(&app, width, height);
            let lines: Vec<&str> = screen.lines().collect();
            let at = lines
                .iter()
                .position(|l| l.contains(&format!("▸ {}", case.label)))
                .unwrap_or_else(|| panic!("{}: `{}` not focused:\n{screen}", case.row, case.label));
            // Right under the field, in its column: the next line, or after a choice
            // question's entries.
            let column = lines[at].chars().position(|c| c == '▸').expect("marker");
            let two_columns = width >= 120 && column < usize::from(width) / 2;
            let column_width = if two_columns {
                usize::from(width) / 2
            } else {
                usize::from(width)
            };
            let under: String = lines[at + 1..(at + 3).min(lines.len())]
                .iter()
                .map(|l| {
                    l.chars()
                        .skip(column)
                        .take(column_width)
                        .collect::<String>()
                })
                .collect::<Vec<_>>()
                .join("\n");
            assert!(
                under.contains("✗") && under.contains(case.message),
                "{} at {width}×{height}: no error under `{}`:\n{screen}",
                case.row,
                case.label
            );
        }
    }
}
