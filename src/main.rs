//! Entry point: parse arguments, dispatch, map the outcome to an exit code — nothing else.

use std::process::ExitCode;

use chatstart::cli::{Cli, Command};
use clap::Parser;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // One thread serves the console and one-shot commands: they wait on the network, and fewer
    // threads start faster and stay smaller. Burst and check run many chats at once.
    let many_chats = matches!(&cli.command, Some(Command::Burst(_) | Command::Check(_)));
    let mut builder = if many_chats {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    let runtime = match builder.enable_all().build() {
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
