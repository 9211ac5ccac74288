//! Profiles: named engagement setups in a TOML file, and how they combine with flags and the
//! environment (flag > environment > profile > default).
//!
//! A profile never holds a secret in clear: it says where to get it (see [`secrets`]). Saving a
//! profile edits the file in place, keeping the user's comments and other profiles as they were.

pub mod secrets;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::api::{AppKeyPlacement, ChatRequest, Format};
use crate::journal::Retention;
pub use secrets::{SecretError, SecretSource};

/// The config file: an optional default profile and the named profiles.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConfigFile {
    /// Used when no `--profile` (or `CHATSTART_PROFILE`) is given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_profile: Option<String>,
    pub profiles: BTreeMap<String, Profile>,
    /// How much of the session journals is kept (`[journal]`).
    #[serde(skip_serializing_if = "JournalSettings::is_default")]
    pub journal: JournalSettings,
}

/// The `[journal]` table: whether each chat's exchanges are kept, and how many of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JournalSettings {
    /// `false`: no session journal at all (as `--no-journal` on every command).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// How many journals are kept, newest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keep: Option<usize>,
    /// How many megabytes (MiB) of journals are kept, newest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_mb: Option<u64>,
}

impl JournalSettings {
    fn is_default(&self) -> bool {
        self == &Self::default()
    }

    /// The retention these settings make, over the default.
    pub fn retention(&self) -> Retention {
        let default = Retention::default();
        Retention {
            keep: self.keep.unwrap_or(default.keep),
            max_bytes: self.max_mb.map_or(default.max_bytes, |mb| mb << 20),
        }
    }

    /// What is wrong with the table, by key.
    fn problem(&self) -> Option<(&'static str, String)> {
        if self.keep == Some(0) {
            return Some((
                "keep",
                "must be at least 1; to keep no journal, write enabled = false".into(),
            ));
        }
        match self.max_mb {
            Some(0) => Some((
                "max_mb",
                "must be at least 1; to keep no journal, write enabled = false".into(),
            )),
            Some(mb) if mb > 1 << 20 => Some(("max_mb", "at most 1048576 (1 TiB)".into())),
            _ => None,
        }
    }
}

/// One engagement setup: where, who, how, and the request defaults.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Profile {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::api::written::optional_text"
    )]
    pub account: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csds_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_key_in: Option<AppKeyPlacement>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<Format>,
    /// Seconds to wait for each HTTP answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_timeout: Option<f64>,
    /// Hosts the appKey may also go to (`--send-key-to`): `host`, `host:port` or a URL.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub send_key_to: Vec<crate::api::key_scope::AllowedHost>,
    /// The appKey comes from this environment variable…
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_key_env: Option<String>,
    /// …or from this command's output (`pass show lp/appkey`)…
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_key_cmd: Option<String>,
    /// …or from a masked prompt at start.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub app_key_prompt: bool,
    /// Never allowed: read only to refuse it, with its line, and what to write instead.
    #[serde(skip_serializing, deserialize_with = "refuse_clear_app_key")]
    pub app_key: Option<()>,
    /// Uses the authenticated flow (Visitor Authentication before the chat request).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub auth: bool,
    /// Where the SSO key comes from (authenticated flow), like the appKey's fields.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sso_key_env: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sso_key_cmd: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub sso_key_prompt: bool,
    /// Never allowed: read only to refuse it, with its line, and what to write instead.
    #[serde(skip_serializing, deserialize_with = "refuse_clear_sso_key")]
    pub sso_key: Option<()>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::api::written::optional_text"
    )]
    pub auth_conn_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
    /// The visitor's name, set right after each chat of this profile is created (§2.14).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visitor_name: Option<String>,
    /// Where the console's `t` sends the transcript by default (§2.18).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transcript_email: Option<String>,
    /// `false`: the chats of this profile keep no session journal (chat content that must not
    /// be kept), as `--no-journal`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub journal: Option<bool>,
    /// Request defaults: skill, pre-chat lines, survey answers, ids, language…
    #[serde(skip_serializing_if = "is_default_request")]
    pub request: ChatRequest,
}

impl Profile {
    /// Where this profile's appKey comes from.
    pub fn app_key_source(&self) -> SecretSource {
        SecretSource {
            env: self.app_key_env.clone(),
            cmd: self.app_key_cmd.clone(),
            prompt: self.app_key_prompt,
        }
    }

    /// Where this profile's SSO key comes from.
    pub fn sso_key_source(&self) -> SecretSource {
        SecretSource {
            env: self.sso_key_env.clone(),
            cmd: self.sso_key_cmd.clone(),
            prompt: self.sso_key_prompt,
        }
    }
}

const CLEAR_SECRET: &str = "would store the secret in clear";

fn refuse_clear<'de, D: serde::Deserializer<'de>>(what: &str) -> Result<Option<()>, D::Error> {
    Err(serde::de::Error::custom(format!(
        "`{what}` {CLEAR_SECRET}; write {what}_env = \"VARIABLE\", {what}_cmd = \"command\" or {what}_prompt = true"
    )))
}

fn refuse_clear_app_key<'de, D: serde::Deserializer<'de>>(_: D) -> Result<Option<()>, D::Error> {
    refuse_clear::<D>("app_key")
}

fn refuse_clear_sso_key<'de, D: serde::Deserializer<'de>>(_: D) -> Result<Option<()>, D::Error> {
    refuse_clear::<D>("sso_key")
}

fn is_default_request(request: &ChatRequest) -> bool {
    *request == ChatRequest::default()
}

/// A config file that cannot be used: names the file and, for syntax, the line.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path}: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error(
        "no profile `{name}`: there is no config file (it would be {}; see assets/config.example.toml, or name one with --config FILE)",
        path.as_ref().map_or("in the platform's config directory, which this system lacks".into(), |p| p.display().to_string())
    )]
    NoConfigFile { name: String, path: Option<PathBuf> },
    #[error("no profile `{name}` in {path} (profiles: {known})")]
    UnknownProfile {
        name: String,
        path: PathBuf,
        known: String,
    },
    #[error("cannot write config file {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// A loaded config file and where it came from.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub path: Option<PathBuf>,
    pub file: ConfigFile,
}

impl Config {
    /// How session journals are kept under this file's `[journal]` table, or `None` when none
    /// are: with `--no-journal` (`no_journal`), the table's `enabled = false`, or the
    /// profile's `journal = false`.
    pub fn journal_retention(
        &self,
        profile: Option<&Profile>,
        no_journal: bool,
    ) -> Option<Retention> {
        let settings = &self.file.journal;
        let off = no_journal
            || settings.enabled == Some(false)
            || profile.is_some_and(|profile| profile.journal == Some(false));
        (!off).then(|| settings.retention())
    }

    /// Loads the config file. A missing file is an empty config, unless it was named
    /// explicitly (by `--config` or `CHATSTART_CONFIG`), when it is an error.
    pub fn load(explicit: Option<&Path>) -> Result<Self, ConfigError> {
        Self::load_reporting(explicit).map(|(config, _)| config)
    }

    /// [`Config::load`], and the warnings of what had to be skipped: a line that is not UTF-8
    /// costs that line only (named with the file); the rest is read. A damaged table header
    /// makes the file unusable: skipping it would merge two profiles.
    pub fn load_reporting(explicit: Option<&Path>) -> Result<(Self, Vec<String>), ConfigError> {
        let named = explicit.map(Path::to_path_buf).or_else(|| {
            std::env::var_os(crate::paths::CONFIG_ENV)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        });
        let Some(path) = named.clone().or_else(crate::paths::config_file) else {
            return Ok((Self::default(), Vec::new()));
        };
        match crate::paths::read_text_skipping_damage(&path) {
            Ok((text, damaged)) => {
                // Skipped, a table's header would hand its keys to the profile above it.
                if let Some(header) = damaged.iter().find(|damage| damage.opens_table) {
                    return Err(ConfigError::Invalid {
                        path,
                        message: format!(
                            "{header}, in a table's header: its keys would be read into the table above it, so the file is not used; fix or remove that line"
                        ),
                    });
                }
                let warnings = damaged
                    .iter()
                    .map(|damage| {
                        format!(
                            "config file {} {damage}; the line is skipped, the rest is read",
                            path.display()
                        )
                    })
                    .collect();
                let config = Self {
                    file: parse(&text, &path)?,
                    path: Some(path),
                };
                Ok((config, warnings))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && named.is_none() => Ok((
                Self {
                    path: Some(path),
                    file: ConfigFile::default(),
                },
                Vec::new(),
            )),
            Err(source) => Err(ConfigError::Read { path, source }),
        }
    }

    /// The profile to use: the named one, else the file's default, else none.
    pub fn profile(&self, name: Option<&str>) -> Result<Option<(String, &Profile)>, ConfigError> {
        let Some(name) = name.or(self.file.default_profile.as_deref()) else {
            return Ok(None);
        };
        match self.file.profiles.get(name) {
            Some(profile) => Ok(Some((name.to_string(), profile))),
            None if self.file == ConfigFile::default()
                && self.path.as_ref().is_none_or(|path| !path.exists()) =>
            {
                Err(ConfigError::NoConfigFile {
                    name: name.to_string(),
                    path: self.path.clone(),
                })
            }
            None => Err(ConfigError::UnknownProfile {
                name: name.to_string(),
                path: self.path.clone().unwrap_or_default(),
                known: self.names().join(", "),
            }),
        }
    }

    pub fn names(&self) -> Vec<String> {
        self.file.profiles.keys().cloned().collect()
    }

    /// Writes `profile` under `name`, replacing a profile of that name, keeping everything else
    /// in the file (comments included). The write is atomic.
    pub fn save_profile(&mut self, name: &str, profile: &Profile) -> Result<PathBuf, ConfigError> {
        let path = self
            .path
            .clone()
            .or_else(crate::paths::config_file)
            .ok_or_else(|| ConfigError::Invalid {
                path: PathBuf::new(),
                message: "no config directory on this system; use --config FILE".into(),
            })?;
        let existing = match crate::paths::read_text_skipping_damage(&path) {
            // Writing the file back would drop a damaged line for good: it is fixed first.
            Ok((_, damaged)) if !damaged.is_empty() => {
                return Err(ConfigError::Invalid {
                    message: format!(
                        "{}; fix it before saving a profile (saving would lose that line)",
                        damaged[0]
                    ),
                    path,
                });
            }
            Ok((text, _)) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(source) => return Err(ConfigError::Read { path, source }),
        };
        let invalid = |message: String| ConfigError::Invalid {
            path: path.clone(),
            message,
        };
        let mut document: toml_edit::DocumentMut = existing
            .parse()
            .map_err(|e: toml_edit::TomlError| invalid(e.to_string()))?;
        let table = toml_edit::ser::to_document(profile).map_err(|e| invalid(e.to_string()))?;
        if !document.contains_key("profiles") {
            let mut profiles = toml_edit::Table::new();
            profiles.set_implicit(true);
            document.insert("profiles", toml_edit::Item::Table(profiles));
        }
        let profiles = document["profiles"]
            .as_table_mut()
            .ok_or_else(|| invalid("`profiles` is not a table".into()))?;
        let mut new_table = table.as_table().clone();
        new_table.set_implicit(false);
        expand_inline_tables(&mut new_table);
        profiles.insert(name, toml_edit::Item::Table(new_table));
        let text = document.to_string();
        // Check the result reads back before replacing the user's file.
        let file = parse(&text, &path)?;
        crate::paths::write_atomically(&path, text.as_bytes()).map_err(|source| {
            ConfigError::Write {
                path: path.clone(),
                source,
            }
        })?;
        self.file = file;
        self.path = Some(path.clone());
        Ok(path)
    }
}

/// Nested tables as `[profiles.NAME.request]` sections, as people write them, rather than one
/// long inline `request = { … }` line.
fn expand_inline_tables(table: &mut toml_edit::Table) {
    for (_, item) in table.iter_mut() {
        if let Some(inline) = item.as_inline_table() {
            let mut nested = inline.clone().into_table();
            expand_inline_tables(&mut nested);
            *item = toml_edit::Item::Table(nested);
        }
    }
}

/// TOML's own message quotes the offending line; when that line holds a secret written in
/// clear, only its position is said.
fn describe_toml_error(error: &toml::de::Error, text: &str) -> String {
    // serde's words for a survey answer of the wrong type name a private helper type.
    crate::api::written::toml_error(error, text).replace(UNTAGGED_ANSWER, SURVEY_ANSWER_TYPE)
}

const UNTAGGED_ANSWER: &str = "data did not match any variant of untagged enum OneOrMany";
const SURVEY_ANSWER_TYPE: &str = "a survey answer is text in quotes or a whole number (1002 = \"five\", 1002 = 5), or a list of them for several check-box answers (1003 = [\"billing\", \"shipping\"])";

/// `line 3` or `lines 3 and 5`: where the keys of `[profiles.NAME]` named are written, found
/// again in the text (the typed file keeps no positions). Empty when none can be found.
fn lines_of(text: &str, profile: &str, keys: &[&str]) -> String {
    let Ok(document) = toml_edit::Document::parse(text) else {
        return String::new();
    };
    let Some(table) = document
        .as_table()
        .get("profiles")
        .and_then(toml_edit::Item::as_table_like)
        .and_then(|profiles| profiles.get(profile))
        .and_then(toml_edit::Item::as_table_like)
    else {
        return String::new();
    };
    // `request.skill` walks into the profile's `request` table.
    let find = |path: &str| {
        let mut table = table;
        let mut parts = path.split('.').peekable();
        while let Some(part) = parts.next() {
            let (key, item) = table.get_key_value(part)?;
            if parts.peek().is_none() {
                return key.span().or_else(|| item.span());
            }
            table = item.as_table_like()?;
        }
        None
    };
    let mut lines: Vec<usize> = keys
        .iter()
        .filter_map(|key| find(key))
        .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1)
        .collect();
    lines.sort_unstable();
    lines.dedup();
    match lines.as_slice() {
        [] => String::new(),
        [one] => format!("line {one}"),
        [first @ .., last] => format!(
            "lines {} and {last}",
            first
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The first value of a profile that could never be used, by its key: every number, URL and
/// request field is checked as the file is read, so nothing is sent with it.
fn profile_value_problem(profile: &Profile) -> Option<(String, String)> {
    use crate::api::validate;
    let checks = [
        (
            "http_timeout",
            profile
                .http_timeout
                .and_then(|seconds| validate::interval(seconds).err()),
        ),
        (
            "base_url",
            profile.base_url.as_deref().and_then(validate::base_url),
        ),
        (
            "domain",
            profile.domain.as_deref().and_then(validate::domain),
        ),
        (
            "csds_url",
            profile.csds_url.as_deref().and_then(validate::base_url),
        ),
        (
            "account",
            profile.account.as_deref().and_then(validate::account),
        ),
        (
            "auth_conn_id",
            profile
                .auth_conn_id
                .as_deref()
                .and_then(|id| validate::digits(id, "authChatConnId")),
        ),
        (
            "redirect_uri",
            profile
                .redirect_uri
                .as_deref()
                .and_then(validate::absolute_url),
        ),
        (
            "visitor_name",
            profile
                .visitor_name
                .as_deref()
                .and_then(validate::visitor_name),
        ),
        (
            "transcript_email",
            profile
                .transcript_email
                .as_deref()
                .and_then(validate::transcript_email),
        ),
    ];
    if let Some((key, message)) = checks
        .into_iter()
        .find_map(|(key, problem)| problem.map(|message| (key.to_string(), message)))
    {
        return Some((key, message));
    }
    validate::request_fields(&profile.request)
        .0
        .into_iter()
        .next()
        .map(|problem| {
            let key = problem.field.key();
            // `pre_chat_lines[2]` is written as the one key `pre_chat_lines`.
            let key = key.split('[').next().unwrap_or(&key).to_string();
            (format!("request.{key}"), problem.message)
        })
}

fn parse(text: &str, path: &Path) -> Result<ConfigFile, ConfigError> {
    let file: ConfigFile = toml::from_str(text).map_err(|e| ConfigError::Invalid {
        path: path.to_path_buf(),
        message: describe_toml_error(&e, text),
    })?;
    if let Some((key, message)) = file.journal.problem() {
        return Err(ConfigError::Invalid {
            path: path.to_path_buf(),
            message: format!("[journal] {key}: {message}"),
        });
    }
    for (name, profile) in &file.profiles {
        // `profile `qa`, lines 3 and 4: …`
        let invalid = |keys: &[&str], message: String| {
            let lines = lines_of(text, name, keys);
            let at = if lines.is_empty() {
                String::new()
            } else {
                format!(", {lines}")
            };
            ConfigError::Invalid {
                path: path.to_path_buf(),
                message: format!("profile `{name}`{at}: {message}"),
            }
        };
        if let Some((key, message)) = profile_value_problem(profile) {
            return Err(invalid(&[key.as_str()], format!("{key}: {message}")));
        }
        if profile.base_url.is_some() && profile.domain.is_some() {
            return Err(invalid(
                &["base_url", "domain"],
                "sets both base_url and domain; keep one".into(),
            ));
        }
        for (what, source) in [
            ("app_key", profile.app_key_source()),
            ("sso_key", profile.sso_key_source()),
        ] {
            source.check(what).map_err(|message| {
                let keys = ["env", "cmd", "prompt"].map(|way| format!("{what}_{way}"));
                let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
                invalid(&keys, format!("{what}: {message}"))
            })?;
        }
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_example_is_a_valid_config() {
        let path = Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/assets/config.example.toml"
        ));
        let text = std::fs::read_to_string(path).unwrap();
        let file = parse(&text, path).unwrap();
        assert_eq!(file.profiles.len(), 3);
        let staging = &file.profiles["staging"];
        assert_eq!(staging.app_key_source().env.as_deref(), Some("LP_APP_KEY"));
        assert_eq!(staging.request.survey_answers.len(), 3);
        assert!(file.profiles["secure"].auth);
    }

    #[test]
    fn a_damaged_table_header_makes_the_file_unusable_instead_of_merging_two_profiles() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("config.toml");
        let mut text = b"[profiles.a]\naccount = \"1\"\n\n[profiles.b".to_vec();
        text.extend_from_slice(b"\xff]\naccount = \"2\"\nbase_url = \"http://b.example\"\n");
        std::fs::write(&path, &text).expect("write");
        let error = Config::load(Some(&path)).unwrap_err().to_string();
        assert!(
            error.contains("line 4: not valid UTF-8") && error.contains("table's header"),
            "{error}"
        );
        // A damaged value costs that line only.
        let mut text = b"[profiles.a]\naccount = \"1\"\ndomain = \"".to_vec();
        text.extend_from_slice(b"\xffx\"\n[profiles.b]\naccount = \"2\"\n");
        std::fs::write(&path, &text).expect("write");
        let (config, warnings) = Config::load_reporting(Some(&path)).expect("read");
        assert_eq!(config.file.profiles.len(), 2);
        assert_eq!(config.file.profiles["a"].account.as_deref(), Some("1"));
        assert!(warnings[0].contains("line 3"), "{warnings:?}");
    }

    #[test]
    fn a_value_cut_short_is_one_line_naming_line_and_column() {
        let cut = message("[profiles.a]\naccount = \"1\"\n\n[profiles.b]\nbase_url = \"http://x\n");
        assert!(!cut.contains('\n'), "{cut}");
        assert!(
            cut.starts_with("config file c.toml: line 5, column ") && cut.contains("string"),
            "{cut}"
        );
    }

    fn message(text: &str) -> String {
        parse(text, Path::new("c.toml")).unwrap_err().to_string()
    }

    #[test]
    fn profile_problems_name_the_profile_and_the_lines() {
        let both = message(
            "[profiles.a]\naccount = \"1\"\n\n[profiles.qa]\nbase_url = \"http://x\"\naccount = \"1\"\ndomain = \"y\"\n",
        );
        assert_eq!(
            both,
            "config file c.toml: profile `qa`, lines 5 and 7: sets both base_url and domain; keep one"
        );
        let sources = message("[profiles.qa]\napp_key_env = \"K\"\n\napp_key_prompt = true\n");
        assert_eq!(
            sources,
            "config file c.toml: profile `qa`, lines 2 and 4: app_key: set only one of app_key_env, app_key_cmd and app_key_prompt"
        );
        let dotted = message("profiles.qa.sso_key_cmd = \"  \"\n");
        assert_eq!(
            dotted,
            "config file c.toml: profile `qa`, line 1: sso_key: sso_key_cmd is empty"
        );
    }

    #[test]
    fn every_value_of_a_profile_is_checked_as_it_is_read() {
        let cases = [
            (
                "http_timeout = -1",
                "line 3: http_timeout: `-1` is not a positive",
            ),
            (
                "http_timeout = 1e300",
                "line 3: http_timeout: `1e300` seconds is too long",
            ),
            (
                "base_url = \"127.0.0.1:8480\"",
                "line 3: base_url: `127.0.0.1:8480` has no scheme: write http://127.0.0.1:8480",
            ),
            (
                "domain = \"http://va.example\"",
                "line 3: domain: `http://va.example` is a URL, not a domain",
            ),
            (
                "csds_url = \"api.liveperson.net\"",
                "line 3: csds_url: `api.liveperson.net` has no scheme",
            ),
            (
                "account = \"12a\"",
                "line 3: account: `12a` is not an account id",
            ),
            ("auth_conn_id = \"x1\"", "line 3: auth_conn_id:"),
            ("redirect_uri = \"/cb\"", "line 3: redirect_uri:"),
            (
                "[profiles.qa.request]\nmax_wait_time = 90000",
                "line 4: request.max_wait_time:",
            ),
            (
                "[profiles.qa.request]\nskill = \"Sa\\u001bles\"",
                "line 4: request.skill: contains ESC",
            ),
            (
                "request.pre_chat_lines = [\"a\", \"b\\nc\"]",
                "line 3: request.pre_chat_lines: contains a line break",
            ),
        ];
        for (line, expected) in cases {
            let text = format!("[profiles.qa]\napp_key_env = \"K\"\n{line}\n");
            let error = message(&text);
            assert!(
                error.starts_with("config file c.toml: profile `qa`, ") && error.contains(expected),
                "{line}: {error}"
            );
        }
        let typo = message("[profiles.qa.request]\nskil = \"Sales\"\n");
        assert!(
            typo.contains("line 2") && typo.contains("unknown field `skil`"),
            "{typo}"
        );
    }

    #[test]
    fn ids_written_as_numbers_are_taken_as_their_digits() {
        let text = "[profiles.qa]\naccount = 12345678\nauth_conn_id = 568046210\n[profiles.qa.request]\nengagement_id = 27469613\nmax_wait_time = 600\nle_context_id = 2\n";
        let file = parse(text, Path::new("c.toml")).unwrap();
        let profile = &file.profiles["qa"];
        assert_eq!(profile.account.as_deref(), Some("12345678"));
        assert_eq!(profile.auth_conn_id.as_deref(), Some("568046210"));
        assert_eq!(profile.request.engagement_id, "27469613");
        assert_eq!(profile.request.max_wait_time, "600");
        assert_eq!(profile.request.le_context_id, "2");
        let float = message("[profiles.qa]\naccount = 1.5\n");
        assert!(
            float.contains("text in quotes or a whole number"),
            "{float}"
        );
    }

    #[test]
    fn a_survey_answer_of_the_wrong_type_is_explained() {
        // A number is an answer (its digits); a boolean is not.
        let wrong = message("[profiles.qa.request.survey]\n1001 = true\n");
        assert!(wrong.contains("line 2"), "{wrong}");
        assert!(wrong.contains("text in quotes"), "{wrong}");
        assert!(!wrong.contains("OneOrMany"), "{wrong}");
    }
}
