//! A secret (appKey, SSO key) whose Debug and Display never show it.
//!
//! The value leaves this type only through [`Secret::expose`], at the one place it is put on the
//! wire, so no log line, error message or panic can carry it by accident.

/// What a secret prints as.
pub const MASK: &str = "••••";

/// A secret string. Not `Serialize`: it cannot be written to a file by mistake.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the request that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Replaces every occurrence of this secret in `text` by the mask.
    pub fn redact(&self, text: &str) -> String {
        if self.0.is_empty() {
            text.to_string()
        } else {
            text.replace(&self.0, MASK)
        }
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secret({MASK})")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(MASK)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_display_and_redact_never_show_the_value() {
        let secret = Secret::new("s3cr3t-key");
        assert!(!format!("{secret:?} {secret} {secret:#?}").contains("s3cr3t"));
        assert_eq!(secret.redact("a s3cr3t-key b"), format!("a {MASK} b"));
        assert_eq!(secret.expose(), "s3cr3t-key");
        assert_eq!(Secret::default().redact("keep"), "keep");
    }
}
