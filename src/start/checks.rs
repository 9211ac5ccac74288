//! The plan of a check run: each case of a check file made ready to run — its profile (the
//! case's own, the file's default, else the one the run was started with) under the front
//! end's connection, its request completed by that profile, its authenticated flow, its times —
//! checked before any case sends anything. `chatstart check` and the console's check runs both
//! plan here and run through `check::run_all`.

use std::time::Duration;

use tokio::sync::watch;

use super::auth::AuthSpec;
use super::error::InputError;
use super::layer::{StartSpec, layer};
use crate::api::{ChatApi, validate};
use crate::check::file::{Case, CaseFlow, CheckFile};
use crate::check::run::{CaseRun, DEFAULT_STEP_TIMEOUT};
use crate::config::{Config, SecretSource};
use crate::history::History;
use crate::session::DEFAULT_POLL_INTERVAL;

/// How the front end asked for the run.
#[derive(Debug, Clone)]
pub struct CheckSettings {
    /// Only these cases (by name); all when empty.
    pub cases: Vec<String>,
    /// Runs of each case.
    pub repeat: usize,
    /// Keep every chat open instead of ending it.
    pub leave_open: bool,
}

/// What the run starts from besides the file.
pub struct CheckStart<'a> {
    pub config: &'a Config,
    /// The profile chosen for the run (`--profile`, the console form's), for cases that name
    /// none and a file that names no default.
    pub profile: Option<&'a str>,
    /// The front end's own layer: the command line's flags, the console's form.
    pub flags: &'a StartSpec,
    pub history: Option<History>,
    /// Turns true when the run is interrupted.
    pub stop: Option<watch::Receiver<bool>>,
}

/// A case that cannot run, and why: nothing of the run is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanError {
    pub case: String,
    pub error: InputError,
}

/// The runs of the file's cases, in file order (each case's repeats together).
pub fn plan(
    file: &CheckFile,
    settings: &CheckSettings,
    start: &CheckStart<'_>,
) -> Result<Vec<CaseRun>, PlanError> {
    let mut runs = Vec::new();
    for case in file
        .cases
        .iter()
        .filter(|c| settings.cases.is_empty() || settings.cases.contains(&c.name))
    {
        let in_case = |error: InputError| PlanError {
            case: case.name.clone(),
            error,
        };
        let profile_name = case
            .profile
            .as_deref()
            .or(file.defaults.profile.as_deref())
            .or(start.profile);
        let profile = match profile_name {
            Some(name) => start
                .config
                .profile(Some(name))
                .map_err(|e| in_case(InputError::Other(e.to_string())))?,
            None => None,
        };
        let profile = profile.as_ref().map(|(name, p)| (name.as_str(), *p));
        let spec = layer(start.flags, None, profile, &StartSpec::default()).map_err(in_case)?;
        let config = spec.connection.client_config(None).map_err(in_case)?;
        let api = ChatApi::new(config).map_err(|e| in_case(InputError::Other(e.to_string())))?;
        let defaults = profile.map(|(_, p)| p.request.clone()).unwrap_or_default();
        let request = case.request.clone().with_defaults(&defaults);
        let auth = match case.flow {
            CaseFlow::Request => None,
            CaseFlow::Auth => Some(auth(case, &spec.auth, profile).map_err(in_case)?),
        };
        // The request as the profile completes it, checked before any case sends anything.
        let mut invalid = validate::request_fields(&request);
        if let Some(auth) = &auth {
            invalid.0.extend(validate::auth_request(auth, &request).0);
        }
        if let Some(problem) = invalid.0.into_iter().next() {
            return Err(in_case(InputError::Field(problem)));
        }
        let defaults = &file.defaults;
        for repeat in 1..=settings.repeat {
            runs.push(CaseRun {
                case: case.clone(),
                repeat,
                api: api.clone(),
                request: request.clone(),
                auth: auth.clone(),
                end: !settings.leave_open && case.end.or(defaults.end).unwrap_or(true),
                poll_interval: seconds(
                    case.poll_interval.or(defaults.poll_interval),
                    DEFAULT_POLL_INTERVAL.as_secs_f64(),
                ),
                step_timeout: seconds(
                    case.step_timeout.or(defaults.step_timeout),
                    DEFAULT_STEP_TIMEOUT,
                ),
                history: start.history.clone(),
                profile: profile.map(|(name, _)| name.to_string()),
                stop: start.stop.clone(),
                journal: None,
            });
        }
    }
    Ok(runs)
}

/// A file's seconds (checked as the file was read, `CheckFile::parse`), else the default.
fn seconds(value: Option<f64>, default: f64) -> Duration {
    value
        .and_then(|v| validate::seconds(v).ok())
        .unwrap_or_else(|| Duration::from_secs_f64(default))
        .max(Duration::from_millis(50))
}

/// A case's authenticated flow: its own SSO key source, else the front end's key, else the
/// profile's source; its ids, else the front end's, else the profile's.
fn auth(
    case: &Case,
    flags: &AuthSpec,
    profile: Option<(&str, &crate::config::Profile)>,
) -> Result<crate::api::AuthRequest, InputError> {
    let source = SecretSource {
        env: case.auth.sso_key_env.clone(),
        cmd: case.auth.sso_key_cmd.clone(),
        prompt: false,
    };
    let own = source
        .resolve("SSO key")
        .map_err(|e| InputError::Other(format!("SSO key: {e}")))?;
    let mut spec = AuthSpec {
        sso_key: own,
        auth_conn_id: case.auth.auth_conn_id.clone(),
        redirect_uri: case.auth.redirect_uri.clone(),
    }
    .over(flags);
    spec.resolve_sso_key(profile)?;
    Ok(spec.auth_request())
}
