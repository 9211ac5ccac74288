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
    /// `null for uri: …`), with upper- or lower-case hex, and inside base64 (standard or
    /// URL-safe, padded or not, alone or within a larger text encoded: a gateway that echoes a
    /// request body base64-encoded, a token that wraps the key).
    pub fn redact(&self, text: &str) -> String {
        if self.0.is_empty() {
            return text.to_string();
        }
        let mut text = mask_base64_runs(text.replace(&self.0, MASK), &base64_cores(&self.0));
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

/// What any base64 text that holds the secret contains, wherever the secret sits in what was
/// encoded: for each of the three alignments a byte offset gives, the characters made of the
/// secret's bits alone, in the standard and the URL-safe alphabets. (The base64 of the secret
/// alone is one of them, less its last character or two.)
fn base64_cores(secret: &str) -> Vec<String> {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD_NO_PAD;
    let mut cores = Vec::new();
    for offset in 0..3usize {
        let mut bytes = vec![0u8; offset];
        bytes.extend_from_slice(secret.as_bytes());
        let encoded = STANDARD_NO_PAD.encode(&bytes);
        // Characters before `first` carry bits of what came before the secret; from `last` on,
        // of what comes after it.
        let first = (offset * 8).div_ceil(6);
        let last = bytes.len() * 8 / 6;
        // A core this short could be found in any text: a secret of a few characters has none.
        if last < first + 8 {
            continue;
        }
        let core = &encoded[first..last];
        cores.push(core.to_string());
        cores.push(core.replace('+', "-").replace('/', "_"));
    }
    cores.sort();
    cores.dedup();
    cores
}

/// Masks every base64 run of `text` that holds one of `cores`: the whole run, since its other
/// characters carry bits of the secret too.
fn mask_base64_runs(mut text: String, cores: &[String]) -> String {
    let in_run = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '-' | '_' | '=');
    for core in cores {
        while let Some(at) = text.find(core.as_str()) {
            let start = text[..at]
                .char_indices()
                .rev()
                .find(|(_, c)| !in_run(*c))
                .map_or(0, |(i, c)| i + c.len_utf8());
            let end = text[at..]
                .find(|c: char| !in_run(c))
                .map_or(text.len(), |i| at + i);
            text.replace_range(start..end, MASK);
        }
    }
    text
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
    fn redact_masks_base64_of_any_text_that_holds_the_secret() {
        use base64::Engine;
        let secret = Secret::new("sso+Secret/Val=42&x");
        for prefix in [
            "",
            "a",
            "ab",
            "abc",
            r#"{"authChatConnId":"568046210","ssoKey":""#,
        ] {
            let body = format!("{prefix}{}\",\"redirectUri\":\"\"}}", secret.expose());
            for engine in [
                base64::engine::general_purpose::STANDARD,
                base64::engine::general_purpose::URL_SAFE,
                base64::engine::general_purpose::STANDARD_NO_PAD,
                base64::engine::general_purpose::URL_SAFE_NO_PAD,
            ] {
                let echoed = format!("body (base64: {}) end", engine.encode(&body));
                let shown = secret.redact(&echoed);
                assert_eq!(shown, format!("body (base64: {MASK}) end"), "{prefix:?}");
            }
        }
        // Text that merely looks like base64 is left alone.
        let text = "H7696136904024936515-c30529cde25902c132d72810bf96c7beK8522724";
        assert_eq!(secret.redact(text), text);
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
