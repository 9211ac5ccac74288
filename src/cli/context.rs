//! What every command starts from: the config file, the chosen profile merged under the flags
//! (flag > environment > profile > default), the history and the log.

use super::run::Failure;
use crate::config::{Config, Profile};
use crate::history::History;
use crate::start::StartSpec;

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

    /// The flags added up with the chosen profile (see [`crate::start::layer`]): its appKey
    /// resolved from its source when no flag gives one.
    pub fn layered(&self, flags: &StartSpec) -> Result<StartSpec, Failure> {
        let profile = self.profile.as_ref().map(|(name, p)| (name.as_str(), p));
        Ok(crate::start::layer(
            flags,
            None,
            profile,
            &StartSpec::default(),
        )?)
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
        self.history_listing().map(|listing| listing.entries)
    }

    /// The whole history: its sessions and its offline surveys, newest first; each damaged
    /// line is skipped with a warning on stderr naming the file and the line.
    pub fn history_listing(&self) -> Result<crate::history::Listing, Failure> {
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
        Ok(listing)
    }

    /// Whether the history has a chat at `uri` (one this tool created or followed).
    pub fn history_knows(&self, uri: &str) -> bool {
        self.history
            .as_ref()
            .and_then(|history| history.entries().ok())
            .is_some_and(|entries| entries.iter().any(|e| e.session.uri == uri))
    }

    /// The connection flags added up with the chosen profile.
    pub fn connection(
        &self,
        flags: &super::args::ConnectionArgs,
    ) -> Result<crate::start::ConnectionSpec, Failure> {
        let flags = StartSpec {
            connection: flags.spec(),
            ..StartSpec::default()
        };
        Ok(self.layered(&flags)?.connection)
    }

    /// The chosen profile with its name.
    pub fn chosen_profile(&self) -> Option<(&str, &Profile)> {
        self.profile.as_ref().map(|(name, p)| (name.as_str(), p))
    }

    /// The same context, its history keeping session journals as the config file and the
    /// chosen profile say, or none at all with `--no-journal` (`no_journal`).
    #[must_use]
    pub fn with_journal_choice(mut self, no_journal: bool) -> Self {
        let profile = self.profile.as_ref().map(|(_, profile)| profile);
        let retention = self.config.journal_retention(profile, no_journal);
        self.history = self
            .history
            .map(|history| history.keeping_journals(retention));
        self
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
