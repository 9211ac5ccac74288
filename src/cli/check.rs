//! `chatstart check FILE`: runs a check file's cases and reports a verdict per case.

use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use super::args::CheckArgs;
use super::context::Context;
use super::exit;
use super::interrupt::Interrupts;
use super::print::{Output, note, say};
use super::run::{Failure, Outcome, connect};
use crate::api::{AuthRequest, validate};
use crate::check::file::{CaseFlow, CheckFile};
use crate::check::report::{self, Totals};
use crate::check::run::{CaseRun, DEFAULT_STEP_TIMEOUT};
use crate::config::SecretSource;
use crate::secret::Secret;
use crate::session::DEFAULT_POLL_INTERVAL;

/// The most runs of each case one check makes.
const MAX_REPEAT: usize = 10_000;

pub async fn run(ctx: &Context, args: CheckArgs) -> Outcome {
    let file = CheckFile::load(&args.file).map_err(|e| Failure::usage(e.to_string()))?;
    let junit = match args.report.as_slice() {
        [] => None,
        [kind, path] if kind == "junit" => Some(path.clone()),
        [kind, _] => {
            return Err(Failure::usage(format!(
                "--report {kind}: only `junit` is known"
            )));
        }
        _ => {
            return Err(Failure::usage(
                "--report takes a kind and a path: --report junit PATH",
            ));
        }
    };
    if args.repeat == 0 || args.concurrency == 0 {
        return Err(Failure::usage(
            "--repeat and --concurrency must be at least 1",
        ));
    }
    if args.repeat > MAX_REPEAT {
        return Err(Failure::usage(format!(
            "--repeat: at most {MAX_REPEAT} runs of each case (`{}` is surely a typo)",
            args.repeat
        )));
    }
    for wanted in &args.cases {
        if !file.cases.iter().any(|c| &c.name == wanted) {
            let known: Vec<&str> = file.cases.iter().map(|c| c.name.as_str()).collect();
            return Err(Failure::usage(format!(
                "no case `{wanted}` in the file (cases: {})",
                known.join(", ")
            )));
        }
    }
    // Every chat a case requests is recorded first: nothing is sent when that cannot be.
    if file.cases.iter().any(|case| case.expect.requests_chat()) {
        ctx.recording_history()?;
    }
    let (stop, stopped) = watch::channel(false);
    let mut runs = Vec::new();
    for case in file
        .cases
        .iter()
        .filter(|c| args.cases.is_empty() || args.cases.contains(&c.name))
    {
        // A setting that cannot be used names the file and the case it came from.
        let in_case = |mut failure: Failure| {
            failure.message = format!(
                "check file {}, case `{}`: {}",
                args.file.display(),
                case.name,
                failure.message
            );
            failure
        };
        let profile = case.profile.as_ref().or(file.defaults.profile.as_ref());
        let case_ctx = match profile {
            Some(name) => ctx.with_profile(name).map_err(in_case)?,
            None => ctx.clone(),
        };
        let api = case_ctx
            .connection(&args.connection)
            .and_then(|connection| connect(&connection, None))
            .map_err(in_case)?;
        let defaults = case_ctx
            .profile
            .as_ref()
            .map(|(_, p)| p.request.clone())
            .unwrap_or_default();
        let request = case.request.clone().with_defaults(&defaults);
        let auth = match case.flow {
            CaseFlow::Request => None,
            CaseFlow::Auth => Some(auth_request(&case_ctx, case).map_err(in_case)?),
        };
        // The request as the profile completes it, checked before any case sends anything.
        let mut invalid = validate::request_fields(&request);
        if let Some(auth) = &auth {
            invalid.0.extend(validate::auth_request(auth, &request).0);
        }
        if let Some(problem) = invalid.0.first() {
            return Err(in_case(Failure::usage(format!(
                "request.{}: {}",
                problem.field.key(),
                problem.message
            ))));
        }
        // The file's numbers were checked as it was read (`CheckFile::parse`).
        let seconds = |value: Option<f64>, default: f64| {
            value
                .and_then(|v| validate::seconds(v).ok())
                .unwrap_or_else(|| Duration::from_secs_f64(default))
                .max(Duration::from_millis(50))
        };
        for repeat in 1..=args.repeat {
            runs.push(CaseRun {
                case: case.clone(),
                repeat,
                api: api.clone(),
                request: request.clone(),
                auth: auth.clone(),
                end: !args.leave_open && case.end.or(file.defaults.end).unwrap_or(true),
                poll_interval: seconds(
                    case.poll_interval.or(file.defaults.poll_interval),
                    DEFAULT_POLL_INTERVAL.as_secs_f64(),
                ),
                step_timeout: seconds(
                    case.step_timeout.or(file.defaults.step_timeout),
                    DEFAULT_STEP_TIMEOUT,
                ),
                history: ctx.history.clone(),
                profile: case_ctx.profile_name().map(str::to_string),
                stop: Some(stopped.clone()),
            });
        }
    }
    let output = Output::new(args.output);
    let json = output.is_json();
    let repeats = args.repeat > 1;
    // Where each case run stands in the file (case by case, each case's repeats together).
    let order: Vec<(String, usize)> = runs
        .iter()
        .map(|run| (run.case.name.clone(), run.repeat))
        .collect();
    let started = Instant::now();
    let mut interrupts = Interrupts::listen();
    let (sender, mut finished) = mpsc::unbounded_channel();
    let all = tokio::spawn(crate::check::run_all(runs, args.concurrency, sender));
    // People see each verdict as it arrives; JSON Lines come in file order (each as soon as
    // every case before it has its verdict), so scripts and CI logs compare run to run.
    let mut held: Vec<Option<crate::check::CaseResult>> = vec![None; order.len()];
    let mut printed = 0;
    let mut interrupted = false;
    loop {
        let result = tokio::select! {
            result = finished.recv() => match result {
                Some(result) => result,
                None => break,
            },
            // Any signal stops the run: no case starts, the running ones stop waiting and end
            // their chats (unless they are to stay open), and every case gets its line.
            signal = interrupts.next() => {
                interrupted = true;
                let _ = stop.send(true);
                note(format!(
                    "{signal}: no new case starts; the running ones end their chats, then the run stops"
                ));
                continue;
            }
        };
        if !json {
            say(report::text_line(&result, repeats));
            continue;
        }
        match order
            .iter()
            .position(|(name, repeat)| *name == result.name && *repeat == result.repeat)
        {
            Some(at) => held[at] = Some(result),
            None => output.json(&report::json_line(&result)),
        }
        while let Some(ready) = held.get_mut(printed).and_then(Option::take) {
            output.json(&report::json_line(&ready));
            printed += 1;
        }
    }
    let results = all
        .await
        .map_err(|e| Failure::usage(format!("the check stopped unexpectedly: {e}")))?;
    let totals = Totals::of(
        &results,
        u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    );
    if json {
        // A case whose task died sent nothing: its verdict is in `results` only.
        for result in results.iter().skip(printed) {
            output.json(&report::json_line(result));
        }
        output.json(&report::json_summary(&totals));
    } else {
        if args.concurrency > 1 && results.len() > 1 {
            say(report::text_recap(&results, repeats).trim_end());
        }
        say(report::text_summary(&totals));
    }
    if let Some(path) = junit {
        std::fs::write(&path, report::junit(&results, &totals, repeats))
            .map_err(|e| Failure::usage(format!("cannot write the JUnit report {path}: {e}")))?;
    }
    if interrupted {
        return Ok(exit::INTERRUPTED);
    }
    // API and network errors keep their own codes; failed expectations are 1.
    Ok(results
        .iter()
        .find_map(|r| r.error_kind.map(exit::of))
        .unwrap_or(if totals.failed > 0 {
            exit::EXPECTATION_FAILED
        } else {
            exit::OK
        }))
}

fn auth_request(ctx: &Context, case: &crate::check::Case) -> Result<AuthRequest, Failure> {
    let source = SecretSource {
        env: case.auth.sso_key_env.clone(),
        cmd: case.auth.sso_key_cmd.clone(),
        prompt: false,
    };
    let sso_key = match source.resolve("SSO key") {
        Ok(Some(key)) => key,
        Ok(None) => ctx.sso_key(None)?,
        Err(e) => return Err(Failure::usage(format!("SSO key: {e}"))),
    };
    let profile_field = |pick: fn(&crate::config::Profile) -> &Option<String>| {
        ctx.profile
            .as_ref()
            .and_then(|(_, p)| pick(p).clone())
            .unwrap_or_default()
    };
    Ok(AuthRequest {
        sso_key: Secret::new(sso_key.expose()),
        auth_chat_conn_id: case
            .auth
            .auth_conn_id
            .clone()
            .unwrap_or_else(|| profile_field(|p| &p.auth_conn_id)),
        redirect_uri: case
            .auth
            .redirect_uri
            .clone()
            .unwrap_or_else(|| profile_field(|p| &p.redirect_uri)),
    })
}
