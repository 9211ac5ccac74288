//! The headless command line: flags, runners, output. Uses the same client and tracker as the
//! console.

pub mod args;
pub mod burst;
pub mod check;
pub mod cleanup;
pub mod context;
pub mod exit;
pub mod input;
pub mod interrupt;
pub mod lists;
pub mod print;
pub mod run;
pub mod survey;
pub mod visitor;

pub use args::{Cli, Command};
pub use context::Context;

/// Runs a headless command and returns its exit code; errors are reported on stderr.
pub async fn execute(cli: Cli) -> i32 {
    let output = print::Output::new(
        cli.command
            .as_ref()
            .map_or(args::OutputArg::Text, Command::output),
    );
    let outcome = dispatch(cli).await;
    match outcome {
        Ok(code) => code,
        Err(failure) => {
            output.failure(&failure);
            failure.code
        }
    }
}

/// A usage error of the command line (clap's) as an `error` JSON line, when the arguments ask
/// for JSON output (`--output json`); `None` for help and version, which are no errors, and for
/// text output, which clap says itself.
pub fn usage_error_as_json(
    error: &clap::Error,
    arguments: impl IntoIterator<Item = std::ffi::OsString>,
) -> Option<serde_json::Value> {
    let arguments: Vec<std::ffi::OsString> = arguments.into_iter().collect();
    let asks_json = arguments
        .windows(2)
        .any(|pair| pair[0] == "--output" && pair[1] == "json")
        || arguments.iter().any(|argument| argument == "--output=json");
    if !asks_json || !error.use_stderr() {
        return None;
    }
    let rendered = error.render().to_string();
    let mut lines = rendered.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or_default();
    let message = first.strip_prefix("error: ").unwrap_or(first);
    let hint = lines
        .find_map(|line| line.strip_prefix("tip: "))
        .map(str::to_string);
    Some(serde_json::json!({"type": "error", "code": exit::USAGE,
                            "message": message, "why": null, "hint": hint}))
}

async fn dispatch(cli: Cli) -> run::Outcome {
    let Some(command) = cli.command else {
        return Err(run::Failure::usage(
            "no command: the console runs from main",
        ));
    };
    if let Command::Completions(args) = &command {
        return lists::completions(args);
    }
    if let Command::Emulator(args) = command {
        return emulator(args).await;
    }
    crate::start::log::start(cli.log_file.as_deref())?;
    let (config, profile) = (cli.config.as_deref(), cli.profile.as_deref());
    // Each command fails only on the config problems it depends on.
    let ctx = match &command {
        Command::History(_) => Context::without_config(profile),
        Command::Profiles(_) => Context::for_listing(config, profile)?,
        Command::End(args) if args.all_open => Context::for_cleanup(config, profile),
        _ => Context::load(config, profile)?,
    }
    .with_journal_choice(cli.no_journal);
    match command {
        Command::Request(args) => run::request(&ctx, args).await,
        Command::Auth(args) => run::auth(&ctx, args).await,
        Command::Watch(args) => run::watch(&ctx, args).await,
        Command::Info(args) => run::info(&ctx, args).await,
        Command::Send(args) => run::send(&ctx, args).await,
        Command::End(args) => run::end(&ctx, args).await,
        Command::Survey(args) => run::survey(&ctx, args).await,
        Command::ExitSurvey(args) => visitor::exit_survey(&ctx, args).await,
        Command::Transcript(args) => visitor::transcript(&ctx, args).await,
        Command::OfflineSurvey(args) => visitor::offline_survey(&ctx, args).await,
        Command::Availability(args) => run::availability(&ctx, args).await,
        Command::Burst(args) => burst::run(&ctx, args).await,
        Command::Check(args) => check::run(&ctx, args).await,
        Command::Profiles(args) => lists::profiles(&ctx, &args),
        Command::History(args) => lists::history(&ctx, &args),
        Command::Tui(_) | Command::Emulator(_) | Command::Completions(_) => {
            Err(run::Failure::usage("handled elsewhere"))
        }
    }
}

async fn emulator(args: args::EmulatorArgs) -> run::Outcome {
    let scenario = match &args.scenario {
        Some(path) => {
            crate::emulator::Scenario::load(path).map_err(|e| run::Failure::usage(e.to_string()))?
        }
        None => crate::emulator::Scenario::demo(),
    };
    let mut scenario = scenario;
    scenario.faults.extend(args.faults);
    crate::emulator::run_standalone(scenario, args.port)
        .await
        .map_err(|e| {
            let in_use = e
                .downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::AddrInUse);
            if in_use {
                run::Failure {
                    code: exit::FAILURE,
                    message: format!(
                        "emulator: port {} on 127.0.0.1 is in use (another emulator?)",
                        args.port
                    ),
                    hint: Some(
                        "stop what listens there, or take another port: --port 0 picks a free one and prints it"
                            .into(),
                    ),
                    why: None,
                }
            } else {
                run::Failure {
                    code: exit::FAILURE,
                    message: format!("emulator: {e:#}"),
                    hint: None,
                    why: None,
                }
            }
        })?;
    Ok(exit::OK)
}
