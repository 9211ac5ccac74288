//! `s`: the evidence bundle of the session on screen or of a history entry. The keys give the
//! save effect for that session's record; the answer names the bundle's directory on screen.

use crossterm::event::{KeyCode, KeyModifiers};

use super::dialogs::entry;
use super::snapshots::draw_text;
use super::*;
use crate::tui::app::{Level, Overlay};
use crate::tui::msg::{EvidenceOf, StoreIntent, StoreOutcome};

const JOURNAL: &str = "4711-1765000000000000000-3";
const BUNDLE: &str = "/home/qa/chatstart-H1234567890-abcdef-20251125T101200Z";

fn press_s(app: &mut App) -> Vec<Effect> {
    press(app, key(KeyCode::Char('s'), KeyModifiers::NONE))
}

/// A chat made from the form whose exchanges go to the journal `JOURNAL`.
fn journaled_chat(app: &mut App) -> u64 {
    send(app, [Msg::from(FormIntent::Submit)]);
    let id = app.last_id;
    send(
        app,
        [Msg::from(SessionOutcome::Created {
            id,
            uri: URI.into(),
            journal: Some(JOURNAL.into()),
        })],
    );
    id
}

/// The history listed, with `entries`, as Ctrl+R opens it.
fn history_open(app: &mut App, entries: Vec<crate::history::Entry>) {
    let effects = press(app, key(KeyCode::Char('r'), KeyModifiers::CONTROL));
    assert!(
        effects.contains(&Effect::LoadHistory),
        "Ctrl+R reads the history: {effects:?}"
    );
    send(app, [Msg::from(StoreOutcome::HistoryLoaded(Ok(entries)))]);
    assert!(matches!(app.overlay, Some(Overlay::History { .. })));
}

#[test]
fn s_in_the_session_view_saves_the_evidence_of_that_sessions_journal() {
    let mut app = app();
    journaled_chat(&mut app);
    let effects = press_s(&mut app);
    assert_eq!(
        effects,
        [Effect::SaveEvidence {
            of: EvidenceOf::Session {
                uri: URI.into(),
                journal: Some(JOURNAL.into()),
            },
        }]
    );
    assert!(
        app.notice
            .as_ref()
            .is_some_and(|n| n.text.contains("saving the evidence")),
        "{:?}",
        app.notice
    );
}

#[test]
fn s_saves_a_chat_that_ended_too_and_the_session_view_stays() {
    let mut app = app();
    let id = journaled_chat(&mut app);
    send(
        &mut app,
        [Msg::from(SessionOutcome::Update {
            id,
            update: batch(vec![state_event(
                9,
                "2025-11-25T10:20:00.000+0000",
                "ended",
            )]),
        })],
    );
    assert!(app.session().is_some_and(|v| !v.is_live()));
    let effects = press_s(&mut app);
    assert!(
        matches!(effects.as_slice(), [Effect::SaveEvidence { of: EvidenceOf::Session { journal: Some(j), .. } }] if j == JOURNAL),
        "{effects:?}"
    );
    assert!(app.session().is_some());
}

#[test]
fn s_on_a_highlighted_history_entry_saves_that_entrys_evidence() {
    let mut app = app();
    let older = entry(
        "http://127.0.0.1:8480/api/account/12345678/chat/OLD",
        "Sales",
        "old",
    );
    let mut newer = entry(URI, "Support", "new");
    newer.session.journal = Some(JOURNAL.into());
    history_open(&mut app, vec![newer, older.clone()]);
    press(&mut app, key(KeyCode::Down, KeyModifiers::NONE));
    let effects = press_s(&mut app);
    assert_eq!(
        effects,
        [Effect::SaveEvidence {
            of: EvidenceOf::Entry(Box::new(older)),
        }]
    );
    // The list stays open: another entry can be saved, watched or ended next.
    assert_eq!(app.overlay, Some(Overlay::History { selected: 1 }));
}

#[test]
fn a_chat_watched_from_the_history_keeps_its_journal_for_its_calls_and_for_s() {
    let mut app = app();
    let mut watched = entry(URI, "Sales", "hi");
    watched.session.journal = Some(JOURNAL.into());
    history_open(&mut app, vec![watched]);
    let effects = press(&mut app, key(KeyCode::Char('w'), KeyModifiers::NONE));
    let [Effect::Watch { journal, .. }] = effects.as_slice() else {
        panic!("w watches the chat: {effects:?}");
    };
    assert_eq!(
        journal.as_deref(),
        Some(JOURNAL),
        "its calls go on its journal"
    );
    let effects = press_s(&mut app);
    assert_eq!(
        effects,
        [Effect::SaveEvidence {
            of: EvidenceOf::Session {
                uri: URI.into(),
                journal: Some(JOURNAL.into()),
            },
        }]
    );
}

#[test]
fn s_is_a_key_of_the_session_and_the_history_only_not_of_the_form() {
    let mut app = app();
    app.form.focus = crate::tui::form::Focus::Text(crate::tui::form::TextField::Skill);
    let effects = press_s(&mut app);
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::SaveEvidence { .. })),
        "typed into the field: {effects:?}"
    );
    assert!(
        app.form
            .text(crate::tui::form::TextField::Skill)
            .ends_with('s')
    );
    // The intent alone, off its screens, does nothing.
    let effects = send(&mut app, [Msg::from(StoreIntent::SaveEntryEvidence)]);
    assert!(effects.is_empty(), "{effects:?}");
}

#[test]
fn the_saved_bundle_is_named_with_its_notes_on_the_status_line() {
    let mut app = app();
    chatting(&mut app);
    press_s(&mut app);
    send(
        &mut app,
        [Msg::from(StoreOutcome::EvidenceSaved {
            result: Ok(crate::export::Saved {
                dir: BUNDLE.into(),
                files: vec![format!("{BUNDLE}/session.har").into()],
                notes: vec!["line 3 of the journal skipped".into()],
            }),
        })],
    );
    let notice = app.notice.clone().expect("a notice");
    assert_eq!(notice.level, Level::Info);
    assert!(notice.text.contains(BUNDLE), "{}", notice.text);
    assert!(notice.text.contains("line 3 of the journal skipped"));
    insta::assert_snapshot!("evidence_saved_80x24", draw_text(&app, 80, 24));
}

#[test]
fn a_bundle_that_could_not_be_saved_says_why() {
    let mut app = app();
    chatting(&mut app);
    send(
        &mut app,
        [Msg::from(StoreOutcome::EvidenceSaved {
            result: Err("/srv/ro/chatstart-H1: Read-only file system".into()),
        })],
    );
    let notice = app.notice.clone().expect("a notice");
    assert_eq!(notice.level, Level::Error);
    assert!(
        notice
            .text
            .starts_with("evidence not saved: /srv/ro/chatstart-H1"),
        "{}",
        notice.text
    );
}
