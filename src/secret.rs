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

    /// Replaces every occurrence of this secret in `text` by the mask: as is, as it reads
    /// once URL-encoded (a server may echo the URL that carried it, e.g. in internalCode 28's
    /// `null for uri: …`), with upper- or lower-case hex, and base64-encoded (standard or
    /// URL-safe, padded or not: a proxy's echoed `Authorization`, a token that wraps it).
    pub fn redact(&self, text: &str) -> String {
        if self.0.is_empty() {
            return text.to_string();
        }
        let mut text = text.replace(&self.0, MASK);
        for form in base64_forms(&self.0) {
            if text.contains(&form) {
                text = text.replace(&form, MASK);
            }
        }
        let encoded: String = url::form_urlencoded::byte_serialize(self.0.as_bytes()).collect();
        if encoded != self.0 {
            let percent_as_space = encoded.replace('+', "%20");
            for form in [
                encoded.clone(),
                lower_hex(&encoded),
                percent_as_space.clone(),
                lower_hex(&percent_as_space),
            ] {
                if text.contains(&form) {
                    text = text.replace(&form, MASK);
                }
            }
        }
        text
    }
}

/// The secret base64-encoded, longest first (a padded form holds the unpadded one).
fn base64_forms(secret: &str) -> Vec<String> {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let mut forms: Vec<String> = [STANDARD, URL_SAFE, STANDARD_NO_PAD, URL_SAFE_NO_PAD]
        .iter()
        .map(|engine| engine.encode(secret.as_bytes()))
        // A secret of a character or two encodes to text too short to tell from any other.
        .filter(|form| form.len() >= 8)
        .collect();
    forms.dedup();
    forms
}

/// `%2B` → `%2b`: percent-escapes with lower-case hex digits.
fn lower_hex(encoded: &str) -> String {
    let mut out = String::with_capacity(encoded.len());
    let mut chars = encoded.chars();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '%' {
            out.extend(chars.by_ref().take(2).map(|h| h.to_ascii_lowercase()));
        }
    }
    out
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

    #[test]
    fn redact_also_masks_the_base64_forms() {
        use base64::Engine;
        let secret = Secret::new("k3y>>>???with/+bytes");
        for engine in [
            base64::engine::general_purpose::STANDARD,
            base64::engine::general_purpose::URL_SAFE,
            base64::engine::general_purpose::STANDARD_NO_PAD,
            base64::engine::general_purpose::URL_SAFE_NO_PAD,
        ] {
            let encoded = engine.encode(secret.expose());
            assert_eq!(
                secret.redact(&format!("Basic {encoded}")),
                format!("Basic {MASK}"),
                "{encoded}"
            );
        }
    }

    #[test]
    fn redact_also_masks_the_url_encoded_forms() {
        let secret = Secret::new("ZQX+KEY/w=th&chars x");
        let url = url::Url::parse_with_params("http://h/p", [("appKey", secret.expose())]).unwrap();
        let echoed = format!("null for uri: {}?{}", url.path(), url.query().unwrap());
        let shown = secret.redact(&echoed);
        assert_eq!(shown, format!("null for uri: /p?appKey={MASK}"));
        for text in [
            "ZQX%2BKEY%2Fw%3Dth%26chars%20x",
            "ZQX%2bKEY%2fw%3dth%26chars+x",
        ] {
            assert_eq!(secret.redact(text), MASK, "{text}");
        }
    }
}
