//! What can be wrong with what a front end was given, before anything is sent: typed, so the
//! command line names its flags and the console its fields.

use crate::api::validate::{Field, Invalid};

/// A connection value a front end gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionKey {
    BaseUrl,
    Domain,
    CsdsUrl,
    HttpTimeout,
}

/// Input that cannot be used: nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// Both a base URL and a domain say where the service is.
    #[error("both a base URL and a domain say where the API is; give one")]
    BothEndpoints,
    /// Nothing says where the service is.
    #[error("nothing says where the API is: a base URL, a domain, or an account to discover it")]
    NoEndpoint,
    #[error("the account is required")]
    NoAccount,
    #[error("the appKey is required")]
    NoAppKey,
    /// A connection value that cannot be used.
    #[error("{message}")]
    Connection { key: ConnectionKey, message: String },
    /// A value of the request (or of the authenticated flow) that cannot be used.
    #[error("{}", .0.message)]
    Field(Invalid),
    /// A profile's secret could not be had from its source.
    #[error("profile `{profile}`: {what}: {message}")]
    Secret {
        profile: String,
        what: &'static str,
        message: String,
    },
    /// Anything else, said as it is (a file that does not load, names its file and line).
    #[error("{0}")]
    Other(String),
}

impl InputError {
    /// An invalid value of `field`.
    pub fn field(field: Field, message: impl Into<String>) -> Self {
        Self::Field(Invalid {
            field,
            message: message.into(),
        })
    }
}
