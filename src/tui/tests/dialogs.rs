//! Unit tests of what lasts between runs: drafts, secret prompts, profiles, history — as a user
//! would drive them, checking the effects `update` asks for.

use crate::tui::msg::{
    AppIntent, FormIntent, FormOutcome, SessionIntent, SessionOutcome, StoreOutcome,
    TerminalOutcome,
};
use crossterm::event::{KeyCode, KeyModifiers};

use super::*;
use crate::api::ChatRequest;
use crate::config::{Config, ConfigError, ConfigFile, Profile};
use crate::history::{Entry, Flow, SessionRecord};
use crate::tui::app::{Level, Overlay, Phase};
use crate::tui::setup::{self, Start};
use crate::tui::store::draft::Draft;

const NONE: KeyModifiers = KeyModifiers::NONE;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;

fn drafts(effects: &[Effect]) -> Vec<Draft> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::SaveDraft(draft) => Some((**draft).clone()),
            _ => None,
        })
        .collect()
}

fn profile(skill: &str) -> Profile {
    Profile {
        base_url: Some("http://127.0.0.1:8480".into()),
        account: Some("12345678".into()),
        app_key_env: Some("QA_APP_KEY".into()),
        request: ChatRequest {
            skill: skill.into(),
            ..ChatRequest::default()
        },
        ..Profile::default()
    }
}

pub(super) fn entry(uri: &str, skill: &str, line: &str) -> Entry {
    let request = ChatRequest {
        skill: skill.into(),
        pre_chat_lines: vec![line.into()],
        ..ChatRequest::default()
    };
    let mut session =
        SessionRecord::created(Some("qa"), "12345678", uri, Flow::Request, &request, None);
    "2025-11-25T10:00:00Z".clone_into(&mut session.time);
    Entry {
        updated: session.time.clone(),
        session,
        agent: None,
    }
}

fn timers(effects: &[Effect]) -> usize {
    effects
        .iter()
        .filter(|e| matches!(e, Effect::DraftLater { .. }))
        .count()
}

#[test]
fn a_changed_form_is_written_once_typing_pauses_never_per_key_and_without_secrets() {
    let mut app = app();
    app.form.set_text(TextField::SsoKey, SSO_KEY);
    app.saved_draft = Some(Box::new(Draft::of(&app.form, None)));
    let effects = send(&mut app, [Msg::from(TerminalOutcome::Tick)]);
    assert!(
        drafts(&effects).is_empty() && timers(&effects) == 0,
        "no change, no write"
    );
    let effects = type_text(&mut app, "XYZ");
    assert!(drafts(&effects).is_empty(), "no write per key: {effects:?}");
    assert_eq!(timers(&effects), 1, "one timer for the pause: {effects:?}");
    let effects = send(&mut app, [Msg::from(StoreOutcome::DraftDue)]);
    let written = drafts(&effects);
    assert_eq!(written.len(), 1, "{effects:?}");
    assert_eq!(written[0].request.skill, "SalesXYZ");
    let json = serde_json::to_string(&written[0]).expect("json");
    assert!(!json.contains(APP_KEY) && !json.contains(SSO_KEY), "{json}");
    assert!(
        send(&mut app, [Msg::from(StoreOutcome::DraftDue)]).is_empty(),
        "nothing new, nothing written"
    );
    // Moving the focus changes nothing worth writing.
    let effects = press(&mut app, key(KeyCode::Tab, NONE));
    assert!(drafts(&effects).is_empty() && timers(&effects) == 0);
    // The next change starts the next timer.
    press(&mut app, key(KeyCode::BackTab, NONE));
    assert_eq!(timers(&type_text(&mut app, "!")), 1);
}

#[test]
fn quitting_and_ctrl_z_write_a_pending_draft_at_once() {
    for (last, expected) in [
        (Msg::from(AppIntent::Quit), Effect::Quit),
        (Msg::from(AppIntent::QuitNow), Effect::Quit),
        (Msg::from(AppIntent::Suspend), Effect::Suspend),
    ] {
        let mut app = app();
        type_text(&mut app, "X");
        let effects = send(&mut app, [last.clone()]);
        let written = drafts(&effects);
        assert_eq!(written.len(), 1, "{last:?}: {effects:?}");
        assert_eq!(written[0].request.skill, "SalesX");
        assert!(effects.contains(&expected), "{last:?}: {effects:?}");
        // The timer that was running finds nothing left to write.
        assert!(drafts(&send(&mut app, [Msg::from(StoreOutcome::DraftDue)])).is_empty());
    }
}

#[test]
fn a_sent_form_is_no_draft_and_a_change_after_it_is_one_again() {
    let mut app = app();
    type_text(&mut app, "X");
    assert_eq!(
        drafts(&send(&mut app, [Msg::from(StoreOutcome::DraftDue)])).len(),
        1
    );
    send(&mut app, [Msg::from(FormIntent::Submit)]);
    let id = app.last_id;
    let effects = send(
        &mut app,
        [Msg::from(SessionOutcome::Created {
            id,
            uri: URI.into(),
            journal: None,
        })],
    );
    assert!(
        effects.contains(&Effect::ClearDraft),
        "the chat is in the history now: {effects:?}"
    );
    assert!(
        send(&mut app, [Msg::from(AppIntent::Quit)])
            .iter()
            .all(|e| !matches!(e, Effect::SaveDraft(_))),
        "quitting does not write the sent form back"
    );
    let mut app = super::app();
    type_text(&mut app, "X");
    send(
        &mut app,
        [
            Msg::from(StoreOutcome::DraftDue),
            Msg::from(FormIntent::Submit),
        ],
    );
    let id = app.last_id;
    send(
        &mut app,
        [Msg::from(SessionOutcome::Created {
            id,
            uri: URI.into(),
            journal: None,
        })],
    );
    send(&mut app, [Msg::from(SessionIntent::NewRequest)]);
    let effects = type_text(&mut app, "Y");
    assert_eq!(timers(&effects), 1, "changed after sending: a draft again");
    let written = drafts(&send(&mut app, [Msg::from(StoreOutcome::DraftDue)]));
    assert_eq!(written[0].request.skill, "SalesXY");
}

#[test]
fn a_different_draft_is_offered_and_r_restores_it_while_d_discards_it() {
    let mut draft = Draft::of(&form(), None);
    draft.request.skill = "Billing".into();
    draft.request.pre_chat_lines = vec!["typed before the crash".into()];
    for (answer, skill) in [('r', "Billing"), ('d', "Sales")] {
        let mut app = app();
        setup::apply(&mut app, &Start::default(), Some(draft.clone()));
        assert_eq!(app.overlay, Some(Overlay::RestoreDraft));
        // Nothing is written while the question is open: the draft on disk must survive.
        let effects = type_text(&mut app, "zz");
        assert!(drafts(&effects).is_empty(), "{effects:?}");
        assert_eq!(
            app.form.text(TextField::Skill),
            "Sales",
            "keys go to the question"
        );
        press(&mut app, key(KeyCode::Esc, NONE));
        assert_eq!(
            app.overlay,
            Some(Overlay::RestoreDraft),
            "Esc throws nothing away"
        );
        let effects = press(&mut app, key(KeyCode::Char(answer), NONE));
        assert_eq!(app.overlay, None);
        assert_eq!(app.form.text(TextField::Skill), skill);
        assert_eq!(
            app.form.text(TextField::AppKey),
            APP_KEY,
            "the secret stays"
        );
        let written = drafts(&effects);
        assert_eq!(
            written.len(),
            1,
            "the answer is written at once: {effects:?}"
        );
        assert_eq!(written[0].request.skill, skill);
    }
}

#[test]
fn the_same_draft_is_not_offered_and_the_demo_keeps_its_own_connection() {
    let mut app = app();
    setup::apply(&mut app, &Start::default(), Some(Draft::of(&form(), None)));
    assert_eq!(app.overlay, None);

    let mut draft = Draft::of(&form(), None);
    draft.api = "http://127.0.0.1:1".into();
    let mut app = super::app();
    app.demo = true;
    setup::apply(&mut app, &Start::default(), Some(draft.clone()));
    assert_eq!(app.overlay, None, "only the emulator's port differs");
    draft.request.skill = "Billing".into();
    setup::apply(&mut app, &Start::default(), Some(draft));
    press(&mut app, key(KeyCode::Char('r'), NONE));
    assert_eq!(app.form.text(TextField::Skill), "Billing");
    assert_eq!(app.form.text(TextField::Api), "http://127.0.0.1:8480");
}

#[test]
fn a_prompted_secret_is_asked_masked_before_the_draft_offer() {
    let mut app = App::new(Form::default(), "x", t0());
    let mut draft = Draft::of(&form(), None);
    draft.request.skill = "Billing".into();
    let start = Start {
        prompts: vec![TextField::AppKey],
        profile: Some(("qa".into(), profile("Sales"))),
        ..Start::default()
    };
    setup::apply(&mut app, &start, Some(draft));
    assert_eq!(app.overlay, Some(Overlay::SecretPrompt(TextField::AppKey)));
    type_text(&mut app, "q?key");
    assert_eq!(
        app.form.text(TextField::AppKey),
        "",
        "not in the form before Enter"
    );
    assert!(!app.quitting, "q types, it does not quit");
    let screen = super::snapshots::draw_text(&app, 80, 24);
    assert!(
        screen.contains("•••••") && !screen.contains("q?key"),
        "{screen}"
    );
    let effects = press(&mut app, key(KeyCode::Enter, NONE));
    assert_eq!(app.form.text(TextField::AppKey), "q?key");
    assert_eq!(app.overlay, Some(Overlay::RestoreDraft), "then the draft");
    assert!(drafts(&effects).is_empty());
}

#[test]
fn the_picker_loads_the_chosen_profile_into_the_form() {
    let mut app = app();
    app.profiles = vec![("a".into(), profile("A")), ("b".into(), profile("B"))];
    press(&mut app, key(KeyCode::Char('p'), CTRL));
    assert_eq!(app.overlay, Some(Overlay::Profiles { selected: 0 }));
    press(&mut app, key(KeyCode::Down, NONE));
    press(&mut app, key(KeyCode::Down, NONE));
    let effects = press(&mut app, key(KeyCode::Enter, NONE));
    assert_eq!(
        effects,
        vec![Effect::LoadProfile { name: "b".into() }],
        "the highlight stops at the last"
    );
    let mut loaded = form();
    loaded.set_text(TextField::Skill, "B");
    let effects = send(
        &mut app,
        [Msg::from(StoreOutcome::ProfileLoaded {
            name: "b".into(),
            result: Ok(Box::new(crate::tui::store::profiles::ProfileForm {
                form: loaded,
                problems: Vec::new(),
                prompts: Vec::new(),
            })),
        })],
    );
    assert_eq!(app.form.text(TextField::Skill), "B");
    assert_eq!(app.profile_name(), Some("b"));
    assert!(effects.iter().any(|e| matches!(e, Effect::Lookup { .. })));
    assert_eq!(drafts(&effects)[0].profile.as_deref(), Some("b"));
}

#[test]
fn a_profile_saved_on_the_demo_keeps_the_request_but_not_the_demos_address() {
    let mut app = app();
    app.demo = true;
    press(&mut app, key(KeyCode::Char('o'), CTRL));
    type_text(&mut app, "from-demo");
    let effects = press(&mut app, key(KeyCode::Enter, NONE));
    let [Effect::SaveProfile { profile: saved, .. }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(saved.request.skill, "Sales");
    assert_eq!(
        (&saved.base_url, &saved.domain, &saved.account),
        (&None, &None, &None),
        "the embedded emulator's address lasts one run"
    );
    send(
        &mut app,
        [Msg::from(StoreOutcome::ProfileSaved {
            name: "from-demo".into(),
            profile: saved.clone(),
            result: Ok("config.toml".into()),
        })],
    );
    let said = app
        .notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default();
    assert!(
        said.contains("add base_url or domain, and account"),
        "{said}"
    );
    // A real connection is saved as it is.
    let mut app = app_on_real_service();
    press(&mut app, key(KeyCode::Char('o'), CTRL));
    type_text(&mut app, "real");
    let effects = press(&mut app, key(KeyCode::Enter, NONE));
    let [Effect::SaveProfile { profile: saved, .. }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert!(
        saved.base_url.is_some() && saved.account.is_some(),
        "{saved:?}"
    );
}

fn app_on_real_service() -> App {
    let mut app = App::new(real_form(), "real", t0());
    app.demo = false;
    app
}

#[test]
fn saving_asks_a_name_asks_before_replacing_and_never_saves_a_secret() {
    let mut app = app();
    app.profiles = vec![("qa".into(), profile("Sales"))];
    press(&mut app, key(KeyCode::Char('o'), CTRL));
    assert_eq!(app.overlay, Some(Overlay::SaveProfile));
    type_text(&mut app, "new-one");
    let effects = press(&mut app, key(KeyCode::Enter, NONE));
    let [
        Effect::SaveProfile {
            name,
            profile: saved,
        },
    ] = effects.as_slice()
    else {
        panic!("{effects:?}");
    };
    assert_eq!(name, "new-one");
    assert_eq!(saved.request.skill, "Sales");
    assert_eq!(
        saved.app_key_source(),
        crate::config::SecretSource::default()
    );
    let text = toml::to_string(&**saved).expect("toml");
    assert!(!text.contains(APP_KEY), "{text}");

    // Over an existing profile: asked first; its secret sources are kept.
    app.profile = Some(("qa".into(), profile("Sales")));
    press(&mut app, key(KeyCode::Char('o'), CTRL));
    assert_eq!(
        app.dialog_input.value(),
        "qa",
        "the current profile's name is offered"
    );
    let effects = press(&mut app, key(KeyCode::Enter, NONE));
    assert!(effects.is_empty());
    assert_eq!(app.overlay, Some(Overlay::ConfirmOverwrite("qa".into())));
    let effects = press(&mut app, key(KeyCode::Char('y'), NONE));
    let [Effect::SaveProfile { profile: saved, .. }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(saved.app_key_env.as_deref(), Some("QA_APP_KEY"));
    send(
        &mut app,
        [Msg::from(StoreOutcome::ProfileSaved {
            name: "qa".into(),
            profile: saved.clone(),
            result: Ok("/tmp/config.toml".into()),
        })],
    );
    let notice = app
        .notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default();
    assert!(notice.contains("appKey from $QA_APP_KEY"), "{notice}");

    // A bad name is refused on screen, the question stays.
    press(&mut app, key(KeyCode::Char('o'), CTRL));
    press(&mut app, key(KeyCode::Char('u'), CTRL));
    type_text(&mut app, "a b");
    assert!(press(&mut app, key(KeyCode::Enter, NONE)).is_empty());
    assert_eq!(app.overlay, Some(Overlay::SaveProfile));
    assert_eq!(app.notice.as_ref().map(|n| n.level), Some(Level::Error));
}

#[test]
fn a_demo_chat_of_an_earlier_console_reads_as_gone_and_is_neither_watched_nor_ended() {
    let mut app = app();
    app.demo = true;
    let mut earlier = entry(
        "http://127.0.0.1:40949/api/account/12345678/chat/OLD",
        "Sales",
        "x",
    );
    earlier.session.demo = true;
    earlier.session.base_url = "http://127.0.0.1:40949".into();
    "chatting".clone_into(&mut earlier.session.state);
    // This console's own demo chat is live.
    let mut current = entry(
        "http://127.0.0.1:8480/api/account/12345678/chat/NOW",
        "Sales",
        "y",
    );
    current.session.demo = true;
    current.session.base_url = "http://127.0.0.1:8480".into();
    "chatting".clone_into(&mut current.session.state);
    press(&mut app, key(KeyCode::Char('r'), CTRL));
    send(
        &mut app,
        [Msg::from(StoreOutcome::HistoryLoaded(Ok(vec![
            earlier, current,
        ])))],
    );
    let screen = super::snapshots::draw_text(&app, 120, 30);
    let row = |id: &str| {
        screen
            .lines()
            .find(|l| l.contains(id))
            .unwrap_or_default()
            .to_string()
    };
    assert!(row("OLD").contains("gone"), "{screen}");
    assert!(row("NOW").contains("chatting"), "{screen}");
    for key_pressed in ['w', 'x'] {
        let effects = press(&mut app, key(KeyCode::Char(key_pressed), NONE));
        assert!(effects.is_empty(), "{key_pressed}: {effects:?}");
        assert!(notice(&app).contains("earlier console"), "{}", notice(&app));
    }
    press(&mut app, key(KeyCode::Down, NONE));
    let effects = press(&mut app, key(KeyCode::Char('x'), NONE));
    assert!(
        matches!(effects.as_slice(), [Effect::EndEntry { .. }]),
        "{effects:?}"
    );
}

#[test]
fn history_entries_are_watched_and_ended_the_way_they_were_made_and_a_lost_one_is_explained() {
    let mut app = app();
    press(&mut app, key(KeyCode::Char('r'), CTRL));
    let uri = "http://127.0.0.1:8480/api/account/12345678/chat/Q";
    let mut by_query = entry(uri, "Billing", "x");
    by_query.session.app_key_in = Some(crate::api::AppKeyPlacement::Query);
    by_query.session.format = Some(crate::api::Format::Xml);
    let lost = entry("", "Billing", "y");
    send(
        &mut app,
        [Msg::from(StoreOutcome::HistoryLoaded(Ok(vec![
            by_query, lost,
        ])))],
    );
    let effects = press(&mut app, key(KeyCode::Char('x'), NONE));
    let [Effect::EndEntry { connection, .. }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(connection.app_key_in, crate::api::AppKeyPlacement::Query);
    assert_eq!(connection.format, crate::api::Format::Xml);
    // Re-run takes the placement and the format too, and says where it will send.
    press(&mut app, key(KeyCode::Enter, NONE));
    assert_eq!(app.form.app_key_in, crate::api::AppKeyPlacement::Query);
    assert_eq!(app.form.format, crate::api::Format::Xml);
    let notice = app
        .notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default();
    assert!(
        notice.contains("(appKey in the query, xml): Ctrl+S sends it again to http://"),
        "{notice}"
    );
    press(&mut app, key(KeyCode::Char('r'), CTRL));
    send(
        &mut app,
        [Msg::from(StoreOutcome::HistoryLoaded(Ok(vec![
            {
                let mut again = entry(uri, "Billing", "x");
                again.session.app_key_in = Some(crate::api::AppKeyPlacement::Query);
                again
            },
            entry("", "Billing", "y"),
        ])))],
    );

    press(&mut app, key(KeyCode::Down, NONE));
    for action in ['w', 'x'] {
        let effects = press(&mut app, key(KeyCode::Char(action), NONE));
        assert!(effects.is_empty(), "{action}: {effects:?}");
        let notice = app
            .notice
            .as_ref()
            .map(|n| n.text.clone())
            .unwrap_or_default();
        assert!(notice.contains("never had its URI"), "{action}: {notice}");
    }
}

#[test]
fn history_rerun_refills_the_form_and_watch_and_end_act_on_the_entry() {
    let mut app = app();
    let effects = press(&mut app, key(KeyCode::Char('r'), CTRL));
    assert_eq!(effects, vec![Effect::LoadHistory]);
    let first = "http://127.0.0.1:8480/api/account/12345678/chat/A";
    let second = "http://127.0.0.1:8480/api/account/12345678/chat/B";
    send(
        &mut app,
        [Msg::from(StoreOutcome::HistoryLoaded(Ok(vec![
            entry(first, "Billing", "refund please"),
            entry(second, "Support", "it broke"),
        ])))],
    );
    assert_eq!(app.overlay, Some(Overlay::History { selected: 0 }));
    let screen = super::snapshots::draw_text(&app, 160, 48);
    assert!(
        screen.contains("Billing") && screen.contains(first),
        "{screen}"
    );

    press(&mut app, key(KeyCode::Down, NONE));
    let effects = press(&mut app, key(KeyCode::Enter, NONE));
    assert_eq!(app.overlay, None);
    assert_eq!(app.form.text(TextField::Skill), "Support");
    assert_eq!(app.form.pre_chat.values(), ["it broke"]);
    assert_eq!(
        app.form.text(TextField::AppKey),
        APP_KEY,
        "the appKey stays"
    );
    assert!(
        matches!(app.phase, Phase::Editing),
        "nothing sent until Ctrl+S"
    );
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::StartSession { .. }))
    );

    let entries = app.history.clone();
    send(
        &mut app,
        [Msg::from(StoreOutcome::HistoryLoaded(Ok(entries)))],
    );
    let effects = press(&mut app, key(KeyCode::Char('x'), NONE));
    let [Effect::EndEntry { uri, connection }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(uri, first);
    assert_eq!(connection.account, "12345678");
    let effects = send(
        &mut app,
        [Msg::from(StoreOutcome::EntryEnded {
            uri: first.into(),
            result: Ok(()),
        })],
    );
    assert!(effects.iter().any(
        |e| matches!(e, Effect::RecordState { uri, state, .. } if uri == first && state == "ended")
    ));
    assert_eq!(app.history[0].session.state, "ended");

    let effects = press(&mut app, key(KeyCode::Char('w'), NONE));
    let [Effect::Watch { uri, id, .. }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(uri, first);
    assert_eq!(
        app.session().map(|v| (v.id, v.uri.as_str())),
        Some((*id, first))
    );
}

#[test]
fn created_chats_and_each_state_change_go_to_the_history() {
    let mut app = app();
    app.profile = Some(("qa".into(), profile("Sales")));
    let effects = send(&mut app, [Msg::from(FormIntent::Submit)]);
    // What the history keeps goes with the request: written before it is sent.
    let Some(Effect::StartSession { record, .. }) = effects.first() else {
        panic!("{effects:?}");
    };
    assert_eq!(record.uri, "", "no URI before the answer");
    assert_eq!(record.profile.as_deref(), Some("qa"));
    assert_eq!(record.request.skill, "Sales");
    let id = app.last_id;
    let effects = send(
        &mut app,
        [Msg::from(SessionOutcome::Created {
            id,
            uri: URI.into(),
            journal: None,
        })],
    );
    assert!(
        effects.is_empty(),
        "the runner settled the record with the URI: {effects:?}"
    );
    let states = |effects: Vec<Effect>| -> Vec<String> {
        effects
            .into_iter()
            .filter_map(|e| match e {
                Effect::RecordState { state, .. } => Some(state),
                _ => None,
            })
            .collect()
    };
    let waiting = Msg::from(SessionOutcome::Update {
        id,
        update: batch(vec![state_event(1, "t", "waiting")]),
    });
    assert_eq!(states(send(&mut app, [waiting])), ["waiting"]);
    let again = Msg::from(SessionOutcome::Update {
        id,
        update: batch(vec![line_event(2, "t", "visitor", "you", "hi")]),
    });
    assert!(
        states(send(&mut app, [again])).is_empty(),
        "no change, no record"
    );
    let ended = Msg::from(SessionOutcome::Update {
        id,
        update: crate::session::SessionUpdate::Ended,
    });
    assert_eq!(states(send(&mut app, [ended])), ["ended"]);
}

#[test]
fn a_broken_config_starts_the_demo_and_says_which_file_and_line() {
    let mut launch = crate::start::Launch {
        profile: Some("qa".into()),
        ..crate::start::Launch::default()
    };
    let error = ConfigError::Invalid {
        path: "/home/qa/.config/chatstart/config.toml".into(),
        message: "line 3, column 7: invalid string".into(),
    };
    let start = setup::prepare(&launch, Err(error));
    assert!(start.form.is_none(), "the demo runs");
    let mut app = app();
    setup::apply(&mut app, &start, None);
    let notice = app.notice.expect("a notice");
    assert_eq!(notice.level, Level::Error);
    assert!(
        notice.text.contains("config.toml") && notice.text.contains("line 3"),
        "{}",
        notice.text
    );

    // An unknown profile too, naming the known ones.
    let config = Config {
        path: Some("/c.toml".into()),
        file: ConfigFile {
            default_profile: None,
            profiles: [("qa".to_string(), profile("Sales"))].into(),
            ..ConfigFile::default()
        },
    };
    launch.profile = Some("nope".into());
    let start = setup::prepare(&launch, Ok(config));
    assert!(start.form.is_none());
    assert!(start.problems[0].contains("nope") && start.problems[0].contains("qa"));
}

#[test]
fn a_profile_fills_the_form_under_the_flags_and_defers_prompts() {
    let mut args = crate::start::StartSpec::default();
    args.connection.app_key = Some(crate::secret::Secret::new(APP_KEY));
    args.request.skill = Some("FromFlag".into());
    let mut chosen = profile("FromProfile");
    chosen.request.language = "de-DE".into();
    chosen.auth = true;
    chosen.sso_key_prompt = true;
    chosen.auth_conn_id = Some("568046210".into());
    let loaded = crate::tui::store::profiles::form_from_profile(&args, "qa", &chosen);
    assert_eq!(
        loaded.form.text(TextField::Skill),
        "FromFlag",
        "flag over profile"
    );
    assert_eq!(
        loaded.form.text(TextField::Language),
        "de-DE",
        "profile under flag"
    );
    assert_eq!(loaded.form.text(TextField::AppKey), APP_KEY);
    assert_eq!(loaded.form.text(TextField::Account), "12345678");
    assert!(loaded.form.auth);
    assert_eq!(loaded.form.text(TextField::AuthChatConnId), "568046210");
    assert_eq!(loaded.prompts, [TextField::SsoKey]);
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);

    // A source that cannot be had is said; the rest of the profile still fills the form.
    args.connection.app_key = None;
    chosen.app_key_env = Some("CHATSTART_TEST_SURELY_UNSET_VARIABLE".into());
    let loaded = crate::tui::store::profiles::form_from_profile(&args, "qa", &chosen);
    assert!(loaded.problems[0].contains("CHATSTART_TEST_SURELY_UNSET_VARIABLE"));
    assert_eq!(loaded.form.text(TextField::Language), "de-DE");
    assert_eq!(loaded.form.text(TextField::AppKey), "");
}

/// A form as profile `s` fills it: a real service, its own account and appKey.
fn real_form() -> Form {
    let mut form = prefill::demo("https://real.example.net", "87654321", APP_KEY);
    form.set_text(TextField::Skill, "Support");
    form
}

fn real_profile() -> Profile {
    Profile {
        base_url: Some("https://real.example.net".into()),
        account: Some("87654321".into()),
        app_key_env: Some("S_APP_KEY".into()),
        ..Profile::default()
    }
}

fn notice(app: &App) -> String {
    app.notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default()
}

#[test]
fn a_demo_draft_never_puts_the_demo_endpoint_into_a_real_form() {
    let mut demo_draft = Draft::of(&form(), None).on_demo(true);
    demo_draft.api = "http://127.0.0.1:40123".into();
    demo_draft.request.skill = "Billing".into();
    let mut app = App::new(
        real_form(),
        "account 87654321 at https://real.example.net",
        t0(),
    );
    let start = Start {
        profile: Some(("s".into(), real_profile())),
        profiles: vec![("s".into(), real_profile())],
        ..Start::default()
    };
    setup::apply(&mut app, &start, Some(demo_draft));
    assert_eq!(app.overlay, Some(Overlay::RestoreDraft));
    let text = super::snapshots::draw_text(&app, 80, 24);
    assert!(text.contains("typed on the demo"), "{text}");
    let effects = press(&mut app, key(KeyCode::Char('r'), NONE));
    assert_eq!(app.form.text(TextField::Skill), "Billing");
    assert_eq!(app.form.text(TextField::Api), "https://real.example.net");
    assert_eq!(app.form.text(TextField::Account), "87654321");
    assert!(
        notice(&app).contains("its connection was not"),
        "{}",
        notice(&app)
    );
    let written = drafts(&effects);
    assert_eq!(written[0].profile.as_deref(), Some("s"));
    assert!(!written[0].demo);
}

#[test]
fn a_profiles_draft_restored_on_the_demo_brings_its_profile_back_first() {
    let mut draft = Draft::of(&real_form(), Some("s"));
    draft.request.skill = "Escalations".into();
    draft.request.pre_chat_lines = vec!["typed before the kill".into()];
    let mut app = app();
    app.demo = true;
    let start = Start {
        profiles: vec![("s".into(), real_profile())],
        ..Start::default()
    };
    setup::apply(&mut app, &start, Some(draft));
    let effects = press(&mut app, key(KeyCode::Char('r'), NONE));
    assert_eq!(effects, [Effect::LoadProfile { name: "s".into() }]);
    assert!(
        drafts(&effects).is_empty(),
        "the draft on disk is kept meanwhile"
    );
    assert!(drafts(&type_text(&mut app, "x")).is_empty());
    let effects = send(
        &mut app,
        [Msg::from(StoreOutcome::ProfileLoaded {
            name: "s".into(),
            result: Ok(Box::new(crate::tui::store::profiles::ProfileForm {
                form: real_form(),
                problems: Vec::new(),
                prompts: Vec::new(),
            })),
        })],
    );
    assert_eq!(app.form.text(TextField::Api), "https://real.example.net");
    assert_eq!(app.form.text(TextField::Skill), "Escalations");
    assert_eq!(app.form.pre_chat.values(), ["typed before the kill"]);
    assert_eq!(app.profile_name(), Some("s"));
    assert!(!app.demo);
    assert!(
        app.destination().contains("real.example.net"),
        "{}",
        app.destination()
    );
    assert!(
        notice(&app).contains("with its profile `s`"),
        "{}",
        notice(&app)
    );
    let written = drafts(&effects);
    assert_eq!(written.len(), 1, "{effects:?}");
    assert_eq!(
        written[0].profile.as_deref(),
        Some("s"),
        "the profile is kept"
    );

    // A profile gone from the config: the request comes back, and the screen says what did not.
    let mut draft = Draft::of(&real_form(), Some("gone"));
    draft.request.skill = "Escalations".into();
    let mut app = super::app();
    app.demo = true;
    setup::apply(&mut app, &Start::default(), Some(draft));
    let effects = press(&mut app, key(KeyCode::Char('r'), NONE));
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::LoadProfile { .. }))
    );
    assert_eq!(app.form.text(TextField::Skill), "Escalations");
    assert_eq!(app.form.text(TextField::Api), "http://127.0.0.1:8480");
    assert!(
        notice(&app).contains("without its connection: its profile `gone` is not in the config"),
        "{}",
        notice(&app)
    );
}

#[test]
fn a_restored_drafts_invalid_values_show_their_errors_at_once() {
    let mut draft = Draft::of(&form(), None);
    draft.request.max_wait_time = "soon".into();
    let mut app = app();
    setup::apply(&mut app, &Start::default(), Some(draft));
    press(&mut app, key(KeyCode::Char('r'), NONE));
    assert!(
        app.form
            .shown_error(&app.errors, &crate::api::validate::Field::MaxWaitTime)
            .is_some(),
        "before any send"
    );
    let text = super::snapshots::draw_text(&app, 160, 48);
    assert!(text.contains("✗ `soon`"), "{text}");
}

#[test]
fn an_unanswered_survey_is_not_saved_and_an_answered_one_is_saved_whole() {
    let mut app = app();
    app.profiles = vec![("qa".into(), profile("Sales"))];
    app.profile = Some(("qa".into(), profile("Sales")));
    let generation = app.lookup_generation;
    send(
        &mut app,
        [Msg::from(FormOutcome::SurveyLoaded {
            generation,
            result: Ok(Some(crate::tui::form::survey::tests::survey())),
        })],
    );
    // The survey prefilled "John" (last known value) and checked "tech": nobody answered.
    assert_eq!(app.form.survey.values("3"), ["John"]);
    let save = |app: &mut App| {
        press(app, key(KeyCode::Char('o'), CTRL));
        press(app, key(KeyCode::Enter, NONE));
        let effects = press(app, key(KeyCode::Char('y'), NONE));
        match effects.as_slice() {
            [Effect::SaveProfile { profile, .. }] => (**profile).clone(),
            other => panic!("{other:?}"),
        }
    };
    let saved = save(&mut app);
    assert!(
        saved.request.survey_answers.is_empty(),
        "{:?}",
        saved.request.survey_answers
    );
    // Once someone answered, the survey is saved as the form sends it: the prefilled answers
    // too (a mandatory one left out would make the profile's request refused).
    app.form.focus = Focus::Survey("1".into());
    press(&mut app, key(KeyCode::Char(' '), NONE));
    app.form.focus = Focus::Survey("3".into());
    type_text(&mut app, "ny");
    let saved = save(&mut app);
    let answered: Vec<(&str, Vec<String>)> = saved
        .request
        .survey_answers
        .iter()
        .map(|a| (a.question_id.as_str(), a.values.clone()))
        .collect();
    assert_eq!(
        answered,
        [
            ("1", vec!["CATS".to_string()]),
            ("3", vec!["Johnny".to_string()]),
            ("4", vec!["tech".to_string()])
        ]
    );
}

#[test]
fn a_profile_saved_from_the_console_writes_its_request_as_tables() {
    let home = tempfile::tempdir().expect("home");
    let path = home.path().join("config.toml");
    std::fs::write(&path, "# mine\n[profiles.other]\naccount = \"1\"\n").expect("config");
    let mut store = crate::tui::setup::Store {
        config: Some(Config {
            path: Some(path.clone()),
            file: ConfigFile::default(),
        }),
        ..Default::default()
    };
    let mut saved = profile("Sales");
    saved.request.pre_chat_lines = vec!["hello".into()];
    saved.request.survey_answers = vec![crate::api::SurveyAnswer {
        question_id: "1".into(),
        values: vec!["CATS".into()],
    }];
    let (sender, mut messages) = tokio::sync::mpsc::unbounded_channel();
    crate::tui::effects::store::run(
        &mut store,
        Effect::SaveProfile {
            name: "qa".into(),
            profile: Box::new(saved.clone()),
        },
        &sender,
    );
    assert!(matches!(
        messages.try_recv(),
        Ok(Msg::Outcome(crate::tui::msg::Outcome::Store(
            StoreOutcome::ProfileSaved { result: Ok(_), .. }
        )))
    ));
    let text = std::fs::read_to_string(&path).expect("written");
    assert!(
        text.contains("# mine") && text.contains("[profiles.other]"),
        "{text}"
    );
    assert!(text.contains("[profiles.qa.request]"), "{text}");
    assert!(!text.contains("request = {"), "{text}");
    let back = Config::load(Some(&path)).expect("reads back");
    assert_eq!(back.file.profiles["qa"], saved);
}

#[test]
fn a_restored_drafts_prefilled_answer_is_not_saved_into_the_profile() {
    // The draft of an earlier run holds the survey's prefill ("John") among its answers.
    let mut draft = Draft::of(&real_form(), Some("s"));
    draft.request.survey_answers = vec![crate::api::SurveyAnswer {
        question_id: "3".into(),
        values: vec!["John".into()],
    }];
    let mut app = app();
    let start = Start {
        profile: Some(("s".into(), real_profile())),
        profiles: vec![("s".into(), real_profile())],
        ..Start::default()
    };
    setup::apply(&mut app, &start, Some(draft));
    press(&mut app, key(KeyCode::Char('r'), NONE));
    let generation = app.lookup_generation;
    send(
        &mut app,
        [Msg::from(FormOutcome::SurveyLoaded {
            generation,
            result: Ok(Some(crate::tui::form::survey::tests::survey())),
        })],
    );
    assert_eq!(app.form.survey.values("3"), ["John"]);
    let profile = crate::tui::store::profiles::profile_of(&app.form, Some(&real_profile()));
    assert!(
        profile.request.survey_answers.is_empty(),
        "{:?}",
        profile.request.survey_answers
    );
}

#[test]
fn watching_again_a_chat_the_history_saw_end_and_the_service_dropped_shows_it_ended() {
    // A 404: the tracker offers no resume, nothing is left to resume.
    let gone = |id| {
        Msg::from(SessionOutcome::Update {
            id,
            update: crate::session::SessionUpdate::Lost {
                error: "chat session failed: HTTP 404: Chat session not found (internalCode 12)"
                    .into(),
                error_kind: crate::api::ErrorKind::Refused,
                explanation: None,
                resume: None,
            },
        })
    };
    for (state, seen_ended) in [("ended", true), ("waiting", false)] {
        let mut app = app();
        press(&mut app, key(KeyCode::Char('r'), CTRL));
        let mut ended = entry(
            "http://127.0.0.1:8480/api/account/12345678/chat/E",
            "Sales",
            "x",
        );
        state.clone_into(&mut ended.session.state);
        send(
            &mut app,
            [Msg::from(StoreOutcome::HistoryLoaded(Ok(vec![ended])))],
        );
        press(&mut app, key(KeyCode::Char('w'), NONE));
        let id = app.session().expect("watching").id;
        send(&mut app, [gone(id)]);
        let text = super::snapshots::draw_text(&app, 120, 30);
        if seen_ended {
            assert!(text.contains("■ ENDED"), "{text}");
            assert!(text.contains("it ended earlier"), "{text}");
            assert!(!text.contains("session lost"), "{text}");
        } else {
            // Nothing says it ended: lost, and the badge says so instead of a frozen spinner.
            assert!(text.contains("✗ NOT REACHED"), "{text}");
            assert!(text.contains("session lost"), "{text}");
            assert!(!text.contains("CONNECTING"), "{text}");
        }
    }
}
