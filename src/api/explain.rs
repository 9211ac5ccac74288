//! The explanations of LivePerson's terse errors: why each happens and what to do next. The one
//! table of them in the code; the README lists it (a test keeps the two in step).

use super::error::{ApiError, NetworkFailure, Operation};

/// Why an error happened and the next step, in the words of each place that shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Explanation {
    /// Which known error this is: what a front end matches on, never the text.
    pub cause: Cause,
    /// What identifies the error, as the README's table names it.
    pub name: &'static str,
    pub why: &'static str,
    pub next: NextSteps,
}

/// The known errors, one per row of the table below (and of the README's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cause {
    AmbiguousChatPost,
    AmbiguousVisitorCall,
    ForeignHost,
    BadCaptcha,
    ConsumerKeyRejected,
    InvalidUser,
    LineBeforeChatting,
    ChatNotFound,
    UnknownPath,
    AppKeyRefused,
    ConversationIdRefused,
    UnknownAccount,
    SsoKeyRefused,
    Unauthorized,
    Throttled,
    VisitorNameFailed,
    VisitorTypingFailed,
    ExitSurveyFailed,
    TranscriptFailed,
    OfflineSurveyFailed,
    ServerError,
    Timeout,
    NoConnectionToChat,
    NoConnection,
}

/// The next step for someone at each front end: the command line names its flags and
/// commands, the console its fields and keys, a check run its file's keys. `HOST` in a step
/// stands for the host the error names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextSteps {
    pub command_line: &'static str,
    pub console: &'static str,
    /// Where a check file says it differently from the command line (a case's request comes
    /// from the file, not from request flags).
    pub check_file: Option<&'static str>,
}

impl NextSteps {
    /// The step for a check run.
    pub fn in_check_file(&self) -> &'static str {
        self.check_file.unwrap_or(self.command_line)
    }
}

/// Which errors an explanation is for.
enum Matcher {
    /// The server's message contains this text.
    Message(&'static str),
    /// This internalCode (with any message).
    InternalCode(i64),
    /// This status on this call.
    StatusOn(u16, Operation),
    /// This status with a server message containing this text.
    StatusOnMessage(u16, &'static str),
    /// This status on any call.
    Status(u16),
    /// Any 5xx status.
    ServerError,
    /// A 5xx or a 429 on one of these calls: the visitor's one-shot calls, which nothing
    /// retries (only polls are).
    OneShotFailed(&'static [Operation]),
    /// A lost answer to a chat-creating POST.
    AmbiguousChatPost,
    /// A lost answer to one of the visitor's PUTs (name, typing, transcript, survey submits).
    AmbiguousVisitorCall,
    /// A request that got no answer in time.
    Timeout,
    /// No connection could be made for a call about a chat that exists (or may).
    NoConnectionToChat,
    /// No connection could be made.
    NoConnection,
    /// The appKey was kept from a host outside its scope.
    ForeignHost,
}

impl Matcher {
    fn matches(&self, error: &ApiError) -> bool {
        let status = error.status();
        match (self, error) {
            (Self::Message(text), ApiError::Status { message, .. }) => {
                message.as_deref().is_some_and(|m| m.contains(text))
            }
            (Self::InternalCode(code), ApiError::Status { internal_code, .. }) => {
                *internal_code == Some(*code)
            }
            (Self::StatusOn(wanted, on), ApiError::Status { operation, .. }) => {
                status == Some(*wanted) && operation == on
            }
            (Self::StatusOnMessage(wanted, text), ApiError::Status { message, .. }) => {
                status == Some(*wanted) && message.as_deref().is_some_and(|m| m.contains(text))
            }
            (Self::Status(wanted), ApiError::Status { .. }) => status == Some(*wanted),
            (Self::ServerError, ApiError::Status { .. }) => status.is_some_and(|s| s >= 500),
            (Self::OneShotFailed(operations), ApiError::Status { operation, .. }) => {
                operations.contains(operation) && status.is_some_and(|s| s >= 500 || s == 429)
            }
            (Self::AmbiguousChatPost, _) => error.may_have_created_chat(),
            (Self::AmbiguousVisitorCall, _) => error.may_have_taken_effect(),
            (Self::Timeout, ApiError::Network { failure, .. }) => {
                *failure == NetworkFailure::Timeout
            }
            (Self::NoConnectionToChat, ApiError::Network { operation, .. }) => {
                operation.concerns_a_chat() && !error.was_sent()
            }
            (Self::NoConnection, ApiError::Network { failure, .. }) => {
                matches!(
                    failure,
                    NetworkFailure::Connect | NetworkFailure::ConnectTimeout
                )
            }
            (Self::ForeignHost, ApiError::ForeignHost { .. }) => true,
            _ => false,
        }
    }
}

/// In order: the first match explains the error.
const TABLE: &[(Matcher, Explanation)] = &[
    (
        Matcher::AmbiguousChatPost,
        Explanation {
            cause: Cause::AmbiguousChatPost,
            name: "chat request or auth call whose result is unknown (no answer after sending, or a 2xx without Location)",
            why: "the request reached the service, so a chat may have been created even though its URI never arrived",
            next: NextSteps {
                command_line: "it is never retried automatically: before sending again, look for it in the skill's agent queue; `chatstart history` lists the chats whose URI did arrive and `chatstart watch URI` follows one",
                console: "its URI never arrived: look for it in the skill's queue before sending again; Ctrl+R lists the chats whose URI did arrive (w watches one, x ends it); Ctrl+S asks first",
                check_file: None,
            },
        },
    ),
    (
        Matcher::AmbiguousVisitorCall,
        Explanation {
            cause: Cause::AmbiguousVisitorCall,
            name: "visitor's name, transcript or survey sent whose result is unknown (no answer after sending)",
            why: "the request reached the service, so it may have been taken — the name set, the transcript mailed, the survey kept — though no answer said so",
            next: NextSteps {
                command_line: "it is not retried automatically, since it may have worked: `chatstart info URI` shows the name the chat has; a transcript or a survey sent again may arrive twice, so look for the first before running the same command again",
                console: "it is not retried automatically, since it may have worked: a transcript or a survey sent again may arrive twice, so look for the first (the mailbox, the survey's results) before asking again",
                check_file: Some(
                    "it is not retried automatically, since it may have worked: `chatstart info URI` shows the name the chat has; a transcript or a survey sent again may arrive twice, so look for the first before running the case again",
                ),
            },
        },
    ),
    (
        Matcher::ForeignHost,
        Explanation {
            cause: Cause::ForeignHost,
            name: "appKey kept from another host",
            why: "a URI on a host other than the configured service's, one the service named (the history keeps the URIs it gave) or LivePerson's own (*.liveperson.net) could hand the appKey to whoever runs that host",
            next: NextSteps {
                command_line: "if that host is the service, give it as --base-url; to send the key there anyway, allow it: --send-key-to HOST (send_key_to = [\"HOST\"] in a profile)",
                console: "if that host is the service, put it in the API field; to send the key there anyway, add it to send_key_to in the profile (or start the console with `chatstart tui --send-key-to HOST`)",
                check_file: None,
            },
        },
    ),
    (
        Matcher::Message("Bad captcha"),
        Explanation {
            cause: Cause::BadCaptcha,
            name: "401 `Bad captcha` (internalCode 10)",
            why: "the account's unified-window captcha setting (Common.Unified_window_captcha) blocks chat requests made through the API",
            next: NextSteps {
                command_line: "ask the account's administrator to turn that setting off for API use, or test on an account without it",
                console: "ask the account's administrator to turn that setting off for API use, or test on an account without it",
                check_file: None,
            },
        },
    ),
    (
        Matcher::Message("consumer_key_rejected"),
        Explanation {
            cause: Cause::ConsumerKeyRejected,
            name: "401 `lp_problem=consumer_key_rejected`",
            why: "this account refuses the appKey in the Authorization header",
            next: NextSteps {
                command_line: "send it as a query parameter: --app-key-in query (app_key_in = \"query\" in a profile)",
                console: "switch “appKey in” to query (app_key_in = \"query\" in a profile)",
                check_file: None,
            },
        },
    ),
    (
        Matcher::Message("Invalid User"),
        Explanation {
            cause: Cause::InvalidUser,
            name: "401 `Invalid User`",
            why: "a monitoring visitor id was sent where the LETag visitor id belongs (visitorId takes only the numeric id of a previous chat)",
            next: NextSteps {
                command_line: "put the monitoring id in --le-visitor-id and leave --visitor-id out unless you reuse a previous chat's visitorId",
                console: "put the monitoring id in “LETag visitor” and leave “Visitor id” empty unless you reuse a previous chat's visitorId",
                check_file: Some(
                    "put the monitoring id in the case's request as le_visitor_id and leave visitor_id out unless you reuse a previous chat's visitorId",
                ),
            },
        },
    ),
    (
        Matcher::Message("Cannot add line while not in chat"),
        Explanation {
            cause: Cause::LineBeforeChatting,
            name: "400 `Cannot add line while not in chat` (internalCode 5)",
            why: "lines can only be added once an agent has accepted the chat; it is still waiting",
            next: NextSteps {
                command_line: "wait until an agent accepts the chat (`chatstart watch URI --wait chatting` returns then), then send",
                console: "wait until the badge shows CHATTING, then send",
                check_file: Some(
                    "put an `expect` step (the agent's greeting) before the `send` step: a chat takes lines only once an agent has accepted it",
                ),
            },
        },
    ),
    (
        Matcher::Message("Chat session not found"),
        Explanation {
            cause: Cause::ChatNotFound,
            name: "404 `Chat session not found` (internalCode 12)",
            why: "the chat has ended and the service no longer keeps it (ended chats vanish after a while), or the URI is not one of this account's chats",
            next: NextSteps {
                command_line: "if it ended, nothing is left to clean up; otherwise check the URI (`chatstart history` lists the ones this tool created)",
                console: "if it ended, nothing is left to clean up; otherwise check the URI (Ctrl+R lists the chats this tool created); n starts a new request",
                check_file: None,
            },
        },
    ),
    (
        Matcher::InternalCode(28),
        Explanation {
            cause: Cause::UnknownPath,
            name: "unknown path, `null for uri: …` (internalCode 28)",
            why: "the service does not know this address: a wrong domain or account, or an unsupported format suffix",
            next: NextSteps {
                command_line: "check --base-url / --domain and --account, or give only --account to discover the domain through CSDS",
                console: "check the API field and the Account, or empty the API field to discover the domain through CSDS",
                check_file: None,
            },
        },
    ),
    (
        Matcher::StatusOnMessage(401, "appKey"),
        Explanation {
            cause: Cause::AppKeyRefused,
            name: "401 naming the appKey",
            why: "the appKey was not accepted for this account",
            next: NextSteps {
                command_line: "check the key (--app-key, CHATSTART_APP_KEY or the profile's app_key_env/app_key_cmd) and the account id",
                console: "check the appKey field (or the profile's app_key_env / app_key_cmd) and the Account",
                check_file: None,
            },
        },
    ),
    (
        Matcher::StatusOnMessage(401, "conversationId"),
        Explanation {
            cause: Cause::ConversationIdRefused,
            name: "401 naming the conversationId",
            why: "the chat request's conversationId (or participantId) is not one the authentication call gave out, or it has expired",
            next: NextSteps {
                command_line: "run the whole authenticated flow again (`chatstart auth`) rather than reusing ids from an earlier one",
                console: "send the authenticated request again (Ctrl+S) rather than reusing the ids of an earlier one in “Conversation id” / “Participant id”",
                check_file: None,
            },
        },
    ),
    (
        Matcher::StatusOn(401, Operation::Discovery),
        Explanation {
            cause: Cause::UnknownAccount,
            name: "401 from CSDS (domain discovery)",
            why: "CSDS does not know this account id (no appKey is sent there)",
            next: NextSteps {
                command_line: "check --account; or give the domain yourself with --domain or --base-url",
                console: "check the Account, or put the domain or base URL in the API field",
                check_file: None,
            },
        },
    ),
    (
        Matcher::StatusOn(401, Operation::Authenticate),
        Explanation {
            cause: Cause::SsoKeyRefused,
            name: "401 on the Visitor Authentication call",
            why: "the SSO key was refused by the brand's identity provider",
            next: NextSteps {
                command_line: "check that the key is whole (a character lost in copy-and-paste is a common cause) and not expired: `chatstart auth --inspect`",
                console: "check that the SSO key is whole (a character lost in copy-and-paste is a common cause) and not expired: its inspection shows under the SSO key field",
                check_file: None,
            },
        },
    ),
    (
        Matcher::Status(401),
        Explanation {
            cause: Cause::Unauthorized,
            name: "other 401",
            why: "the appKey was not accepted for this account",
            next: NextSteps {
                command_line: "check the key (--app-key, CHATSTART_APP_KEY or the profile's app_key_env/app_key_cmd) and the account id",
                console: "check the appKey field (or the profile's app_key_env / app_key_cmd) and the Account",
                check_file: None,
            },
        },
    ),
    (
        Matcher::OneShotFailed(&[Operation::VisitorName]),
        Explanation {
            cause: Cause::VisitorNameFailed,
            name: "5xx or 429 setting the visitor's name",
            why: "the service failed to answer (or is throttling); the name is set once, as the chat starts, and not retried (only polls are)",
            next: NextSteps {
                command_line: "the chat goes on under the service's default name; to set it again once the service answers, follow the chat with `chatstart watch URI --visitor-name NAME`",
                console: "the chat goes on under the service's default name; the name is set once, as a chat starts, so the next request sets it again",
                check_file: Some(
                    "the chat goes on under the service's default name and the case fails; run the case again once the service answers",
                ),
            },
        },
    ),
    (
        Matcher::OneShotFailed(&[Operation::VisitorTyping]),
        Explanation {
            cause: Cause::VisitorTypingFailed,
            name: "5xx or 429 setting the visitor's typing status",
            why: "the service failed to answer (or is throttling); the status is sent once per change and not retried (only polls are)",
            next: NextSteps {
                command_line: "nothing to do: the next change (a key typed, or a pause) sends it again",
                console: "nothing to do: the next change (a key typed, or a pause) sends it again",
                check_file: None,
            },
        },
    ),
    (
        Matcher::OneShotFailed(&[Operation::ExitSurvey, Operation::SubmitExitSurvey]),
        Explanation {
            cause: Cause::ExitSurveyFailed,
            name: "5xx or 429 reading or submitting the exit survey",
            why: "the service failed to answer (or is throttling); the exit survey is read and submitted once, not retried (only polls are)",
            next: NextSteps {
                command_line: "run the same `chatstart exit-survey URI --answer …` again once the service answers (without answers it only reads the survey)",
                console: "submit the exit survey again once the service answers",
                check_file: Some(
                    "run the case again once the service answers (`chatstart check FILE --case NAME` runs that one)",
                ),
            },
        },
    ),
    (
        Matcher::OneShotFailed(&[Operation::Transcript]),
        Explanation {
            cause: Cause::TranscriptFailed,
            name: "5xx or 429 on a transcript request",
            why: "the service failed to answer (or is throttling); a transcript request is sent once and not retried (only polls are)",
            next: NextSteps {
                command_line: "run the same `chatstart transcript URI --email ADDR` again once the service answers",
                console: "ask for the transcript again once the service answers",
                check_file: Some(
                    "run the case again once the service answers (`chatstart check FILE --case NAME` runs that one)",
                ),
            },
        },
    ),
    (
        Matcher::OneShotFailed(&[Operation::OfflineSurvey, Operation::SubmitOfflineSurvey]),
        Explanation {
            cause: Cause::OfflineSurveyFailed,
            name: "5xx or 429 reading or submitting the offline survey",
            why: "the service failed to answer (or is throttling); the offline survey is read and submitted once, not retried (only polls are)",
            next: NextSteps {
                command_line: "run the same `chatstart offline-survey --skill SKILL --answer …` again once the service answers",
                console: "submit the offline survey again once the service answers",
                check_file: Some(
                    "run the case again once the service answers (`chatstart check FILE --case NAME` runs that one)",
                ),
            },
        },
    ),
    (
        Matcher::Status(429),
        Explanation {
            cause: Cause::Throttled,
            name: "429 Too Many Requests",
            why: "the service is throttling these requests",
            next: NextSteps {
                command_line: "polls wait for Retry-After (at least 1 s) and go on by themselves; chat requests are never retried: wait a little before sending another",
                console: "polls wait for Retry-After (at least 1 s) and go on by themselves; chat requests are never retried: wait a little before sending another",
                check_file: None,
            },
        },
    ),
    (
        Matcher::ServerError,
        Explanation {
            cause: Cause::ServerError,
            name: "5xx server error",
            why: "the service failed to answer",
            next: NextSteps {
                command_line: "polls are retried after 5, 10 and 15 s (LivePerson's policy; a longer Retry-After is honoured up to 60 s); a chat request is never retried: check `chatstart history` before sending it again",
                console: "polls are retried after 5, 10 and 15 s; a chat request is never retried: check the history (Ctrl+R) before sending it again",
                check_file: None,
            },
        },
    ),
    (
        Matcher::Timeout,
        Explanation {
            cause: Cause::Timeout,
            name: "timeout",
            why: "no whole answer came within the request timeout",
            next: NextSteps {
                command_line: "raise --http-timeout (http_timeout in a profile) or check the network path to the service",
                console: "raise http_timeout in the profile (or start the console with `chatstart tui --http-timeout SECONDS`), or check the network path to the service",
                check_file: None,
            },
        },
    ),
    (
        Matcher::NoConnectionToChat,
        Explanation {
            cause: Cause::NoConnectionToChat,
            name: "no connection to a chat's service",
            why: "the service could not be reached, so this call was not sent; the chat itself may still be there, waiting in the queue or chatting",
            next: NextSteps {
                command_line: "check the network path to the chat's host; once it answers, `chatstart watch URI` follows the chat and `chatstart end URI` ends it (`chatstart history --open` lists the chats this tool created)",
                console: "check the network path to the chat's host; once it answers, Ctrl+R lists the chats this tool created (w watches one, x ends it)",
                check_file: None,
            },
        },
    ),
    (
        Matcher::NoConnection,
        Explanation {
            cause: Cause::NoConnection,
            name: "no connection",
            why: "the service could not be reached: nothing was sent",
            next: NextSteps {
                command_line: "check the base URL or domain, DNS and proxies; nothing needs cleaning up",
                console: "check the API field (base URL or domain), DNS and proxies; nothing needs cleaning up",
                check_file: None,
            },
        },
    ),
];

/// The explanation of an error, when one is known.
pub fn explain(error: &ApiError) -> Option<Explanation> {
    TABLE
        .iter()
        .find(|(matcher, _)| matcher.matches(error))
        .map(|(_, explanation)| *explanation)
}

/// Every explanation, in table order (for the README and the console's help).
pub fn all() -> impl Iterator<Item = &'static Explanation> {
    TABLE.iter().map(|(_, explanation)| explanation)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::error::from_status;

    #[test]
    fn a_visitor_call_the_service_fails_is_explained_as_not_retried() {
        for operation in [
            Operation::VisitorName,
            Operation::VisitorTyping,
            Operation::ExitSurvey,
            Operation::SubmitExitSurvey,
            Operation::Transcript,
            Operation::OfflineSurvey,
            Operation::SubmitOfflineSurvey,
        ] {
            for status in [500, 503, 429] {
                let explanation = explain(&from_status(operation, status, "", None))
                    .unwrap_or_else(|| panic!("{operation} {status}"));
                assert!(
                    explanation.why.contains("not retried (only polls are)"),
                    "{operation} {status}: {explanation:?}"
                );
                assert!(
                    !explanation.next.command_line.contains("polls are retried"),
                    "{operation} {status}"
                );
            }
        }
        // A gateway that gave up on a PUT after passing it on: it may have worked.
        let gateway = from_status(Operation::SubmitExitSurvey, 504, "", None);
        assert_eq!(
            explain(&gateway).map(|e| e.cause),
            Some(Cause::AmbiguousVisitorCall)
        );
        // Polls and chat requests keep their own words.
        let poll = explain(&from_status(Operation::Session, 503, "", None)).unwrap();
        assert_eq!(poll.cause, Cause::ServerError);
        let exit_survey = from_status(Operation::ExitSurvey, 503, "", None);
        assert!(
            explain(&exit_survey)
                .unwrap()
                .next
                .command_line
                .contains("`chatstart exit-survey URI --answer …`")
        );
    }
}
