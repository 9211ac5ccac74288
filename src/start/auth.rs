//! The authenticated flow's values as one layer gives them. The SSO key is resolved from a
//! profile's source only when the flow is used (a command may run a password manager).

use super::error::InputError;
use crate::api::AuthRequest;
use crate::config::Profile;
use crate::secret::Secret;

/// One layer's say about the authenticated flow.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthSpec {
    pub sso_key: Option<Secret>,
    pub auth_conn_id: Option<String>,
    pub redirect_uri: Option<String>,
}

impl AuthSpec {
    /// What a profile says, its SSO key not resolved (see [`Self::resolve_sso_key`]).
    pub fn of_profile(profile: &Profile) -> Self {
        Self {
            sso_key: None,
            auth_conn_id: profile.auth_conn_id.clone(),
            redirect_uri: profile.redirect_uri.clone(),
        }
    }

    /// This layer over `lower`.
    #[must_use]
    pub fn over(mut self, lower: &Self) -> Self {
        if self.sso_key.is_none() {
            self.sso_key.clone_from(&lower.sso_key);
        }
        if self.auth_conn_id.is_none() {
            self.auth_conn_id.clone_from(&lower.auth_conn_id);
        }
        if self.redirect_uri.is_none() {
            self.redirect_uri.clone_from(&lower.redirect_uri);
        }
        self
    }

    /// The SSO key from the profile's source when no layer gave one (empty when the profile
    /// names none either).
    pub fn resolve_sso_key(&mut self, profile: Option<(&str, &Profile)>) -> Result<(), InputError> {
        if self.sso_key.is_some() {
            return Ok(());
        }
        let Some((name, profile)) = profile else {
            return Ok(());
        };
        let key = profile
            .sso_key_source()
            .resolve("SSO key")
            .map_err(|error| InputError::Secret {
                profile: name.to_string(),
                what: "SSO key",
                message: error.to_string(),
            })?;
        self.sso_key = Some(key.unwrap_or_default());
        Ok(())
    }

    /// The auth call's values: what is missing is empty (validation names it).
    pub fn auth_request(&self) -> AuthRequest {
        AuthRequest {
            sso_key: self.sso_key.clone().unwrap_or_default(),
            auth_chat_conn_id: self.auth_conn_id.clone().unwrap_or_default(),
            redirect_uri: self.redirect_uri.clone().unwrap_or_default(),
        }
    }
}
