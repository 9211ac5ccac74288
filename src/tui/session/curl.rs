//! The chat request as a curl command, for bug reports and replays. The appKey is never in it:
//! the command reads it from `$CHATSTART_APP_KEY` (the variable the command line reads too), so
//! it runs as pasted in a shell that has the key, and can be shared as it is.

use reqwest::Url;

use crate::api::model::Survey;
use crate::api::{AppKeyPlacement, ChatRequest};
use crate::tui::connection::Connection;

/// The shell variable the copied command takes the appKey from.
pub const APP_KEY_VARIABLE: &str = "CHATSTART_APP_KEY";

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
        // The recorded URL has the appKey masked, or none: it is put back as the variable.
        Some(url) => without_app_key(url),
        None => {
            let base = Url::parse(session_uri)
                .map(|u| u.origin().ascii_serialization())
                .unwrap_or_else(|_| connection.api.trim_end_matches('/').to_string());
            format!(
                "{base}/api/account/{}/chat/request?v=1&NC=true",
                connection.account
            )
        }
    };
    let url = match connection.app_key_in {
        // Single quotes keep the URL as it is; the variable is expanded between double ones.
        AppKeyPlacement::Query => {
            let joint = if url.contains('?') { '&' } else { '?' };
            format!(
                "{}\"${APP_KEY_VARIABLE}\"",
                quote(&format!("{url}{joint}appKey="))
            )
        }
        AppKeyPlacement::Header => quote(&url),
    };
    let mut headers = vec![
        quote(&format!("Accept: {}", connection.format.mime())),
        quote(&format!(
            "Content-Type: {}",
            connection.format.content_type()
        )),
    ];
    if connection.app_key_in == AppKeyPlacement::Header {
        headers.push(format!(
            "\"Authorization: LivePerson appKey=${APP_KEY_VARIABLE}\""
        ));
    }
    let body = connection
        .format
        .encode(&request.body(survey, connection.format));
    let mut command = format!("curl -i -X POST {url}");
    for header in headers {
        command.push_str(&format!(" \\\n  -H {header}"));
    }
    command.push_str(&format!(" \\\n  --data {}", quote(&body)));
    command
}

/// `url` without its `appKey` query parameter (masked in a recorded URL).
fn without_app_key(url: &str) -> String {
    Url::parse(url).map_or_else(
        |_| url.to_string(),
        |parsed| crate::api::links::without_app_key(parsed).to_string(),
    )
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

    fn connection(api: &str, account: &str, app_key_in: AppKeyPlacement) -> Connection {
        Connection {
            api: api.into(),
            csds_url: String::new(),
            account: account.into(),
            app_key: Secret::new("very-secret"),
            format: Format::Json,
            app_key_in,
            http_timeout: None,
            send_key_to: Vec::new(),
        }
    }

    /// The words `sh` makes of `command` with `CHATSTART_APP_KEY` set to `key`, `curl` being a
    /// shell function that prints its arguments, one a line (NUL-separated).
    fn as_the_shell_reads_it(command: &str, key: &str) -> Vec<String> {
        let script = format!("curl() {{ printf '%s\\0' \"$@\"; }}\n{command}");
        let out = std::process::Command::new("sh")
            .args(["-c", &script])
            .env(APP_KEY_VARIABLE, key)
            .output()
            .expect("sh runs");
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout)
            .expect("utf-8")
            .split('\0')
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn the_copied_command_never_holds_the_key_and_quotes_the_body() {
        let request = ChatRequest {
            skill: "Sales".into(),
            pre_chat_lines: vec!["it's me".into()],
            ..ChatRequest::default()
        };
        let session = "http://localhost:9/api/account/12345678/chat/abc?v=1";
        for placement in [AppKeyPlacement::Query, AppKeyPlacement::Header] {
            let connection = connection("http://127.0.0.1:9", "12345678", placement);
            let curl = chat_request(&connection, session, None, &request, None);
            assert!(
                !curl.contains("very-secret") && !curl.contains('•'),
                "{curl}"
            );
            assert!(curl.contains("$CHATSTART_APP_KEY"), "{curl}");
            assert!(curl.contains(r"it'\''s me"));
            let words = as_the_shell_reads_it(&curl, "k-123");
            let url = &words[3];
            match placement {
                AppKeyPlacement::Query => assert_eq!(
                    url,
                    "http://localhost:9/api/account/12345678/chat/request?v=1&NC=true&appKey=k-123"
                ),
                AppKeyPlacement::Header => assert!(
                    words.contains(&"Authorization: LivePerson appKey=k-123".to_string()),
                    "{words:?}"
                ),
            }
        }
        // Where the request really went, as the inspector recorded it (appKey masked).
        let connection = connection("http://127.0.0.1:9", "12345678", AppKeyPlacement::Query);
        let sent = "http://127.0.0.1:9/api/account/12345678/chat/request?v=1&NC=true&appKey=%E2%80%A2%E2%80%A2%E2%80%A2%E2%80%A2";
        let curl = chat_request(&connection, session, Some(sent), &request, None);
        let words = as_the_shell_reads_it(&curl, "k-123");
        assert_eq!(
            words[3],
            "http://127.0.0.1:9/api/account/12345678/chat/request?v=1&NC=true&appKey=k-123"
        );
    }

    #[test]
    fn the_copied_command_as_pasted_creates_the_chat_on_the_emulator() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let emulator = crate::emulator::start(
                crate::emulator::Scenario::demo(),
                "127.0.0.1:0".parse().expect("address"),
            )
            .await
            .expect("emulator");
            let request = ChatRequest {
                skill: "Sales".into(),
                ..ChatRequest::default()
            };
            for placement in [AppKeyPlacement::Header, AppKeyPlacement::Query] {
                let connection = connection(&emulator.base_url(), emulator.account(), placement);
                let session = format!(
                    "{}/api/account/{}/chat/x",
                    emulator.base_url(),
                    emulator.account()
                );
                let curl = chat_request(&connection, &session, None, &request, None);
                let words = as_the_shell_reads_it(&curl, emulator.app_key());
                // curl -i -X POST URL (-H HEADER)… --data BODY, sent as curl would send it.
                assert_eq!(&words[..3], ["-i", "-X", "POST"], "{words:?}");
                crate::api::client::install_tls_provider();
                let mut sending = reqwest::Client::new().post(&words[3]);
                let mut rest = words[4..].iter();
                while let Some(flag) = rest.next() {
                    let value = rest.next().expect("a value");
                    sending = match flag.as_str() {
                        "-H" => {
                            let (name, value) = value.split_once(": ").expect("a header");
                            sending.header(name, value)
                        }
                        "--data" => sending.body(value.clone()),
                        other => panic!("unexpected {other}"),
                    };
                }
                let answer = sending.send().await.expect("sent");
                assert_eq!(answer.status().as_u16(), 201, "{placement:?}: {answer:?}");
                assert!(answer.headers().contains_key("location"));
            }
        });
    }
}
