//! The headless command line: flags, runners, output. Uses the same client and tracker as the
//! console.

pub mod args;
pub mod burst;
pub mod check;
pub mod cleanup;
pub mod context;
pub mod interrupt;
pub mod lists;
pub mod print;
pub mod run;
pub mod survey;

pub use args::{Cli, Command};
pub use context::Context;

use crate::api::error::exit;

/// Runs a headless command and returns its exit code; errors are reported on stderr.
pub async fn execute(cli: Cli) -> i32 {
    let outcome = dispatch(cli).await;
    match outcome {
        Ok(code) => code,
        Err(failure) => {
            // Server messages are in these, so they are made safe for the terminal. Written
            // without panicking: after a hang-up stderr may be a terminal that is gone.
            interrupt::say(&format!(
                "error: {}",
                print::terminal_safe(&failure.message)
            ));
            if let Some(why) = failure.why {
                interrupt::say(&format!("why: {}", print::terminal_safe(&why)));
            }
            if let Some(hint) = failure.hint {
                interrupt::say(&format!("hint: {}", print::terminal_safe(&hint)));
            }
            failure.code
        }
    }
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
    context::start_log(cli.log_file.as_ref())?;
    let (config, profile) = (cli.config.as_deref(), cli.profile.as_deref());
    // Each command fails only on the config problems it depends on.
    let ctx = match &command {
        Command::History(_) => Context::without_config(profile),
        Command::Profiles(_) => Context::for_listing(config, profile)?,
        Command::End(args) if args.all_open => Context::for_cleanup(config, profile),
        _ => Context::load(config, profile)?,
    };
    match command {
        Command::Request(args) => run::request(&ctx, args).await,
        Command::Auth(args) => run::auth(&ctx, args).await,
        Command::Watch(args) => run::watch(&ctx, args).await,
        Command::Info(args) => run::info(&ctx, args).await,
        Command::Send(args) => run::send(&ctx, args).await,
        Command::End(args) => run::end(&ctx, args).await,
        Command::Survey(args) => run::survey(&ctx, args).await,
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
        .map_err(|e| run::Failure {
            code: exit::FAILURE,
            message: format!("emulator: {e:#}"),
            hint: None,
            why: None,
        })?;
    Ok(exit::OK)
}
