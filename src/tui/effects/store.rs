//! The effects that keep things on disk for the console: the draft, the history, the config
//! file's profiles. Failures come back as messages to show; none stops the console.

use tokio::sync::mpsc;

use crate::api::AuthRequest;
use crate::config::Config;
use crate::history::{Flow, SessionRecord};
use crate::tui::msg::{Effect, Msg, NewSession, StoreOutcome};
use crate::tui::setup::Store;

/// Runs one of the store's effects (others are ignored).
pub fn run(store: &mut Store, effect: Effect, messages: &mpsc::UnboundedSender<Msg>) {
    match effect {
        Effect::SaveDraft(draft) => {
            if let Some(path) = &store.draft {
                if let Err(error) = crate::tui::store::draft::save(path, &draft) {
                    failed(
                        messages,
                        format!("could not write the draft {}: {error}", path.display()),
                    );
                }
            }
        }
        Effect::ClearDraft => {
            if let Some(path) = &store.draft {
                match std::fs::remove_file(path) {
                    Err(error) if error.kind() != std::io::ErrorKind::NotFound => failed(
                        messages,
                        format!("could not remove the draft {}: {error}", path.display()),
                    ),
                    _ => {}
                }
            }
        }
        Effect::LoadHistory => {
            let (result, warnings) = match &store.history {
                Some(history) => match history.read() {
                    Ok(listing) => {
                        let warnings = listing.warnings(history.path());
                        (Ok(listing.entries), warnings)
                    }
                    Err(e) => (
                        Err(format!("{}: {e}", history.path().display())),
                        Vec::new(),
                    ),
                },
                None => (Err("no data directory on this system".into()), Vec::new()),
            };
            let _ = messages.send(Msg::from(StoreOutcome::HistoryLoaded(result)));
            // A damaged line costs that line only: the rest is listed, the line is named.
            if !warnings.is_empty() {
                failed(messages, warnings.join("; "));
            }
        }
        Effect::LoadProfile { name } => load_profile(store, name, messages),
        Effect::SaveProfile { name, profile } => {
            let config = store.config.get_or_insert_with(Config::default);
            let result = config
                .save_profile(&name, &profile)
                .map(|path| path.display().to_string())
                .map_err(|e| e.to_string());
            let _ = messages.send(Msg::from(StoreOutcome::ProfileSaved {
                name,
                profile,
                result,
            }));
        }
        Effect::RecordState { uri, state, agent } => {
            if let Some(history) = &store.history {
                if let Err(error) = history.state(&uri, &state, agent.as_deref()) {
                    failed(messages, format!("could not write the history: {error}"));
                }
            }
        }
        Effect::RecordVisitor {
            uri,
            action,
            outcome,
        } => {
            if let Some(history) = &store.history {
                let written = match outcome {
                    crate::history::Outcome::Taken => history.visitor(&uri, action),
                    crate::history::Outcome::Unknown => history.visitor_unknown(&uri, action),
                };
                if let Err(error) = written {
                    failed(messages, format!("could not write the history: {error}"));
                }
            }
        }
        // Handled by the loop, which owns the terminal.
        _ => {}
    }
}

/// The history's record of a chat made from the form (no secret: the auth call's SSO key is
/// left out).
pub fn session_record(session: &NewSession) -> SessionRecord {
    let auth = session
        .auth
        .as_ref()
        .map(|(conn_id, redirect)| AuthRequest {
            sso_key: crate::secret::Secret::default(),
            auth_chat_conn_id: conn_id.clone(),
            redirect_uri: redirect.clone(),
        });
    let flow = if auth.is_some() {
        Flow::Auth
    } else {
        Flow::Request
    };
    let mut record = SessionRecord::created(
        session.profile.as_deref(),
        &session.account,
        &session.uri,
        flow,
        &session.request,
        auth.as_ref(),
    );
    record.app_key_in = Some(session.app_key_in);
    record.format = Some(session.format);
    record
}

/// What the console says when the history cannot be written: nothing is sent.
pub fn unwritable(history: &crate::history::History, error: &std::io::Error) -> String {
    format!(
        "not sent: cannot write the history {} ({error}); make {} writable or start the \
         console with {} set to a directory it may write — every chat is recorded there, so \
         none is left unknown",
        history.path().display(),
        history.directory().display(),
        crate::paths::DATA_DIR_ENV
    )
}

fn failed(messages: &mpsc::UnboundedSender<Msg>, message: String) {
    let _ = messages.send(Msg::from(StoreOutcome::Failed(message)));
}

/// Reads a profile under the start's flags; its secret commands may take a while, so off
/// the loop's thread.
fn load_profile(store: &Store, name: String, messages: &mpsc::UnboundedSender<Msg>) {
    let messages = messages.clone();
    let profile = store
        .config
        .as_ref()
        .and_then(|c| c.file.profiles.get(&name).cloned());
    let flags = store.flags.clone().unwrap_or_default();
    tokio::task::spawn_blocking(move || {
        let result = match profile {
            Some(profile) => Ok(Box::new(crate::tui::store::profiles::form_from_profile(
                &flags, &name, &profile,
            ))),
            None => Err("not in the config file".to_string()),
        };
        let _ = messages.send(Msg::from(StoreOutcome::ProfileLoaded { name, result }));
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{AppKeyPlacement, ChatRequest, Format};
    use crate::history::History;

    #[test]
    fn a_recorded_session_keeps_how_the_service_was_reached_so_its_cleanup_can_reach_it() {
        let dir = tempfile::tempdir().expect("dir");
        let history = History::at(dir.path().join("history.jsonl"));
        let session = NewSession {
            uri: "https://example.net/api/account/1/chat/H1".into(),
            profile: None,
            account: "1".into(),
            request: ChatRequest {
                skill: "Sales".into(),
                ..ChatRequest::default()
            },
            auth: None,
            app_key_in: AppKeyPlacement::Query,
            format: Format::Xml,
        };
        history.created(session_record(&session)).expect("written");
        let entries = history.entries().expect("entries");
        let [entry] = entries.as_slice() else {
            panic!("{entries:?}");
        };
        assert_eq!(entry.session.app_key_in, Some(AppKeyPlacement::Query));
        assert_eq!(entry.session.format, Some(Format::Xml));
    }

    #[test]
    fn a_damaged_history_line_is_named_and_the_rest_listed() {
        let dir = tempfile::tempdir().expect("dir");
        let history = History::at(dir.path().join("history.jsonl"));
        let session = |uri: &str| NewSession {
            uri: uri.into(),
            profile: None,
            account: "1".into(),
            request: ChatRequest::default(),
            auth: None,
            app_key_in: AppKeyPlacement::Header,
            format: Format::Json,
        };
        history
            .created(session_record(&session("https://x/chat/H1")))
            .expect("written");
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(history.path())
            .expect("open");
        std::io::Write::write_all(&mut file, b"{\"kind\":\"session\",\"uri\":\"\xff\"}\n")
            .expect("damage");
        history
            .created(session_record(&session("https://x/chat/H2")))
            .expect("written");
        let mut store = Store {
            history: Some(history.clone()),
            ..Store::default()
        };
        let (messages, mut received) = mpsc::unbounded_channel();
        run(&mut store, Effect::LoadHistory, &messages);
        let Ok(Msg::Outcome(crate::tui::msg::Outcome::Store(StoreOutcome::HistoryLoaded(Ok(
            entries,
        ))))) = received.try_recv()
        else {
            panic!("the history is listed");
        };
        assert_eq!(entries.len(), 2, "{entries:?}");
        let Ok(Msg::Outcome(crate::tui::msg::Outcome::Store(StoreOutcome::Failed(warning)))) =
            received.try_recv()
        else {
            panic!("the damage is said");
        };
        assert!(
            warning.contains(&format!(
                "{} line 2: not valid UTF-8",
                history.path().display()
            )),
            "{warning}"
        );
    }
}
