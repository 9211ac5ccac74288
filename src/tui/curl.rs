//! The chat request as a curl command, for bug reports and replays: the appKey is masked.

use reqwest::Url;

use super::connection::Connection;
use crate::api::model::Survey;
use crate::api::{AppKeyPlacement, ChatRequest};
use crate::secret::MASK;

/// `curl` for the chat request that created `session_uri`: to `sent_to`, the URL it went to
/// as the inspector recorded it (appKey masked), else to the session URI's origin — which a
/// service may name differently from the base URL the request went to.
pub fn chat_request(
    connection: &Connection,
    session_uri: &str,
    sent_to: Option<&str>,
    request: &ChatRequest,
    survey: Option<&Survey>,
) -> String {
    let url = match sent_to {
        Some(url) => url.to_string(),
        None => {
            let base = Url::parse(session_uri)
                .map(|u| u.origin().ascii_serialization())
                .unwrap_or_else(|_| connection.api.trim_end_matches('/').to_string());
            let mut url = format!(
                "{base}/api/account/{}/chat/request?v=1&NC=true",
                connection.account
            );
            if connection.app_key_in == AppKeyPlacement::Query {
                url.push_str(&format!("&appKey={MASK}"));
            }
            url
        }
    };
    let mut headers = vec![
        format!("Accept: {}", connection.format.mime()),
        format!("Content-Type: {}", connection.format.content_type()),
    ];
    if connection.app_key_in == AppKeyPlacement::Header {
        headers.push(format!("Authorization: LivePerson appKey={MASK}"));
    }
    let body = connection
        .format
        .encode(&request.body(survey, connection.format));
    let mut command = format!("curl -i -X POST {}", quote(&url));
    for header in headers {
        command.push_str(&format!(" \\\n  -H {}", quote(&header)));
    }
    command.push_str(&format!(" \\\n  --data {}", quote(&body)));
    command
}

/// Single-quotes for a POSIX shell.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Format;
    use crate::secret::Secret;

    #[test]
    fn curl_masks_the_app_key_and_quotes_the_body() {
        let connection = Connection {
            api: "http://127.0.0.1:9".into(),
            csds_url: String::new(),
            account: "12345678".into(),
            app_key: Secret::new("very-secret"),
            format: Format::Json,
            app_key_in: AppKeyPlacement::Query,
            http_timeout: None,
        };
        let request = ChatRequest {
            skill: "Sales".into(),
            pre_chat_lines: vec!["it's me".into()],
            ..ChatRequest::default()
        };
        let session = "http://localhost:9/api/account/12345678/chat/abc?v=1";
        let curl = chat_request(&connection, session, None, &request, None);
        assert!(!curl.contains("very-secret"));
        assert!(curl.contains(
            "'http://localhost:9/api/account/12345678/chat/request?v=1&NC=true&appKey=••••'"
        ));
        assert!(curl.contains(r"it'\''s me"));
        // Where the request really went (the service names itself `localhost` in its URIs).
        let sent = "http://127.0.0.1:9/api/account/12345678/chat/request?v=1&NC=true&appKey=••••";
        let curl = chat_request(&connection, session, Some(sent), &request, None);
        assert!(
            curl.starts_with(&format!("curl -i -X POST '{sent}'")),
            "{curl}"
        );
    }
}
