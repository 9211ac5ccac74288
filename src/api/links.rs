//! Server links used exactly as given (Q5), with the parameters the service expects added (Q6).

use reqwest::Url;

/// Where the appKey rides: the `Authorization` header (default) or the `appKey` query parameter,
/// for accounts that refuse the header (Q8).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum AppKeyPlacement {
    #[default]
    Header,
    Query,
}

impl AppKeyPlacement {
    /// The name `FromStr` reads and `--app-key-in` takes.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Header => "header",
            Self::Query => "query",
        }
    }
}

impl std::str::FromStr for AppKeyPlacement {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "header" => Ok(Self::Header),
            "query" => Ok(Self::Query),
            other => Err(format!(
                "unknown appKey placement `{other}`: use header or query"
            )),
        }
    }
}

/// Makes a server link (or a template URL) ready to call: resolves a relative link against
/// `base` (only a fallback: the service sends absolute links), then appends `v=1`, `NC=true` and,
/// when it rides in the query, `appKey` — each only when missing, keeping everything else (`from`).
pub fn prepare(
    href: &str,
    base: Option<&Url>,
    app_key_in_query: Option<&str>,
) -> Result<Url, String> {
    let href = href.trim();
    let mut url = match Url::parse(href) {
        Ok(url) => url,
        Err(url::ParseError::RelativeUrlWithoutBase) => base
            .ok_or_else(|| format!("relative link `{href}` with nothing to resolve it against"))?
            .join(href)
            .map_err(|e| format!("bad link `{href}`: {e}"))?,
        Err(e) => return Err(format!("bad link `{href}`: {e}")),
    };
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("link `{href}` is not http(s)"));
    }
    refuse_user_info(&url)?;
    let has = |url: &Url, name: &str| url.query_pairs().any(|(key, _)| key == name);
    let mut additions: Vec<(&str, &str)> = Vec::new();
    if !has(&url, "v") {
        additions.push(("v", "1"));
    }
    if !has(&url, "NC") {
        additions.push(("NC", "true"));
    }
    if let Some(key) = app_key_in_query {
        if !has(&url, "appKey") {
            additions.push(("appKey", key));
        }
    }
    if !additions.is_empty() {
        url.query_pairs_mut().extend_pairs(additions);
    }
    Ok(url)
}

/// Refuses a URL with `user:pass@`: the HTTP client would send it as a Basic Authorization
/// header beside the appKey's, and the service refuses a request with two. The message names
/// the host only, never what the user part holds.
pub fn refuse_user_info(url: &Url) -> Result<(), String> {
    if url.username().is_empty() && url.password().is_none() {
        return Ok(());
    }
    Err(format!(
        "the URL of {} carries a user name or password (`user:pass@`): it would go as a second Authorization header beside the appKey's, which the service refuses; give the URL without it",
        url.host_str().unwrap_or("?")
    ))
}

/// The last path segment of a URL, without a `.json`/`.xml` suffix (spec §2.8 rule 3).
pub fn last_segment(url: &Url) -> Option<String> {
    let segment = url.path_segments()?.rev().find(|s| !s.is_empty())?;
    let segment = segment
        .strip_suffix(".json")
        .or_else(|| segment.strip_suffix(".xml"))
        .unwrap_or(segment);
    Some(segment.to_string()).filter(|s| !s.is_empty())
}

/// Whether a URL has the chat-session form `/api/account/{acc}/chat/{id}` (spec §2.8 rule 2).
pub fn is_chat_session(url: &Url) -> bool {
    let segments: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    matches!(
        segments.as_slice(),
        [.., "api", "account", _, "chat", id] if !matches!(
            id.trim_end_matches(".json").trim_end_matches(".xml"),
            "request" | "availability" | "availableSlots" | "estimatedWaitTime" | "preSurvey" | "offlineSurvey"
        )
    )
}

/// A URL with the appKey query value masked, for showing to people.
pub fn redact_url(url: &Url) -> String {
    if !url.query_pairs().any(|(key, _)| key == "appKey") {
        return url.to_string();
    }
    let mut shown = url.clone();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let value = if k == "appKey" {
                crate::secret::MASK.to_string()
            } else {
                v.into_owned()
            };
            (k.into_owned(), value)
        })
        .collect();
    shown.query_pairs_mut().clear().extend_pairs(pairs);
    shown.to_string()
}

/// `url` without an `appKey` query parameter. A server that echoes the request's appKey into
/// a `Location` would otherwise put the key into the session URI, which is shown, copied and
/// kept in the history; the client adds its own key to every call that needs one.
pub fn without_app_key(mut url: Url) -> Url {
    if !url.query_pairs().any(|(key, _)| key == "appKey") {
        return url;
    }
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(key, _)| key != "appKey")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if pairs.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    url
}

/// A link as text with any appKey query value masked; text that is not a URL is returned as is.
pub fn redact_text_url(text: &str) -> String {
    Url::parse(text).map_or_else(|_| text.to_string(), |url| redact_url(&url))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_app_key_echoed_into_a_location_is_taken_out_and_the_rest_kept() {
        let echoed =
            Url::parse("https://lo.example/api/account/1/chat/H1?appKey=s3cr3t&sid=q1&from=3")
                .unwrap();
        assert_eq!(
            without_app_key(echoed).as_str(),
            "https://lo.example/api/account/1/chat/H1?sid=q1&from=3"
        );
        let only = Url::parse("https://lo.example/api/account/1/chat/H1?appKey=s3cr3t").unwrap();
        assert_eq!(
            without_app_key(only).as_str(),
            "https://lo.example/api/account/1/chat/H1"
        );
        let clean = "https://lo.example/api/account/1/chat/H1?sid=a%20b";
        assert_eq!(without_app_key(Url::parse(clean).unwrap()).as_str(), clean);
    }

    #[test]
    fn adds_missing_parameters_and_keeps_from() {
        let url = prepare("https://h.example/api/account/1/chat/X?from=4", None, None).unwrap();
        assert_eq!(
            url.as_str(),
            "https://h.example/api/account/1/chat/X?from=4&v=1&NC=true"
        );
        let bare = prepare("https://h.example/api/account/1/chat/X", None, Some("k")).unwrap();
        assert_eq!(
            bare.as_str(),
            "https://h.example/api/account/1/chat/X?v=1&NC=true&appKey=k"
        );
    }

    #[test]
    fn never_duplicates_parameters_already_there() {
        let href = "https://h.example/chat/X?v=1&from=2&NC=true&appKey=k";
        assert_eq!(prepare(href, None, Some("k")).unwrap().as_str(), href);
    }

    #[test]
    fn links_are_used_as_given_even_on_another_host() {
        let base = Url::parse("http://127.0.0.1:9/api/account/1/chat/request").unwrap();
        let url = prepare("https://other.example:8443/x/chat/Y", Some(&base), None).unwrap();
        assert_eq!(url.host_str(), Some("other.example"));
        assert_eq!(url.port(), Some(8443));
    }

    #[test]
    fn relative_links_resolve_against_the_request_only_as_a_fallback() {
        let base = Url::parse("http://127.0.0.1:9/api/account/1/chat/request").unwrap();
        let url = prepare("/api/account/1/chat/Z", Some(&base), None).unwrap();
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:9/api/account/1/chat/Z?v=1&NC=true"
        );
        assert!(prepare("/relative", None, None).is_err());
        assert!(prepare("ftp://x/y", None, None).is_err());
    }

    #[test]
    fn recognises_chat_session_locations() {
        let chat = Url::parse("https://h/api/account/1/chat/H1-abcK2").unwrap();
        let conversation = Url::parse("https://h/api/account/1/conversation/abc-def").unwrap();
        let request = Url::parse("https://h/api/account/1/chat/request.json").unwrap();
        assert!(is_chat_session(&chat));
        assert!(!is_chat_session(&conversation));
        assert!(!is_chat_session(&request));
        assert_eq!(last_segment(&conversation).as_deref(), Some("abc-def"));
        let suffixed = Url::parse("https://h/api/account/1/conversation/c1.json?x=1").unwrap();
        assert_eq!(last_segment(&suffixed).as_deref(), Some("c1"));
    }

    #[test]
    fn redacts_the_app_key_in_urls() {
        let url = prepare("https://h/chat/X", None, Some("s3cret")).unwrap();
        let shown = redact_url(&url);
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("appKey="));
    }
}
