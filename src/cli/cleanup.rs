//! Orphan cleanup: end every chat chatstart started that was never seen ended, so no check or
//! burst leaves chats waiting in a real agent queue.

use std::io::{BufRead, IsTerminal, Write};

use super::args::EndArgs;
use super::context::Context;
use super::run::{Failure, Outcome, connect};
use crate::api::ApiError;
use crate::api::error::exit;

pub async fn end_all_open(ctx: &Context, args: &EndArgs) -> Outcome {
    let Some(history) = &ctx.history else {
        return Err(Failure::usage(
            "no data directory on this system: set CHATSTART_DATA_DIR",
        ));
    };
    let filter = ctx.profile_name.as_deref();
    let open: Vec<_> = history
        .entries()
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", history.path().display())))?
        .into_iter()
        .filter(|e| e.is_open() && (filter.is_none() || e.session.profile.as_deref() == filter))
        .collect();
    if open.is_empty() {
        println!("no open chats in the history");
        return Ok(exit::OK);
    }
    for entry in &open {
        println!(
            "{}  {:<8} {}",
            entry.session.time, entry.session.state, entry.session.uri
        );
    }
    if !args.yes && !confirm(open.len())? {
        println!("nothing ended");
        return Ok(exit::OK);
    }
    let connection = ctx.connection(&args.connection)?;
    let mut first_failure: Option<Failure> = None;
    let mut ended = 0;
    for entry in &open {
        let uri = &entry.session.uri;
        let Ok(parsed) = reqwest::Url::parse(uri) else {
            continue;
        };
        let api = connect(&connection, Some(&parsed))?;
        let result: Result<(), ApiError> = async {
            let events = api.events_link(uri).await?;
            api.end_chat(&events).await
        }
        .await;
        match result {
            // Gone already (Q28): it has ended, nothing left in a queue.
            Ok(()) | Err(ApiError::Status { status: 404, .. }) => {
                ended += 1;
                if let Err(error) = history.state(uri, "ended", None) {
                    eprintln!("warning: could not write the history: {error}");
                }
            }
            Err(error) => {
                eprintln!("could not end {uri}: {error}");
                first_failure.get_or_insert_with(|| error.into());
            }
        }
    }
    println!("ended {ended} of {}", open.len());
    match first_failure {
        Some(failure) => Err(failure),
        None => Ok(exit::OK),
    }
}

fn confirm(count: usize) -> Result<bool, Failure> {
    if !std::io::stdin().is_terminal() {
        return Err(Failure::usage(
            "not asking without a terminal: add --yes to end them",
        ));
    }
    print!("End these {count} chats? [y/N] ");
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}
