//! The headless command line: flags, runners, output. Uses the same client and tracker as the
//! console.

pub mod args;
pub mod print;
pub mod run;
pub mod survey;

pub use args::{Cli, Command};

use crate::api::error::exit;

/// Runs a headless command and returns its exit code; errors are reported on stderr.
pub async fn execute(command: Command) -> i32 {
    let outcome = match command {
        Command::Request(args) => run::request(args).await,
        Command::Auth(args) => run::auth(args).await,
        Command::Watch(args) => run::watch(args).await,
        Command::Send(args) => run::send(args).await,
        Command::End(args) => run::end(args).await,
        Command::Survey(args) => run::survey(args).await,
        Command::Availability(args) => run::availability(args).await,
        Command::Emulator(args) => emulator(args).await,
        Command::Tui(_) => Err(run::Failure::usage("the console runs from main")),
    };
    match outcome {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("error: {}", failure.message);
            if let Some(hint) = failure.hint {
                eprintln!("hint: {hint}");
            }
            failure.code
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
    crate::emulator::run_standalone(scenario, args.port)
        .await
        .map_err(|e| run::Failure {
            code: exit::FAILURE,
            message: format!("emulator: {e:#}"),
            hint: None,
        })?;
    Ok(exit::OK)
}
