//! `chatstart check FILE`: runs a check file's cases and reports a verdict per case.

use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use super::args::CheckArgs;
use super::context::Context;
use super::exit;
use super::interrupt::Interrupts;
use super::print::{Output, note, say};
use super::run::{Failure, Outcome};
use crate::check::CaseEvent;
use crate::check::file::CheckFile;
use crate::check::report::{self, Totals};
use crate::start::checks::{CheckSettings, CheckStart};

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
    let flags = crate::start::StartSpec {
        connection: args.connection.spec(),
        ..crate::start::StartSpec::default()
    };
    let runs = crate::start::checks::plan(
        &file,
        &CheckSettings {
            cases: args.cases.clone(),
            repeat: args.repeat,
            leave_open: args.leave_open,
        },
        &CheckStart {
            config: &ctx.config,
            profile: ctx.chosen_profile().map(|(name, _)| name),
            flags: &flags,
            history: ctx.history.clone(),
            stop: Some(stopped),
        },
    )
    .map_err(|problem| {
        // A setting that cannot be used names the file and the case it came from.
        let said = match &problem.error {
            crate::start::InputError::Field(invalid) => {
                format!("request.{}: {}", invalid.field.key(), invalid.message)
            }
            other => super::input::say(other),
        };
        Failure::usage(format!(
            "check file {}, case `{}`: {said}",
            args.file.display(),
            problem.case
        ))
    })?;
    let output = Output::new(args.output);
    let json = output.is_json();
    let repeats = args.repeat > 1;
    let runs_planned = runs.len();
    let started = Instant::now();
    let mut interrupts = Interrupts::listen();
    let (sender, mut finished) = mpsc::unbounded_channel();
    let all = tokio::spawn(crate::check::run_all(runs, args.concurrency, sender));
    // People see each verdict as it arrives; JSON Lines come in file order (each as soon as
    // every case before it has its verdict), so scripts and CI logs compare run to run.
    let mut held: Vec<Option<crate::check::CaseResult>> = vec![None; runs_planned];
    let mut printed = 0;
    let mut interrupted = false;
    loop {
        let (index, result) = tokio::select! {
            event = finished.recv() => match event {
                Some(CaseEvent::Finished { index, result }) => (index, *result),
                Some(CaseEvent::Started { .. }) => continue,
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
        match held.get_mut(index) {
            Some(slot) => *slot = Some(result),
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
    Ok(run_exit_code(&results, &totals))
}

/// API and network errors keep their own codes; failed expectations are 1. A case whose input
/// proved invalid only as it ran (its survey answers against the survey fetched) is 2, "nothing
/// was sent", only when no case sent anything; otherwise it is a case that failed, 1.
fn run_exit_code(results: &[crate::check::CaseResult], totals: &report::Totals) -> i32 {
    let sent = results.iter().any(|r| r.uri.is_some());
    let invalid = |code: &i32| *code == exit::USAGE;
    let error = results
        .iter()
        .filter_map(|r| r.error_kind.map(exit::of))
        .find(|code| !(sent && invalid(code)));
    let case_failed = totals.failed > 0 || results.iter().any(|r| r.error_kind.is_some());
    error.unwrap_or(if case_failed {
        exit::EXPECTATION_FAILED
    } else {
        exit::OK
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ErrorKind;
    use crate::check::CaseResult;

    fn case(uri: Option<&str>, error: Option<ErrorKind>, passed: bool) -> CaseResult {
        CaseResult {
            name: "c".into(),
            repeat: 1,
            passed,
            uri: uri.map(str::to_string),
            error_kind: error,
            error: error.map(|_| "e".into()),
            ..CaseResult::default()
        }
    }

    fn code(results: &[CaseResult]) -> i32 {
        run_exit_code(results, &report::Totals::of(results, 1))
    }

    #[test]
    fn invalid_input_found_while_running_is_2_only_when_nothing_was_sent() {
        let invalid = case(None, Some(ErrorKind::Invalid), false);
        let sent = case(Some("http://x/chat/A"), None, true);
        assert_eq!(code(std::slice::from_ref(&invalid)), exit::USAGE);
        assert_eq!(code(&[sent.clone(), invalid]), exit::EXPECTATION_FAILED);
        // Other errors keep their codes, whatever was sent.
        let refused = case(None, Some(ErrorKind::Refused), false);
        assert_eq!(code(&[sent.clone(), refused]), exit::REFUSED);
        assert_eq!(code(&[sent]), exit::OK);
    }
}
