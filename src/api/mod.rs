//! The LivePerson legacy visitor Chat REST client. Knows nothing of any UI.

pub mod auth;
pub mod client;
pub mod error;
pub mod exchange;
pub mod explain;
pub mod format;
pub mod key_scope;
pub mod links;
pub mod model;
pub mod request;
pub mod validate;
pub mod value;
pub mod visitor;
pub mod written;

pub use auth::{AuthOutcome, AuthenticatedChat, start_authenticated, start_authenticated_unless};
pub use client::{ChatApi, ClientConfig, Endpoint};
pub use error::{ApiError, ErrorKind, Operation};
pub use format::Format;
pub use links::AppKeyPlacement;
pub use request::{AuthRequest, ChatRequest, SurveyAnswer, TranscriptRequest};
pub use visitor::TranscriptSent;
