//! Entry point: parse arguments, dispatch, map the outcome to an exit code — nothing else.

use std::process::ExitCode;

use chatstart::cli::{Cli, Command};
use clap::Parser;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::from(4);
        }
    };
    let code = match &cli.command {
        None | Some(Command::Tui(_)) => runtime.block_on(chatstart::tui::launch(&cli)),
        Some(_) => runtime.block_on(chatstart::cli::execute(cli)),
    };
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}
