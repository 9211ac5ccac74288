//! Typed errors of the client: each carries what was being done, and for HTTP answers the status
//! and the server's own message, whichever of its three error shapes it came in (spec §1.5).

use std::time::Duration;

use super::format;
use super::model::ErrorDocument;
use super::validate::ValidationErrors;

/// The call that failed: named in messages, and it decides whether a failure is ambiguous.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Operation {
    Discovery,
    Availability,
    AvailableSlots,
    EstimatedWait,
    Survey,
    Authenticate,
    ChatRequest,
    Session,
    Info,
    AddLine,
    EndChat,
    /// Setting the visitor's name (§2.14).
    VisitorName,
    /// Setting the visitor's typing status (§2.15).
    VisitorTyping,
    /// Reading the exit survey (§2.17).
    ExitSurvey,
    /// Submitting the exit survey's answers (§2.17).
    SubmitExitSurvey,
    /// Asking for the transcript by e-mail (§2.18).
    Transcript,
    /// Reading the offline survey (§2.7).
    OfflineSurvey,
    /// Submitting the offline survey's answers (§2.7).
    SubmitOfflineSurvey,
}

impl Operation {
    pub fn describe(self) -> &'static str {
        match self {
            Self::Discovery => "domain discovery (CSDS)",
            Self::Availability => "availability",
            Self::AvailableSlots => "available slots",
            Self::EstimatedWait => "estimated wait time",
            Self::Survey => "pre-chat survey",
            Self::Authenticate => "visitor authentication",
            Self::ChatRequest => "chat request",
            Self::Session => "chat session",
            Self::Info => "chat information",
            Self::AddLine => "add line",
            Self::EndChat => "end chat",
            Self::VisitorName => "visitor name",
            Self::VisitorTyping => "visitor typing",
            Self::ExitSurvey => "exit survey",
            Self::SubmitExitSurvey => "exit survey answers",
            Self::Transcript => "transcript request",
            Self::OfflineSurvey => "offline survey",
            Self::SubmitOfflineSurvey => "offline survey answers",
        }
    }

    /// Calls about one chat that exists (or may): its session, info, lines, end.
    pub fn concerns_a_chat(self) -> bool {
        matches!(
            self,
            Self::Session
                | Self::Info
                | Self::AddLine
                | Self::EndChat
                | Self::VisitorName
                | Self::VisitorTyping
                | Self::ExitSurvey
                | Self::SubmitExitSurvey
                | Self::Transcript
        )
    }

    /// POSTs that may open a chat: never retried, and ambiguous when their answer is lost.
    pub fn creates_chat(self) -> bool {
        matches!(self, Self::ChatRequest | Self::Authenticate)
    }

    /// The visitor's "PUTs" (§1.4): they change something (the name, the typing status, a
    /// survey kept, a transcript mailed) but open no chat. Made once, never retried; when their
    /// answer is lost after sending, whether they took effect is unknown.
    pub fn is_visitor_put(self) -> bool {
        matches!(
            self,
            Self::VisitorName
                | Self::VisitorTyping
                | Self::SubmitExitSurvey
                | Self::Transcript
                | Self::SubmitOfflineSurvey
        )
    }
}

impl std::fmt::Display for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.describe())
    }
}

/// How a network failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkFailure {
    /// Nothing was sent: the connection could not be made.
    Connect,
    /// Nothing was sent: connecting took longer than the connect timeout.
    ConnectTimeout,
    /// The request was sent and no whole answer came within the timeout.
    Timeout,
    /// The connection broke before the whole answer arrived.
    Dropped,
}

/// Everything that can go wrong talking to the service.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Input that fails the validation table; nothing was sent.
    #[error("invalid input: {0}")]
    Invalid(#[from] ValidationErrors),
    /// Connection settings that cannot work (bad base URL, account, appKey); nothing was sent.
    #[error("{0}")]
    Config(String),
    /// The service answered with an error status.
    #[error("{operation} failed: HTTP {status}{}", server_says(message.as_deref(), *internal_code, reason.as_deref()))]
    Status {
        operation: Operation,
        status: u16,
        message: Option<String>,
        internal_code: Option<i64>,
        reason: Option<String>,
        /// The start of the body, for answers with no error document.
        body_start: String,
        /// From a `Retry-After` header.
        retry_after: Option<Duration>,
    },
    /// The service could not be reached, or the answer was lost.
    #[error("{operation} failed: {}", network_says(*operation, *failure, detail, *timeout))]
    Network {
        operation: Operation,
        failure: NetworkFailure,
        detail: String,
        timeout: Duration,
    },
    /// Stopped on purpose (an interruption) between the authentication call and the chat
    /// request: the chat request was not sent.
    #[error("stopped after the authentication call: the chat request was not sent")]
    Stopped,
    /// A 2xx answer without the `Location` that holds the result.
    #[error(
        "{operation}: HTTP {status} without a Location header (headers: {headers}; body: {body_start})"
    )]
    NoLocation {
        operation: Operation,
        status: u16,
        headers: String,
        body_start: String,
    },
    /// A call that would carry the appKey to a host outside its scope (see
    /// [`super::key_scope`]); nothing was sent.
    #[error(
        "{operation}: not sent: the appKey goes only to the configured service, the hosts it names in its answers and LivePerson's own domains, and {host} is none of them{}",
        redirect_note(redirected_by.as_deref())
    )]
    ForeignHost {
        operation: Operation,
        host: String,
        /// The host whose redirect led there, when one did.
        redirected_by: Option<String>,
    },
    /// A 2xx answer whose body could not be read.
    #[error(
        "{operation}: HTTP {status} with a body that could not be read ({detail}): {body_start}"
    )]
    BadBody {
        operation: Operation,
        status: u16,
        detail: String,
        body_start: String,
    },
}

fn server_says(message: Option<&str>, internal_code: Option<i64>, reason: Option<&str>) -> String {
    let said = match (message, internal_code) {
        (Some(m), Some(code)) => format!(": {m} (internalCode {code})"),
        (Some(m), None) => format!(": {m}"),
        (None, Some(code)) => format!(" (internalCode {code})"),
        (None, None) => String::new(),
    };
    // The XML error's optional `<reason>` often says more than its message.
    match reason
        .map(str::trim)
        .filter(|r| !r.is_empty() && Some(*r) != message)
    {
        Some(reason) => format!("{said}; reason: {reason}"),
        None => said,
    }
}

fn network_says(
    operation: Operation,
    failure: NetworkFailure,
    detail: &str,
    timeout: Duration,
) -> String {
    // Only this call went unsent: for a call about a chat, the chat itself is still there.
    let unsent = if operation.concerns_a_chat() {
        "this call was not sent"
    } else {
        "nothing was sent"
    };
    match failure {
        NetworkFailure::Connect => format!("could not connect ({detail})"),
        NetworkFailure::ConnectTimeout => format!(
            "connecting took longer than {} s, so {unsent} ({detail})",
            timeout.as_secs_f32()
        ),
        NetworkFailure::Timeout => format!(
            "no answer within the {} s request timeout (--http-timeout)",
            timeout.as_secs_f32()
        ),
        NetworkFailure::Dropped => {
            format!("the connection broke before the answer arrived ({detail})")
        }
    }
}

/// What kind of failure an error is, for each front end to say in its own way (the command
/// line as an exit code, the console as a notice). Nothing here knows exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ErrorKind {
    /// The input cannot be used: nothing was sent.
    Invalid,
    /// The service refused (a 4xx).
    Refused,
    /// The network or the service failed (a chat may exist when the call created one).
    Failed,
    /// The user interrupted it.
    Interrupted,
}

impl ApiError {
    /// The HTTP status, when the service answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Status { status, .. }
            | Self::NoLocation { status, .. }
            | Self::BadBody { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Invalid(_) | Self::Config(_) | Self::ForeignHost { .. } => ErrorKind::Invalid,
            Self::Stopped => ErrorKind::Interrupted,
            Self::Status { status, .. } if (400..500).contains(status) => ErrorKind::Refused,
            _ => ErrorKind::Failed,
        }
    }

    /// Whether a GET that failed this way may be tried again (never used for chat-creating POSTs).
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Network { .. } | Self::BadBody { .. } => true,
            Self::Status { status, .. } => *status == 429 || *status >= 500,
            _ => false,
        }
    }

    /// A chat-creating POST whose result is unknown: its answer was lost after it was sent, it
    /// succeeded without saying where the chat is, or a gateway in front of the service (502,
    /// 504) gave up on it after passing it on. A chat may exist.
    pub fn may_have_created_chat(&self) -> bool {
        match self {
            Self::NoLocation { operation, .. } => operation.creates_chat(),
            _ => self.answer_lost().is_some_and(Operation::creates_chat),
        }
    }

    /// A visitor's PUT whose result is unknown ([`Operation::is_visitor_put`]): its answer was
    /// lost after it was sent, or a gateway (502, 504) gave up on it after passing it on. The
    /// name may be set, the transcript mailed, the survey kept — as for a chat POST
    /// ([`Self::may_have_created_chat`]), though no chat is made.
    pub fn may_have_taken_effect(&self) -> bool {
        self.answer_lost().is_some_and(Operation::is_visitor_put)
    }

    /// The call whose request went out and whose answer never came (or came from a gateway
    /// that had passed the request on and then gave up on it).
    fn answer_lost(&self) -> Option<Operation> {
        match self {
            Self::Status {
                operation,
                status: 502 | 504,
                ..
            }
            | Self::Network {
                operation,
                failure: NetworkFailure::Timeout | NetworkFailure::Dropped,
                ..
            } => Some(*operation),
            _ => None,
        }
    }

    /// Whether the request may have reached the service: false only when no connection could
    /// be made (nothing was sent), or the input was refused before sending.
    pub fn was_sent(&self) -> bool {
        !matches!(
            self,
            Self::Invalid(_)
                | Self::Config(_)
                | Self::Network {
                    failure: NetworkFailure::Connect | NetworkFailure::ConnectTimeout,
                    ..
                }
        )
    }

    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The server's message, when it sent one.
    pub fn server_message(&self) -> Option<&str> {
        match self {
            Self::Status { message, .. } => message.as_deref(),
            _ => None,
        }
    }

    /// Why this error happened and the next step, when known (see [`super::explain`]).
    pub fn explain(&self) -> Option<super::explain::Explanation> {
        super::explain::explain(self)
    }

    /// The next step on the command line, when known.
    pub fn hint(&self) -> Option<&'static str> {
        self.explain()
            .map(|explanation| explanation.next.command_line)
    }
}

/// A call that failed, as it is reported after the fact (the tracker passes on how setting the
/// visitor's name went): what went wrong, whether it may have taken effect all the same, and
/// why, when that is known. The front ends say it in their own words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallFailure {
    pub message: String,
    pub kind: ErrorKind,
    /// The request went out and its answer was lost ([`ApiError::may_have_taken_effect`]):
    /// it may have been taken.
    pub outcome_unknown: bool,
    pub explanation: Option<super::explain::Explanation>,
}

impl CallFailure {
    /// A call that could not be made at all (no link to make it to, a chat that ended first):
    /// nothing was sent.
    pub fn not_sent(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            kind: ErrorKind::Failed,
            outcome_unknown: false,
            explanation: None,
        }
    }
}

impl From<&ApiError> for CallFailure {
    fn from(error: &ApiError) -> Self {
        Self {
            message: error.to_string(),
            kind: error.kind(),
            outcome_unknown: error.may_have_taken_effect(),
            explanation: error.explain(),
        }
    }
}

impl From<ApiError> for CallFailure {
    fn from(error: ApiError) -> Self {
        Self::from(&error)
    }
}

impl std::fmt::Display for CallFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Reads an error answer: the JSON or XML error document, or the form-encoded `lp_problem` text.
pub fn from_status(
    operation: Operation,
    status: u16,
    body: &str,
    retry_after: Option<Duration>,
) -> ApiError {
    let document = format::decode(body)
        .ok()
        .and_then(|v| ErrorDocument::from_document(&v));
    let (message, internal_code, reason) = match document {
        Some(doc) => (doc.message, doc.internal_code, doc.reason),
        None => (lp_problem(body), None, None),
    };
    ApiError::Status {
        operation,
        status,
        message: message.or_else(|| Some(body_start(body)).filter(|s| !s.is_empty())),
        internal_code,
        reason,
        body_start: body_start(body),
        retry_after,
    }
}

/// `lp_problem=consumer_key_rejected&lp_problem_advice=…` → "consumer_key_rejected: …".
fn lp_problem(body: &str) -> Option<String> {
    let body = body.trim();
    if !body.contains("lp_problem") {
        return None;
    }
    let pairs: Vec<(String, String)> = body
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (decode_form(k), decode_form(v)))
        .collect();
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let problem = get("lp_problem")?;
    Some(match get("lp_problem_advice") {
        Some(advice) => format!("{problem}: {advice}"),
        None => problem,
    })
}

fn decode_form(text: &str) -> String {
    let spaced = text.replace('+', " ");
    let bytes = spaced.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The first 200 characters of a body, on one line.
pub fn body_start(body: &str) -> String {
    let flat: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &flat[..cut]),
        None => flat,
    }
}

/// How a refused host was reached, when a redirect led there.
fn redirect_note(redirected_by: Option<&str>) -> String {
    redirected_by.map_or_else(String::new, |by| {
        format!(
            " (the answer of {by} redirected there; a redirect never widens where the key goes)"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gateway_failure_on_a_chat_post_may_have_created_a_chat() {
        for status in [502, 504] {
            assert!(from_status(Operation::ChatRequest, status, "", None).may_have_created_chat());
            assert!(from_status(Operation::Authenticate, status, "", None).may_have_created_chat());
            assert!(!from_status(Operation::Session, status, "", None).may_have_created_chat());
        }
        for status in [500, 503, 400] {
            assert!(!from_status(Operation::ChatRequest, status, "", None).may_have_created_chat());
        }
    }

    #[test]
    fn reads_the_three_error_shapes() {
        let json = r#"{"error":{"time":"2017-12-06T16:29:45.438-05:00","message":"Bad captcha","internalCode":10}}"#;
        let e = from_status(Operation::ChatRequest, 401, json, None);
        assert_eq!(e.server_message(), Some("Bad captcha"));
        assert!(
            e.to_string()
                .contains("HTTP 401: Bad captcha (internalCode 10)"),
            "{e}"
        );
        assert!(e.explain().unwrap().why.contains("captcha"));
        assert_eq!(e.kind(), ErrorKind::Refused);

        let xml = "<error><time>t</time><message>Chat session not found</message><reason>r</reason><internalCode>12</internalCode></error>";
        let e = from_status(Operation::Session, 404, xml, None);
        assert!(
            matches!(&e, ApiError::Status { internal_code: Some(12), reason: Some(r), .. } if r == "r")
        );
        assert!(
            e.to_string()
                .ends_with("HTTP 404: Chat session not found (internalCode 12); reason: r"),
            "the reason is shown: {e}"
        );

        let form = "lp_problem=consumer_key_rejected&lp_problem_advice=the%20appKey is permanently unacceptable to the Service Provider";
        let e = from_status(Operation::ChatRequest, 401, form, None);
        assert_eq!(
            e.server_message(),
            Some(
                "consumer_key_rejected: the appKey is permanently unacceptable to the Service Provider"
            )
        );
        assert!(e.hint().unwrap().contains("--app-key-in query"));
    }

    #[test]
    fn unknown_bodies_are_shown_by_their_start() {
        let e = from_status(
            Operation::Session,
            502,
            "<html>\n  bad gateway</html>",
            None,
        );
        assert_eq!(e.server_message(), Some("<html> bad gateway</html>"));
        assert!(e.is_retryable());
        assert_eq!(e.kind(), ErrorKind::Failed);
        assert_eq!(body_start(&"x".repeat(300)).chars().count(), 201);
    }

    #[test]
    fn only_lost_answers_to_chat_posts_are_ambiguous() {
        let lost = |operation, failure| ApiError::Network {
            operation,
            failure,
            detail: String::new(),
            timeout: Duration::from_secs(1),
        };
        assert!(lost(Operation::ChatRequest, NetworkFailure::Timeout).may_have_created_chat());
        assert!(lost(Operation::Authenticate, NetworkFailure::Dropped).may_have_created_chat());
        assert!(!lost(Operation::ChatRequest, NetworkFailure::Connect).may_have_created_chat());
        assert!(!lost(Operation::Session, NetworkFailure::Timeout).may_have_created_chat());
    }

    #[test]
    fn a_lost_answer_to_a_visitor_put_may_have_taken_effect_but_made_no_chat() {
        let lost = |operation, failure| ApiError::Network {
            operation,
            failure,
            detail: String::new(),
            timeout: Duration::from_secs(2),
        };
        for operation in [
            Operation::VisitorName,
            Operation::Transcript,
            Operation::SubmitExitSurvey,
            Operation::SubmitOfflineSurvey,
        ] {
            for failure in [NetworkFailure::Timeout, NetworkFailure::Dropped] {
                let error = lost(operation, failure);
                assert!(error.may_have_taken_effect(), "{error}");
                assert!(!error.may_have_created_chat(), "{error}");
                assert!(CallFailure::from(&error).outcome_unknown);
            }
            // Nothing sent, or an answer that says it failed: not unknown.
            assert!(!lost(operation, NetworkFailure::Connect).may_have_taken_effect());
            assert!(!from_status(operation, 500, "", None).may_have_taken_effect());
            assert!(from_status(operation, 504, "", None).may_have_taken_effect());
        }
        // Reads change nothing.
        for operation in [
            Operation::ExitSurvey,
            Operation::OfflineSurvey,
            Operation::Session,
        ] {
            assert!(!lost(operation, NetworkFailure::Timeout).may_have_taken_effect());
        }
        assert!(!lost(Operation::ChatRequest, NetworkFailure::Timeout).may_have_taken_effect());
    }
}
