//! The two wire formats: JSON and XML, for request bodies and `Accept`.

use serde_json::Value;

use crate::xmljson;

/// Which format to send and ask for.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    #[default]
    Json,
    Xml,
}

impl Format {
    pub fn mime(self) -> &'static str {
        match self {
            Self::Json => "application/json",
            Self::Xml => "application/xml",
        }
    }

    /// The Content-Type of bodies sent (clients send XML with its charset, spec §1.4).
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/json",
            Self::Xml => "application/xml; charset=UTF-8",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Xml => "xml",
        }
    }

    /// Writes a body in this format from the service's JSON mapping.
    pub fn encode(self, body: &Value) -> String {
        match self {
            Self::Json => body.to_string(),
            // The bodies built by this client always have a single root.
            Self::Xml => xmljson::value_to_xml(body).unwrap_or_default(),
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "json" => Ok(Self::Json),
            "xml" => Ok(Self::Xml),
            other => Err(format!("unknown format `{other}`: use json or xml")),
        }
    }
}

/// Reads a response body as the service's JSON tree, whatever format it actually came in: the
/// Content-Type is a hint, the first character decides.
pub fn decode(body: &str) -> Result<Value, String> {
    let trimmed = body.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('<') {
        xmljson::xml_to_value(trimmed).map_err(|e| e.to_string())
    } else {
        serde_json::from_str(trimmed).map_err(|e| format!("malformed JSON: {e}"))
    }
}
