//! How to reach the service, as the form says: the API field (base URL, domain, or empty for CSDS
//! discovery), account, appKey, format and appKey placement — turned into a client configuration.

use std::time::Duration;

use crate::api::key_scope::AllowedHost;
use crate::api::validate::{self, Field, Invalid, ValidationErrors};
use crate::api::{ApiError, AppKeyPlacement, ClientConfig, Endpoint, Format};
use crate::secret::Secret;
use crate::start::ConnectionSpec;
use crate::tui::form::{Form, TextField};

/// A snapshot of the connection fields, handed to the effects that call the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub api: String,
    pub csds_url: String,
    pub account: String,
    pub app_key: Secret,
    pub format: Format,
    pub app_key_in: AppKeyPlacement,
    pub http_timeout: Option<Duration>,
    pub send_key_to: Vec<AllowedHost>,
}

impl Connection {
    pub fn from_form(form: &Form) -> Self {
        Self {
            api: form.text(TextField::Api).trim().to_string(),
            csds_url: form.csds_url.clone(),
            account: form.text(TextField::Account).trim().to_string(),
            app_key: Secret::new(form.text(TextField::AppKey).trim()),
            format: form.format,
            app_key_in: form.app_key_in,
            http_timeout: form.http_timeout,
            send_key_to: form.send_key_to.clone(),
        }
    }

    /// Where the API is: a URL, a bare domain, or discovery when the field is empty.
    pub fn endpoint(&self) -> Endpoint {
        let api = self.api.trim();
        if api.is_empty() {
            Endpoint::Discover {
                csds_url: self.csds_url.clone(),
            }
        } else if api.contains("://") {
            Endpoint::BaseUrl(api.to_string())
        } else {
            Endpoint::Domain(api.to_string())
        }
    }

    /// The connection's own problems (V1, V2, the URL), before anything is sent.
    pub fn validate(&self) -> ValidationErrors {
        let mut errors = ValidationErrors::default();
        let api = self.api.trim();
        let problem = if api.is_empty() {
            None
        } else if api.contains("://") {
            validate::base_url(api)
        } else if api.contains(['/', ' ', '?', '#']) {
            Some(format!(
                "`{api}` is neither a base URL (https://…) nor a domain"
            ))
        } else {
            validate::domain(api)
        };
        for (field, problem) in [
            (Field::Connection, problem),
            (Field::Account, validate::account(&self.account)),
            (Field::AppKey, validate::app_key(self.app_key.expose())),
        ] {
            if let Some(message) = problem {
                errors.0.push(Invalid { field, message });
            }
        }
        errors
    }

    /// The form's connection as the start layer's: the console's own layer, with nothing
    /// left to the layers below (the form always says everything).
    pub fn spec(&self) -> ConnectionSpec {
        let (base_url, domain) = match self.endpoint() {
            Endpoint::BaseUrl(url) => (Some(url), None),
            Endpoint::Domain(domain) => (None, Some(domain)),
            Endpoint::Discover { .. } => (None, None),
        };
        ConnectionSpec {
            base_url,
            domain,
            csds_url: Some(self.csds_url.clone()).filter(|url| !url.is_empty()),
            account: Some(self.account.clone()),
            app_key: Some(self.app_key.clone()),
            app_key_in: Some(self.app_key_in),
            format: Some(self.format),
            http_timeout: self.http_timeout.map(|timeout| timeout.as_secs_f64()),
            send_key_to: self.send_key_to.clone(),
        }
    }

    /// The client configuration, built as the command line builds it
    /// ([`ConnectionSpec::client_config`]); what cannot be used is said in the console's words.
    pub fn client_config(&self) -> Result<ClientConfig, ApiError> {
        self.spec()
            .client_config(None)
            .map_err(|error| ApiError::Config(crate::tui::errors::input(&error)))
    }

    /// A client for this connection, handing each exchange to `observer` when given.
    pub fn api(
        &self,
        observer: Option<crate::api::exchange::ExchangeObserver>,
    ) -> Result<crate::api::ChatApi, ApiError> {
        crate::api::ChatApi::with_observer(self.client_config()?, observer)
    }

    /// A short description for the title bar; never the appKey.
    pub fn describe(&self) -> String {
        match self.endpoint() {
            Endpoint::BaseUrl(url) => format!("account {} at {url}", self.account),
            Endpoint::Domain(domain) => format!("account {} at {domain}", self.account),
            Endpoint::Discover { .. } => format!("account {} (discovered)", self.account),
        }
    }
}
