//! The console's start: the flags (or their environment variables), the config file and the
//! chosen profile, with the same precedence as the commands (flag > environment > profile >
//! default); a broken config file or an unknown profile still starts the console, on the demo,
//! saying why. Also what the loop needs to keep: history, draft, config.

use std::path::PathBuf;

use crate::config::{Config, ConfigError, Profile};
use crate::history::History;
use crate::start::Launch;
use crate::tui::app::{App, Notice, Overlay};
use crate::tui::form::{Form, TextField};
use crate::tui::store::draft::Draft;

/// What the effects runner keeps on disk for the console. Empty by default (tests), so nothing
/// is written unless asked.
#[derive(Debug, Clone, Default)]
pub struct Store {
    /// Where created sessions and their states are appended.
    pub history: Option<History>,
    /// Where the draft is written.
    pub draft: Option<PathBuf>,
    /// The config file, for loading and saving profiles.
    pub config: Option<Config>,
    /// The start's flags: a profile chosen later is merged under them too.
    pub flags: Option<crate::start::StartSpec>,
    /// Where `s` saves evidence bundles; `None`: the current directory at the time.
    pub evidence_dir: Option<PathBuf>,
}

/// How the console starts.
#[derive(Debug, Clone, Default)]
pub struct Start {
    /// The form; `None` runs the demo on the embedded emulator.
    pub form: Option<Form>,
    /// What went wrong on the way, to show (a broken config names its file and line).
    pub problems: Vec<String>,
    pub profile: Option<(String, Profile)>,
    pub profiles: Vec<(String, Profile)>,
    /// Secrets to ask for in the console before anything else.
    pub prompts: Vec<TextField>,
    /// The config file, when it loaded.
    pub config: Option<Config>,
}

/// Decides the first form from the flags, the config file (or why it failed) and the profile
/// asked for (`--profile`, `CHATSTART_PROFILE`; else the file's `default_profile`).
pub fn prepare(launch: &Launch, config: Result<Config, ConfigError>) -> Start {
    let profile = launch.profile.as_deref();
    let config = match config {
        Ok(config) => config,
        Err(error) => {
            return Start {
                problems: vec![format!("{error} — running on the demo instead")],
                ..Start::default()
            };
        }
    };
    let profiles: Vec<(String, Profile)> = config
        .file
        .profiles
        .iter()
        .map(|(name, profile)| (name.clone(), profile.clone()))
        .collect();
    let mut start = Start {
        profiles,
        ..Start::default()
    };
    match config.profile(profile) {
        Err(error) => {
            start
                .problems
                .push(format!("{error} — running on the demo instead"));
        }
        Ok(Some((name, chosen))) => {
            let chosen = chosen.clone();
            let loaded =
                crate::tui::store::profiles::form_from_profile(&launch.flags, &name, &chosen);
            start.form = Some(loaded.form);
            start.problems = loaded.problems;
            start.prompts = loaded.prompts;
            start.profile = Some((name, chosen));
        }
        Ok(None) if launch.unconfigured => {}
        Ok(None) => {
            let (form, problem) = crate::tui::form::prefill::from_spec(&launch.flags);
            start.form = Some(form);
            start.problems.extend(problem);
        }
    }
    start.problems.extend(launch.flag_problems.iter().cloned());
    start.config = Some(config);
    start
}

/// Puts the start's profile, problems and questions on the app. `draft` is the draft found on
/// disk: offered when it differs from the form the start shows.
pub fn apply(app: &mut App, start: &Start, draft: Option<Draft>) {
    app.profile.clone_from(&start.profile);
    app.profiles.clone_from(&start.profiles);
    app.prompts.clone_from(&start.prompts);
    if !start.problems.is_empty() {
        app.notice = Some(Notice::error(start.problems.join("; "), None));
    }
    let current = Draft::of(&app.form, app.profile_name()).on_demo(app.demo);
    // Survey answers are left out of the comparison: the survey is not loaded yet at start, and
    // once loaded its own defaults (a last known name…) would make every draft look different.
    // A demo's connection is never restored (nor restored into), so it is left out too.
    let comparable = |d: &Draft| {
        let mut d = if app.demo || d.demo {
            d.without_connection()
        } else {
            d.clone()
        };
        d.request.survey_answers.clear();
        d
    };
    match draft {
        Some(draft) if comparable(&draft) != comparable(&current) => {
            app.draft_offer = Some(Box::new(draft));
        }
        _ => {}
    }
    app.saved_draft = Some(Box::new(current));
    next_question(app);
}

/// Opens the next question of the start: secrets to type first, then the draft offer.
pub fn next_question(app: &mut App) {
    if let Some(field) = app.prompts.first().copied() {
        app.dialog_input.reset();
        app.overlay = Some(Overlay::SecretPrompt(field));
    } else if app.draft_offer.is_some() {
        app.overlay = Some(Overlay::RestoreDraft);
    } else if matches!(
        app.overlay,
        Some(Overlay::SecretPrompt(_) | Overlay::RestoreDraft)
    ) {
        app.overlay = None;
    }
}
