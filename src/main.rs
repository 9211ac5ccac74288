//! Entry point: parse arguments, dispatch, map the outcome to an exit code — nothing else.

use std::process::ExitCode;

use chatstart::cli::{Cli, Command};
use clap::Parser;

fn main() -> ExitCode {
    chatstart::contain::install_hook();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Scripts that asked for JSON get the usage error as a JSON line too.
        Err(error) => match chatstart::cli::usage_error_as_json(&error, std::env::args_os()) {
            Some(line) => {
                println!("{line}");
                return ExitCode::from(2);
            }
            None => error.exit(),
        },
    };
    let console = matches!(&cli.command, None | Some(Command::Tui(_)));
    if !console {
        restore_default_sigpipe();
    }
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
    let code = if console {
        runtime.block_on(chatstart::tui::launch(chatstart::cli::input::launch(&cli)))
    } else {
        runtime.block_on(chatstart::cli::execute(cli))
    };
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

/// `chatstart history | head -1`: once the reader has gone, the next write ends the command
/// quietly, as it does any Unix tool, instead of panicking in `println!`. Rust ignores SIGPIPE
/// by default; every headless command gets the default back (sockets are unaffected: the
/// standard library sends with `MSG_NOSIGNAL`, and children get the default anyway). The
/// console keeps Rust's choice: it writes to a terminal, and must never die without restoring
/// it.
fn restore_default_sigpipe() {
    #[cfg(unix)]
    {
        // SIGPIPE is 13 and SIG_DFL is 0 on every Unix Rust supports.
        const SIGPIPE: i32 = 13;
        const SIG_DFL: usize = 0;
        unsafe extern "C" {
            fn signal(signum: i32, handler: usize) -> usize;
        }
        // SAFETY: done first thing, before any other thread exists; `signal` with SIG_DFL
        // only changes the disposition of one signal.
        unsafe {
            signal(SIGPIPE, SIG_DFL);
        }
    }
}
