//! A record of one HTTP exchange, secrets masked: what the console's inspector shows and what the
//! log file gets.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::error::Operation;

/// One request and its answer (or failure), with every secret already masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// What the call was for.
    pub operation: Operation,
    /// When the request went out, by this machine's clock.
    pub started: SystemTime,
    pub method: String,
    pub url: String,
    pub request_headers: Vec<(String, String)>,
    pub request_body: Option<String>,
    pub status: Option<u16>,
    pub response_headers: Vec<(String, String)>,
    pub response_body: Option<String>,
    pub elapsed: Duration,
    pub error: Option<String>,
}

impl Exchange {
    /// A one-line summary: `POST https://… → 201 (12 ms)`.
    pub fn summary(&self) -> String {
        let outcome = match (self.status, &self.error) {
            (Some(status), _) => status.to_string(),
            (None, Some(error)) => format!("failed: {error}"),
            (None, None) => "no answer".into(),
        };
        format!(
            "{} {} → {outcome} ({} ms)",
            self.method,
            self.url,
            self.elapsed.as_millis()
        )
    }
}

/// Receives every exchange the client makes.
pub type ExchangeObserver = Arc<dyn Fn(&Exchange) + Send + Sync>;
