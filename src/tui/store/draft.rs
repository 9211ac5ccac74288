//! Drafts: the form as last typed, without its secrets, kept in the data directory so a crash, a
//! killed terminal or a lost SSH link loses nothing. `update` decides when to write one (as an
//! effect); the effects runner writes it atomically.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::api::{AppKeyPlacement, ChatRequest, Format};
use crate::tui::form::{Form, TextField};

/// The draft's file name in the data directory.
pub const FILE_NAME: &str = "draft.json";

/// The form's content minus the appKey and the SSO key.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Draft {
    /// The profile the form came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// Typed on the demo: its connection is the embedded emulator of that run, gone since.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub demo: bool,
    pub api: String,
    pub account: String,
    pub format: Format,
    pub app_key_in: AppKeyPlacement,
    pub auth: bool,
    pub auth_conn_id: String,
    pub redirect_uri: String,
    /// Absent in drafts written before the form had the field.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub visitor_name: String,
    pub request: ChatRequest,
}

impl Draft {
    /// The draft of a form (never its secrets).
    pub fn of(form: &Form, profile: Option<&str>) -> Self {
        Self {
            profile: profile.map(str::to_string),
            demo: false,
            api: form.text(TextField::Api).to_string(),
            account: form.text(TextField::Account).to_string(),
            format: form.format,
            app_key_in: form.app_key_in,
            auth: form.auth,
            auth_conn_id: form.text(TextField::AuthChatConnId).to_string(),
            redirect_uri: form.text(TextField::RedirectUri).to_string(),
            visitor_name: form.text(TextField::VisitorName).to_string(),
            request: form.chat_request(),
        }
    }

    /// The draft of a form typed on the demo (or not).
    #[must_use]
    pub fn on_demo(self, demo: bool) -> Self {
        Self { demo, ..self }
    }

    /// The same draft without where it connects (the demo's emulator moves between runs).
    pub fn without_connection(&self) -> Self {
        Self {
            api: String::new(),
            account: String::new(),
            demo: false,
            ..self.clone()
        }
    }

    /// Puts the draft in the form; the secrets typed or resolved this run stay. With
    /// `keep_connection` the API and account fields stay too.
    pub fn restore_into(&self, form: &mut Form, keep_connection: bool) {
        if !keep_connection {
            form.set_text(TextField::Api, self.api.clone());
            form.set_text(TextField::Account, self.account.clone());
            form.format = self.format;
            form.app_key_in = self.app_key_in;
        }
        form.auth = self.auth;
        form.set_text(TextField::AuthChatConnId, self.auth_conn_id.clone());
        form.set_text(TextField::RedirectUri, self.redirect_uri.clone());
        crate::tui::form::prefill::refill_request(form, &self.request);
        form.set_text(TextField::VisitorName, self.visitor_name.clone());
        form.fix_focus();
    }
}

/// Where the draft lives: the data directory's `draft.json`.
pub fn default_path() -> Option<PathBuf> {
    crate::paths::data_dir().map(|dir| dir.join(FILE_NAME))
}

/// The draft at `path`, if one was written and still reads.
pub fn load(path: &Path) -> Option<Draft> {
    read(path).0
}

/// The draft at `path`, and what was wrong with it, named by file and line: a line that is
/// not UTF-8 has its bad bytes replaced (shown as �) and the draft is still offered; one that
/// is no draft at all is said, not silently dropped.
pub fn read(path: &Path) -> (Option<Draft>, Option<String>) {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (None, None),
        Err(e) => {
            return (
                None,
                Some(format!("cannot read the draft {}: {e}", path.display())),
            );
        }
    };
    let damaged = bytes
        .split(|byte| *byte == b'\n')
        .position(|line| std::str::from_utf8(line).is_err())
        .map(|index| {
            format!(
                "the draft {} line {} is not valid UTF-8: the bad bytes show as �",
                path.display(),
                index + 1
            )
        });
    let text = String::from_utf8_lossy(&bytes);
    match serde_json::from_str::<Draft>(&text) {
        Ok(draft) => (Some(draft), damaged),
        Err(error) => (
            None,
            Some(format!(
                "the draft {} could not be read (line {}: {}); it was not offered",
                path.display(),
                error.line(),
                match error.classify() {
                    serde_json::error::Category::Eof => "cut short",
                    _ => "not a draft",
                }
            )),
        ),
    }
}

/// Writes the draft atomically (temporary file + rename), private to the user.
pub fn save(path: &Path, draft: &Draft) -> std::io::Result<()> {
    let text = serde_json::to_vec_pretty(draft).map_err(std::io::Error::other)?;
    crate::paths::write_atomically(path, &text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_damaged_draft_is_named_by_its_line_and_kept_when_it_still_reads() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join(FILE_NAME);
        let draft = Draft {
            account: "12345678".into(),
            request: ChatRequest {
                skill: "Sales".into(),
                pre_chat_lines: vec!["order 12345".into()],
                ..ChatRequest::default()
            },
            ..Draft::default()
        };
        save(&path, &draft).expect("saved");
        // One byte of a pre-chat line is not UTF-8 any more.
        let mut bytes = std::fs::read(&path).expect("read");
        let at = bytes
            .windows(5)
            .position(|w| w == b"order")
            .expect("the line");
        bytes[at] = 0xFF;
        let line = 1 + bytes[..at].iter().filter(|b| **b == b'\n').count();
        std::fs::write(&path, &bytes).expect("damaged");
        let (found, problem) = read(&path);
        let found = found.expect("the rest of the draft is offered");
        assert_eq!(found.account, "12345678");
        assert_eq!(found.request.pre_chat_lines, ["\u{FFFD}rder 12345"]);
        let problem = problem.expect("the damage is said");
        assert!(
            problem.contains(&format!(
                "{} line {line} is not valid UTF-8",
                path.display()
            )),
            "{problem}"
        );

        // Cut short: nothing to offer, and that is said with the line, not kept quiet.
        std::fs::write(&path, &bytes[..at]).expect("cut");
        let (found, problem) = read(&path);
        assert!(found.is_none());
        assert!(
            problem
                .is_some_and(|p| p.contains("could not be read (line") && p.contains("cut short")),
        );
    }
}
