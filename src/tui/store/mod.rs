//! The part of `update` for what lasts between runs: secret prompts, the draft offer, the profile
//! picker and saving, and the history view (watch again, end, re-run). Pure, like `update`.

pub mod draft;
pub mod profiles;
pub mod view;

use crate::tui::app::{App, Notice, Overlay, Phase, SessionView};
use crate::tui::connection::Connection;
use crate::tui::form::TextField;
use crate::tui::msg::{AppIntent, Effect, EvidenceOf, Intent, StoreIntent, StoreOutcome};
use crate::tui::setup::next_question;
use crate::tui::store::draft::Draft;

/// The answer of an overlay of this module to an intent; `None` when it is not one of them.
pub fn overlay_answer(app: &mut App, overlay: &Overlay, intent: &Intent) -> Option<Vec<Effect>> {
    let effects = match (overlay, intent) {
        (
            Overlay::SecretPrompt(_) | Overlay::SaveProfile,
            Intent::App(AppIntent::DialogEdit(request)),
        ) => {
            app.dialog_input.handle(*request);
            Vec::new()
        }
        (Overlay::SecretPrompt(field), Intent::App(AppIntent::Confirm)) => {
            let value = app.dialog_input.value().trim().to_string();
            app.form.set_text(*field, value);
            app.dialog_input.reset();
            app.prompts.retain(|f| f != field);
            app.errors = app.form.validate();
            next_question(app);
            crate::tui::form::update::init(app)
        }
        (Overlay::SecretPrompt(field), Intent::App(AppIntent::Dismiss)) => {
            // Left empty: typed later in its field.
            app.prompts.retain(|f| f != field);
            app.dialog_input.reset();
            next_question(app);
            Vec::new()
        }
        (Overlay::RestoreDraft, Intent::Store(StoreIntent::RestoreDraft)) => {
            let effects = match app.draft_offer.take() {
                Some(draft) => restore_draft(app, *draft),
                None => Vec::new(),
            };
            next_question(app);
            if app.pending_draft.is_some() {
                effects
            } else {
                crate::tui::form::update::init(app)
            }
        }
        (
            Overlay::RestoreDraft,
            Intent::Store(StoreIntent::DiscardDraft) | Intent::App(AppIntent::Dismiss),
        ) => {
            app.draft_offer = None;
            // Written again now, so the discarded draft is not offered next time.
            app.saved_draft = None;
            next_question(app);
            Vec::new()
        }
        (Overlay::Profiles { selected }, Intent::App(AppIntent::Select(step))) => {
            let selected = step_index(*selected, *step, app.profiles.len());
            app.overlay = Some(Overlay::Profiles { selected });
            Vec::new()
        }
        (Overlay::Profiles { selected }, Intent::App(AppIntent::Confirm)) => {
            app.overlay = None;
            match app.profiles.get(*selected) {
                Some((name, _)) => vec![Effect::LoadProfile { name: name.clone() }],
                None => Vec::new(),
            }
        }
        (Overlay::SaveProfile, Intent::App(AppIntent::Confirm)) => {
            match crate::tui::store::profiles::check_name(app.dialog_input.value()) {
                Err(problem) => app.notice = Some(Notice::error(problem, None)),
                Ok(name) => {
                    let name = name.to_string();
                    if app.profiles.iter().any(|(n, _)| *n == name) {
                        app.overlay = Some(Overlay::ConfirmOverwrite(name));
                    } else {
                        app.overlay = None;
                        return Some(save_profile(app, name));
                    }
                }
            }
            Vec::new()
        }
        (Overlay::ConfirmOverwrite(name), Intent::App(AppIntent::Confirm)) => {
            app.overlay = None;
            save_profile(app, name.clone())
        }
        (Overlay::History { selected }, Intent::App(AppIntent::Select(step))) => {
            let selected = step_index(*selected, *step, app.history.len());
            app.overlay = Some(Overlay::History { selected });
            Vec::new()
        }
        (
            Overlay::History { selected },
            Intent::Store(StoreIntent::RerunEntry) | Intent::App(AppIntent::Confirm),
        ) => rerun(app, *selected),
        (Overlay::History { selected }, Intent::Store(StoreIntent::WatchEntry)) => {
            watch(app, *selected)
        }
        (Overlay::History { selected }, Intent::Store(StoreIntent::EndEntry)) => {
            end_entry(app, *selected)
        }
        (Overlay::History { selected }, Intent::Store(StoreIntent::SaveEntryEvidence)) => {
            save_entry_evidence(app, *selected)
        }
        _ => return None,
    };
    Some(effects)
}

/// The intents of this module outside overlays: opening them.
pub fn intent(app: &mut App, intent: StoreIntent) -> Vec<Effect> {
    match intent {
        StoreIntent::OpenProfiles => {
            if app.profiles.is_empty() {
                app.notice = Some(Notice::info(
                    "no profiles in the config file yet: Ctrl+O saves this form as one",
                ));
            } else {
                let selected = app
                    .profile_name()
                    .and_then(|name| app.profiles.iter().position(|(n, _)| n == name))
                    .unwrap_or(0);
                app.overlay = Some(Overlay::Profiles { selected });
            }
            Vec::new()
        }
        StoreIntent::SaveAsProfile => {
            app.dialog_input =
                tui_input::Input::new(app.profile_name().map(str::to_string).unwrap_or_default());
            app.overlay = Some(Overlay::SaveProfile);
            Vec::new()
        }
        StoreIntent::OpenHistory => vec![Effect::LoadHistory],
        // Answers to the overlays, which take them (`overlay_answer`).
        StoreIntent::WatchEntry
        | StoreIntent::EndEntry
        | StoreIntent::RerunEntry
        | StoreIntent::SaveEntryEvidence
        | StoreIntent::RestoreDraft
        | StoreIntent::DiscardDraft => Vec::new(),
    }
}

/// What came back from the disk: applied whatever is on screen.
pub fn outcome(app: &mut App, outcome: StoreOutcome) -> Vec<Effect> {
    match outcome {
        StoreOutcome::ProfileLoaded { name, result } => {
            let draft = app
                .pending_draft
                .take_if(|d| d.profile.as_deref() == Some(name.as_str()));
            match result {
                Ok(loaded) => {
                    let source = app.profiles.iter().find(|(n, _)| *n == name).cloned();
                    app.form = loaded.form;
                    app.profile = source;
                    // The form no longer points at the embedded emulator.
                    app.demo = false;
                    app.prompts = loaded.prompts;
                    app.errors = app.form.validate();
                    let restored = draft.map(|draft| {
                        // The draft's connection was this profile's (maybe edited): all of it.
                        draft.restore_into(&mut app.form, false);
                        mark_restored(app);
                    });
                    let done = if restored.is_some() {
                        format!("draft restored with its profile `{name}`")
                    } else {
                        format!("profile `{name}` loaded")
                    };
                    app.notice = Some(if loaded.problems.is_empty() {
                        Notice::info(done)
                    } else {
                        Notice::error(format!("{done}: {}", loaded.problems.join("; ")), None)
                    });
                    next_question(app);
                    crate::tui::form::update::init(app)
                }
                Err(error) => {
                    let Some(draft) = draft else {
                        app.notice =
                            Some(Notice::error(format!("profile `{name}`: {error}"), None));
                        return Vec::new();
                    };
                    draft.restore_into(&mut app.form, true);
                    mark_restored(app);
                    app.notice = Some(Notice::error(
                        format!(
                            "draft restored without its connection: its profile `{name}` did \
                             not load ({error}); the form keeps {}",
                            app.destination()
                        ),
                        None,
                    ));
                    crate::tui::form::update::init(app)
                }
            }
        }
        StoreOutcome::ProfileSaved {
            name,
            profile,
            result,
        } => {
            match result {
                Ok(path) => {
                    let note = crate::tui::store::profiles::secrets_note(&profile);
                    app.profiles.retain(|(n, _)| *n != name);
                    app.profiles.push((name.clone(), *profile.clone()));
                    app.profiles.sort_by(|a, b| a.0.cmp(&b.0));
                    let no_connection = profile.base_url.is_none()
                        && profile.domain.is_none()
                        && profile.account.is_none();
                    app.profile = Some((name.clone(), *profile));
                    let connection_note = if no_connection {
                        "; the request only (the demo's address lasts one run): add base_url or domain, and account"
                    } else {
                        ""
                    };
                    app.notice = Some(Notice::info(format!(
                        "saved profile `{name}` to {path}; {note}{connection_note}"
                    )));
                }
                Err(error) => {
                    app.notice = Some(Notice::error(
                        format!("profile `{name}` not saved: {error}"),
                        None,
                    ));
                }
            }
            Vec::new()
        }
        StoreOutcome::HistoryLoaded(result) => {
            match result {
                Ok(entries) if entries.is_empty() => {
                    app.notice = Some(Notice::info("the history is empty: no chat started yet"));
                }
                Ok(entries) => {
                    app.history = entries;
                    app.overlay = Some(Overlay::History { selected: 0 });
                }
                Err(error) => {
                    app.notice = Some(Notice::error(
                        format!("cannot read the history: {error}"),
                        None,
                    ));
                }
            }
            Vec::new()
        }
        StoreOutcome::EntryEnded { uri, result } => match result {
            Ok(()) => {
                for entry in app.history.iter_mut().filter(|e| e.session.uri == uri) {
                    "ended".clone_into(&mut entry.session.state);
                }
                app.notice = Some(Notice::info(format!("ended {uri}")));
                vec![Effect::RecordState {
                    uri,
                    state: "ended".into(),
                    agent: None,
                }]
            }
            Err(error) => {
                app.notice = Some(Notice::error(format!("could not end {uri}: {error}"), None));
                Vec::new()
            }
        },
        StoreOutcome::EvidenceSaved { result } => {
            app.notice = Some(match result {
                Ok(saved) => {
                    let mut text = format!("evidence saved in {}", saved.dir.display());
                    if !saved.notes.is_empty() {
                        text.push_str(&format!(" — {}", saved.notes.join("; ")));
                    }
                    Notice::info(text)
                }
                Err(error) => Notice::error(format!("evidence not saved: {error}"), None),
            });
            Vec::new()
        }
        StoreOutcome::Failed(error) => {
            app.notice = Some(Notice::error(error, None));
            Vec::new()
        }
        // Written by `update` around every message.
        StoreOutcome::DraftDue => Vec::new(),
    }
}

/// Quiet time after a change of the form before its draft is written: one write per pause in
/// typing (a paste, a word), never one per key.
pub const DRAFT_QUIET: std::time::Duration = std::time::Duration::from_secs(1);

/// The draft's effect when the form changed since the last draft and no start question is open
/// (the draft on disk must survive until the user answers the offer): written `now`, else a
/// timer for [`DRAFT_QUIET`] unless one runs already.
pub fn autosave(app: &mut App, now: bool) -> Option<Effect> {
    if app.draft_offer.is_some() || app.pending_draft.is_some() || !app.prompts.is_empty() {
        return None;
    }
    // The timer compares when it fires: no copy of the form per key meanwhile.
    if app.draft_due && !now {
        return None;
    }
    let draft = Draft::of(&app.form, app.profile_name()).on_demo(app.demo);
    if app.saved_draft.as_deref() == Some(&draft) {
        return None;
    }
    if !now {
        app.draft_due = true;
        return Some(Effect::DraftLater { after: DRAFT_QUIET });
    }
    app.saved_draft = Some(Box::new(draft.clone()));
    app.draft_on_disk = true;
    Some(Effect::SaveDraft(Box::new(draft)))
}

/// The form went out (its chat is in the history, a re-run away): it is no draft, so the next
/// start does not offer it back; a change after this is one again.
pub fn form_sent(app: &mut App) -> Option<Effect> {
    if app.draft_offer.is_some() || app.pending_draft.is_some() {
        return None;
    }
    let sent = Draft::of(&app.form, app.profile_name()).on_demo(app.demo);
    app.saved_draft = Some(Box::new(sent));
    // Once: a burst records each of its chats.
    std::mem::take(&mut app.draft_on_disk).then_some(Effect::ClearDraft)
}

/// Restores the draft offered at start. A demo's connection never goes into a real form, nor a
/// real one into the demo's; a draft of another profile brings that profile back first (its
/// connection and secret sources), and what could not be restored is said.
fn restore_draft(app: &mut App, draft: Draft) -> Vec<Effect> {
    if let Some(name) = draft
        .profile
        .clone()
        .filter(|name| app.profile_name() != Some(name.as_str()))
    {
        if app.profiles.iter().any(|(n, _)| *n == name) {
            app.notice = Some(Notice::info(format!(
                "loading the draft's profile `{name}`…"
            )));
            app.pending_draft = Some(Box::new(draft));
            return vec![Effect::LoadProfile { name }];
        }
        draft.restore_into(&mut app.form, true);
        mark_restored(app);
        app.notice = Some(Notice::error(
            format!(
                "draft restored without its connection: its profile `{name}` is not in the \
                 config file; the form keeps {}",
                app.destination()
            ),
            None,
        ));
        return Vec::new();
    }
    let note = match (draft.demo, app.demo) {
        (true, false) => format!(
            "draft restored; it was typed on the demo, so its connection was not: the form \
             keeps {}",
            app.destination()
        ),
        (false, true) => {
            let own = Connection {
                api: draft.api.clone(),
                account: draft.account.clone(),
                ..Connection::from_form(&app.form)
            };
            format!(
                "draft restored on the demo's connection; its own ({}) was not: the appKey for \
                 it is not in the draft",
                own.describe()
            )
        }
        _ => "draft restored".to_string(),
    };
    draft.restore_into(&mut app.form, app.demo || draft.demo);
    mark_restored(app);
    app.notice = Some(Notice::info(note));
    Vec::new()
}

/// After a restore: re-check, and show the errors of what came back filled in at once (not
/// only after the next send). Survey answers are checked once the survey has loaded, and are
/// not marked as answered by hand: a draft's answer may be the survey's own prefill.
fn mark_restored(app: &mut App) {
    app.errors = app.form.validate();
    let filled: Vec<_> = app
        .errors
        .0
        .iter()
        .map(|e| e.field.clone())
        .filter(|field| !matches!(field, crate::api::validate::Field::SurveyAnswer(_)))
        .filter(|field| app.form.has_value(field))
        .collect();
    app.form.touched.extend(filled);
}

/// A chat made on the embedded emulator of another run of the console: that emulator, and the
/// chat with it, ended when its console did.
pub fn gone_with_its_console(app: &App, entry: &crate::history::Entry) -> bool {
    entry.session.demo
        && !(app.demo && Connection::from_form(&app.form).api == entry.session.base_url)
}

fn step_index(selected: usize, step: isize, len: usize) -> usize {
    if len == 0 {
        return 0;
    }
    selected.saturating_add_signed(step).min(len - 1)
}

fn save_profile(app: &mut App, name: String) -> Vec<Effect> {
    let from = app.profile.as_ref().map(|(_, p)| p);
    let mut profile = crate::tui::store::profiles::profile_of(&app.form, from);
    // The embedded emulator's address lasts one run: a profile holding it would point at
    // nothing next time. The request is what is worth keeping; the connection is the user's.
    if app.demo {
        profile.base_url = None;
        profile.domain = None;
        profile.account = None;
    }
    vec![Effect::SaveProfile {
        name,
        profile: Box::new(profile),
    }]
}

/// The connection to reach a history session: its own origin and account, the form's appKey.
/// How to reach a history entry's chat: the form's connection (its appKey), with where the chat
/// was made and how (placement, format) as the entry recorded them. `None`, said on screen, for
/// an entry with no URI: a chat request whose answer was lost.
fn entry_connection(app: &mut App, index: usize) -> Option<(Connection, String)> {
    let entry = app.history.get(index)?;
    if gone_with_its_console(app, entry) {
        app.notice = Some(Notice::info(
            "a demo chat of an earlier console: it went with that console's emulator, so there is nothing to watch or end",
        ));
        return None;
    }
    if entry.session.uri.is_empty() {
        app.notice = Some(Notice::info(
            "this request's answer was lost, so chatstart never had its URI: look for the chat in the skill's queue",
        ));
        return None;
    }
    let mut connection = Connection::from_form(&app.form);
    if !entry.session.base_url.is_empty() {
        connection.api.clone_from(&entry.session.base_url);
    }
    if !entry.session.account.is_empty() {
        connection.account.clone_from(&entry.session.account);
    }
    if let Some(placement) = entry.session.app_key_in {
        connection.app_key_in = placement;
    }
    if let Some(format) = entry.session.format {
        connection.format = format;
    }
    Some((connection, entry.session.uri.clone()))
}

fn rerun(app: &mut App, index: usize) -> Vec<Effect> {
    let Some(entry) = app.history.get(index).cloned() else {
        return Vec::new();
    };
    app.overlay = None;
    crate::tui::form::prefill::refill_request(&mut app.form, &entry.session.request);
    if let Some(conn_id) = &entry.session.auth_conn_id {
        app.form.auth = true;
        app.form
            .set_text(TextField::AuthChatConnId, conn_id.clone());
        app.form.set_text(
            TextField::RedirectUri,
            entry.session.redirect_uri.clone().unwrap_or_default(),
        );
    }
    // How the service was reached goes with the request (an account that refuses the appKey
    // header needs the query again); where to is the form's: a recorded demo emulator is gone.
    if let Some(placement) = entry.session.app_key_in {
        app.form.app_key_in = placement;
    }
    if let Some(format) = entry.session.format {
        app.form.format = format;
    }
    app.form.focus = crate::tui::form::Focus::Text(TextField::Skill);
    app.form.fix_focus();
    app.errors = app.form.validate();
    app.notice = Some(Notice::info(format!(
        "form refilled from the session of {} (appKey in the {}, {}): Ctrl+S sends it again to {}",
        entry.session.time,
        app.form.app_key_in.as_str(),
        app.form.format.as_str(),
        app.form.text(TextField::Api).trim(),
    )));
    crate::tui::form::update::init(app)
}

fn watch(app: &mut App, index: usize) -> Vec<Effect> {
    if app.has_live_chat() {
        app.notice = Some(Notice::info(
            "a chat is live: end it or start a new request first",
        ));
        return Vec::new();
    }
    let Some((connection, uri)) = entry_connection(app, index) else {
        return Vec::new();
    };
    if let Some(problem) = connection.validate().0.first() {
        app.notice = Some(Notice::error(
            format!("cannot watch it: {}", problem.message),
            Some("the appKey field must hold the account's appKey".into()),
        ));
        return Vec::new();
    }
    app.overlay = None;
    app.last_id += 1;
    let id = app.last_id;
    let mut view = SessionView::new(id, uri.clone(), app.now);
    if let Some(entry) = app.history.get(index) {
        view.request = entry.session.request.clone();
        view.seen_ended_at = (entry.session.state == "ended").then(|| entry.updated.clone());
        view.journal.clone_from(&entry.session.journal);
    }
    let journal = view.journal.clone();
    app.phase = Phase::Session(Box::new(view));
    app.exchanges.clear();
    app.notice = Some(Notice::info("following the session again"));
    vec![Effect::Watch {
        id,
        connection,
        uri,
        journal,
    }]
}

/// `s` on a history entry: its evidence bundle, whatever its state (a request whose answer was
/// lost still has the exchange that went out).
fn save_entry_evidence(app: &mut App, index: usize) -> Vec<Effect> {
    let Some(entry) = app.history.get(index) else {
        return Vec::new();
    };
    let of = EvidenceOf::Entry(Box::new(entry.clone()));
    app.notice = Some(Notice::info("saving the evidence bundle…"));
    vec![Effect::SaveEvidence { of }]
}

fn end_entry(app: &mut App, index: usize) -> Vec<Effect> {
    let Some((connection, uri)) = entry_connection(app, index) else {
        return Vec::new();
    };
    if let Some(problem) = connection.validate().0.first() {
        app.notice = Some(Notice::error(
            format!("cannot end it: {}", problem.message),
            None,
        ));
        return Vec::new();
    }
    app.notice = Some(Notice::info(format!("ending {uri}…")));
    vec![Effect::EndEntry { connection, uri }]
}
