//! Where the service is and how to reach it, as plain optional values: one layer of the start
//! (flags, a history record, a profile, the console's form), and the client configuration the
//! layers add up to.

use std::time::Duration;

use reqwest::Url;

use super::error::{ConnectionKey, InputError};
use crate::api::client::DEFAULT_CSDS_URL;
use crate::api::key_scope::AllowedHost;
use crate::api::{AppKeyPlacement, ClientConfig, Endpoint, Format, validate};
use crate::config::Profile;
use crate::history::SessionRecord;
use crate::secret::Secret;

/// One layer's say about the connection; `None` leaves it to the layers below.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConnectionSpec {
    pub base_url: Option<String>,
    pub domain: Option<String>,
    pub csds_url: Option<String>,
    pub account: Option<String>,
    pub app_key: Option<Secret>,
    pub app_key_in: Option<AppKeyPlacement>,
    pub format: Option<Format>,
    /// Seconds, as given (checked when the configuration is built).
    pub http_timeout: Option<f64>,
    /// Hosts the appKey may also go to; empty leaves it to the layers below.
    pub send_key_to: Vec<AllowedHost>,
}

impl ConnectionSpec {
    /// Whether this layer says where the service is.
    pub fn names_endpoint(&self) -> bool {
        self.base_url.is_some() || self.domain.is_some()
    }

    /// This layer over `lower`: each value from the first layer that has it. Where the service
    /// is comes whole from one layer (a flag naming any endpoint overrides the profile's, never
    /// half of each), its CSDS address with it.
    #[must_use]
    pub fn over(mut self, lower: &Self) -> Self {
        if !self.names_endpoint() {
            self.base_url.clone_from(&lower.base_url);
            self.domain.clone_from(&lower.domain);
            if self.csds_url.is_none() {
                self.csds_url.clone_from(&lower.csds_url);
            }
        }
        fill(&mut self.account, &lower.account);
        fill(&mut self.app_key, &lower.app_key);
        fill(&mut self.app_key_in, &lower.app_key_in);
        fill(&mut self.format, &lower.format);
        fill(&mut self.http_timeout, &lower.http_timeout);
        if self.send_key_to.is_empty() {
            self.send_key_to.clone_from(&lower.send_key_to);
        }
        self
    }

    /// What a profile says, its appKey not resolved (see [`super::layer`]).
    pub fn of_profile(profile: &Profile) -> Self {
        Self {
            base_url: profile.base_url.clone(),
            domain: profile.domain.clone(),
            csds_url: profile.csds_url.clone(),
            account: profile.account.clone(),
            app_key: None,
            app_key_in: profile.app_key_in,
            format: profile.format,
            http_timeout: profile.http_timeout,
            send_key_to: profile.send_key_to.clone(),
        }
    }

    /// What a history record kept of how its chat was made: where (the origin of its URI),
    /// the account, the appKey placement and the format.
    pub fn of_record(record: &SessionRecord) -> Self {
        let text = |value: &str| Some(value.to_string()).filter(|v| !v.is_empty());
        Self {
            base_url: text(&record.base_url),
            account: text(&record.account),
            app_key_in: record.app_key_in,
            format: record.format,
            ..Self::default()
        }
    }

    /// The client configuration. `uri` (a chat the user names) stands in for the endpoint and
    /// the account when no layer gives them.
    pub fn client_config(&self, uri: Option<&Url>) -> Result<ClientConfig, InputError> {
        if self.base_url.is_some() && self.domain.is_some() {
            return Err(InputError::BothEndpoints);
        }
        for (key, value, rule) in [
            (
                ConnectionKey::BaseUrl,
                &self.base_url,
                validate::base_url as fn(&str) -> Option<String>,
            ),
            (ConnectionKey::Domain, &self.domain, validate::domain),
            (ConnectionKey::CsdsUrl, &self.csds_url, validate::base_url),
        ] {
            if let Some(message) = value.as_deref().and_then(rule) {
                return Err(InputError::Connection { key, message });
            }
        }
        let endpoint = match (&self.base_url, &self.domain, uri) {
            (Some(url), _, _) => Endpoint::BaseUrl(url.clone()),
            (None, Some(domain), _) => Endpoint::Domain(domain.clone()),
            (None, None, Some(uri)) => Endpoint::BaseUrl(uri.origin().ascii_serialization()),
            (None, None, None) if self.account.is_some() => Endpoint::Discover {
                csds_url: self
                    .csds_url
                    .clone()
                    .unwrap_or_else(|| DEFAULT_CSDS_URL.to_string()),
            },
            (None, None, None) => return Err(InputError::NoEndpoint),
        };
        let account = self
            .account
            .clone()
            .or_else(|| uri.and_then(account_of))
            .ok_or(InputError::NoAccount)?;
        let app_key = self.app_key.clone().ok_or(InputError::NoAppKey)?;
        let mut config = ClientConfig::new(endpoint, account, app_key);
        config.endpoint_from_link = !self.names_endpoint() && uri.is_some();
        config.send_key_to.clone_from(&self.send_key_to);
        if let Some(placement) = self.app_key_in {
            config.app_key_in = placement;
        }
        if let Some(format) = self.format {
            config.format = format;
        }
        if let Some(seconds) = self.http_timeout {
            config.http_timeout = http_timeout(seconds)?;
        }
        Ok(config)
    }
}

/// The HTTP timeout given in seconds, or why it cannot be used.
pub fn http_timeout(seconds: f64) -> Result<Duration, InputError> {
    validate::interval(seconds).map_err(|message| InputError::Connection {
        key: ConnectionKey::HttpTimeout,
        message,
    })
}

/// `/api/account/{acc}/chat/{id}` → `acc`.
pub fn account_of(uri: &Url) -> Option<String> {
    let segments: Vec<&str> = uri.path_segments()?.collect();
    let position = segments.windows(2).position(|w| w == ["api", "account"])?;
    segments.get(position + 2).map(|s| (*s).to_string())
}

fn fill<T: Clone>(target: &mut Option<T>, value: &Option<T>) {
    if target.is_none() {
        target.clone_from(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_endpoint_comes_whole_from_the_first_layer_that_names_one() {
        let flags = ConnectionSpec {
            domain: Some("va.example.net".into()),
            ..ConnectionSpec::default()
        };
        let profile = ConnectionSpec {
            base_url: Some("https://other.example.net".into()),
            csds_url: Some("https://csds.example.net".into()),
            account: Some("123".into()),
            format: Some(Format::Xml),
            ..ConnectionSpec::default()
        };
        let merged = flags.over(&profile);
        assert_eq!(merged.domain.as_deref(), Some("va.example.net"));
        assert_eq!(merged.base_url, None, "never half of each layer's endpoint");
        assert_eq!(
            merged.csds_url, None,
            "the CSDS address goes with the endpoint"
        );
        assert_eq!(merged.account.as_deref(), Some("123"));
        assert_eq!(merged.format, Some(Format::Xml));
        let discovered = ConnectionSpec::default().over(&profile);
        assert_eq!(
            discovered.csds_url.as_deref(),
            Some("https://csds.example.net")
        );
    }

    #[test]
    fn a_chat_uri_stands_in_for_the_endpoint_and_the_account() {
        let spec = ConnectionSpec {
            app_key: Some(Secret::new("k")),
            ..ConnectionSpec::default()
        };
        let uri = Url::parse("https://va.example.net/api/account/42/chat/H1").unwrap();
        let config = spec.client_config(Some(&uri)).expect("config");
        assert_eq!(
            config.endpoint,
            Endpoint::BaseUrl("https://va.example.net".into())
        );
        assert_eq!(config.account, "42");
        assert!(config.endpoint_from_link);
        assert!(matches!(
            ConnectionSpec::default().client_config(None),
            Err(InputError::NoEndpoint)
        ));
    }
}
