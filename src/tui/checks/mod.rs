//! Check files in the console: the path question, the view's state (each case pending, running
//! or with its verdict), and the part of `update` that runs them with the form's connection and
//! opens a case's chat in the session view. Pure, like `update`; the engine is `crate::check`.

pub mod view;

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::check::report::Totals;
use crate::check::{CaseResult, CheckFile};
use crate::start::{AuthSpec, StartSpec};
use crate::tui::app::{App, Notice, Overlay, Phase, SessionView};
use crate::tui::connection::Connection;
use crate::tui::msg::{
    AppIntent, ChecksIntent, ChecksOutcome, Effect, FormIntent, Intent, SessionId,
};

/// The check file asked for when none was before.
pub const DEFAULT_PATH: &str = "checks.toml";

/// Where a case is.
#[derive(Debug, Clone, PartialEq)]
pub enum CaseStatus {
    /// Waiting for its turn.
    Pending,
    /// Running since then.
    Running { since: Instant },
    /// Its verdict.
    Done(Box<CaseResult>),
}

/// One case of the file, as shown.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseRow {
    pub name: String,
    pub status: CaseStatus,
}

impl CaseRow {
    pub fn result(&self) -> Option<&CaseResult> {
        match &self.status {
            CaseStatus::Done(result) => Some(result),
            _ => None,
        }
    }
}

/// A run of a check file, as followed.
#[derive(Debug, Clone)]
pub struct CheckView {
    pub id: SessionId,
    pub path: String,
    pub cases: Vec<CaseRow>,
    pub started: Instant,
    /// When the last verdict arrived.
    pub finished: Option<Instant>,
    /// The highlighted case.
    pub selected: usize,
    /// What the console does differently from `chatstart check` for this file.
    pub notes: Vec<String>,
    /// Quit once every case has its verdict.
    pub quit_when_done: bool,
}

impl CheckView {
    pub fn is_running(&self) -> bool {
        self.finished.is_none()
    }

    /// The verdicts so far.
    pub fn results(&self) -> Vec<CaseResult> {
        self.cases
            .iter()
            .filter_map(CaseRow::result)
            .cloned()
            .collect()
    }

    pub fn totals(&self, now: Instant) -> Totals {
        let elapsed = self
            .finished
            .unwrap_or(now)
            .saturating_duration_since(self.started);
        Totals::of(
            &self.results(),
            u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
        )
    }

    pub fn elapsed(&self, now: Instant) -> Duration {
        self.finished
            .unwrap_or(now)
            .saturating_duration_since(self.started)
    }
}

/// A loaded check file and what the console starts it from, for the effect that plans and
/// runs it as `chatstart check` does ([`crate::start::checks::plan`]).
#[derive(Debug, Clone)]
pub struct CheckPlan {
    pub file: Arc<CheckFile>,
    /// The console's own layer, as the command line's flags: the form's connection, and its
    /// authenticated flow (the SSO key and ids for cases that give none of their own).
    pub flags: StartSpec,
    /// The form's profile: for cases that name none in a file that names no default.
    pub profile: Option<String>,
}

impl PartialEq for CheckPlan {
    /// The same loaded file (by identity: a check file has no equality of its own).
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.file, &other.file)
            && self.flags == other.flags
            && self.profile == other.profile
    }
}

/// Opens the path question (from the form only).
pub fn open(app: &mut App) -> Vec<Effect> {
    app.dialog_input = tui_input::Input::new(app.check_path.clone());
    app.overlay = Some(Overlay::CheckPath { error: None });
    Vec::new()
}

/// The path question's answer to an intent; `None` when it is not open or passes it on.
pub fn overlay_answer(app: &mut App, intent: &Intent) -> Option<Vec<Effect>> {
    if !matches!(app.overlay, Some(Overlay::CheckPath { .. })) {
        return None;
    }
    match intent {
        Intent::App(AppIntent::DialogEdit(request)) => {
            app.dialog_input.handle(*request);
            Some(Vec::new())
        }
        Intent::App(AppIntent::Confirm) => {
            let typed = app.dialog_input.value().trim();
            let path = if typed.is_empty() {
                DEFAULT_PATH
            } else {
                typed
            };
            app.check_path = path.to_string();
            Some(vec![Effect::LoadCheckFile {
                path: path.to_string(),
            }])
        }
        Intent::App(AppIntent::Dismiss) => {
            app.overlay = None;
            Some(Vec::new())
        }
        _ => None,
    }
}

/// What came back from a check run: applied whatever is on screen.
pub fn outcome(app: &mut App, outcome: ChecksOutcome) -> Vec<Effect> {
    match outcome {
        ChecksOutcome::FileLoaded { path, result } => loaded(app, &path, &result),
        ChecksOutcome::CaseStarted { id, index } => {
            let now = app.now;
            if let Some(row) = row_mut(app, id, index) {
                row.status = CaseStatus::Running { since: now };
            }
            Vec::new()
        }
        ChecksOutcome::CaseFinished { id, index, result } => case_finished(app, id, index, &result),
        ChecksOutcome::Refused { id, error } => refused(app, id, &error),
    }
}

/// Intents while the check view is on screen; `None` passes the intent on.
pub fn intent(app: &mut App, intent: &Intent) -> Option<Vec<Effect>> {
    let Phase::Checks(view) = &mut app.phase else {
        return None;
    };
    let effects = match intent {
        Intent::App(AppIntent::Select(step)) | Intent::Form(FormIntent::Cycle(step)) => {
            let last = view.cases.len().saturating_sub(1);
            view.selected = view.selected.saturating_add_signed(*step).min(last);
            Vec::new()
        }
        Intent::Checks(ChecksIntent::Jump(crate::tui::msg::Scroll::Top)) => {
            view.selected = 0;
            Vec::new()
        }
        Intent::Checks(ChecksIntent::Jump(_)) => {
            view.selected = view.cases.len().saturating_sub(1);
            Vec::new()
        }
        Intent::Checks(ChecksIntent::OpenCase) | Intent::Form(FormIntent::Choose) => {
            return Some(open_case(app));
        }
        Intent::Checks(ChecksIntent::Back) | Intent::App(AppIntent::Dismiss) => {
            if view.is_running() {
                app.notice = Some(Notice::info(
                    "cases still run (each ends its chat when done): Esc goes back after their verdicts",
                ));
            } else {
                app.phase = Phase::Editing;
                app.notice = None;
            }
            Vec::new()
        }
        Intent::App(AppIntent::Quit) => {
            if view.is_running() && !view.quit_when_done {
                view.quit_when_done = true;
                app.notice = Some(Notice::info(
                    "quitting: no new case starts, the running one ends its chat; Ctrl+C again \
                     quits now and leaves it open",
                ));
                vec![Effect::StopChecks { id: view.id }]
            } else {
                app.quitting = true;
                vec![Effect::Quit]
            }
        }
        Intent::Form(FormIntent::Submit) => {
            app.notice = Some(Notice::info(
                "the check results are on screen: Esc goes back to the form",
            ));
            Vec::new()
        }
        _ => return None,
    };
    Some(effects)
}

fn row_mut(app: &mut App, id: SessionId, index: usize) -> Option<&mut CaseRow> {
    match &mut app.phase {
        Phase::Checks(view) if view.id == id => view.cases.get_mut(index),
        _ => None,
    }
}

fn loaded(app: &mut App, path: &str, result: &Result<Arc<CheckFile>, String>) -> Vec<Effect> {
    // The help over the question closes: the answer is for the question below it.
    if matches!(app.help_over, Some(Overlay::CheckPath { .. })) {
        app.overlay = app.help_over.take();
    }
    // An answer for a question no longer asked (Esc, or a newer path) is dropped.
    if !matches!(app.overlay, Some(Overlay::CheckPath { .. })) || app.check_path != path {
        return Vec::new();
    }
    let file = match result {
        Ok(file) => file.clone(),
        Err(error) => {
            app.overlay = Some(Overlay::CheckPath {
                error: Some(error.clone()),
            });
            return Vec::new();
        }
    };
    app.overlay = None;
    let connection = Connection::from_form(&app.form);
    let problems = connection.validate();
    if let Some(first) = problems.0.first() {
        app.errors = app.form.validate();
        app.form.show_all_errors = true;
        app.notice = Some(Notice::error(
            format!(
                "the checks run with the form's connection: {}",
                first.message
            ),
            None,
        ));
        return Vec::new();
    }
    let mut notes = Vec::new();
    for case in &file.cases {
        if let Some(profile) = case.profile.as_ref().or(file.defaults.profile.as_ref()) {
            notes.push(format!(
                "case `{}` names profile `{profile}`: its request and keys are used, under the \
                 form's connection",
                case.name
            ));
        }
    }
    app.last_id += 1;
    let id = app.last_id;
    let view = CheckView {
        id,
        path: path.to_string(),
        cases: file
            .cases
            .iter()
            .map(|case| CaseRow {
                name: case.name.clone(),
                status: CaseStatus::Pending,
            })
            .collect(),
        started: app.now,
        finished: None,
        selected: 0,
        notes,
        quit_when_done: false,
    };
    app.phase = Phase::Checks(Box::new(view));
    app.notice = None;
    let auth = app.form.auth_request().map(|auth| AuthSpec {
        sso_key: Some(auth.sso_key).filter(|key| !key.is_empty()),
        auth_conn_id: Some(auth.auth_chat_conn_id).filter(|id| !id.is_empty()),
        redirect_uri: Some(auth.redirect_uri).filter(|uri| !uri.is_empty()),
    });
    let plan = CheckPlan {
        file,
        flags: StartSpec {
            connection: connection.spec(),
            auth: auth.unwrap_or_default(),
            ..StartSpec::default()
        },
        profile: app.profile_name().map(str::to_string),
    };
    vec![Effect::RunChecks { id, plan }]
}

/// The file's cases cannot run (a case's profile, request or keys cannot be used): nothing was
/// sent; back to the path question, which says why.
fn refused(app: &mut App, id: SessionId, error: &str) -> Vec<Effect> {
    if matches!(&app.phase, Phase::Checks(view) if view.id == id) {
        app.phase = Phase::Editing;
        app.dialog_input = tui_input::Input::new(app.check_path.clone());
        app.overlay = Some(Overlay::CheckPath {
            error: Some(error.to_string()),
        });
    }
    Vec::new()
}

fn case_finished(app: &mut App, id: SessionId, index: usize, result: &CaseResult) -> Vec<Effect> {
    let now = app.now;
    let Phase::Checks(view) = &mut app.phase else {
        return Vec::new();
    };
    if view.id != id {
        return Vec::new();
    }
    if let Some(row) = view.cases.get_mut(index) {
        row.status = CaseStatus::Done(Box::new(result.clone()));
    }
    if view.cases.iter().all(|row| row.result().is_some()) {
        view.finished = Some(now);
        if view.quit_when_done {
            app.quitting = true;
            return vec![Effect::Quit];
        }
    }
    Vec::new()
}

/// Follows the highlighted case's chat in the session view; `n` there comes back here.
fn open_case(app: &mut App) -> Vec<Effect> {
    let Phase::Checks(view) = &app.phase else {
        return Vec::new();
    };
    if view.is_running() {
        app.notice = Some(Notice::info(
            "a case's chat opens once every case has its verdict",
        ));
        return Vec::new();
    }
    let Some(uri) = view
        .cases
        .get(view.selected)
        .and_then(CaseRow::result)
        .and_then(|r| r.uri.clone())
    else {
        app.notice = Some(Notice::info("this case created no chat"));
        return Vec::new();
    };
    let connection = Connection::from_form(&app.form);
    app.last_id += 1;
    let id = app.last_id;
    let checks = std::mem::replace(
        &mut app.phase,
        Phase::Session(Box::new(SessionView::new(id, uri.clone(), app.now))),
    );
    app.return_to = Some(Box::new(checks));
    app.exchanges.clear();
    app.notice = Some(Notice::info(
        "following the case's chat — n goes back to the check results",
    ));
    // The check run named the case's journal in its record: the runner and `s` find it by URI.
    vec![Effect::Watch {
        id,
        connection,
        uri,
        journal: None,
    }]
}
