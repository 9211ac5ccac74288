//! Ending chats: one by its URI, or every chat chatstart started that was never seen ended
//! (orphan cleanup), so no check or burst leaves chats waiting in a real agent queue.
//!
//! Each history entry is ended the way it was made: its own profile (which knows where its
//! appKey comes from), the appKey placement and format the record kept, its own endpoint and
//! account. Flags and the environment still win, as everywhere.

use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal};

use serde_json::json;

use reqwest::Url;

use super::args::{ConnectionArgs, EndArgs};
use super::context::Context;
use super::exit;
use super::print::{Output, ask, note};
use super::run::{Failure, Outcome, connect};
use crate::api::error::NetworkFailure;
use crate::api::{ApiError, ChatApi};
use crate::history::{Entry, GONE, History};
use crate::plural::count;
use crate::start::{ConnectionSpec, StartSpec};

/// How a chat came to be over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// chatstart ended it.
    Ended,
    /// It was over already: 404 `Chat session not found` (Q28). Nothing is left in a queue.
    AlreadyGone,
    /// It was over already: the service still has it, ended. No end was sent (a server may
    /// refuse a second one, §2.12).
    AlreadyEnded,
}

impl Ending {
    /// Its name in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ended => "ended",
            Self::AlreadyEnded => "alreadyEnded",
            Self::AlreadyGone => "alreadyGone",
        }
    }

    /// The `end` JSON line for the chat at `uri` (shown, appKey masked).
    pub fn to_json(self, uri: &str) -> serde_json::Value {
        serde_json::json!({"type": "end", "uri": uri, "ending": self.as_str()})
    }

    /// What happened, for people: `ended URI`, or why nothing was sent.
    pub fn describe(self, uri: &str) -> String {
        match self {
            Self::Ended => format!("ended {uri}"),
            Self::AlreadyEnded => format!("{uri}: {ALREADY_ENDED}"),
            Self::AlreadyGone => format!("{uri}: {ALREADY_GONE}"),
        }
    }
}

/// Ends the chat at `uri`. A chat that is gone or ended already counts as ended.
pub async fn end_chat(api: &ChatApi, uri: &str) -> Result<Ending, ApiError> {
    match api.end_session(uri).await {
        Ok(true) => Ok(Ending::Ended),
        Ok(false) => Ok(Ending::AlreadyEnded),
        Err(error) if is_gone(&error) => Ok(Ending::AlreadyGone),
        Err(error) => Err(error),
    }
}

/// A 404 for the chat itself; an unknown path (internalCode 28) says the address is wrong, not
/// that the chat is over.
pub(crate) fn is_gone(error: &ApiError) -> bool {
    matches!(
        error,
        ApiError::Status { status: 404, internal_code, .. } if *internal_code != Some(28)
    )
}

/// The note for a chat the service shows ended already.
pub const ALREADY_ENDED: &str = "already ended: no end sent, nothing left in a queue";

/// The note for a chat that was over already.
pub const ALREADY_GONE: &str = "already over (404 Chat session not found): nothing left in a queue";

/// The entries to end, grouped by how they are reached, so each profile's secret is asked for
/// once and one client serves each group.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Group {
    profile: Option<String>,
    origin: String,
    account: String,
    app_key_in: Option<crate::api::AppKeyPlacement>,
    format: Option<crate::api::Format>,
}

impl Group {
    fn of(entry: &Entry) -> Self {
        let session = &entry.session;
        Self {
            profile: session.profile.clone(),
            origin: Url::parse(&session.uri)
                .map(|u| u.origin().ascii_serialization())
                .unwrap_or_else(|_| session.base_url.clone()),
            account: session.account.clone(),
            app_key_in: session.app_key_in,
            format: session.format,
        }
    }
}

pub async fn end_all_open(ctx: &Context, args: &EndArgs) -> Outcome {
    let Some(history) = &ctx.history else {
        return Err(Failure::usage(
            "no data directory on this system: set CHATSTART_DATA_DIR",
        ));
    };
    let filter = ctx.profile_name.as_deref();
    let entries: Vec<Entry> = ctx
        .history_entries()?
        .into_iter()
        .filter(|e| filter.is_none() || e.session.profile.as_deref() == filter)
        .collect();
    // Requests whose answer never came may have made chats with no URI to end them by: said,
    // so "no open chats" is not taken for "nothing left".
    let unknown = entries
        .iter()
        .filter(|e| e.session.uri.is_empty() && e.session.state == crate::history::UNKNOWN)
        .count();
    if unknown > 0 {
        super::print::note(format!(
            "note: {} in the history never got {} answer: a chat may exist for each, with no URI to end it by — look in the agent queue (`chatstart history` lists them)",
            crate::plural::count(unknown, "chat request", "chat requests"),
            crate::plural::noun(unknown, "its", "their")
        ));
    }
    let open: Vec<Entry> = entries.into_iter().filter(Entry::is_open).collect();
    let output = Output::new(args.output);
    if open.is_empty() {
        output.emit("no open chats in the history", &Tally::default().to_json(0));
        return Ok(exit::OK);
    }
    for entry in &open {
        output.text(format!(
            "{}  {:<8} {}",
            entry.session.time, entry.session.state, entry.session.uri
        ));
    }
    if !args.yes && !confirm(open.len())? {
        output.emit("nothing ended", &Tally::default().to_json(open.len()));
        return Ok(exit::OK);
    }
    // In the order first seen (newest first); a handful of groups, so a plain list.
    let mut groups: Vec<(Group, Vec<&Entry>)> = Vec::new();
    for entry in &open {
        let group = Group::of(entry);
        match groups.iter_mut().find(|(g, _)| *g == group) {
            Some((_, entries)) => entries.push(entry),
            None => groups.push((group, vec![entry])),
        }
    }
    let mut tally = Tally::default();
    let mut profiles = Profiles::default();
    for (group, entries) in &groups {
        let record = entries.first().map(|e| &e.session);
        let api = record
            .ok_or_else(|| Failure::usage("no chat in the group"))
            .and_then(|record| profiles.connection(ctx, &args.connection, group, record))
            .and_then(|connection| {
                let first = entries
                    .first()
                    .and_then(|e| Url::parse(&e.session.uri).ok());
                connect(&connection, first.as_ref())
            });
        let api = match api {
            Ok(api) => api,
            Err(failure) => {
                // The message names the profile (or its absence) already.
                for entry in entries {
                    output.json(&json!({"type": "end", "uri": entry.session.uri,
                                        "ending": "failed", "error": failure.message}));
                }
                note(format!(
                    "could not end {}: {}",
                    count(entries.len(), "chat", "chats"),
                    failure.message
                ));
                tally.failed += entries.len();
                tally.failure.get_or_insert(failure);
                continue;
            }
        };
        // Every chat here is one the history kept: the service named its host.
        for entry in entries {
            api.named_by_service(&entry.session.uri);
        }
        for entry in entries {
            tally.end(&api, history, entry, output).await;
        }
    }
    let mut summary = format!("ended {} of {}", tally.ended, open.len());
    if tally.already_over > 0 {
        summary.push_str(&format!(
            "; {} {} already over (no end sent)",
            tally.already_over,
            crate::plural::noun(tally.already_over, "was", "were")
        ));
    }
    if tally.gone > 0 {
        summary.push_str(&format!(
            "; {} {} on an emulator that no longer runs on this machine, gone with it (marked gone)",
            tally.gone,
            crate::plural::noun(tally.gone, "was", "were")
        ));
    }
    output.emit(summary, &tally.to_json(open.len()));
    match tally.failure {
        Some(failure) => Err(failure),
        None => Ok(exit::OK),
    }
}

/// What the cleanup did so far.
#[derive(Debug, Default)]
struct Tally {
    /// Chats an end was sent to.
    ended: usize,
    /// Chats the service already had ended (or no longer had): nothing was sent.
    already_over: usize,
    gone: usize,
    failed: usize,
    failure: Option<Failure>,
}

impl Tally {
    /// The `cleanup` JSON line: how many chats were open, and what became of them.
    fn to_json(&self, open: usize) -> serde_json::Value {
        json!({"type": "cleanup", "open": open, "ended": self.ended,
               "alreadyOver": self.already_over, "gone": self.gone, "failed": self.failed})
    }

    async fn end(&mut self, api: &ChatApi, history: &History, entry: &Entry, output: Output) {
        let uri = entry.session.uri.as_str();
        // The end call is part of the chat's evidence: it goes to the chat's journal.
        let journal = history.journal_of(&entry.session);
        let api = &api.journaled(journal.as_ref().map(crate::journal::Journal::observer));
        match end_chat(api, uri).await {
            Ok(ending) => {
                output.json(&ending.to_json(uri));
                if ending == Ending::Ended {
                    self.ended += 1;
                } else {
                    note(ending.describe(uri));
                    self.already_over += 1;
                }
                remember(history.state(uri, "ended", None));
            }
            // An emulator on loopback that no longer answers held its chats in memory: they
            // ended with it, and no real queue holds them. A real service that cannot be
            // reached is a failure: its chats may still be waiting.
            Err(error) if emulator_gone(&error, uri) => {
                output.json(&json!({"type": "end", "uri": uri, "ending": "gone"}));
                note(format!(
                    "{uri}: nothing answers on this machine's {} any more: the emulator that held the chat has stopped",
                    Url::parse(uri)
                        .map(|u| u.origin().ascii_serialization())
                        .unwrap_or_default()
                ));
                self.gone += 1;
                remember(history.state(uri, GONE, None));
            }
            Err(error) => {
                let shown = error.to_string();
                output
                    .json(&json!({"type": "end", "uri": uri, "ending": "failed", "error": shown}));
                note(format!("could not end {uri}: {shown}"));
                self.failed += 1;
                self.failure.get_or_insert_with(|| error.into());
            }
        }
    }
}

/// A refused connection to the chat's own address (used verbatim, Q5), plain http on loopback:
/// nothing listens there any more. Over https a loopback address is a tunnel to a real service
/// (its certificate names the service), whose chats may still wait: that is a failure to say,
/// not a chat to forget.
fn emulator_gone(error: &ApiError, uri: &str) -> bool {
    let refused = matches!(
        error,
        ApiError::Network {
            failure: NetworkFailure::Connect,
            ..
        }
    );
    refused && Url::parse(uri).is_ok_and(|u| u.scheme() == "http" && is_loopback(&u))
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(address)) => address.is_loopback(),
        Some(url::Host::Ipv6(address)) => address.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Each profile's appKey, resolved (its secret asked for) once.
#[derive(Default)]
struct Profiles {
    app_keys: BTreeMap<Option<String>, Result<Option<crate::secret::Secret>, String>>,
    /// Profiles said to be missing from the config file (said once).
    missing: std::collections::BTreeSet<String>,
}

impl Profiles {
    /// The connection for a group: the flags (and environment) over what the record kept
    /// (where, placement, format, account: how the chat was really made) over the entry's
    /// profile. The chat's URI is used as it is, whatever the endpoint (Q5).
    fn connection(
        &mut self,
        ctx: &Context,
        flags: &ConnectionArgs,
        group: &Group,
        record: &crate::history::SessionRecord,
    ) -> Result<ConnectionSpec, Failure> {
        let profile =
            profile_of(ctx, group.profile.as_deref(), &mut self.missing).map_err(Failure::usage)?;
        let mut top = StartSpec {
            connection: flags.spec(),
            ..StartSpec::default()
        };
        if top.connection.app_key.is_none() {
            // Resolved here once per profile, so the layers below find it given.
            top.connection.app_key = self
                .app_keys
                .entry(group.profile.clone())
                .or_insert_with(|| match profile {
                    Some((name, profile)) => profile
                        .app_key_source()
                        .resolve("appKey")
                        .map_err(|e| format!("profile `{name}`: appKey: {e}")),
                    None => Ok(None),
                })
                .clone()
                .map_err(Failure::usage)?;
        }
        let layered = crate::start::layer(&top, Some(record), profile, &StartSpec::default())?;
        if layered.connection.app_key.is_none() {
            return Err(Failure::usage(match &group.profile {
                Some(name) => format!(
                    "the appKey is required: profile `{name}` names no source (app_key_env, app_key_cmd, app_key_prompt); or give --app-key or CHATSTART_APP_KEY"
                ),
                None => "the appKey is required for chats made without a profile: --app-key KEY or CHATSTART_APP_KEY".into(),
            }));
        }
        Ok(layered.connection)
    }
}

/// The entry's profile; none when the entry names none, or one no longer in the config file
/// (said: its chats are ended with the flags and what the history kept).
fn profile_of<'a>(
    ctx: &'a Context,
    name: Option<&'a str>,
    missing: &mut std::collections::BTreeSet<String>,
) -> Result<Option<(&'a str, &'a crate::config::Profile)>, String> {
    let Some(name) = name else {
        return Ok(None);
    };
    if let Some(problem) = &ctx.config_problem {
        return Err(format!("profile `{name}`: {problem}"));
    }
    match ctx.config.file.profiles.get(name) {
        Some(profile) => Ok(Some((name, profile))),
        None => {
            if !missing.insert(name.to_string()) {
                return Ok(None);
            }
            note(format!(
                "warning: profile `{name}` is no longer in {}: its chats are ended with the flags and what the history kept",
                ctx.config
                    .path
                    .as_ref()
                    .map_or("the config file".into(), |p| p.display().to_string())
            ));
            Ok(None)
        }
    }
}

/// History is a convenience: failing to write it is said, never fatal.
fn remember(result: std::io::Result<()>) {
    if let Err(error) = result {
        note(format!("warning: could not write the history: {error}"));
    }
}

fn confirm(open: usize) -> Result<bool, Failure> {
    if !std::io::stdin().is_terminal() {
        return Err(Failure::usage(
            "not asking without a terminal: add --yes to end them",
        ));
    }
    ask(format!(
        "End these {}? [y/N] ",
        count(open, "chat", "chats")
    ));
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

#[cfg(test)]
mod gone_tests {
    use super::*;

    fn refused() -> ApiError {
        ApiError::Network {
            operation: crate::api::Operation::Session,
            failure: NetworkFailure::Connect,
            detail: "connection refused".into(),
            timeout: std::time::Duration::from_secs(30),
        }
    }

    #[test]
    fn only_a_plain_http_loopback_chat_is_gone_with_its_emulator() {
        assert!(emulator_gone(
            &refused(),
            "http://127.0.0.1:8480/api/account/1/chat/A"
        ));
        assert!(emulator_gone(
            &refused(),
            "http://localhost:8480/api/account/1/chat/A"
        ));
        // A tunnel to the real service: its chats may wait in a real queue.
        assert!(!emulator_gone(
            &refused(),
            "https://localhost:8443/api/account/1/chat/A"
        ));
        assert!(!emulator_gone(
            &refused(),
            "http://chat.example/api/account/1/chat/A"
        ));
    }
}
