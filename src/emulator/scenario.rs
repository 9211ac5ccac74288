//! The emulator's scenario: account, keys, switches, skills with their scripted agents, and the
//! surveys (pre-chat, exit, offline; `survey.rs`), read from TOML. Pure data: no I/O except
//! `Scenario::load`, no HTTP.

mod survey;

pub use survey::{CHOICE_TYPES, Entry, QUESTION_TYPES, Question, Survey};

use super::faults::FaultSpec;
use serde::Deserialize;
use std::path::Path;

/// Why a scenario could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The TOML text is malformed or a field has the wrong type; the message names line and field.
    #[error("invalid scenario: {0}")]
    Toml(#[from] toml::de::Error),
    /// The scenario parsed but is inconsistent (e.g. two skills with one name).
    #[error("invalid scenario: {0}")]
    Invalid(String),
    /// The scenario file could not be read or is invalid; the message names the file.
    #[error("scenario file {path}: {source}")]
    File {
        /// The file that was read.
        path: String,
        /// What went wrong with it.
        #[source]
        source: Box<ScenarioError>,
    },
    /// The scenario file could not be opened.
    #[error("cannot read scenario file {path}: {source}")]
    Io {
        /// The file that was read.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// How the authentication call (`conversation.json`, spec §2.8) answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthResponse {
    /// 201, empty body, `Location: …/conversation/{uuid}` (the seed document's reading).
    #[default]
    Seed,
    /// 200 with `{"participantId":…,"conversationId":…}` (the earlier page and the JS SDK).
    Legacy,
    /// Opens the chat at once; 201 with the chat-session-uri as `Location`.
    Chat,
}

/// How strictly the JSON answers follow the real service's habits (spec §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JsonShape {
    /// The real service: one element as an object, scalars as strings.
    #[default]
    Hard,
    /// Lists always arrays, numbers and booleans typed.
    Typed,
}

/// What GET `exitSurvey` answers for a chat whose skill has no exit survey (Q30: the link is
/// there anyway).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub enum NoExitSurvey {
    /// 200 with an empty body: no `survey` object, which is how the JS SDK tells (default).
    #[default]
    #[serde(rename = "empty")]
    Empty,
    /// 404 with the error body of a missing survey (internalCode 11).
    #[serde(rename = "404")]
    NotFound,
}

/// A whole emulator configuration. Every field has a default, so `""` is a valid scenario.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scenario {
    /// The only account id the emulator serves (`12345678` or `"12345678"`).
    #[serde(deserialize_with = "crate::api::written::text")]
    pub account: String,
    /// The only appKey the emulator accepts.
    pub app_key: String,
    /// Refuse the appKey in the `Authorization` header (PR #922): only `?appKey=` works.
    pub refuse_app_key_header: bool,
    /// Answer every chat request with 401 "Bad captcha" (issue #97).
    pub captcha: bool,
    /// Shape of the authentication answer.
    pub auth_response: AuthResponse,
    /// ssoKeys the authentication call refuses with 401 (the key `bad` is always refused).
    pub rejected_sso_keys: Vec<String>,
    /// Host name written into `Location` and `@href` instead of the one the client used (Q5).
    pub location_host: Option<String>,
    /// How long an ended chat still answers before it is 404 "Chat session not found" (Q28).
    pub ended_chat_ttl_secs: u64,
    /// Default idle timeout when the chat request has no `interactionTimeout`.
    pub default_chat_timeout_secs: u64,
    /// Hard (service-like) or typed JSON.
    pub json_shape: JsonShape,
    /// Skills, their availability and their scripted agent.
    pub skills: Vec<Skill>,
    /// The pre-chat survey; none → `preSurvey` answers 404.
    pub survey: Option<Survey>,
    /// The exit survey (`…/chat/{id}/exitSurvey`) of every skill that does not turn it off with
    /// `exit_survey = false`; none → no chat has one.
    pub exit_survey: Option<Survey>,
    /// What GET `exitSurvey` answers when the chat has no exit survey.
    pub no_exit_survey: NoExitSurvey,
    /// The offline survey (`chat/offlineSurvey`); none → GET and submit answer 404.
    pub offline_survey: Option<Survey>,
    /// What setting the visitor's name answers: 200 (default, what production clients saw) or
    /// 201 (the doc page, Q33).
    pub visitor_name_status: u16,
    /// Scripted faults (`[[faults]]`), in priority order; see `faults.rs` and
    /// docs/emulator.md.
    pub faults: Vec<FaultSpec>,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            account: "12345678".into(),
            app_key: "demo-app-key-0123456789abcdef".into(),
            refuse_app_key_header: false,
            captcha: false,
            auth_response: AuthResponse::Seed,
            rejected_sso_keys: Vec::new(),
            location_host: None,
            ended_chat_ttl_secs: 600,
            default_chat_timeout_secs: 40,
            json_shape: JsonShape::Hard,
            skills: Vec::new(),
            survey: None,
            exit_survey: None,
            no_exit_survey: NoExitSurvey::Empty,
            offline_survey: None,
            visitor_name_status: 200,
            faults: Vec::new(),
        }
    }
}

/// A skill (queue) and the agent who serves it.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Skill {
    /// The name clients send as `skill`.
    pub name: String,
    /// The numeric skill id shown in `info.skillId`. Never 0: that is what the service says
    /// for a skill it does not know, so a skill given without one (or with 0) gets the next
    /// id after the largest given.
    pub id: u64,
    /// What `availability` answers for this skill.
    pub available: bool,
    /// The agent's display name; none → chats are never accepted.
    pub agent_name: Option<String>,
    /// The agent's id shown in `info.agentId`.
    pub agent_id: u64,
    /// Delay from the request to `state chatting`.
    pub accept_after_ms: u64,
    /// The agent's first line after accepting, HTML.
    pub greeting: Option<String>,
    /// The first line instead of `greeting` when the visitor set a name before the agent
    /// accepted: HTML in which `{name}` stands for the name (HTML-escaped).
    pub greeting_by_name: Option<String>,
    /// Delay from accepting to the greeting; the agent is typing meanwhile (default 0: the
    /// greeting comes with the acceptance).
    pub greeting_after_ms: u64,
    /// How long before each greeting or reply the agent shows as typing (`info.agentTyping`);
    /// none → the whole wait for it.
    pub typing_before_ms: Option<u64>,
    /// The agent's answers to visitor lines, HTML, used in turn (then from the start again).
    pub replies: Vec<String>,
    /// Delay from a visitor line to the agent's reply.
    pub reply_after_ms: u64,
    /// Delay from accepting to the agent ending the chat; none → the agent never ends it.
    pub end_after_ms: Option<u64>,
    /// `estimatedWaitTime` for this skill (seconds; -1 no agent, -2 no data).
    pub estimated_wait_secs: i64,
    /// `availableSlots` for this skill (-1 unlimited).
    pub slots: i64,
    /// Chats asked for this skill are moved to that skill (system message 15) and served there,
    /// so `info.skillName` says the other skill: routing rules, as a check sees them.
    pub reroute_to: Option<String>,
    /// Whether this skill's chats have the scenario's `[exit_survey]` (default true); false is
    /// an engagement without an exit survey.
    pub exit_survey: bool,
}

impl Default for Skill {
    fn default() -> Self {
        Skill {
            name: String::new(),
            id: 0,
            available: true,
            agent_name: None,
            agent_id: 0,
            accept_after_ms: 2000,
            greeting: None,
            greeting_by_name: None,
            greeting_after_ms: 0,
            typing_before_ms: None,
            replies: Vec::new(),
            reply_after_ms: 1500,
            end_after_ms: None,
            estimated_wait_secs: 0,
            slots: 1,
            reroute_to: None,
            exit_survey: true,
        }
    }
}

/// The longest time a scenario may give, in seconds: a year (longer would overflow the clock
/// arithmetic of the simulated chats).
const MAX_SECS: u64 = 365 * 86_400;

impl Scenario {
    /// The shipped demo scenario (`assets/scenario.toml`).
    pub fn demo() -> Scenario {
        // The asset is checked by a unit test, so a broken file cannot ship; fall back anyway
        // rather than panic in a binary.
        Scenario::from_toml(include_str!("../../assets/scenario.toml")).unwrap_or_default()
    }

    /// Parses a scenario from TOML text; the error names the line and what is wrong.
    pub fn from_toml(text: &str) -> Result<Scenario, ScenarioError> {
        let mut scenario: Scenario = toml::from_str(text)?;
        scenario.check()?;
        let mut next = scenario.skills.iter().map(|s| s.id).max().unwrap_or(0);
        for skill in scenario.skills.iter_mut().filter(|s| s.id == 0) {
            next += 1;
            skill.id = next;
        }
        Ok(scenario)
    }

    /// Reads a scenario file; the error names the file.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io {
            path: shown.clone(),
            source,
        })?;
        Scenario::from_toml(&text).map_err(|e| ScenarioError::File {
            path: shown,
            source: Box::new(e),
        })
    }

    /// The skill named `name` (exact match, as the service's names are case sensitive).
    pub fn skill(&self, name: &str) -> Option<&Skill> {
        self.skills.iter().find(|s| s.name == name)
    }

    /// The skill that serves a chat asked for `asked` (none: the first skill with an agent), and
    /// whether it was rerouted there.
    pub fn route(&self, asked: Option<&str>) -> (Option<&Skill>, bool) {
        let skill = match asked {
            Some(name) => self.skill(name),
            None => self.skills.iter().find(|s| s.agent_name.is_some()),
        };
        match skill.and_then(|s| s.reroute_to.as_deref()) {
            Some(target) => (self.skill(target), true),
            None => (skill, false),
        }
    }

    fn check(&self) -> Result<(), ScenarioError> {
        if self.account.is_empty() || !self.account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ScenarioError::Invalid(format!(
                "account must be digits, got {:?}",
                self.account
            )));
        }
        if self.app_key.is_empty() || self.app_key.contains(char::is_whitespace) {
            return Err(ScenarioError::Invalid(
                "app_key must be non-empty without spaces".into(),
            ));
        }
        if self.ended_chat_ttl_secs > MAX_SECS {
            return Err(ScenarioError::Invalid(format!(
                "ended_chat_ttl_secs {} is more than a year ({MAX_SECS})",
                self.ended_chat_ttl_secs
            )));
        }
        if !(1..=MAX_SECS).contains(&self.default_chat_timeout_secs) {
            return Err(ScenarioError::Invalid(format!(
                "default_chat_timeout_secs {} is not between 1 and a year ({MAX_SECS})",
                self.default_chat_timeout_secs
            )));
        }
        for (index, skill) in self.skills.iter().enumerate() {
            for (key, value) in [
                ("accept_after_ms", Some(skill.accept_after_ms)),
                ("reply_after_ms", Some(skill.reply_after_ms)),
                ("end_after_ms", skill.end_after_ms),
                ("greeting_after_ms", Some(skill.greeting_after_ms)),
                ("typing_before_ms", skill.typing_before_ms),
            ] {
                if value.is_some_and(|ms| ms > MAX_SECS * 1000) {
                    return Err(ScenarioError::Invalid(format!(
                        "skill {:?}: {key} is more than a year ({} ms)",
                        skill.name,
                        MAX_SECS * 1000
                    )));
                }
            }
            if skill.estimated_wait_secs < -2 {
                return Err(ScenarioError::Invalid(format!(
                    "skill {:?}: estimated_wait_secs is seconds, -1 (no agent) or -2 (no data), got {}",
                    skill.name, skill.estimated_wait_secs
                )));
            }
            if skill.slots < -1 {
                return Err(ScenarioError::Invalid(format!(
                    "skill {:?}: slots is a count or -1 (unlimited), got {}",
                    skill.name, skill.slots
                )));
            }
            if skill.name.is_empty() {
                return Err(ScenarioError::Invalid(format!(
                    "skills[{index}] has no name"
                )));
            }
            if self.skills[..index].iter().any(|s| s.name == skill.name) {
                return Err(ScenarioError::Invalid(format!(
                    "skill {:?} is defined twice",
                    skill.name
                )));
            }
            if let Some(target) = &skill.reroute_to {
                match self.skill(target) {
                    None => {
                        return Err(ScenarioError::Invalid(format!(
                            "skill {:?} reroutes to {target:?}, which is not a skill",
                            skill.name
                        )));
                    }
                    Some(next) if next.reroute_to.is_some() => {
                        return Err(ScenarioError::Invalid(format!(
                            "skill {:?} reroutes to {target:?}, which reroutes again: one hop only",
                            skill.name
                        )));
                    }
                    Some(_) => {}
                }
            }
        }
        if ![200, 201].contains(&self.visitor_name_status) {
            return Err(ScenarioError::Invalid(format!(
                "visitor_name_status is 200 or 201, got {}",
                self.visitor_name_status
            )));
        }
        for (index, fault) in self.faults.iter().enumerate() {
            fault
                .check()
                .map_err(|e| ScenarioError::Invalid(format!("faults[{index}]: {e}")))?;
        }
        for (name, survey) in [
            ("survey", &self.survey),
            ("exit_survey", &self.exit_survey),
            ("offline_survey", &self.offline_survey),
        ] {
            if let Some(survey) = survey {
                survey
                    .check()
                    .map_err(|e| ScenarioError::Invalid(format!("{name}: {e}")))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
