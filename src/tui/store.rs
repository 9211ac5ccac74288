//! The effects that keep things on disk for the console: the draft, the history, the config
//! file's profiles. Failures come back as messages to show; none stops the console.

use tokio::sync::mpsc;

use super::msg::{Effect, Msg};
use super::setup::Store;
use crate::api::AuthRequest;
use crate::cli::args::{ConnectionArgs, RequestFields, TuiArgs};
use crate::config::Config;
use crate::history::{Flow, SessionRecord};

/// Runs one of the store's effects (others are ignored).
pub fn run(store: &mut Store, effect: Effect, messages: &mpsc::UnboundedSender<Msg>) {
    match effect {
        Effect::SaveDraft(draft) => {
            if let Some(path) = &store.draft {
                if let Err(error) = super::draft::save(path, &draft) {
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
            let result = match &store.history {
                Some(history) => history
                    .entries()
                    .map_err(|e| format!("{}: {e}", history.path().display())),
                None => Err("no data directory on this system".into()),
            };
            let _ = messages.send(Msg::HistoryLoaded(result));
        }
        Effect::LoadProfile { name } => load_profile(store, name, messages),
        Effect::SaveProfile { name, profile } => {
            let config = store.config.get_or_insert_with(Config::default);
            let result = config
                .save_profile(&name, &profile)
                .map(|path| path.display().to_string())
                .map_err(|e| e.to_string());
            let _ = messages.send(Msg::ProfileSaved {
                name,
                profile,
                result,
            });
        }
        Effect::RecordSession(session) => {
            if let Some(history) = &store.history {
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
                if let Err(error) = history.created(record) {
                    failed(messages, format!("could not write the history: {error}"));
                }
            }
        }
        Effect::RecordState { uri, state, agent } => {
            if let Some(history) = &store.history {
                if let Err(error) = history.state(&uri, &state, agent.as_deref()) {
                    failed(messages, format!("could not write the history: {error}"));
                }
            }
        }
        // Handled by the loop, which owns the terminal.
        _ => {}
    }
}

fn failed(messages: &mpsc::UnboundedSender<Msg>, message: String) {
    let _ = messages.send(Msg::StoreFailed(message));
}

/// Reads a profile under the start's flags; its secret commands may take a while, so off
/// the loop's thread.
fn load_profile(store: &Store, name: String, messages: &mpsc::UnboundedSender<Msg>) {
    let messages = messages.clone();
    let profile = store
        .config
        .as_ref()
        .and_then(|c| c.file.profiles.get(&name).cloned());
    let args = store.args.clone().unwrap_or_else(|| TuiArgs {
        connection: ConnectionArgs::default(),
        fields: RequestFields::default(),
    });
    tokio::task::spawn_blocking(move || {
        let result = match profile {
            Some(profile) => Ok(Box::new(super::profiles::form_from_profile(
                &args, &name, &profile,
            ))),
            None => Err("not in the config file".to_string()),
        };
        let _ = messages.send(Msg::ProfileLoaded { name, result });
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{AppKeyPlacement, ChatRequest, Format};
    use crate::history::History;
    use crate::tui::msg::NewSession;

    #[test]
    fn a_recorded_session_keeps_how_the_service_was_reached_so_its_cleanup_can_reach_it() {
        let dir = tempfile::tempdir().expect("dir");
        let history = History::at(dir.path().join("history.jsonl"));
        let mut store = Store {
            history: Some(history.clone()),
            draft: None,
            config: None,
            args: None,
        };
        let (messages, _received) = mpsc::unbounded_channel();
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
        run(
            &mut store,
            Effect::RecordSession(Box::new(session)),
            &messages,
        );
        let entries = history.entries().expect("entries");
        let [entry] = entries.as_slice() else {
            panic!("{entries:?}");
        };
        assert_eq!(entry.session.app_key_in, Some(AppKeyPlacement::Query));
        assert_eq!(entry.session.format, Some(Format::Xml));
    }
}
