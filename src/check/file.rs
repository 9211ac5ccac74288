//! The check file: cases that describe a chat request and what must happen (docs/checks.md).

use std::path::Path;

use serde::Deserialize;

use crate::api::{ChatRequest, SurveyAnswer};

/// A whole check file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckFile {
    /// Settings every case starts from.
    #[serde(default)]
    pub defaults: CaseSettings,
    #[serde(default, rename = "case")]
    pub cases: Vec<Case>,
}

/// Settings a case may give and the `[defaults]` table may give for all.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CaseSettings {
    /// A profile of the config file for the connection (and request defaults).
    pub profile: Option<String>,
    /// End the chat when the case is done (default true; `--leave-open` overrides).
    pub end: Option<bool>,
    /// Seconds between polls.
    pub poll_interval: Option<f64>,
    /// Seconds each `expect` step may wait (default 15).
    pub step_timeout: Option<f64>,
}

/// How the chat is started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CaseFlow {
    #[default]
    Request,
    Auth,
}

/// One case.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub name: String,
    #[serde(default)]
    pub flow: CaseFlow,
    /// A profile for this case, instead of the defaults' one.
    pub profile: Option<String>,
    pub end: Option<bool>,
    pub poll_interval: Option<f64>,
    pub step_timeout: Option<f64>,
    /// The chat request (every field of the API, as in a profile).
    #[serde(default)]
    pub request: ChatRequest,
    /// The authenticated flow's own fields.
    #[serde(default)]
    pub auth: AuthFields,
    #[serde(default)]
    pub expect: Expectations,
    /// Lines to wait for and lines to send, in order.
    #[serde(default, rename = "step")]
    pub steps: Vec<Step>,
    /// The visitor's name, set right after the chat is created (before an agent accepts).
    pub visitor_name: Option<String>,
    /// E-mail the transcript here once the steps passed (§2.18).
    pub transcript_email: Option<String>,
    /// The transcript mail's subject (sent where the chat has a link that takes one).
    pub transcript_subject: Option<String>,
    /// Answers of the exit survey by question id, submitted after the chat ends (§2.17).
    #[serde(default, deserialize_with = "some_answers")]
    pub exit_survey: Option<Vec<SurveyAnswer>>,
    /// Answers of the offline survey by question id, submitted when the skill is unavailable
    /// as expected (`expect.available = false`, §2.7).
    #[serde(default, deserialize_with = "some_answers")]
    pub offline_survey: Option<Vec<SurveyAnswer>>,
}

/// A table of answers by question id, given (even empty: a survey submitted unanswered).
fn some_answers<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Vec<SurveyAnswer>>, D::Error> {
    crate::api::request::answers_by_id::deserialize(deserializer).map(Some)
}

impl Case {
    /// Whether the case looks at the exit survey: answers it, or expects it present or absent.
    pub fn wants_exit_survey(&self) -> bool {
        self.exit_survey.is_some() || self.expect.exit_survey.is_some()
    }

    /// The visitor's parts of the chat the case asks for, named by their keys.
    fn visitor_keys(&self) -> Vec<&'static str> {
        [
            (self.visitor_name.is_some(), "visitor_name"),
            (self.transcript_email.is_some(), "transcript_email"),
            (self.exit_survey.is_some(), "exit_survey"),
            (self.expect.exit_survey.is_some(), "expect.exit_survey"),
        ]
        .into_iter()
        .filter_map(|(set, name)| set.then_some(name))
        .collect()
    }

    /// The visitor's parts checked against the rest of the case.
    fn check_visitor(&self, defaults: &CaseSettings) -> Result<(), String> {
        let keys = self.visitor_keys().join(", ");
        if !self.expect.requests_chat() && !keys.is_empty() {
            return Err(format!(
                "expect.available = false stops at the availability check (no chat is \
                 requested), so {keys} would never be checked: remove them, or add \
                 request_anyway = true to request the chat anyway"
            ));
        }
        if self.offline_survey.is_some() && self.expect.available != Some(false) {
            return Err(
                "[case.offline_survey] goes only with expect.available = false: the \
                        offline survey is what a visitor gets when no agent can chat"
                    .into(),
            );
        }
        if self.exit_survey.is_some() && self.expect.exit_survey == Some(false) {
            return Err(
                "[case.exit_survey] answers an exit survey that expect.exit_survey = false \
                 says is not there"
                    .into(),
            );
        }
        if self.wants_exit_survey() && self.end.or(defaults.end) == Some(false) {
            return Err(
                "the exit survey comes after the chat ends, so it cannot go with end = false"
                    .into(),
            );
        }
        if self.transcript_subject.is_some() && self.transcript_email.is_none() {
            return Err("transcript_subject goes with transcript_email (where to send it)".into());
        }
        Ok(())
    }
}

/// Visitor Authentication fields; the SSO key comes from a variable or a command, never the file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthFields {
    pub sso_key_env: Option<String>,
    pub sso_key_cmd: Option<String>,
    #[serde(deserialize_with = "crate::api::written::optional_text")]
    pub auth_conn_id: Option<String>,
    pub redirect_uri: Option<String>,
}

/// What must happen, besides the steps.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Expectations {
    /// Availability of the skill before the request. `false` checks only that: no chat is
    /// requested unless `request_anyway` or `not_accepted_within` asks for one.
    pub available: Option<bool>,
    /// With `available = false`: request the chat even so, and check the rest as usual.
    pub request_anyway: Option<bool>,
    /// Seconds within which an agent must accept.
    pub accepted_within: Option<f64>,
    /// Seconds during which no agent may accept: the case passes when the chat is still
    /// waiting then, or ended unaccepted before.
    pub not_accepted_within: Option<f64>,
    /// `info.skillName`, or the skill id when all digits (written with quotes or without).
    #[serde(default, deserialize_with = "crate::api::written::optional_text")]
    pub skill: Option<String>,
    /// A regular expression the agent's name must match.
    pub agent: Option<String>,
    /// After the chat ends, the service offers an exit survey (`true`) or none (`false`).
    pub exit_survey: Option<bool>,
}

impl Expectations {
    /// Whether the case requests a chat at all: not when it expects the skill unavailable and
    /// asks for nothing more (that would put a real chat in a queue with no agent for it).
    pub fn requests_chat(&self) -> bool {
        self.available != Some(false)
            || self.request_anyway == Some(true)
            || self.not_accepted_within.is_some()
    }

    /// Checks that only go with an agent who accepted, named for messages.
    fn needing_an_agent(&self, steps: &[Step]) -> Vec<&'static str> {
        [
            (self.accepted_within.is_some(), "accepted_within"),
            (self.skill.is_some(), "skill"),
            (self.agent.is_some(), "agent"),
            (!steps.is_empty(), "steps"),
        ]
        .into_iter()
        .filter_map(|(set, name)| set.then_some(name))
        .collect()
    }

    fn check(&self, steps: &[Step]) -> Result<(), String> {
        let needing = self.needing_an_agent(steps).join(", ");
        if self.not_accepted_within.is_some() && !needing.is_empty() {
            return Err(format!(
                "expect.not_accepted_within says no agent accepts, so {needing} (which need an \
                 agent) cannot go with it"
            ));
        }
        if self.request_anyway.is_some() && self.available != Some(false) {
            return Err("expect.request_anyway goes only with expect.available = false".into());
        }
        if !self.requests_chat() && !needing.is_empty() {
            return Err(format!(
                "expect.available = false stops at the availability check (no chat is \
                 requested), so {needing} would never be checked: remove them, or add \
                 request_anyway = true to request the chat anyway"
            ));
        }
        Ok(())
    }
}

/// One step: wait for an agent (or bot) line, or send a visitor line.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Step {
    /// The line contains this text.
    pub expect: Option<String>,
    /// The line is exactly this text.
    pub exact: Option<String>,
    /// The line matches this regular expression.
    pub regex: Option<String>,
    /// The line contains one of these texts.
    pub any: Option<Vec<String>>,
    /// Send this line.
    pub send: Option<String>,
    /// Seconds to wait for the line (default: the case's step timeout).
    pub within: Option<f64>,
}

/// The name of the `[[case]]` the byte at `offset` belongs to, read from the text itself (for a
/// file that does not parse, so its cases are not known yet).
fn case_around(text: &str, offset: usize) -> Option<String> {
    let before = text.get(..offset)?;
    let header = before.rfind("[[case]]")?;
    // Only when no other top-level table ([defaults], a second file section) came between.
    let after_header = &text[header..];
    let end = after_header[8..]
        .find("\n[[case]]")
        .map_or(after_header.len(), |at| at + 8);
    let section = &after_header[..end];
    if before[header..].lines().any(|l| {
        let l = l.trim_start();
        l.starts_with('[') && !l.starts_with("[case") && !l.starts_with("[[case")
    }) {
        return None;
    }
    section.lines().find_map(|line| {
        let (key, value) = line.split_once('=')?;
        (key.trim() == "name").then(|| value.trim().trim_matches('"').to_string())
    })
}

impl Step {
    /// A match that checks nothing (an empty text or pattern matches every line; an empty exact
    /// line never comes): the key, and why.
    fn empty_match(&self) -> Option<(&'static str, &'static str)> {
        let blank = |text: &String| text.trim().is_empty();
        if self.expect.as_ref().is_some_and(blank) {
            return Some((
                "expect",
                "empty: it matches any line, so the step would check nothing; write the text the line must contain",
            ));
        }
        if self.exact.as_ref().is_some_and(blank) {
            return Some((
                "exact",
                "empty: no agent line is empty, so the step could never pass",
            ));
        }
        if self.regex.as_ref().is_some_and(blank) {
            return Some((
                "regex",
                "empty: it matches any line, so the step would check nothing",
            ));
        }
        if self.any.as_ref().is_some_and(|any| any.iter().any(blank)) {
            return Some((
                "any",
                "empty text in the list: it matches any line, so the step would check nothing",
            ));
        }
        None
    }
}

/// A check file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CheckFileError {
    #[error("cannot read check file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("check file {path}: {message}")]
    Invalid { path: String, message: String },
}

impl CheckFile {
    pub fn load(path: &Path) -> Result<Self, CheckFileError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| CheckFileError::Read {
            path: shown.clone(),
            source,
        })?;
        Self::parse(&text).map_err(|message| CheckFileError::Invalid {
            path: shown,
            message,
        })
    }

    /// Parses and checks a check file's text.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut file: Self = toml::from_str(text).map_err(|e| {
            let said = crate::api::written::toml_error(&e, text);
            match e.span().and_then(|span| case_around(text, span.start)) {
                Some(name) => format!("case `{name}`: {said}"),
                None => said,
            }
        })?;
        if file.cases.is_empty() {
            return Err("no [[case]] in the file".into());
        }
        for case in &file.cases {
            if case.name.trim().is_empty() {
                return Err("every [[case]] needs a name".into());
            }
            if let Some(pattern) = &case.expect.agent {
                regex_lite::Regex::new(pattern).map_err(|e| {
                    format!(
                        "case `{}`: expect.agent is not a regular expression: {e}",
                        case.name
                    )
                })?;
            }
            case.expect
                .check(&case.steps)
                .map_err(|e| format!("case `{}`: {e}", case.name))?;
            case.check_visitor(&file.defaults)
                .map_err(|e| format!("case `{}`: {e}", case.name))?;
            for (number, step) in case.steps.iter().enumerate() {
                step.check()
                    .map_err(|e| format!("case `{}`, step {}: {e}", case.name, number + 1))?;
            }
        }
        file.check_values(text)?;
        let mut names: Vec<&str> = file.cases.iter().map(|c| c.name.as_str()).collect();
        names.sort_unstable();
        if let Some(pair) = names.windows(2).find(|w| w[0] == w[1]) {
            return Err(format!("two cases are named `{}`", pair[0]));
        }
        // A choice listed twice (`["Speed", "Speed"]`) is answered once: sent twice, a
        // check-box would carry it twice.
        for case in &mut file.cases {
            let tables = [
                Some(&mut case.request.survey_answers),
                case.exit_survey.as_mut(),
                case.offline_survey.as_mut(),
            ];
            for answer in tables
                .into_iter()
                .flatten()
                .flat_map(|answers| answers.iter_mut())
            {
                let mut seen = Vec::new();
                answer.values.retain(|value| {
                    let first = !seen.contains(value);
                    if first {
                        seen.push(value.clone());
                    }
                    first
                });
            }
        }
        Ok(file)
    }
}

/// One step of the way to a key in the file's TOML, to find its line.
#[derive(Debug, Clone, Copy)]
enum KeyPath<'a> {
    Name(&'a str),
    Index(usize),
}

/// The line of the key at `path` (`case`, 0, `expect`, `accepted_within`), when it is written in
/// a table or inline table the path can walk.
fn line_of(text: &str, path: &[KeyPath<'_>]) -> Option<usize> {
    let document = toml_edit::Document::parse(text).ok()?;
    let mut table: &dyn toml_edit::TableLike = document.as_table();
    let mut array: Option<&toml_edit::ArrayOfTables> = None;
    let mut span = None;
    for step in path {
        match *step {
            KeyPath::Name(name) => {
                let (key, item) = table.get_key_value(name)?;
                span = key.span().or_else(|| item.span());
                match item {
                    toml_edit::Item::ArrayOfTables(tables) => array = Some(tables),
                    other => {
                        if let Some(inner) = other.as_table_like() {
                            table = inner;
                        }
                    }
                }
            }
            KeyPath::Index(index) => {
                let inner = array.take()?.get(index)?;
                span = inner.span().or(span);
                table = inner;
            }
        }
    }
    let start = span?.start.min(text.len());
    Some(text[..start].matches('\n').count() + 1)
}

/// `, line 7` when the line is known.
fn at_line(text: &str, path: &[KeyPath<'_>]) -> String {
    line_of(text, path).map_or_else(String::new, |line| format!(", line {line}"))
}

impl CheckFile {
    /// Every number a setting of seconds, every text sent free of what cannot be sent: each
    /// problem names the case (or `[defaults]`), the line and the key.
    fn check_values(&self, text: &str) -> Result<(), String> {
        use KeyPath::{Index, Name};
        let seconds = |value: Option<f64>| value.map(crate::api::validate::seconds);
        let interval = |value: Option<f64>| value.map(crate::api::validate::interval);
        for (key, value) in [
            ("poll_interval", interval(self.defaults.poll_interval)),
            ("step_timeout", seconds(self.defaults.step_timeout)),
        ] {
            if let Some(Err(message)) = value {
                let at = at_line(text, &[Name("defaults"), Name(key)]);
                return Err(format!("[defaults]{at}: {key}: {message}"));
            }
        }
        for (index, case) in self.cases.iter().enumerate() {
            let in_case = |path: &[KeyPath<'_>], key: &str, message: String| {
                let mut full = vec![Name("case"), Index(index)];
                full.extend_from_slice(path);
                let at = at_line(text, &full);
                format!("case `{}`{at}: {key}: {message}", case.name)
            };
            for (path, key, value) in [
                (
                    &[Name("poll_interval")][..],
                    "poll_interval",
                    interval(case.poll_interval),
                ),
                (
                    &[Name("step_timeout")],
                    "step_timeout",
                    seconds(case.step_timeout),
                ),
                (
                    &[Name("expect"), Name("accepted_within")],
                    "expect.accepted_within",
                    seconds(case.expect.accepted_within),
                ),
                (
                    &[Name("expect"), Name("not_accepted_within")],
                    "expect.not_accepted_within",
                    seconds(case.expect.not_accepted_within),
                ),
            ] {
                if let Some(Err(message)) = value {
                    return Err(in_case(path, key, message));
                }
            }
            for (number, step) in case.steps.iter().enumerate() {
                let path = [Name("step"), Index(number), Name("within")];
                if let Some(Err(message)) = seconds(step.within) {
                    return Err(in_case(
                        &path,
                        &format!("step {}: within", number + 1),
                        message,
                    ));
                }
                if let Some(message) = step.send.as_deref().and_then(crate::api::validate::line) {
                    let path = [Name("step"), Index(number), Name("send")];
                    return Err(in_case(
                        &path,
                        &format!("step {}: send", number + 1),
                        message,
                    ));
                }
                if let Some((key, message)) = step.empty_match() {
                    let path = [Name("step"), Index(number), Name(key)];
                    return Err(in_case(
                        &path,
                        &format!("step {}: {key}", number + 1),
                        message.into(),
                    ));
                }
            }
            let invalid = crate::api::validate::request_fields(&case.request);
            if let Some(problem) = invalid.0.first() {
                let key = problem.field.key();
                let path = [Name("request"), Name(key.split('.').next().unwrap_or(&key))];
                return Err(in_case(
                    &path,
                    &format!("request.{key}"),
                    problem.message.clone(),
                ));
            }
            for (key, problem) in [
                (
                    "visitor_name",
                    case.visitor_name
                        .as_deref()
                        .and_then(crate::api::validate::visitor_name),
                ),
                (
                    "transcript_email",
                    case.transcript_email
                        .as_deref()
                        .and_then(crate::api::validate::transcript_email),
                ),
                (
                    "transcript_subject",
                    case.transcript_subject
                        .as_deref()
                        .and_then(crate::api::validate::transcript_subject),
                ),
            ] {
                if let Some(message) = problem {
                    return Err(in_case(&[Name(key)], key, message));
                }
            }
            let pre_chat = Some(&case.request.survey_answers);
            for (table, answers) in [
                ("request.survey", pre_chat),
                ("exit_survey", case.exit_survey.as_ref()),
                ("offline_survey", case.offline_survey.as_ref()),
            ] {
                for answer in answers.into_iter().flatten() {
                    let id = &answer.question_id;
                    // A survey's question ids are numbers (`chatstart survey`, `exit-survey` and
                    // `offline-survey` list them): anything else could only be found out once
                    // the survey is fetched — for the exit survey, after a whole chat.
                    let problem = if id.is_empty() || !id.chars().all(|c| c.is_ascii_digit()) {
                        Some(format!(
                            "`{id}` is not a question id: ids are digits, as the survey lists them"
                        ))
                    } else {
                        answer
                            .values
                            .iter()
                            .find_map(|value| crate::api::validate::multi_line(value))
                    };
                    if let Some(message) = problem {
                        let mut path: Vec<KeyPath<'_>> = table.split('.').map(Name).collect();
                        path.push(Name(id));
                        let key = format!("{table}.{id}");
                        return Err(in_case(&path, &key, message));
                    }
                }
            }
            let auth = &case.auth;
            for (key, problem) in [
                (
                    "auth_conn_id",
                    auth.auth_conn_id
                        .as_deref()
                        .and_then(|id| crate::api::validate::digits(id, "authChatConnId")),
                ),
                (
                    "redirect_uri",
                    auth.redirect_uri
                        .as_deref()
                        .and_then(crate::api::validate::absolute_url),
                ),
            ] {
                if let Some(message) = problem {
                    let path = [Name("auth"), Name(key)];
                    return Err(in_case(&path, &format!("auth.{key}"), message));
                }
            }
        }
        Ok(())
    }
}

impl Step {
    fn check(&self) -> Result<(), String> {
        let kinds = [
            self.expect.is_some(),
            self.exact.is_some(),
            self.regex.is_some(),
            self.any.is_some(),
            self.send.is_some(),
        ]
        .iter()
        .filter(|set| **set)
        .count();
        if kinds != 1 {
            return Err("a step is exactly one of expect, exact, regex, any or send".into());
        }
        if let Some(pattern) = &self.regex {
            regex_lite::Regex::new(pattern)
                .map_err(|e| format!("not a regular expression: {e}"))?;
        }
        if self.any.as_ref().is_some_and(Vec::is_empty) {
            return Err("`any` needs at least one text".into());
        }
        Ok(())
    }

    /// What the step waits for, for messages.
    pub fn describe(&self) -> String {
        match (
            &self.expect,
            &self.exact,
            &self.regex,
            &self.any,
            &self.send,
        ) {
            (Some(text), ..) => format!("a line containing “{text}”"),
            (_, Some(text), ..) => format!("the line “{text}”"),
            (_, _, Some(pattern), ..) => format!("a line matching /{pattern}/"),
            (_, _, _, Some(texts), _) => format!("a line containing one of {texts:?}"),
            (_, _, _, _, Some(text)) => format!("send “{text}”"),
            _ => "nothing".into(),
        }
    }

    /// Whether an agent line satisfies this step (never for a `send`).
    pub fn matches(&self, line: &str) -> bool {
        if let Some(text) = &self.expect {
            return line.contains(text.as_str());
        }
        if let Some(text) = &self.exact {
            return line.trim() == text.trim();
        }
        if let Some(pattern) = &self.regex {
            return regex_lite::Regex::new(pattern).is_ok_and(|r| r.is_match(line));
        }
        if let Some(texts) = &self.any {
            return texts.iter().any(|t| line.contains(t.as_str()));
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_example_parses() {
        let text = include_str!("../../assets/check.example.toml");
        let file = CheckFile::parse(text).unwrap();
        assert!(file.cases.len() >= 2);
        assert!(file.cases.iter().any(|c| !c.steps.is_empty()));
    }

    #[test]
    fn bad_files_say_what_is_wrong() {
        assert!(CheckFile::parse("").unwrap_err().contains("no [[case]]"));
        let two = "[[case]]\nname = \"a\"\n[[case]]\nname = \"a\"\n";
        assert!(
            CheckFile::parse(two)
                .unwrap_err()
                .contains("two cases are named `a`")
        );
        let both = "[[case]]\nname = \"a\"\n[[case.step]]\nexpect = \"x\"\nsend = \"y\"\n";
        assert!(CheckFile::parse(both).unwrap_err().contains("step 1"));
        let regex = "[[case]]\nname = \"a\"\n[[case.step]]\nregex = \"(\"\n";
        assert!(
            CheckFile::parse(regex)
                .unwrap_err()
                .contains("not a regular expression")
        );
        let typo = "[[case]]\nname = \"a\"\n[case.expect]\naccepted_witin = 3\n";
        assert!(
            CheckFile::parse(typo)
                .unwrap_err()
                .contains("accepted_witin")
        );
    }

    #[test]
    fn expecting_the_skill_unavailable_requests_no_chat_unless_asked() {
        let case = |expect: &str| {
            CheckFile::parse(&format!(
                "[[case]]\nname = \"a\"\n[case.expect]\n{expect}\n"
            ))
            .map(|file| file.cases[0].expect.requests_chat())
        };
        assert_eq!(case("available = false"), Ok(false));
        assert_eq!(case("available = true"), Ok(true));
        assert_eq!(case(""), Ok(true));
        assert_eq!(
            case("available = false\nrequest_anyway = true\naccepted_within = 5"),
            Ok(true)
        );
        assert_eq!(case("available = false\nnot_accepted_within = 5"), Ok(true));
        let never = case("available = false\nskill = \"Sales\"").unwrap_err();
        assert!(
            never.contains("case `a`: expect.available = false stops at the availability check")
                && never.contains("so skill would never be checked")
                && never.contains("request_anyway = true"),
            "{never}"
        );
        let both = case("not_accepted_within = 5\naccepted_within = 5").unwrap_err();
        assert!(
            both.contains("not_accepted_within says no agent accepts, so accepted_within"),
            "{both}"
        );
        let stray = case("request_anyway = true").unwrap_err();
        assert!(
            stray.contains("only with expect.available = false"),
            "{stray}"
        );
        let steps = "[[case]]\nname = \"a\"\n[case.expect]\navailable = false\n[[case.step]]\nexpect = \"x\"\n";
        assert!(
            CheckFile::parse(steps)
                .unwrap_err()
                .contains("so steps would never")
        );
    }

    #[test]
    fn every_number_of_seconds_is_checked_with_its_case_line_and_key() {
        let places = [
            (
                "[defaults]\n{}\n[[case]]\nname = \"a\"\n",
                "poll_interval",
                "[defaults], line 2: poll_interval",
            ),
            (
                "[defaults]\n{}\n[[case]]\nname = \"a\"\n",
                "step_timeout",
                "[defaults], line 2: step_timeout",
            ),
            (
                "[[case]]\nname = \"a\"\n{}\n",
                "poll_interval",
                "case `a`, line 3: poll_interval",
            ),
            (
                "[[case]]\nname = \"a\"\n{}\n",
                "step_timeout",
                "case `a`, line 3: step_timeout",
            ),
            (
                "[[case]]\nname = \"a\"\n[case.expect]\n{}\n",
                "accepted_within",
                "case `a`, line 4: expect.accepted_within",
            ),
            (
                "[[case]]\nname = \"a\"\n[case.expect]\n{}\n",
                "not_accepted_within",
                "case `a`, line 4: expect.not_accepted_within",
            ),
            (
                "[[case]]\nname = \"z\"\n[[case]]\nname = \"a\"\n[[case.step]]\nexpect = \"x\"\n{}\n",
                "within",
                "case `a`, line 7: step 1: within",
            ),
        ];
        for (template, key, named) in places {
            for bad in ["-1", "0", "1e300", "nan", "inf", "31536001"] {
                let text = template.replace("{}", &format!("{key} = {bad}"));
                let error = CheckFile::parse(&text).unwrap_err();
                assert!(error.starts_with(named), "{key} = {bad}: {error}");
                assert!(
                    error.contains("is not a positive number of seconds")
                        || error.contains("is too long: at most a year"),
                    "{key} = {bad}: {error}"
                );
            }
            let good = template.replace("{}", &format!("{key} = 2.5"));
            assert!(CheckFile::parse(&good).is_ok(), "{key} = 2.5");
        }
        // A poll interval must also leave the service room to breathe.
        for (file, start) in [
            (
                "[defaults]\npoll_interval = 0.001\n[[case]]\nname = \"a\"\n",
                "[defaults], line 2: poll_interval",
            ),
            (
                "[[case]]\nname = \"a\"\npoll_interval = 0.01\n",
                "case `a`, line 3: poll_interval",
            ),
        ] {
            let error = CheckFile::parse(file).unwrap_err();
            assert!(
                error.starts_with(start) && error.contains("too short"),
                "{error}"
            );
        }
        let inline = "[[case]]\nname = \"a\"\nexpect = { accepted_within = -1 }\n";
        let error = CheckFile::parse(inline).unwrap_err();
        assert!(
            error.starts_with("case `a`, line 3: expect.accepted_within"),
            "{error}"
        );
    }

    #[test]
    fn ids_and_answers_written_as_numbers_are_taken_as_their_digits() {
        let file = "[[case]]\nname = \"a\"\nexpect = { skill = 12 }\n\
                    [case.request]\nskill = 12\nsurvey = { 1 = 5, 2 = [3, \"four\"] }\n";
        let parsed = CheckFile::parse(file).expect("numbers are ids and answers");
        let case = &parsed.cases[0];
        assert_eq!(case.expect.skill.as_deref(), Some("12"));
        let request = &case.request;
        assert_eq!(request.skill, "12");
        let answers: Vec<(&str, Vec<&str>)> = request
            .survey_answers
            .iter()
            .map(|a| {
                (
                    a.question_id.as_str(),
                    a.values.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(answers, [("1", vec!["5"]), ("2", vec!["3", "four"])]);
        // Not every value is an id: a fraction or a boolean is refused, with its line.
        let error =
            CheckFile::parse("[[case]]\nname = \"a\"\nexpect = { skill = 1.5 }\n").unwrap_err();
        assert!(error.contains("line 3"), "{error}");
    }

    #[test]
    fn a_step_that_would_check_nothing_is_refused_with_its_line() {
        for (step, key) in [
            ("expect = \"\"", "expect"),
            ("expect = \"  \"", "expect"),
            ("exact = \"\"", "exact"),
            ("regex = \"\"", "regex"),
            ("any = [\"ok\", \"\"]", "any"),
        ] {
            let file = format!("[[case]]\nname = \"a\"\n[[case.step]]\n{step}\n");
            let error = CheckFile::parse(&file).unwrap_err();
            assert!(
                error.starts_with(&format!("case `a`, line 4: step 1: {key}: empty")),
                "{step}: {error}"
            );
        }
        let fine = "[[case]]\nname = \"a\"\n[[case.step]]\nexpect = \"hi\"\n";
        assert!(CheckFile::parse(fine).is_ok());
    }

    #[test]
    fn the_request_and_the_lines_sent_are_checked_as_the_file_is_read() {
        let typo = "[[case]]\nname = \"a\"\n[case.request]\nskil = \"Sales\"\n";
        let error = CheckFile::parse(typo).unwrap_err();
        assert!(
            error.starts_with("case `a`: ")
                && error.contains("line 4")
                && error.contains("unknown field `skil`"),
            "{error}"
        );
        // The second case is named, and a slip outside any case names none.
        let second =
            "[[case]]\nname = \"a\"\n\n[[case]]\nname = \"b\"\n[case.request]\nskil = \"x\"\n";
        let error = CheckFile::parse(second).unwrap_err();
        assert!(error.starts_with("case `b`: "), "{error}");
        let defaults = "[defaults]\npoll_intervall = 1\n[[case]]\nname = \"a\"\n";
        let error = CheckFile::parse(defaults).unwrap_err();
        assert!(!error.starts_with("case "), "{error}");
        let escape = "[[case]]\nname = \"a\"\n[case.request]\nskill = \"Sa\\u001bles\"\n";
        let error = CheckFile::parse(escape).unwrap_err();
        assert!(
            error.starts_with("case `a`, line 4: request.skill: contains ESC"),
            "{error}"
        );
        let send = "[[case]]\nname = \"a\"\n[[case.step]]\nsend = \"hi\\u0007\"\n";
        let error = CheckFile::parse(send).unwrap_err();
        assert!(
            error.starts_with("case `a`, line 4: step 1: send: contains BEL"),
            "{error}"
        );
        let empty = "[[case]]\nname = \"a\"\n[[case.step]]\nsend = \" \"\n";
        assert!(
            CheckFile::parse(empty)
                .unwrap_err()
                .contains("cannot be empty")
        );
        let numbers = "[[case]]\nname = \"a\"\nflow = \"auth\"\n[case.auth]\nauth_conn_id = 5680\n[case.request]\nengagement_id = 27469613\n";
        let file = CheckFile::parse(numbers).unwrap();
        assert_eq!(file.cases[0].auth.auth_conn_id.as_deref(), Some("5680"));
        assert_eq!(file.cases[0].request.engagement_id, "27469613");
        let redirect = "[[case]]\nname = \"a\"\n[case.auth]\nredirect_uri = \"/cb\"\n";
        let error = CheckFile::parse(redirect).unwrap_err();
        assert!(
            error.starts_with("case `a`, line 4: auth.redirect_uri"),
            "{error}"
        );
    }

    #[test]
    fn steps_match_by_kind() {
        let step = |toml: &str| -> Step { toml::from_str(toml).unwrap() };
        assert!(step("expect = \"Natalie\"").matches("Hi, I'm Natalie"));
        assert!(!step("exact = \"Hi\"").matches("Hi there"));
        assert!(step("exact = \"Hi\"").matches(" Hi "));
        assert!(step("regex = \"bill(ing)?\"").matches("about billing"));
        assert!(step("any = [\"Thanks\", \"Thank you\"]").matches("Thank you!"));
        assert!(!step("send = \"x\"").matches("x"));
    }
    #[test]
    fn the_visitors_parts_are_read_and_checked_against_the_rest_of_the_case() {
        let file = "[[case]]\nname = \"a\"\nvisitor_name = \"Zoë\"\n\
                    transcript_email = \"qa@example.com\"\ntranscript_subject = \"Our chat\"\n\
                    [case.exit_survey]\n4991315 = \"10 Extremely Likely\"\n4991316 = [1, \"two\"]\n\
                    [case.expect]\nexit_survey = true\n";
        let case = &CheckFile::parse(file).expect("parses").cases[0];
        assert_eq!(case.visitor_name.as_deref(), Some("Zoë"));
        assert_eq!(case.transcript_subject.as_deref(), Some("Our chat"));
        let answers = case.exit_survey.as_ref().expect("answers");
        assert_eq!(answers[0].question_id, "4991315");
        assert_eq!(answers[1].values, ["1", "two"]);
        assert!(case.wants_exit_survey());
        // An empty table submits the survey unanswered; no table leaves it alone.
        let empty = "[[case]]\nname = \"a\"\n[case.exit_survey]\n";
        let case = &CheckFile::parse(empty).expect("parses").cases[0];
        assert_eq!(case.exit_survey.as_deref(), Some(&[][..]));
        let none = &CheckFile::parse("[[case]]\nname = \"a\"\n").unwrap().cases[0];
        assert!(!none.wants_exit_survey());

        let refused = |text: &str| CheckFile::parse(text).expect_err(text);
        let offline = refused("[[case]]\nname = \"a\"\n[case.offline_survey]\n1 = \"x\"\n");
        assert!(
            offline.contains("goes only with expect.available = false"),
            "{offline}"
        );
        let ok = "[[case]]\nname = \"a\"\n[case.offline_survey]\n1 = \"x\"\n[case.expect]\navailable = false\n";
        assert!(CheckFile::parse(ok).is_ok());
        let never = refused(
            "[[case]]\nname = \"a\"\ntranscript_email = \"a@b.cc\"\n[case.expect]\navailable = false\n",
        );
        assert!(
            never.contains("so transcript_email would never be checked"),
            "{never}"
        );
        let both = refused(
            "[[case]]\nname = \"a\"\n[case.exit_survey]\n1 = \"x\"\n[case.expect]\nexit_survey = false\n",
        );
        assert!(both.contains("expect.exit_survey = false"), "{both}");
        let open = refused(
            "[defaults]\nend = false\n[[case]]\nname = \"a\"\n[case.expect]\nexit_survey = true\n",
        );
        assert!(open.contains("cannot go with end = false"), "{open}");
        let subject = refused("[[case]]\nname = \"a\"\ntranscript_subject = \"x\"\n");
        assert!(subject.contains("goes with transcript_email"), "{subject}");
        let typo = refused("[[case]]\nname = \"a\"\n[case.expect]\nexit_surevy = true\n");
        assert!(typo.contains("exit_surevy"), "{typo}");
        let typo = refused("[[case]]\nname = \"a\"\ntranscript_mail = \"a@b.cc\"\n");
        assert!(typo.contains("transcript_mail"), "{typo}");
        // Values the service could not take are named with their line and key.
        let email = refused("[[case]]\nname = \"a\"\ntranscript_email = \"nope\"\n");
        assert!(
            email
                .starts_with("case `a`, line 3: transcript_email: `nope` is not an e-mail address"),
            "{email}"
        );
        let name = refused("[[case]]\nname = \"a\"\nvisitor_name = \"\"\n");
        assert!(
            name.starts_with("case `a`, line 3: visitor_name: "),
            "{name}"
        );
        for (table, line) in [
            ("exit_survey", 4),
            ("offline_survey", 6),
            ("request.survey", 4),
        ] {
            let expect = if table == "offline_survey" {
                "[case.expect]\navailable = false\n"
            } else {
                ""
            };
            let id = refused(&format!(
                "[[case]]\nname = \"a\"\n{expect}[case.{table}]\nabc = \"x\"\n"
            ));
            assert_eq!(
                id,
                format!(
                    "case `a`, line {line}: {table}.abc: `abc` is not a question id: ids are \
                     digits, as the survey lists them"
                )
            );
        }
        let answer = refused("[[case]]\nname = \"a\"\n[case.exit_survey]\n7 = \"a\\u001bb\"\n");
        assert!(
            answer.starts_with("case `a`, line 4: exit_survey.7: contains ESC"),
            "{answer}"
        );
    }
}
