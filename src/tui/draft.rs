//! Drafts: the form as last typed, without its secrets, kept in the data directory so a crash, a
//! killed terminal or a lost SSH link loses nothing. `update` decides when to write one (as an
//! effect); the effects runner writes it atomically.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::form::{Form, TextField};
use crate::api::{AppKeyPlacement, ChatRequest, Format};

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
        super::prefill::refill_request(form, &self.request);
        form.fix_focus();
    }
}

/// Where the draft lives: the data directory's `draft.json`.
pub fn default_path() -> Option<PathBuf> {
    crate::paths::data_dir().map(|dir| dir.join(FILE_NAME))
}

/// The draft at `path`, if one was written and still reads.
pub fn load(path: &Path) -> Option<Draft> {
    let text = std::fs::read_to_string(path).ok()?;
    serde_json::from_str(&text).ok()
}

/// Writes the draft atomically (temporary file + rename), private to the user.
pub fn save(path: &Path, draft: &Draft) -> std::io::Result<()> {
    let text = serde_json::to_vec_pretty(draft).map_err(std::io::Error::other)?;
    crate::paths::write_atomically(path, &text)
}
