//! A journal as a HAR 1.2 file (the HTTP Archive format browsers' developer tools and HTTP
//! debuggers open): one entry per exchange, in the journal's order. What HAR has no field for
//! (the call's purpose, a failure with no answer) goes in `comment` and `_`-prefixed fields,
//! which the format allows. No I/O.

use serde_json::{Value, json};

use crate::journal::Entry;
use crate::secret::MASK;

/// The HAR document of `entries`; `comment` is the log's own (what was not kept or skipped).
pub fn document(entries: &[Entry], comment: Option<&str>) -> Value {
    let mut log = json!({
        "version": "1.2",
        "creator": {"name": "chatstart", "version": env!("CARGO_PKG_VERSION")},
        "entries": entries.iter().map(entry).collect::<Vec<_>>(),
    });
    if let Some(comment) = comment {
        log["comment"] = json!(comment);
    }
    json!({ "log": log })
}

/// One exchange as a HAR entry.
fn entry(exchange: &Entry) -> Value {
    let operation = serde_json::to_value(exchange.operation)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let mut comment = format!("{} ({operation})", exchange.operation.describe());
    let elapsed = round_ms(exchange.elapsed_ms);
    let mut entry = json!({
        "startedDateTime": exchange.started,
        "time": elapsed,
        "request": request(exchange),
        "response": response(exchange),
        "cache": {},
        "timings": {
            "blocked": -1, "dns": -1, "connect": -1, "ssl": -1,
            // The journal times the whole exchange, not its phases: all of it is waiting.
            "send": 0, "wait": elapsed, "receive": 0,
        },
        "_operation": operation,
    });
    if let Some(error) = &exchange.error {
        comment.push_str(&format!(": no answer: {error}"));
        entry["_error"] = json!(error);
    }
    entry["comment"] = json!(comment);
    entry
}

/// The longest exchange a HAR entry tells: a day. No call of a chat lasts that long, so a
/// larger figure is a damaged or hand-made journal line.
const LONGEST_MS: f64 = 86_400_000.0;

/// Milliseconds to the microsecond: what the journal measured, without float noise. Always a
/// finite number from 0 to [`LONGEST_MS`]: HAR requires a number, and JSON has none for NaN or
/// infinity (they would be written `null`).
fn round_ms(ms: f64) -> f64 {
    let ms = if ms.is_nan() {
        0.0
    } else {
        ms.clamp(0.0, LONGEST_MS)
    };
    (ms * 1000.0).round() / 1000.0
}

fn request(exchange: &Entry) -> Value {
    let url = masked_url(&exchange.url);
    let mut request = json!({
        "method": exchange.method,
        "url": url,
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": headers(&exchange.request_headers),
        "queryString": query_string(&url),
        "headersSize": -1,
        "bodySize": exchange.request_body.as_ref().map_or(0, String::len),
    });
    if let Some(body) = &exchange.request_body {
        request["postData"] = json!({
            "mimeType": header(&exchange.request_headers, "content-type").unwrap_or_default(),
            "text": body,
        });
    }
    request
}

fn response(exchange: &Entry) -> Value {
    let Some(status) = exchange.status else {
        // No answer came: HAR's convention for a request that never got one.
        return json!({
            "status": 0,
            "statusText": "",
            "httpVersion": "",
            "cookies": [],
            "headers": [],
            "content": {"size": 0, "mimeType": ""},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": -1,
            "_error": exchange.error.clone().unwrap_or_else(|| "no answer".into()),
        });
    };
    let body = exchange.response_body.as_deref().unwrap_or_default();
    let mut content = json!({
        "size": body.len(),
        "mimeType": exchange.response_header("content-type").unwrap_or_default(),
    });
    if exchange.response_body.is_some() {
        content["text"] = json!(body);
    }
    json!({
        "status": status,
        "statusText": reason_phrase(status),
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": headers(&exchange.response_headers),
        "content": content,
        "redirectURL": exchange
            .response_header("location")
            .map(masked_url)
            .unwrap_or_default(),
        "headersSize": -1,
        "bodySize": body.len(),
    })
}

fn headers(pairs: &[(String, String)]) -> Vec<Value> {
    pairs
        .iter()
        // A Location that carries an appKey is a URL like any other.
        .map(|(name, value)| json!({"name": name, "value": masked_url(value)}))
        .collect()
}

fn header<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

/// The URL as the journal kept it; an appKey in its query that is somehow not masked (a journal
/// written by hand, an old version) is masked here, so no key leaves through a HAR file.
fn masked_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(parsed)
            if parsed
                .query_pairs()
                .any(|(key, value)| key == "appKey" && value != MASK) =>
        {
            crate::api::links::redact_url(&parsed)
        }
        _ => url.to_string(),
    }
}

fn query_string(url: &str) -> Vec<Value> {
    url::Url::parse(url)
        .map(|parsed| {
            parsed
                .query_pairs()
                .map(|(name, value)| json!({"name": name, "value": value}))
                .collect()
        })
        .unwrap_or_default()
}

/// The reason phrase of a status (RFC 9110 and the few others an HTTP server sends).
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        101 => "Switching Protocols",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non-Authoritative Information",
        204 => "No Content",
        205 => "Reset Content",
        206 => "Partial Content",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable",
        417 => "Expectation Failed",
        421 => "Misdirected Request",
        422 => "Unprocessable Content",
        425 => "Too Early",
        426 => "Upgrade Required",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        511 => "Network Authentication Required",
        _ => "",
    }
}
