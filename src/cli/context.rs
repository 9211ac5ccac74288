//! What every command starts from: the config file, the chosen profile merged under the flags
//! (flag > environment > profile > default), the history and the log.

use std::path::PathBuf;

use super::args::{ConnectionArgs, RequestFields};
use super::run::Failure;
use crate::config::{Config, Profile};
use crate::history::History;
use crate::secret::Secret;

/// The shared starting point of the commands.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub config: Config,
    /// The chosen profile, by name.
    pub profile: Option<(String, Profile)>,
    /// The name given with `--profile`, even when it is only used as a filter.
    pub profile_name: Option<String>,
    pub history: Option<History>,
    /// Why the config file could not be used, for commands that go on without it until they
    /// need it (`end --all-open` for an entry that names a profile).
    pub config_problem: Option<String>,
}

impl Context {
    /// Loads the config file and picks the profile. A broken config or an unknown profile is a
    /// usage error naming the file.
    pub fn load(config: Option<&std::path::Path>, profile: Option<&str>) -> Result<Self, Failure> {
        let config = load_config(config)?;
        let chosen = config
            .profile(profile)
            .map_err(|e| Failure::usage(e.to_string()))?
            .map(|(name, profile)| (name, profile.clone()));
        Ok(Self {
            config,
            profile: chosen,
            profile_name: profile.map(str::to_string),
            history: History::open_default(),
            config_problem: None,
        })
    }

    /// For `history`: the config file is not read at all; `--profile` only filters, so it may
    /// name a profile removed from the file since.
    pub fn without_config(profile: Option<&str>) -> Self {
        Self {
            profile_name: profile.map(str::to_string),
            history: History::open_default(),
            ..Self::default()
        }
    }

    /// For `profiles`: the file must load (it is what is listed), but its `default_profile`
    /// may name no profile — the listing says so instead of failing. A `--profile` that names
    /// no profile is still a usage error.
    pub fn for_listing(
        config: Option<&std::path::Path>,
        profile: Option<&str>,
    ) -> Result<Self, Failure> {
        let config = load_config(config)?;
        let chosen = match profile {
            Some(name) => config
                .profile(Some(name))
                .map_err(|e| Failure::usage(e.to_string()))?
                .map(|(name, profile)| (name, profile.clone())),
            None => None,
        };
        Ok(Self {
            config,
            profile: chosen,
            profile_name: profile.map(str::to_string),
            history: History::open_default(),
            config_problem: None,
        })
    }

    /// For `end --all-open`: each history entry names its own profile, so no profile is
    /// chosen (`--profile` only filters), and a config file that does not load is kept as a
    /// problem for the entries that need a profile, not a failure of the whole cleanup.
    pub fn for_cleanup(config: Option<&std::path::Path>, profile: Option<&str>) -> Self {
        let (config, config_problem) = match load_config(config) {
            Ok(config) => (config, None),
            Err(failure) => (Config::default(), Some(failure.message)),
        };
        Self {
            config,
            profile: None,
            profile_name: profile.map(str::to_string),
            history: History::open_default(),
            config_problem,
        }
    }

    /// The same context with another profile chosen (a check case's own).
    pub fn with_profile(&self, name: &str) -> Result<Self, Failure> {
        let profile = self
            .config
            .profile(Some(name))
            .map_err(|e| Failure::usage(e.to_string()))?
            .map(|(name, profile)| (name, profile.clone()));
        Ok(Self {
            config: self.config.clone(),
            profile,
            profile_name: Some(name.to_string()),
            history: self.history.clone(),
            config_problem: self.config_problem.clone(),
        })
    }

    pub fn profile_name(&self) -> Option<&str> {
        self.profile.as_ref().map(|(name, _)| name.as_str())
    }

    /// The connection flags with the profile filling what they leave unset. The endpoint is
    /// taken whole from one layer: a flag naming any endpoint overrides the profile's.
    pub fn connection(&self, flags: &ConnectionArgs) -> Result<ConnectionArgs, Failure> {
        let profile = self.profile.as_ref().map(|(name, p)| (name.as_str(), p));
        Self::connection_with(flags, profile)
    }

    /// [`Self::connection`] with `profile` in place of the chosen one (a history entry's).
    pub fn connection_with(
        flags: &ConnectionArgs,
        profile: Option<(&str, &Profile)>,
    ) -> Result<ConnectionArgs, Failure> {
        let mut merged = flags.clone();
        let Some((name, profile)) = profile else {
            return Ok(merged);
        };
        if merged.base_url.is_none() && merged.domain.is_none() {
            merged.base_url.clone_from(&profile.base_url);
            merged.domain.clone_from(&profile.domain);
            if merged.csds_url.is_none() {
                merged.csds_url.clone_from(&profile.csds_url);
            }
        }
        fill(&mut merged.account, &profile.account);
        if merged.app_key_in.is_none() {
            merged.app_key_in = profile.app_key_in.map(placement_arg);
        }
        if merged.format.is_none() {
            merged.format = profile.format.map(format_arg);
        }
        if merged.http_timeout.is_none() {
            merged.http_timeout = profile.http_timeout;
        }
        if merged.send_key_to.is_empty() {
            merged.send_key_to.clone_from(&profile.send_key_to);
        }
        if merged.app_key.is_none() {
            let secret = profile
                .app_key_source()
                .resolve("appKey")
                .map_err(|e| Failure::usage(format!("profile `{name}`: appKey: {e}")))?;
            merged.app_key = secret.map(|s| s.expose().to_string());
        }
        Ok(merged)
    }

    /// The request flags with the profile's request defaults filling what they leave unset.
    pub fn request(&self, flags: &RequestFields) -> RequestFields {
        let mut merged = flags.clone();
        let Some((_, profile)) = &self.profile else {
            return merged;
        };
        let defaults = &profile.request;
        let pairs: [(&mut Option<String>, &String); 15] = [
            (&mut merged.skill, &defaults.skill),
            (&mut merged.max_wait_time, &defaults.max_wait_time),
            (&mut merged.visitor_ip, &defaults.visitor_ip),
            (&mut merged.chat_referrer, &defaults.chat_referrer),
            (&mut merged.user_agent, &defaults.user_agent),
            (&mut merged.visitor_id, &defaults.visitor_id),
            (&mut merged.engagement_id, &defaults.engagement_id),
            (&mut merged.campaign_id, &defaults.campaign_id),
            (&mut merged.language, &defaults.language),
            (&mut merged.participant_id, &defaults.participant_id),
            (&mut merged.conversation_id, &defaults.conversation_id),
            (
                &mut merged.interaction_timeout,
                &defaults.interaction_timeout,
            ),
            (&mut merged.le_visitor_id, &defaults.le_visitor_id),
            (&mut merged.le_session_id, &defaults.le_session_id),
            (&mut merged.le_context_id, &defaults.le_context_id),
        ];
        for (flag, default) in pairs {
            if flag.is_none() && !default.is_empty() {
                *flag = Some(default.clone());
            }
        }
        if merged.pre_chat_lines.is_empty() {
            merged.pre_chat_lines.clone_from(&defaults.pre_chat_lines);
        }
        if merged.survey.is_empty() {
            merged.survey = defaults
                .survey_answers
                .iter()
                .flat_map(|a| {
                    a.values
                        .iter()
                        .map(move |v| format!("{}={v}", a.question_id))
                })
                .collect();
        }
        merged
    }

    /// The history, for a command about to create chats: a chat is sent only when it can be
    /// recorded, so none is ever made that `history` and `end --all-open` cannot find. A
    /// missing or unwritable data directory is a usage error (exit 2, nothing sent) naming the
    /// directory and `CHATSTART_DATA_DIR`.
    pub fn recording_history(&self) -> Result<&History, Failure> {
        let Some(history) = &self.history else {
            return Err(Failure {
                hint: Some(format!(
                    "set {} to a directory chatstart may write",
                    crate::paths::DATA_DIR_ENV
                )),
                ..Failure::usage(
                    "this system has no data directory to record the chats in; nothing was sent",
                )
            });
        };
        history
            .check_writable()
            .map_err(|error| unwritable_history(history, &error))?;
        Ok(history)
    }

    /// The history's sessions, newest first; each damaged line is skipped with a warning on
    /// stderr naming the file and the line.
    pub fn history_entries(&self) -> Result<Vec<crate::history::Entry>, Failure> {
        let Some(history) = &self.history else {
            return Err(Failure::usage(format!(
                "no data directory on this system: set {}",
                crate::paths::DATA_DIR_ENV
            )));
        };
        let listing = history.read().map_err(|e| {
            Failure::usage(format!("cannot read {}: {e}", history.path().display()))
        })?;
        for warning in listing.warnings(history.path()) {
            super::print::note(format!("warning: {warning}"));
        }
        Ok(listing.entries)
    }

    /// Whether the history has a chat at `uri` (one this tool created or followed).
    pub fn history_knows(&self, uri: &str) -> bool {
        self.history
            .as_ref()
            .and_then(|history| history.entries().ok())
            .is_some_and(|entries| entries.iter().any(|e| e.session.uri == uri))
    }

    /// The SSO key: the flag (or `CHATSTART_SSO_KEY`), else the profile's source.
    pub fn sso_key(&self, flag: Option<&str>) -> Result<Secret, Failure> {
        if let Some(key) = flag {
            return Ok(Secret::new(key));
        }
        let Some((name, profile)) = &self.profile else {
            return Ok(Secret::default());
        };
        profile
            .sso_key_source()
            .resolve("SSO key")
            .map(Option::unwrap_or_default)
            .map_err(|e| Failure::usage(format!("profile `{name}`: SSO key: {e}")))
    }

    /// The auth fields of the profile, under the flags.
    pub fn auth_field(
        &self,
        flag: Option<String>,
        pick: impl Fn(&Profile) -> &Option<String>,
    ) -> String {
        flag.or_else(|| self.profile.as_ref().and_then(|(_, p)| pick(p).clone()))
            .unwrap_or_default()
    }
}

/// Loads the config file, saying on stderr which damaged lines were skipped.
fn load_config(path: Option<&std::path::Path>) -> Result<Config, Failure> {
    let (config, warnings) =
        Config::load_reporting(path).map_err(|e| Failure::usage(e.to_string()))?;
    for warning in warnings {
        super::print::note(format!("warning: {warning}"));
    }
    Ok(config)
}

/// The history cannot be written: nothing is sent (exit 2), and the message names the
/// directory and how to choose another.
pub fn unwritable_history(history: &History, error: &std::io::Error) -> Failure {
    Failure {
        hint: Some(format!(
            "make {} writable, or set {} to a directory chatstart may write: every chat it \
             creates is recorded there, so none is left unknown",
            history.directory().display(),
            crate::paths::DATA_DIR_ENV
        )),
        ..Failure::usage(format!(
            "cannot write the history {}: {error}; nothing was sent",
            history.path().display()
        ))
    }
}

/// The flag's value for an appKey placement.
pub fn placement_arg(placement: crate::api::AppKeyPlacement) -> super::args::AppKeyPlacementArg {
    match placement {
        crate::api::AppKeyPlacement::Header => super::args::AppKeyPlacementArg::Header,
        crate::api::AppKeyPlacement::Query => super::args::AppKeyPlacementArg::Query,
    }
}

/// The flag's value for a format.
pub fn format_arg(format: crate::api::Format) -> super::args::FormatArg {
    match format {
        crate::api::Format::Json => super::args::FormatArg::Json,
        crate::api::Format::Xml => super::args::FormatArg::Xml,
    }
}

fn fill(target: &mut Option<String>, value: &Option<String>) {
    if target.is_none() {
        target.clone_from(value);
    }
}

/// Starts the log of HTTP exchanges when a log file is asked for. The client already masks
/// secrets in what it logs; the file is private to the user.
pub fn start_log(path: Option<&PathBuf>) -> Result<(), Failure> {
    let Some(path) = path else {
        return Ok(());
    };
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options
        .open(path)
        .map_err(|e| Failure::usage(format!("cannot open log file {}: {e}", path.display())))?;
    let subscriber = tracing_subscriber::fmt()
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    tracing::subscriber::set_global_default(subscriber)
        .map_err(|e| Failure::usage(format!("cannot start the log: {e}")))
}
