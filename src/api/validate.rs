//! Validation before anything is sent: the table of spec §4, one rule per field.
//!
//! Each error names the field it belongs to, so the console shows it where it was typed and the
//! CLI names the flag.

use std::net::IpAddr;
use std::time::Duration;

use super::model::{Question, QuestionKind, Survey, ValidationType};
use super::request::{AuthRequest, ChatRequest, SurveyAnswer, answers_for};

/// A field a value was typed into.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Field {
    Connection,
    Account,
    AppKey,
    Skill,
    MaxWaitTime,
    VisitorIp,
    ChatReferrer,
    UserAgent,
    VisitorId,
    /// A pre-chat line, by position.
    PreChatLine(usize),
    /// A survey answer, by question id.
    SurveyAnswer(String),
    EngagementId,
    CampaignId,
    Language,
    ParticipantId,
    ConversationId,
    InteractionTimeout,
    LeVisitorId,
    LeSessionId,
    LeContextId,
    SsoKey,
    AuthChatConnId,
    RedirectUri,
    LineText,
    VisitorName,
    TranscriptEmail,
}

impl Field {
    /// The key that sets this field in a profile's or a check case's `request` table (or the
    /// profile's own key, for the connection and the authenticated flow).
    pub fn key(&self) -> String {
        match self {
            Self::Connection => "base_url".into(),
            Self::Account => "account".into(),
            Self::AppKey => "app_key_env".into(),
            Self::Skill => "skill".into(),
            Self::MaxWaitTime => "max_wait_time".into(),
            Self::VisitorIp => "visitor_ip".into(),
            Self::ChatReferrer => "chat_referrer".into(),
            Self::UserAgent => "user_agent".into(),
            Self::VisitorId => "visitor_id".into(),
            Self::PreChatLine(index) => format!("pre_chat_lines[{}]", index + 1),
            Self::SurveyAnswer(id) => format!("survey.{id}"),
            Self::EngagementId => "engagement_id".into(),
            Self::CampaignId => "campaign_id".into(),
            Self::Language => "language".into(),
            Self::ParticipantId => "participant_id".into(),
            Self::ConversationId => "conversation_id".into(),
            Self::InteractionTimeout => "interaction_timeout".into(),
            Self::LeVisitorId => "le_visitor_id".into(),
            Self::LeSessionId => "le_session_id".into(),
            Self::LeContextId => "le_context_id".into(),
            Self::SsoKey => "sso_key_env".into(),
            Self::AuthChatConnId => "auth_conn_id".into(),
            Self::RedirectUri => "redirect_uri".into(),
            Self::LineText => "send".into(),
            Self::VisitorName => "visitor_name".into(),
            Self::TranscriptEmail => "transcript_email".into(),
        }
    }
}

/// One invalid value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub field: Field,
    pub message: String,
}

/// Every invalid value of a request, in field order.
#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.describe())]
pub struct ValidationErrors(pub Vec<Invalid>);

impl ValidationErrors {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn for_field(&self, field: &Field) -> Option<&str> {
        self.0
            .iter()
            .find(|e| &e.field == field)
            .map(|e| e.message.as_str())
    }

    fn push(&mut self, field: Field, message: impl Into<String>) {
        self.0.push(Invalid {
            field,
            message: message.into(),
        });
    }

    /// One problem inline; several one per line, so each can be read and fixed.
    fn describe(&self) -> String {
        let lines: Vec<String> = self
            .0
            .iter()
            .map(|e| format!("{}: {}", e.field.key(), e.message))
            .collect();
        match lines.as_slice() {
            [one] => one.clone(),
            many => format!("\n  {}", many.join("\n  ")),
        }
    }

    pub fn into_result(self) -> Result<(), Self> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }
}

/// The longest time a setting may give: a year. Longer is surely a typo, and far longer would
/// overflow the clock arithmetic it feeds.
pub const MAX_SECONDS: f64 = 365.0 * 86_400.0;

/// The shortest poll interval or HTTP timeout: anything shorter would hammer the service (a poll
/// a microsecond) or give up before any answer could come.
pub const MIN_INTERVAL_SECONDS: f64 = 0.1;

/// A poll interval or an HTTP timeout: [`seconds`], and at least [`MIN_INTERVAL_SECONDS`].
pub fn interval(value: f64) -> Result<Duration, String> {
    let duration = seconds(value)?;
    if value < MIN_INTERVAL_SECONDS {
        return Err(format!(
            "`{}` seconds is too short: at least {MIN_INTERVAL_SECONDS} (a poll or a timeout this short would hammer the service or never see an answer)",
            shown_number(value)
        ));
    }
    Ok(duration)
}

/// A positive number of seconds, at most [`MAX_SECONDS`] (a flag's or a file's setting).
pub fn seconds(value: f64) -> Result<Duration, String> {
    if value.is_finite() && value > MAX_SECONDS {
        return Err(format!(
            "`{}` seconds is too long: at most a year ({MAX_SECONDS})",
            shown_number(value)
        ));
    }
    Duration::try_from_secs_f64(value)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| {
            format!(
                "`{}` is not a positive number of seconds (at most a year, {MAX_SECONDS})",
                shown_number(value)
            )
        })
}

/// A number as written, in exponent form when very large (`1e300`, not 301 digits).
fn shown_number(value: f64) -> String {
    if value.is_finite() && value.abs() >= 1e15 {
        format!("{value:e}")
    } else {
        format!("{value}")
    }
}

fn is_digits(value: &str) -> bool {
    !value.is_empty() && value.chars().all(|c| c.is_ascii_digit())
}

/// A control character by the name people know it by.
fn control_name(c: char) -> String {
    match c {
        '\0' => "NUL".into(),
        '\u{7}' => "BEL".into(),
        '\u{8}' => "backspace".into(),
        '\t' => "a tab".into(),
        '\n' => "a line break".into(),
        '\r' => "a carriage return".into(),
        '\u{1b}' => "ESC".into(),
        '\u{7f}' => "DEL".into(),
        other => format!("U+{:04X}", u32::from(other)),
    }
}

/// A one-line text: no control character at all (a line break included). The service reads the
/// body as XML or JSON, and XML cannot carry most of them: it refuses the whole request. What
/// surrounds the text is trimmed before it is sent, so only what is inside counts.
pub fn single_line(value: &str) -> Option<String> {
    value.trim().chars().find(|c| c.is_control()).map(|c| {
        format!(
            "contains {}, which cannot be sent: this field is one line of text",
            control_name(c)
        )
    })
}

/// A text that may run over several lines: line breaks and tabs, but no other control
/// character (ESC, BEL, NUL…), which XML cannot carry.
pub fn multi_line(value: &str) -> Option<String> {
    value
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        .map(|c| format!("contains {}, which cannot be sent", control_name(c)))
}

/// V15: a line sent to the chat: not empty, and only text (line breaks allowed).
pub fn line(text: &str) -> Option<String> {
    if text.trim().is_empty() {
        Some("a line cannot be empty".into())
    } else {
        multi_line(text)
    }
}

/// V1: the account id is digits.
pub fn account(value: &str) -> Option<String> {
    let value = value.trim();
    if value.is_empty() {
        Some("the account id is required".into())
    } else if !is_digits(value) {
        Some(format!(
            "`{value}` is not an account id: digits only, like 28561192"
        ))
    } else {
        None
    }
}

/// V2: the appKey is non-empty and has no whitespace inside.
pub fn app_key(value: &str) -> Option<String> {
    let value = value.trim();
    if value.is_empty() {
        Some("the appKey is required".into())
    } else if value.chars().any(char::is_whitespace) {
        Some("the appKey has whitespace inside it".into())
    } else {
        single_line(value).map(|problem| format!("the appKey {problem}"))
    }
}

/// V3: whole seconds from 0 to 86,400.
pub fn max_wait_time(value: &str) -> Option<String> {
    let value = value.trim();
    match value.parse::<u64>() {
        _ if value.is_empty() => None,
        Ok(seconds) if seconds <= 86_400 && is_digits(value) => None,
        Ok(_) => Some("must be between 0 and 86400 seconds (24 hours)".into()),
        // Digits past what a number holds are still a number: too big, not "not a number".
        Err(_) if is_digits(value) => Some("must be between 0 and 86400 seconds (24 hours)".into()),
        Err(_) => Some(format!(
            "`{value}` is not a whole number of seconds (0–86400)"
        )),
    }
}

/// V5, V8, V9: digits only (when given).
pub fn digits(value: &str, what: &str) -> Option<String> {
    let value = value.trim();
    (!(value.is_empty() || is_digits(value) && value.len() <= 19))
        .then(|| format!("`{value}` is not a valid {what}: digits only"))
}

/// V6: an IPv4 or IPv6 address.
pub fn visitor_ip(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty() && value.parse::<IpAddr>().is_err())
        .then(|| format!("`{value}` is not an IPv4 or IPv6 address"))
}

/// V7: a positive whole number of seconds.
pub fn interaction_timeout(value: &str) -> Option<String> {
    let value = value.trim();
    match value.parse::<u64>() {
        _ if value.is_empty() => None,
        Ok(seconds) if seconds > 0 && seconds <= MAX_INTERACTION_TIMEOUT && is_digits(value) => {
            None
        }
        Ok(seconds) if seconds > MAX_INTERACTION_TIMEOUT && is_digits(value) => Some(format!(
            "`{value}` seconds is more than a day ({MAX_INTERACTION_TIMEOUT}), the longest idle time chatstart sends"
        )),
        _ => Some(format!(
            "`{value}` is not a positive whole number of seconds"
        )),
    }
}

/// The longest idle timeout sent (a day): the contract gives no bound, but a larger number is a
/// typo, and one past the service's integer range would be refused as a malformed request.
pub const MAX_INTERACTION_TIMEOUT: u64 = 86_400;

/// V10: a language tag like `en-US`.
pub fn language(value: &str) -> Option<String> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    let mut parts = value.split(['-', '_']);
    let primary_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphabetic()));
    let rest_ok =
        parts.all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    (!(primary_ok && rest_ok)).then(|| format!("`{value}` is not a language tag like en-US"))
}

/// V12: an absolute http(s) URL.
pub fn absolute_url(value: &str) -> Option<String> {
    let value = value.trim();
    // The URL parser drops tabs and line breaks without a word: refused here instead.
    if let Some(problem) = single_line(value) {
        return Some(problem);
    }
    match reqwest::Url::parse(value) {
        _ if value.is_empty() => None,
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => None,
        _ => Some(format!("`{value}` is not an absolute http(s) URL")),
    }
}

/// Where the API is, as a base URL: `https://va.convep.liveperson.net`, `http://127.0.0.1:8480`.
/// Without a scheme it says what to write instead.
pub fn base_url(value: &str) -> Option<String> {
    let value = value.trim();
    if let Some(problem) = single_line(value) {
        return Some(problem);
    }
    if value.is_empty() {
        return Some("no URL given".into());
    }
    if !value.contains("://") {
        return Some(format!(
            "`{value}` has no scheme: write http://{value} (or https://{value})"
        ));
    }
    match reqwest::Url::parse(value) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => None,
        Ok(url) if !matches!(url.scheme(), "http" | "https") => Some(format!(
            "`{value}` is not an http(s) URL (its scheme is {})",
            url.scheme()
        )),
        Ok(_) => Some(format!("`{value}` has no host")),
        Err(error) => Some(format!("`{value}` is not a URL: {error}")),
    }
}

/// Where the API is, as a bare domain (reached over https): `va.convep.liveperson.net`. A URL
/// given instead is named as such, with what to write.
pub fn domain(value: &str) -> Option<String> {
    let value = value.trim();
    if let Some(problem) = single_line(value) {
        return Some(problem);
    }
    if let Some((_, rest)) = value.split_once("://") {
        let host = rest.split('/').next().unwrap_or(rest);
        return Some(format!(
            "`{value}` is a URL, not a domain: give it as the base URL (--base-url, or \
             base_url in a profile), or the host alone: {host}"
        ));
    }
    let plain = !value.is_empty() && !value.contains(['/', ' ', '?', '#', '@']);
    let parsed = reqwest::Url::parse(&format!("https://{value}")).ok();
    if plain && parsed.is_some_and(|url| url.host().is_some()) {
        None
    } else {
        Some(format!(
            "`{value}` is not a domain: write a host name like va.convep.liveperson.net"
        ))
    }
}

/// An e-mail address the service takes (V17): an ASCII local part of letters, digits and the
/// characters an address may hold unquoted (`. ! # $ % & ' * + - / = ? ^ _ ` { | } ~`), then host
/// labels of ASCII letters, digits and `-`, the last one two or more letters. The JS SDK's
/// pattern is ASCII-only too (the service answers 400 "Invalid email address" to `zoë@…`); its
/// `[a-zA-Z0-9.-_]` is a range by mistake (`.` to `_`), which would refuse the `+tag` and `-`
/// that real addresses hold, so those are taken.
pub fn email(value: &str) -> bool {
    email_problem(value).is_none()
}

/// Why `value` is no address the service takes, in a few words; `None` when it is one.
fn email_problem(value: &str) -> Option<String> {
    let value = value.trim();
    if let Some(c) = value.chars().find(|c| !c.is_ascii()) {
        return Some(format!(
            "`{c}` is not ASCII, and the service takes only ASCII addresses"
        ));
    }
    let Some((local, domain)) = value.split_once('@') else {
        return Some("no @".into());
    };
    let local_ok = !local.is_empty()
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
    match (local_ok, domain_ok) {
        (true, true) => None,
        (false, _) => Some("the part before @ holds a character an address cannot".into()),
        (true, false) => Some("the part after @ is no domain like example.com".into()),
    }
}

/// V17: the address a transcript goes to. `None` when it is one.
pub fn transcript_email(value: &str) -> Option<String> {
    if value.trim().is_empty() {
        Some("an e-mail address is needed: the transcript goes there".into())
    } else if let Some(problem) = single_line(value) {
        Some(problem)
    } else {
        email_problem(value).map(|why| {
            format!(
                "`{}` is not an e-mail address ({why}): write one like visitor@example.com",
                value.trim()
            )
        })
    }
}

/// The longest transcript subject sent: a mail subject, not a letter. The contract gives no
/// bound; a longer one is a paste gone wrong, and mail systems fold or cut long subjects anyway.
pub const LONGEST_SUBJECT: usize = 200;

/// The transcript mail's subject (§2.18): one line, at most [`LONGEST_SUBJECT`] characters.
pub fn transcript_subject(value: &str) -> Option<String> {
    let length = value.trim().chars().count();
    if length > LONGEST_SUBJECT {
        Some(format!(
            "a subject is at most {LONGEST_SUBJECT} characters (this one has {length})"
        ))
    } else {
        single_line(value)
    }
}

/// The visitor's name (§2.14): one line, not empty, not longer than a name.
pub fn visitor_name(value: &str) -> Option<String> {
    const LONGEST: usize = 100;
    if value.trim().is_empty() {
        Some("a visitor name cannot be empty".into())
    } else if value.trim().chars().count() > LONGEST {
        Some(format!("a visitor name is at most {LONGEST} characters"))
    } else if value.chars().any(crate::terminal_text::is_bidi_control) {
        // The agent reads the name: a direction override would show it as something else.
        Some(
            "contains a text-direction control, which would show the name reversed to the agent"
                .into(),
        )
    } else {
        single_line(value)
    }
}

/// A time-zone offset as milliseconds (V17: the transcript's `timezoneOffset` is integer
/// milliseconds). Written with a sign and one or two digits of hours, then `:MM` when not whole
/// hours (`+5`, `+05`, `+5:30`, `-02:00`), or `Z` / `0` for GMT: unambiguous, so taken as
/// people write them. Offsets run from −12:00 to +14:00. (`auto` is the start layer's.)
pub fn timezone_offset(value: &str) -> Result<i64, String> {
    let text = value.trim();
    let problem = || {
        format!(
            "`{text}` is not a time-zone offset: write ±H or ±HH, with :MM when not whole hours \
             (+5, +05:30, -02:00), Z, or auto"
        )
    };
    if text.eq_ignore_ascii_case("z") || text == "0" {
        return Ok(0);
    }
    let (sign, rest) = match text.as_bytes().first() {
        Some(b'+') => (1, &text[1..]),
        Some(b'-') => (-1, &text[1..]),
        _ => return Err(problem()),
    };
    let (hours, minutes) = rest.split_once(':').unwrap_or((rest, "00"));
    if hours.is_empty() || hours.len() > 2 || minutes.len() != 2 {
        return Err(problem());
    }
    let hours: i64 = hours.parse().map_err(|_| problem())?;
    let minutes: i64 = minutes.parse().map_err(|_| problem())?;
    if !hours.is_positive() && hours != 0 || minutes >= 60 {
        return Err(problem());
    }
    let total = sign * (hours * 60 + minutes);
    if !(-12 * 60..=14 * 60).contains(&total) {
        return Err(format!(
            "`{text}` is outside the offsets in use (-12:00 to +14:00)"
        ));
    }
    Ok(total * 60_000)
}

/// Checks every field of a chat request (V3–V11, V14). `survey` is the fetched pre-chat survey,
/// needed when answers are given.
pub fn chat_request(request: &ChatRequest, survey: Option<&Survey>) -> ValidationErrors {
    let mut errors = request_fields(request);
    survey_answers(request, survey, &mut errors);
    errors
}

/// Checks what can be checked of a chat request without its survey (V3–V11, and that no text
/// carries what cannot be sent): a request read from a file is checked so as it is read.
pub fn request_fields(request: &ChatRequest) -> ValidationErrors {
    let mut errors = ValidationErrors::default();
    let mut check = |field: Field, problem: Option<String>| {
        if let Some(message) = problem {
            errors.push(field, message);
        }
    };
    for (field, value) in [
        (Field::Skill, &request.skill),
        (Field::ChatReferrer, &request.chat_referrer),
        (Field::UserAgent, &request.user_agent),
        (Field::ParticipantId, &request.participant_id),
        (Field::ConversationId, &request.conversation_id),
        (Field::LeVisitorId, &request.le_visitor_id),
        (Field::LeSessionId, &request.le_session_id),
    ] {
        check(field, single_line(value));
    }
    check(Field::MaxWaitTime, max_wait_time(&request.max_wait_time));
    check(Field::VisitorIp, visitor_ip(&request.visitor_ip));
    check(Field::VisitorId, digits(&request.visitor_id, "visitor id"));
    check(
        Field::EngagementId,
        digits(&request.engagement_id, "engagement id"),
    );
    check(
        Field::CampaignId,
        digits(&request.campaign_id, "campaign id"),
    );
    check(Field::Language, language(&request.language));
    check(
        Field::InteractionTimeout,
        interaction_timeout(&request.interaction_timeout),
    );
    check(
        Field::LeContextId,
        digits(&request.le_context_id, "LETagContextId"),
    );
    for (index, line) in request.pre_chat_lines.iter().enumerate() {
        if line.trim().is_empty() && request.pre_chat_lines.len() > 1 {
            check(
                Field::PreChatLine(index),
                Some("a pre-chat line cannot be empty".into()),
            );
        } else {
            check(Field::PreChatLine(index), single_line(line));
        }
    }
    // Which answers may run over lines is known only from the survey (a text area's may).
    for answer in &request.survey_answers {
        if let Some(problem) = answer.values.iter().find_map(|v| multi_line(v)) {
            check(
                Field::SurveyAnswer(answer.question_id.clone()),
                Some(problem),
            );
        }
    }
    errors
}

/// V14: answers against the fetched survey.
fn survey_answers(request: &ChatRequest, survey: Option<&Survey>, errors: &mut ValidationErrors) {
    let Some(survey) = survey else {
        if let Some(answer) = request.survey_answers.first() {
            errors.push(
                Field::SurveyAnswer(answer.question_id.clone()),
                "survey answers need the pre-chat survey, and none was found",
            );
        }
        return;
    };
    // A line break in an answer is already said by `request_fields`.
    for problem in answers(&request.survey_answers, survey).0 {
        if errors.for_field(&problem.field).is_none() {
            errors.0.push(problem);
        }
    }
}

/// V14 for any survey (pre-chat, exit, offline): every id is one of the survey's, every
/// visible mandatory question is answered, and each answer fits its question's type.
pub fn answers(given: &[SurveyAnswer], survey: &Survey) -> ValidationErrors {
    let mut errors = ValidationErrors::default();
    for answer in given {
        if let Some(problem) = answer.values.iter().find_map(|v| multi_line(v)) {
            errors.push(Field::SurveyAnswer(answer.question_id.clone()), problem);
        }
    }
    let answered = |id: &str| {
        answers_for(given, id)
            .into_iter()
            .filter(|v| !v.trim().is_empty())
            .collect::<Vec<_>>()
    };
    let errors = &mut errors;
    for answer in given {
        if survey.question(&answer.question_id).is_none() {
            let known: Vec<&str> = survey.questions.iter().map(|q| q.id.as_str()).collect();
            errors.push(
                Field::SurveyAnswer(answer.question_id.clone()),
                format!(
                    "no question {} in survey {} (its questions: {})",
                    answer.question_id,
                    survey.id,
                    known.join(", ")
                ),
            );
        }
    }
    for question in survey.visible_questions(|id| answers_for(given, id)) {
        let values = answered(&question.id);
        let field = Field::SurveyAnswer(question.id.clone());
        if errors.for_field(&field).is_some() {
            continue;
        }
        let choices = || {
            question
                .entries
                .iter()
                .map(|e| e.value.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        if values.is_empty() {
            if question.mandatory {
                errors.push(field, format!("“{}” must be answered", question.label));
            }
            continue;
        }
        match &question.kind {
            kind if kind.is_single_choice() => {
                if values.len() > 1 {
                    errors.push(field, "choose one answer only");
                } else if !question.has_entry(&values[0]) {
                    let problem = shown_text_of(question, &values[0]).unwrap_or_else(|| {
                        format!(
                            "`{}` is not a choice; choose one of: {}",
                            values[0],
                            choices()
                        )
                    });
                    errors.push(field, problem);
                }
            }
            QuestionKind::Checkbox => {
                if let Some(bad) = values.iter().find(|v| !question.has_entry(v)) {
                    let problem = shown_text_of(question, bad).unwrap_or_else(|| {
                        format!("`{bad}` is not a choice; choose among: {}", choices())
                    });
                    errors.push(field, problem);
                }
            }
            kind => {
                let problem = if *kind == QuestionKind::TextArea {
                    None
                } else {
                    single_line(&values[0])
                };
                if values.len() > 1 {
                    errors.push(field, "a text question takes one answer");
                } else if let Some(problem) = problem {
                    errors.push(field, problem);
                } else if question.validation == ValidationType::Numeric && !numeric(&values[0]) {
                    errors.push(field, format!("`{}` is not a number", values[0]));
                } else if let Some(why) = (question.validation == ValidationType::Email)
                    .then(|| email_problem(&values[0]))
                    .flatten()
                {
                    errors.push(
                        field,
                        format!("`{}` is not an e-mail address ({why})", values[0]),
                    );
                }
            }
        }
    }
    std::mem::take(errors)
}

/// When `given` is how a choice is shown (its `displayValue`, exit surveys) rather than its value:
/// says so, and the value to send (Q31: a choice's answer is its value text).
fn shown_text_of(question: &Question, given: &str) -> Option<String> {
    let entry = question.entries.iter().find(|e| {
        e.display_value
            .as_deref()
            .is_some_and(|shown| shown.trim() == given.trim())
    })?;
    Some(format!(
        "`{given}` is the shown text of `{}`; the answer is the value: send {}={}",
        entry.value, question.id, entry.value
    ))
}

/// Answers to questions the survey's logic hides, given the other answers: the encoder leaves
/// them out (§3.6), so typed on the command line or in a check file they would vanish while the
/// command said they were sent. Each is named with the answer that would show its question.
///
/// Apart from [`answers`] on purpose: the console's form keeps the answers of questions it hides
/// (the visitor may choose the showing entry again) and must not be refused for them.
pub fn hidden_answers(given: &[SurveyAnswer], survey: &Survey) -> ValidationErrors {
    let mut errors = ValidationErrors::default();
    let visible: Vec<&str> = survey
        .visible_questions(|id| answers_for(given, id))
        .iter()
        .map(|q| q.id.as_str())
        .collect();
    for answer in given {
        let answered = answer.values.iter().any(|v| !v.trim().is_empty());
        let Some(question) = survey.question(&answer.question_id) else {
            continue;
        };
        let field = Field::SurveyAnswer(answer.question_id.clone());
        if !answered
            || visible.contains(&question.id.as_str())
            || errors.for_field(&field).is_some()
        {
            continue;
        }
        errors.push(
            field,
            format!(
                "question {} is shown only when {}; hidden, its answer would not be sent",
                question.id,
                shown_when(question, survey)
            ),
        );
    }
    errors
}

/// The answers that show `question`: `4991316 is No`, `7 is A or B`, `8 includes X, or 9 is Y`.
fn shown_when(question: &Question, survey: &Survey) -> String {
    let Some(logic_id) = question.logic_id.as_deref() else {
        return "another answer shows it".into();
    };
    let conditions: Vec<String> = survey
        .questions
        .iter()
        .filter_map(|by| {
            let values: Vec<&str> = by
                .entries
                .iter()
                .filter(|e| e.show_logic_ids.iter().any(|id| id == logic_id))
                .map(|e| e.value.as_str())
                .collect();
            let verb = if by.kind.is_multi_choice() {
                "includes"
            } else {
                "is"
            };
            (!values.is_empty()).then(|| format!("{} {verb} {}", by.id, values.join(" or ")))
        })
        .collect();
    if conditions.is_empty() {
        "another answer shows it".into()
    } else {
        conditions.join(", or ")
    }
}

/// V14 as the command line and check files check answers before sending: [`answers`], and no
/// answer to a question the logic hides ([`hidden_answers`]). One problem per question.
pub fn answers_to_send(given: &[SurveyAnswer], survey: &Survey) -> ValidationErrors {
    let mut errors = answers(given, survey);
    for problem in hidden_answers(given, survey).0 {
        if errors.for_field(&problem.field).is_none() {
            errors.0.push(problem);
        }
    }
    errors
}

/// V12: the authentication call's required fields.
pub fn auth_request(auth: &AuthRequest, request: &ChatRequest) -> ValidationErrors {
    let mut errors = ValidationErrors::default();
    let mut required = |field: Field, value: &str, what: &str| {
        if value.trim().is_empty() {
            errors.push(field, format!("{what} is required for authenticated chat"));
            false
        } else {
            true
        }
    };
    let sso = required(Field::SsoKey, auth.sso_key.expose(), "the SSO key");
    let conn = required(
        Field::AuthChatConnId,
        &auth.auth_chat_conn_id,
        "authChatConnId",
    );
    let engagement = required(Field::EngagementId, &request.engagement_id, "engagementId");
    required(Field::LeVisitorId, &request.le_visitor_id, "LETagVisitorId");
    required(Field::LeSessionId, &request.le_session_id, "LETagSessionId");
    let context = required(Field::LeContextId, &request.le_context_id, "LETagContextId");
    if sso
        && auth
            .sso_key
            .expose()
            .trim()
            .chars()
            .any(char::is_whitespace)
    {
        errors.push(
            Field::SsoKey,
            "the SSO key has whitespace inside it (a copy-and-paste break?)",
        );
    } else if let Some(problem) = single_line(auth.sso_key.expose()) {
        // Says which character, never the key.
        errors.push(Field::SsoKey, format!("the SSO key {problem}"));
    }
    if conn {
        if let Some(m) = digits(&auth.auth_chat_conn_id, "authChatConnId") {
            errors.push(Field::AuthChatConnId, m);
        }
    }
    if engagement {
        if let Some(m) = digits(&request.engagement_id, "engagement id") {
            errors.push(Field::EngagementId, m);
        }
    }
    if context {
        if let Some(m) = digits(&request.le_context_id, "LETagContextId") {
            errors.push(Field::LeContextId, m);
        }
    }
    if let Some(m) = absolute_url(&auth.redirect_uri) {
        errors.push(Field::RedirectUri, m);
    }
    errors
}

/// A number as a person types it: optional sign, digits, an optional decimal part. (`inf`,
/// `NaN` and `1e5` parse as floats but are not what a numeric survey field means.)
fn numeric(text: &str) -> bool {
    let text = text.trim();
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    !(whole.is_empty() && fraction.is_empty())
        && digits(whole)
        && digits(fraction)
        && !(unsigned.contains('.') && fraction.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::request::SurveyAnswer;
    use crate::secret::Secret;
    use serde_json::json;

    #[test]
    fn numeric_answers_are_plain_decimal_numbers() {
        for good in ["0", "42", "-7", "+3", "3.25", ".5", " 12 "] {
            assert!(numeric(good), "{good}");
        }
        for bad in [
            "", "-", ".", "5.", "1e5", "inf", "NaN", "1,5", "0x1f", "12a",
        ] {
            assert!(!numeric(bad), "{bad}");
        }
    }

    #[test]
    fn field_rules_of_the_table() {
        assert!(account("28561192").is_none());
        assert!(account("").is_some() && account("abc").is_some());
        assert!(app_key("k1").is_none() && app_key("a b").is_some() && app_key(" ").is_some());
        assert!(max_wait_time("0").is_none() && max_wait_time("86400").is_none());
        assert!(max_wait_time("86401").is_some() && max_wait_time("-1").is_some());
        assert!(
            max_wait_time("99999999999999999999999")
                .unwrap()
                .contains("between 0 and 86400")
        );
        assert!(max_wait_time("1.5").is_some() && max_wait_time("+5").is_some());
        assert!(visitor_ip("203.0.113.7").is_none() && visitor_ip("::1").is_none());
        assert!(visitor_ip("300.1.1.1").is_some() && visitor_ip("host").is_some());
        assert!(digits("123", "x").is_none() && digits("12a", "x").is_some());
        assert!(interaction_timeout("40").is_none() && interaction_timeout("0").is_some());
        assert!(interaction_timeout("86400").is_none());
        assert!(
            interaction_timeout("86401")
                .unwrap()
                .contains("more than a day")
        );
        assert!(interaction_timeout("18446744073709551615").is_some());
        assert!(interaction_timeout("99999999999999999999999").is_some());
        assert!(
            language("en-US").is_none() && language("pt-BR").is_none() && language("en").is_none()
        );
        assert!(language("english language").is_some() && language("e").is_some());
        assert!(
            absolute_url("https://brand.example/cb").is_none() && absolute_url("/cb").is_some()
        );
        assert!(email("a.b@example.com") && !email("a@b") && !email("no at") && !email("a@@b.com"));
    }

    #[test]
    fn an_address_is_ascii_as_the_service_takes_it() {
        for good in [
            "first.last+tag@sub.example.co.uk",
            "o'neil-x_y@mail.example.museum",
            "n@b.cd",
            " qa@example.com ",
        ] {
            assert!(email(good), "{good}");
        }
        for bad in [
            "zoë@example.com",
            "zoe@exämple.com",
            "zoe@example.cöm",
            "a b@c.de",
            "a\"b@c.de",
            "a,b@c.de",
            "a@b.c",
            "@b.de",
            "a@b..de",
        ] {
            assert!(!email(bad), "{bad}");
        }
        let said = transcript_email("zoë@example.com").unwrap();
        assert!(
            said.starts_with("`zoë@example.com` is not an e-mail address (`ë` is not ASCII"),
            "{said}"
        );
    }

    #[test]
    fn an_interval_is_at_least_a_tenth_of_a_second() {
        assert_eq!(interval(0.1), Ok(Duration::from_millis(100)));
        assert_eq!(interval(2.0), Ok(Duration::from_secs(2)));
        for short in [0.099, 0.001, 1e-9] {
            let error = interval(short).unwrap_err();
            assert!(
                error.contains("too short") && error.contains("0.1"),
                "{error}"
            );
        }
        // What is no number of seconds at all says so first.
        assert!(interval(-1.0).unwrap_err().contains("positive"));
        assert!(interval(1e300).is_err());
    }

    #[test]
    fn seconds_are_positive_and_at_most_a_year() {
        assert_eq!(seconds(2.5), Ok(Duration::from_millis(2500)));
        assert!(seconds(MAX_SECONDS).is_ok());
        for bad in [-1.0, 0.0, -0.0, f64::NAN, f64::INFINITY] {
            let error = seconds(bad).unwrap_err();
            assert!(
                error.contains("not a positive number of seconds"),
                "{bad}: {error}"
            );
        }
        // Positive but too long: said as such, not as "not positive".
        for long in [1e300, 1e10, MAX_SECONDS + 1.0] {
            let error = seconds(long).unwrap_err();
            assert!(
                error.contains("too long: at most a year"),
                "{long}: {error}"
            );
        }
        assert!(seconds(1e300).unwrap_err().starts_with("`1e300`"));
    }

    #[test]
    fn control_characters_are_refused_in_every_text_of_a_request() {
        for bad in [
            "Sa\u{1b}les",
            "a\u{7}",
            "nul\0",
            "two\nlines",
            "tab\there",
            "c1\u{85}x",
            "Sales\u{1b}",
        ] {
            assert!(single_line(bad).is_some(), "{bad:?}");
        }
        assert!(single_line("Sales – é ✓").is_none());
        assert!(multi_line("two\nlines\tand a tab\r\n").is_none());
        assert!(multi_line("bell\u{7}").unwrap().contains("BEL"));
        assert!(line("  ").unwrap().contains("empty"));
        assert!(line("hi\u{1b}[2J").unwrap().contains("ESC"));
        assert!(line("one\ntwo").is_none());
        let text = |field: &mut String| field.push('\u{1b}');
        type Pick = fn(&mut ChatRequest) -> &mut String;
        let fields: [(Field, Pick); 7] = [
            (Field::Skill, |r| &mut r.skill),
            (Field::ChatReferrer, |r| &mut r.chat_referrer),
            (Field::UserAgent, |r| &mut r.user_agent),
            (Field::ParticipantId, |r| &mut r.participant_id),
            (Field::ConversationId, |r| &mut r.conversation_id),
            (Field::LeVisitorId, |r| &mut r.le_visitor_id),
            (Field::LeSessionId, |r| &mut r.le_session_id),
        ];
        for (field, pick) in fields {
            let mut request = ChatRequest::default();
            text(pick(&mut request));
            let errors = request_fields(&request);
            assert!(
                errors.for_field(&field).is_some_and(|m| m.contains("ESC")),
                "{field:?}: {errors}"
            );
        }
        let lines = ChatRequest {
            pre_chat_lines: vec!["fine".into(), "two\nlines".into()],
            ..ChatRequest::default()
        };
        assert!(
            request_fields(&lines)
                .for_field(&Field::PreChatLine(1))
                .is_some_and(|m| m.contains("line break"))
        );
        // A text area's answer may run over lines; a text field's may not.
        let survey = Survey::from_document(&json!({"survey":{"id":"9","questions":{"question":[
            {"id":"1","type":"Text Field"},{"id":"2","type":"Text Area"}]}}}))
        .unwrap();
        let answers = with_answers(&[("1", &["a\nb"]), ("2", &["a\nb"])]);
        let errors = chat_request(&answers, Some(&survey));
        assert!(errors.for_field(&Field::SurveyAnswer("1".into())).is_some());
        assert!(
            errors.for_field(&Field::SurveyAnswer("2".into())).is_none(),
            "{errors}"
        );
        let bell = with_answers(&[("2", &["a\u{7}"])]);
        let errors = chat_request(&bell, Some(&survey));
        assert_eq!(errors.0.len(), 1, "said once: {errors}");
        let auth = AuthRequest {
            sso_key: Secret::new("k12197\u{1b}"),
            auth_chat_conn_id: "1".into(),
            redirect_uri: "https://brand.example/\ncb".into(),
        };
        let request = ChatRequest {
            engagement_id: "1".into(),
            le_visitor_id: "v".into(),
            le_session_id: "s".into(),
            le_context_id: "2".into(),
            ..ChatRequest::default()
        };
        let errors = auth_request(&auth, &request);
        let sso = errors.for_field(&Field::SsoKey).unwrap();
        assert!(
            sso.contains("ESC") && !sso.contains("k12197"),
            "never the key: {sso}"
        );
        assert!(errors.for_field(&Field::RedirectUri).is_some(), "{errors}");
        assert!(app_key("k\u{7f}").unwrap().contains("DEL"));
    }

    #[test]
    fn urls_and_domains_say_what_to_write_instead() {
        assert!(base_url("http://127.0.0.1:8480").is_none());
        assert!(base_url("https://va.convep.liveperson.net/").is_none());
        assert_eq!(
            base_url("127.0.0.1:8480").unwrap(),
            "`127.0.0.1:8480` has no scheme: write http://127.0.0.1:8480 (or https://127.0.0.1:8480)"
        );
        assert!(
            base_url("localhost:8480")
                .unwrap()
                .contains("write http://localhost:8480")
        );
        assert!(base_url("ftp://x").unwrap().contains("not an http(s) URL"));
        assert!(domain("va.convep.liveperson.net").is_none());
        assert!(domain("127.0.0.1:8480").is_none());
        let url = domain("http://127.0.0.1:8480/x").unwrap();
        assert!(
            url.contains("is a URL, not a domain")
                && url.contains("--base-url")
                && url.ends_with("127.0.0.1:8480"),
            "{url}"
        );
        assert!(domain("va.example/path").unwrap().contains("not a domain"));
        assert!(domain("a b").is_some() && domain("").is_some());
    }

    #[test]
    fn errors_name_every_bad_field() {
        let request = ChatRequest {
            max_wait_time: "90000".into(),
            visitor_ip: "x".into(),
            le_context_id: "two".into(),
            ..ChatRequest::default()
        };
        let errors = chat_request(&request, None);
        let fields: Vec<&Field> = errors.0.iter().map(|e| &e.field).collect();
        assert_eq!(
            fields,
            [&Field::MaxWaitTime, &Field::VisitorIp, &Field::LeContextId]
        );
        // Named by the key that sets it (a profile's or a check case's); the command line
        // names its flags itself (`cli::input`).
        assert!(errors.to_string().contains("max_wait_time"));
    }

    fn survey() -> Survey {
        Survey::from_document(&json!({"survey":{"id":"9","questions":{"question":[
            {"id":"1","logicId":"1","mandatory":"true","type":"Dropdown Box","label":"Team",
             "entry":[{"value":"CATS","logic":{"showLogicId":"2"}},{"value":"DOGS"}]},
            {"id":"2","logicId":"2","mandatory":"true","type":"Text Field","label":"Cat name"},
            {"id":"3","type":"Text Field","validationType":"email","label":"Mail"},
            {"id":"4","type":"Checkbox","entry":[{"value":"a"},{"value":"b"}]}]}}}))
        .unwrap()
    }

    fn with_answers(answers: &[(&str, &[&str])]) -> ChatRequest {
        ChatRequest {
            survey_answers: answers
                .iter()
                .map(|(id, values)| SurveyAnswer {
                    question_id: (*id).into(),
                    values: values.iter().map(|v| (*v).into()).collect(),
                })
                .collect(),
            ..ChatRequest::default()
        }
    }

    #[test]
    fn survey_answers_are_checked_against_the_survey() {
        let survey = survey();
        let ok = with_answers(&[("1", &["DOGS"]), ("4", &["a", "b"])]);
        assert!(chat_request(&ok, Some(&survey)).is_empty());
        let missing = with_answers(&[]);
        assert!(
            chat_request(&missing, Some(&survey))
                .for_field(&Field::SurveyAnswer("1".into()))
                .is_some()
        );
        // Choosing CATS shows the mandatory follow-up question.
        let cats = with_answers(&[("1", &["CATS"])]);
        let errors = chat_request(&cats, Some(&survey));
        assert!(
            errors
                .for_field(&Field::SurveyAnswer("2".into()))
                .unwrap()
                .contains("Cat name")
        );
        let bad = with_answers(&[
            ("1", &["FISH"]),
            ("3", &["nope"]),
            ("4", &["c"]),
            ("99", &["x"]),
        ]);
        let errors = chat_request(&bad, Some(&survey));
        for id in ["1", "3", "4", "99"] {
            assert!(
                errors.for_field(&Field::SurveyAnswer(id.into())).is_some(),
                "{id}: {errors}"
            );
        }
        assert!(
            !chat_request(&ok, None).is_empty(),
            "answers without a survey"
        );
    }

    #[test]
    fn auth_fields_are_required() {
        let errors = auth_request(&AuthRequest::default(), &ChatRequest::default());
        assert_eq!(errors.0.len(), 6);
        let auth = AuthRequest {
            sso_key: Secret::new("key"),
            auth_chat_conn_id: "12".into(),
            redirect_uri: "not a url".into(),
        };
        let request = ChatRequest {
            engagement_id: "1".into(),
            le_visitor_id: "v".into(),
            le_session_id: "s".into(),
            le_context_id: "2".into(),
            ..ChatRequest::default()
        };
        let errors = auth_request(&auth, &request);
        assert_eq!(errors.0.len(), 1);
        assert_eq!(errors.0[0].field, Field::RedirectUri);
    }

    #[test]
    fn answers_of_any_survey_are_checked_like_the_pre_chat_ones() {
        let answer = |id: &str, values: &[&str]| SurveyAnswer {
            question_id: id.into(),
            values: values.iter().map(|v| (*v).into()).collect(),
        };
        let survey = survey();
        let errors = answers(&[answer("999", &["x"])], &survey);
        assert!(
            errors
                .for_field(&Field::SurveyAnswer("999".into()))
                .is_some(),
            "{errors:?}"
        );
        let line_break = answers(&[answer("999", &["a\nb"])], &survey);
        assert_eq!(
            line_break.0.len(),
            1 + missing_mandatory(&survey),
            "{line_break:?}"
        );
    }

    #[test]
    fn an_answer_to_a_question_the_logic_hides_is_refused_naming_what_shows_it() {
        let survey = survey();
        let answer = |id: &str, values: &[&str]| SurveyAnswer {
            question_id: id.into(),
            values: values.iter().map(|v| (*v).into()).collect(),
        };
        // DOGS hides the cat's name: an answer to it would not be sent.
        let given = [answer("1", &["DOGS"]), answer("2", &["Tom"])];
        assert!(
            answers(&given, &survey).is_empty(),
            "the form's check lets it be"
        );
        let hidden = hidden_answers(&given, &survey);
        assert_eq!(
            hidden.for_field(&Field::SurveyAnswer("2".into())),
            Some("question 2 is shown only when 1 is CATS; hidden, its answer would not be sent")
        );
        assert_eq!(hidden.0.len(), 1, "{hidden:?}");
        assert_eq!(answers_to_send(&given, &survey), hidden);
        // Shown by CATS, or answered empty: nothing to refuse.
        let cats = [answer("1", &["CATS"]), answer("2", &["Tom"])];
        assert!(answers_to_send(&cats, &survey).is_empty());
        let empty = [answer("1", &["DOGS"]), answer("2", &[" "])];
        assert!(hidden_answers(&empty, &survey).is_empty());
        // An unknown id is `answers`' to say, once.
        let unknown = [answer("1", &["DOGS"]), answer("99", &["x"])];
        assert!(hidden_answers(&unknown, &survey).is_empty());
        assert_eq!(answers_to_send(&unknown, &survey).0.len(), 1);
        // Several entries, and a check-box, that show one question.
        let logic = Survey::from_document(&json!({"survey":{"id":"9","questions":{"question":[
            {"id":"1","type":"Radio Button","entry":[
                {"value":"A","logic":{"showLogicId":"3"}},{"value":"B","logic":{"showLogicId":"3"}},
                {"value":"C"}]},
            {"id":"2","type":"Checkbox","entry":[{"value":"X","logic":{"showLogicId":"3"}}]},
            {"id":"3","logicId":"3","type":"Text Field"}]}}}))
        .unwrap();
        let errors = hidden_answers(&[answer("1", &["C"]), answer("3", &["t"])], &logic);
        assert!(
            errors.0[0]
                .message
                .starts_with("question 3 is shown only when 1 is A or B, or 2 includes X;"),
            "{errors:?}"
        );
    }

    #[test]
    fn a_choices_shown_text_given_as_its_answer_says_the_value_to_send() {
        let survey = Survey::from_document(&json!({"survey":{"id":"9","questions":{"question":[
            {"id":"1","type":"Radio Button","entry":[
                {"value":"10 Extremely Likely","displayValue":"10"},{"value":"0 Not likely","displayValue":"0"}]},
            {"id":"2","type":"Checkbox","entry":[{"value":"s1","displayValue":"Speed"}]}]}}}))
        .unwrap();
        let answer = |id: &str, value: &str| SurveyAnswer {
            question_id: id.into(),
            values: vec![value.into()],
        };
        let errors = answers(&[answer("1", "10"), answer("2", "Speed")], &survey);
        assert_eq!(
            errors.for_field(&Field::SurveyAnswer("1".into())),
            Some(
                "`10` is the shown text of `10 Extremely Likely`; the answer is the value: send 1=10 Extremely Likely"
            )
        );
        assert!(
            errors
                .for_field(&Field::SurveyAnswer("2".into()))
                .is_some_and(|m| m.ends_with("send 2=s1")),
            "{errors:?}"
        );
        let errors = answers(&[answer("1", "7")], &survey);
        assert!(
            errors
                .for_field(&Field::SurveyAnswer("1".into()))
                .is_some_and(|m| m.starts_with("`7` is not a choice")),
            "{errors:?}"
        );
    }

    fn missing_mandatory(survey: &Survey) -> usize {
        survey
            .visible_questions(|_| Vec::new())
            .iter()
            .filter(|q| q.mandatory)
            .count()
    }

    #[test]
    fn transcript_addresses_names_and_offsets() {
        assert_eq!(transcript_email("me@example.com"), None);
        assert!(transcript_email("").is_some());
        assert!(transcript_email("me@example").is_some());
        assert!(transcript_email("me@example.com\nBcc: x@y.z").is_some());
        assert_eq!(transcript_subject(&"s".repeat(LONGEST_SUBJECT)), None);
        assert_eq!(
            transcript_subject(&"é".repeat(LONGEST_SUBJECT + 1)).as_deref(),
            Some("a subject is at most 200 characters (this one has 201)")
        );
        assert!(transcript_subject("a\u{7}b").unwrap().contains("BEL"));
        assert_eq!(visitor_name("Ann"), None);
        assert!(visitor_name("  ").is_some());
        assert!(visitor_name(&"x".repeat(101)).is_some());
        assert!(visitor_name("a\u{202e}b").is_some());
        assert_eq!(timezone_offset("-02:00"), Ok(-7_200_000));
        assert_eq!(timezone_offset("+14:00"), Ok(50_400_000));
        assert!(timezone_offset("+14:01").is_err());
        assert!(
            timezone_offset("auto").is_err(),
            "auto is the start layer's"
        );
        assert!(timezone_offset("+-2:00").is_err());
    }
}
