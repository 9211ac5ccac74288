//! The one place where the layers of a start add up: flags over a history record over a
//! profile over defaults (flag > environment > record > profile > default; the environment is
//! folded into the flags by the command line).

use super::auth::AuthSpec;
use super::connection::ConnectionSpec;
use super::error::InputError;
use super::request::RequestSpec;
use super::visitor::VisitorSpec;
use crate::config::Profile;
use crate::history::SessionRecord;

/// Everything a start is made of, as one layer gives it or as the layers add up.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StartSpec {
    pub connection: ConnectionSpec,
    pub request: RequestSpec,
    pub auth: AuthSpec,
    pub visitor: VisitorSpec,
}

impl StartSpec {
    /// This layer over `lower`.
    #[must_use]
    pub fn over(self, lower: &Self) -> Self {
        Self {
            connection: self.connection.over(&lower.connection),
            request: self.request.over(&lower.request),
            auth: self.auth.over(&lower.auth),
            visitor: self.visitor.over(&lower.visitor),
        }
    }

    /// What a profile says, its secrets not resolved.
    pub fn of_profile(profile: &Profile) -> Self {
        Self {
            connection: ConnectionSpec::of_profile(profile),
            request: RequestSpec::of_request(&profile.request),
            auth: AuthSpec::of_profile(profile),
            visitor: VisitorSpec::of_profile(profile),
        }
    }

    /// What a history record kept: how and where its chat was made, its request and the auth
    /// call's ids (never a secret).
    pub fn of_record(record: &SessionRecord) -> Self {
        Self {
            connection: ConnectionSpec::of_record(record),
            request: RequestSpec::of_request(&record.request),
            auth: AuthSpec {
                sso_key: None,
                auth_conn_id: record.auth_conn_id.clone(),
                redirect_uri: record.redirect_uri.clone(),
            },
            visitor: VisitorSpec::of_record(record),
        }
    }
}

/// Adds up the layers of a start: `flags` over `record` over `profile` over `defaults`. The
/// profile's appKey is resolved from its source (environment, command, prompt) only when no
/// layer above it gives one; its SSO key is left to [`AuthSpec::resolve_sso_key`], for the
/// flow that uses it.
pub fn layer(
    flags: &StartSpec,
    record: Option<&SessionRecord>,
    profile: Option<(&str, &Profile)>,
    defaults: &StartSpec,
) -> Result<StartSpec, InputError> {
    let mut spec = flags.clone();
    if let Some(record) = record {
        spec = spec.over(&StartSpec::of_record(record));
    }
    if let Some((name, profile)) = profile {
        spec = spec.over(&StartSpec::of_profile(profile));
        if spec.connection.app_key.is_none() {
            spec.connection.app_key =
                profile
                    .app_key_source()
                    .resolve("appKey")
                    .map_err(|error| InputError::Secret {
                        profile: name.to_string(),
                        what: "appKey",
                        message: error.to_string(),
                    })?;
        }
    }
    Ok(spec.over(defaults))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{AppKeyPlacement, ChatRequest, Format};
    use crate::history::Flow;
    use crate::secret::Secret;

    #[test]
    fn flags_win_over_the_record_which_wins_over_the_profile_and_the_defaults() {
        let mut record = SessionRecord::created(
            Some("staging"),
            "111",
            "https://chat.example.net/api/account/111/chat/H1",
            Flow::Request,
            &ChatRequest {
                skill: "Billing".into(),
                ..ChatRequest::default()
            },
            None,
        );
        record.app_key_in = Some(AppKeyPlacement::Query);
        let profile = Profile {
            base_url: Some("https://api.example.net".into()),
            account: Some("222".into()),
            format: Some(Format::Xml),
            app_key_in: Some(AppKeyPlacement::Header),
            request: ChatRequest {
                skill: "Sales".into(),
                language: "en-US".into(),
                ..ChatRequest::default()
            },
            ..Profile::default()
        };
        let flags = StartSpec {
            connection: ConnectionSpec {
                app_key: Some(Secret::new("flag-key")),
                ..ConnectionSpec::default()
            },
            ..StartSpec::default()
        };
        let defaults = StartSpec {
            request: RequestSpec {
                user_agent: Some("console".into()),
                ..RequestSpec::default()
            },
            ..StartSpec::default()
        };
        let spec = layer(
            &flags,
            Some(&record),
            Some(("staging", &profile)),
            &defaults,
        )
        .expect("layers");
        let connection = &spec.connection;
        assert_eq!(connection.app_key, Some(Secret::new("flag-key")));
        assert_eq!(
            connection.base_url.as_deref(),
            Some("https://chat.example.net"),
            "where the chat was made"
        );
        assert_eq!(connection.account.as_deref(), Some("111"));
        assert_eq!(connection.app_key_in, Some(AppKeyPlacement::Query));
        assert_eq!(
            connection.format,
            Some(Format::Xml),
            "the profile fills the rest"
        );
        let request = spec.request.chat_request().expect("request");
        assert_eq!(request.skill, "Billing");
        assert_eq!(request.language, "en-US");
        assert_eq!(request.user_agent, "console");
    }
}
