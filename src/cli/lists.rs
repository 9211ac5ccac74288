//! The listing commands: profiles, history, and shell completions.

use serde_json::json;

use super::args::{CompletionsArgs, HistoryArgs, ProfilesArgs};
use super::context::Context;
use super::exit;
use super::print::{Output, note, say};
use super::run::{Failure, Outcome};
use crate::config::Profile;

fn endpoint(profile: &Profile) -> String {
    match (&profile.base_url, &profile.domain, &profile.account) {
        (Some(url), _, _) => url.clone(),
        (None, Some(domain), _) => domain.clone(),
        (None, None, Some(_)) => format!(
            "discovered via {}",
            profile
                .csds_url
                .as_deref()
                .unwrap_or(crate::api::client::DEFAULT_CSDS_URL)
        ),
        (None, None, None) => "-".into(),
    }
}

pub fn profiles(ctx: &Context, args: &ProfilesArgs) -> Outcome {
    let default = ctx.config.file.default_profile.as_deref();
    let path = ctx
        .config
        .path
        .as_ref()
        .map_or("(no config directory)".into(), |p| p.display().to_string());
    // Said, not fatal: listing the profiles is how one finds what the default should name.
    let output = Output::new(args.output);
    if let Some(name) = default.filter(|name| !ctx.config.file.profiles.contains_key(*name)) {
        note(format!(
            "warning: default_profile = \"{name}\" in {path} names no profile: commands without --profile fail until it names one of these (or is removed)"
        ));
    }
    if ctx.config.file.profiles.is_empty() {
        output.text(format!(
            "no profiles in {path}; see assets/config.example.toml"
        ));
        return Ok(exit::OK);
    }
    for (name, profile) in &ctx.config.file.profiles {
        let flow = if profile.auth { "auth" } else { "request" };
        let skill = &profile.request.skill;
        let marker = if Some(name.as_str()) == default {
            "*"
        } else {
            " "
        };
        let account = profile.account.as_deref().unwrap_or("-");
        let shown_skill = if skill.is_empty() { "-" } else { skill };
        output.emit(
            format!(
                "{marker} {name:<16} {flow:<8} account {account:<10} skill {shown_skill:<12} {}",
                endpoint(profile)
            ),
            &json!({"type": "profile", "name": name, "default": Some(name.as_str()) == default,
                    "endpoint": endpoint(profile), "account": profile.account, "skill": skill,
                    "flow": flow, "format": profile.format.unwrap_or_default().as_str()}),
        );
    }
    output.text(format!("\n(from {path})"));
    Ok(exit::OK)
}

pub fn history(ctx: &Context, args: &HistoryArgs) -> Outcome {
    let Some(history) = &ctx.history else {
        return Err(Failure::usage(
            "no data directory on this system: set CHATSTART_DATA_DIR",
        ));
    };
    let listing = ctx.history_listing()?;
    let entries = listing.entries;
    let filter = ctx.profile_name.as_deref();
    let shown = entries
        .iter()
        .filter(|e| filter.is_none() || e.session.profile.as_deref() == filter)
        // A lost answer may have left a chat in a queue: it is listed with the open ones.
        .filter(|e| !args.open || e.is_open() || e.may_exist_unreachable());
    let output = Output::new(args.output);
    let mut any = false;
    for entry in shown {
        any = true;
        if output.is_json() {
            let mut object = serde_json::Map::new();
            object.insert("type".into(), json!("history"));
            if let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(entry) {
                object.extend(fields);
            }
            output.json(&serde_json::Value::Object(object));
        } else {
            let session = &entry.session;
            let profile = session.profile.as_deref().unwrap_or("-");
            let skill = if session.skill.is_empty() {
                "-".into()
            } else {
                crate::terminal_text::clipped(&session.skill, 40)
            };
            let agent = entry
                .agent
                .as_deref()
                .map(|a| format!(" ({a})"))
                .unwrap_or_default();
            let uri = if session.uri.is_empty() {
                "- (its answer was lost: a chat may exist; look in the agent queue)".to_string()
            } else if session.demo {
                format!("{} (demo: gone with its console)", session.uri)
            } else {
                session.uri.clone()
            };
            say(format!(
                "{}  {:<8}{agent:<10} {:<7} {profile:<12} {skill:<10} {uri}",
                session.time,
                session.state,
                format!("{:?}", session.flow).to_lowercase(),
            ));
            // What the visitor did in the chat, under it.
            for done in &session.visitor {
                say(format!("    {}  {}", done.time, done.describe()));
            }
        }
    }
    if !any && !output.is_json() {
        let what = if args.open {
            "open sessions"
        } else {
            "sessions"
        };
        let whose = filter
            .map(|p| format!(" of profile `{p}`"))
            .unwrap_or_default();
        say(format!("no {what}{whose} in {}", history.path().display()));
    }
    // Offline surveys belong to no chat: listed apart, and never open.
    let surveys: Vec<&crate::history::OfflineSurveyRecord> = listing
        .offline_surveys
        .iter()
        .filter(|s| filter.is_none() || s.profile.as_deref() == filter)
        .filter(|_| !args.open)
        .collect();
    if !surveys.is_empty() {
        output.text("offline surveys submitted:");
    }
    for survey in surveys {
        let mut object = serde_json::Map::new();
        object.insert("type".into(), json!("historyOfflineSurvey"));
        if let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(survey) {
            object.extend(fields);
        }
        output.emit(
            format!("{}  {}", survey.time, survey.describe()),
            &serde_json::Value::Object(object),
        );
    }
    Ok(exit::OK)
}

pub fn completions(args: &CompletionsArgs) -> Outcome {
    use clap::CommandFactory;
    let mut command = super::Cli::command();
    clap_complete::generate(
        args.shell,
        &mut command,
        "chatstart",
        &mut std::io::stdout(),
    );
    Ok(exit::OK)
}
