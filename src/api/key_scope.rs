//! Where the appKey may go: the configured service, the hosts the service itself named in its
//! answers, LivePerson's own domains, and the hosts the user allowed by name. The client asks
//! [`KeyScope::allows`] before every call that carries the key, in the header or the query.
//!
//! A session URI typed on the command line is not a configured service: whoever runs the host
//! it names would be handed the key. Loopback gets no favour either: it is the service only
//! when it was configured as one.

use std::collections::HashSet;
use std::sync::Mutex;

use reqwest::Url;

/// LivePerson's own domain: it and every subdomain, over https.
pub const LIVEPERSON_DOMAIN: &str = "liveperson.net";

/// A host the user allowed the key to go to (`--send-key-to`, `send_key_to` in a profile):
/// `host`, `host:port`, or a URL (its host and port).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AllowedHost {
    host: String,
    /// Any port when none was given.
    port: Option<u16>,
}

impl std::str::FromStr for AllowedHost {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let url = if text.contains("://") {
            Url::parse(text)
        } else {
            Url::parse(&format!("http://{text}"))
        };
        let url = url
            .ok()
            .filter(|url| {
                url.host().is_some() && matches!(url.path(), "" | "/") && url.query().is_none()
            })
            .ok_or_else(|| {
                format!("`{text}` is not a host name, host:port or http(s) URL of a host")
            })?;
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        // `http://h` parses with port None; an explicit `:80` is kept by `port()` only when it
        // differs from the scheme's default, so read it from the text for a bare host:port.
        let port = url.port().or_else(|| {
            text.rsplit_once(':')
                .and_then(|(_, port)| port.trim_end_matches('/').parse().ok())
        });
        Ok(Self { host, port })
    }
}

impl TryFrom<String> for AllowedHost {
    type Error = String;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<AllowedHost> for String {
    fn from(allowed: AllowedHost) -> Self {
        allowed.to_string()
    }
}

impl std::fmt::Display for AllowedHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.port {
            Some(port) => write!(f, "{}:{port}", self.host),
            None => f.write_str(&self.host),
        }
    }
}

impl AllowedHost {
    fn matches(&self, url: &Url) -> bool {
        url.host_str()
            .is_some_and(|host| host.eq_ignore_ascii_case(&self.host))
            && self
                .port
                .is_none_or(|port| url.port_or_known_default() == Some(port))
    }
}

/// Whether `url` is on LivePerson's own domain, over https.
pub fn is_liveperson(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    url.scheme() == "https"
        && (host == LIVEPERSON_DOMAIN
            || host
                .strip_suffix(LIVEPERSON_DOMAIN)
                .is_some_and(|head| head.ends_with('.')))
}

/// The host (and port, when not the scheme's default) of a URL, to name it in a message; never
/// the path or query, where the key may ride.
pub fn host_of(url: &Url) -> String {
    let host = url.host_str().unwrap_or("?");
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

/// The origins the key may go to, learnt as the service names them.
#[derive(Debug, Default)]
pub struct KeyScope {
    allowed: Vec<AllowedHost>,
    /// Origins (`scheme://host[:port]`) of the configured service and of links it named.
    named: Mutex<HashSet<String>>,
}

impl KeyScope {
    pub fn new(allowed: Vec<AllowedHost>) -> Self {
        Self {
            allowed,
            named: Mutex::default(),
        }
    }

    /// The service gave this URL (or it is the configured service's): its origin may get the
    /// key from now on.
    pub fn trust(&self, url: &Url) {
        let origin = url.origin().ascii_serialization();
        if let Ok(mut named) = self.named.lock() {
            if !named.contains(&origin) {
                named.insert(origin);
            }
        }
    }

    /// Trusts the origins of links an answer from `from` named. A link on the answer's own
    /// origin (the usual case) costs a prefix test, not a parse: every poll reads a few.
    pub fn trust_links<'a>(&self, from: &Url, hrefs: impl IntoIterator<Item = &'a str>) {
        let own = from.origin().ascii_serialization();
        for href in hrefs {
            let href = href.trim();
            let same = href
                .strip_prefix(own.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?', '#']));
            if same {
                continue;
            }
            if let Ok(url) = Url::parse(href) {
                // A link from an https answer to plain http would carry the key in the clear.
                let downgrade = from.scheme() == "https" && url.scheme() == "http";
                if matches!(url.scheme(), "http" | "https") && !downgrade {
                    self.trust(&url);
                }
            }
        }
    }

    /// Whether the key may be sent to `url`.
    pub fn allows(&self, url: &Url) -> bool {
        if is_liveperson(url) || self.allowed.iter().any(|allowed| allowed.matches(url)) {
            return true;
        }
        let origin = url.origin().ascii_serialization();
        self.named.lock().is_ok_and(|named| named.contains(&origin))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn links_are_trusted_as_named_but_never_from_https_down_to_http() {
        let scope = KeyScope::new(Vec::new());
        let service = url("https://chat.example/api/account/1/chat/A");
        scope.trust(&service);
        scope.trust_links(
            &service,
            [
                "https://media.example/api/x",
                "http://plain.example/api/y",
                "https://chat.example/api/z",
            ],
        );
        assert!(scope.allows(&url("https://media.example/other")));
        assert!(!scope.allows(&url("http://plain.example/api/y")));
        assert!(scope.allows(&url("https://chat.example/api/z")));
        // From a plain-http service (a local emulator) plain links stay usable.
        let local = url("http://127.0.0.1:8480/api");
        scope.trust_links(&local, ["http://localhost:8480/api/chat"]);
        assert!(scope.allows(&url("http://localhost:8480/api/chat")));
    }

    #[test]
    fn liveperson_domains_over_https_only() {
        assert!(is_liveperson(&url("https://va.liveperson.net/api")));
        assert!(is_liveperson(&url("https://liveperson.net")));
        assert!(!is_liveperson(&url("http://va.liveperson.net/api")));
        assert!(!is_liveperson(&url("https://evilliveperson.net/")));
        assert!(!is_liveperson(&url("https://liveperson.net.evil.example/")));
    }

    #[test]
    fn allowed_hosts_match_their_host_and_a_given_port() {
        let any_port: AllowedHost = "Chat.Example".parse().unwrap();
        assert!(any_port.matches(&url("https://chat.example:8443/x")));
        assert!(!any_port.matches(&url("https://other.example/x")));
        let one_port: AllowedHost = "127.0.0.1:9000".parse().unwrap();
        assert!(one_port.matches(&url("http://127.0.0.1:9000/x")));
        assert!(!one_port.matches(&url("http://127.0.0.1:8480/x")));
        let from_url: AllowedHost = "https://chat.example:8443".parse().unwrap();
        assert!(from_url.matches(&url("https://chat.example:8443/a")));
        assert!(!from_url.matches(&url("https://chat.example/a")));
        assert!("".parse::<AllowedHost>().is_err());
        assert!(
            "https://chat.example/a/path"
                .parse::<AllowedHost>()
                .is_err()
        );
    }

    #[test]
    fn only_trusted_origins_and_links_named_by_them_are_allowed() {
        let scope = KeyScope::new(Vec::new());
        let service = url("http://127.0.0.1:8480/");
        assert!(!scope.allows(&service), "loopback is no exception");
        scope.trust(&service);
        assert!(scope.allows(&url("http://127.0.0.1:8480/api/account/1/chat/X?v=1")));
        assert!(!scope.allows(&url("http://127.0.0.1:9999/api/account/1/chat/X")));
        assert!(
            !scope.allows(&url("https://127.0.0.1:8480/")),
            "another scheme"
        );
        scope.trust_links(
            &service,
            [
                "http://127.0.0.1:8480/api/account/1/chat/X/events",
                "https://chat.example/api/account/1/chat/X",
            ],
        );
        assert!(scope.allows(&url("https://chat.example/next")));
        assert!(!scope.allows(&url("https://other.example/next")));
    }
}
