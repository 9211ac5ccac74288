//! What the console shows about the connection — the title, the availability and the survey —
//! follows the fields it comes from, however they change: typing, F5, a restored draft, a
//! profile, a re-run from the history.

use crate::tui::msg::{FormOutcome, StoreIntent};
use crossterm::event::{KeyCode, KeyModifiers};

use super::snapshots::{draw_text, with_survey};
use super::*;
use crate::tui::app::Lookup;
use crate::tui::form::survey::SurveyStatus;
use crate::tui::setup::{self, Start};
use crate::tui::store::draft::Draft;

const NONE: KeyModifiers = KeyModifiers::NONE;

fn title(app: &App) -> String {
    draw_text(app, 160, 48)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

fn retype(app: &mut App, field: TextField, text: &str) -> Vec<Effect> {
    app.form.focus = Focus::Text(field);
    let mut effects = press(app, key(KeyCode::Char('u'), KeyModifiers::CONTROL));
    effects.extend(type_text(app, text));
    effects
}

#[test]
fn the_title_shows_the_url_typed_now_not_the_one_the_console_started_with() {
    let mut app = app();
    assert!(title(&app).contains("DEMO · emulator on 127.0.0.1:8480"));
    retype(&mut app, TextField::Api, "http://127.0.0.1:9999");
    press(&mut app, key(KeyCode::F(5), NONE));
    let shown = title(&app);
    assert!(
        shown.contains("account 12345678 at http://127.0.0.1:9999"),
        "{shown}"
    );
    assert!(!shown.contains("8480"), "{shown}");
    // Back to where it started: the start's own words again.
    retype(&mut app, TextField::Api, "http://127.0.0.1:8480");
    assert!(title(&app).contains("DEMO · emulator on 127.0.0.1:8480"));
}

#[test]
fn a_restored_draft_with_an_api_no_longer_reads_as_discovered() {
    let mut discovering = form();
    discovering.set_text(TextField::Api, "");
    let mut app = App::new(discovering.clone(), "account 12345678 (discovered)", t0());
    assert!(title(&app).contains("account 12345678 (discovered)"));
    let mut draft = Draft::of(&discovering, None);
    draft.api = "https://va.example.net".into();
    draft.request.skill = "Billing".into();
    setup::apply(&mut app, &Start::default(), Some(draft));
    press(&mut app, key(KeyCode::Char('r'), NONE));
    let shown = title(&app);
    assert!(
        shown.contains("account 12345678 at https://va.example.net"),
        "{shown}"
    );
    assert!(!shown.contains("discovered"), "{shown}");
}

#[test]
fn a_survey_read_through_another_connection_goes_when_the_connection_is_incomplete() {
    let mut app = app();
    with_survey(&mut app);
    assert!(draw_text(&app, 160, 48).contains("Pre-chat survey"));
    let effects = retype(&mut app, TextField::Account, "");
    let Some(Effect::Debounce { generation, .. }) = effects
        .iter()
        .rev()
        .find(|e| matches!(e, Effect::Debounce { .. }))
    else {
        panic!("{effects:?}");
    };
    let generation = *generation;
    // The survey of account 12345678 arrives late: not this form's any more.
    send(&mut app, [Msg::from(FormOutcome::LookupDue(generation))]);
    send(
        &mut app,
        [Msg::from(FormOutcome::SurveyLoaded {
            generation,
            result: Ok(Some(crate::tui::form::survey::tests::survey())),
        })],
    );
    assert_eq!(app.form.survey.status, SurveyStatus::NotLoaded);
    assert!(app.form.survey.survey.is_none());
    assert_eq!(app.lookup, Lookup::Idle);
    let text = draw_text(&app, 160, 48);
    assert!(!text.contains("survey: 4"), "{text}");
    assert!(!text.contains("Pre-chat survey"), "{text}");
    assert!(text.contains("complete the connection"), "{text}");
    // Complete again: asked again, and the answers given before are still there for it.
    let effects = retype(&mut app, TextField::Account, "12345678");
    let generation = effects
        .iter()
        .rev()
        .find_map(|e| match e {
            Effect::Debounce { generation, .. } => Some(*generation),
            _ => None,
        })
        .expect("debounce");
    let effects = send(&mut app, [Msg::from(FormOutcome::LookupDue(generation))]);
    assert!(
        effects.iter().any(|e| matches!(e, Effect::Lookup { .. })),
        "{effects:?}"
    );
    assert_eq!(app.form.survey.status, SurveyStatus::Loading);
}

#[test]
fn a_history_re_run_and_a_profile_ask_the_service_again() {
    let mut app = app();
    with_survey(&mut app);
    let entry = {
        let request = crate::api::ChatRequest {
            skill: "Billing".into(),
            ..crate::api::ChatRequest::default()
        };
        let session = crate::history::SessionRecord::created(
            None,
            "12345678",
            URI,
            crate::history::Flow::Request,
            &request,
            None,
        );
        crate::history::Entry {
            updated: session.time.clone(),
            session,
            agent: None,
        }
    };
    app.history = vec![entry];
    app.overlay = Some(crate::tui::app::Overlay::History { selected: 0 });
    let effects = send(&mut app, [Msg::from(StoreIntent::RerunEntry)]);
    assert!(
        effects.iter().any(|e| matches!(e, Effect::Lookup { .. })),
        "{effects:?}"
    );
    assert_eq!(app.lookup, Lookup::Pending);
    let text = draw_text(&app, 160, 48);
    assert!(text.contains("checking availability"), "{text}");
    assert!(
        !text.contains("● available"),
        "the old answer is gone:\n{text}"
    );
}
