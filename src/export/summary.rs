//! The bundle's `summary.md`: a session's ids (what a LivePerson support ticket asks for) and
//! its timeline — requested, queued, accepted after how long, ended when and by whom — with the
//! exchanges counted and the notes a reader must know. No I/O.

use std::fmt::Write;

use super::clock;
use super::story::{Item, Story, When};
use super::transcript::markdown;
use super::{Loaded, chat_id};
use crate::api::Operation;
use crate::api::model::{ChatState, system_message};

/// The summary of `loaded`, read into `story` (`None`: no exchange was kept).
pub fn render(loaded: &Loaded, story: Option<&Story>) -> String {
    let record = &loaded.entry.session;
    let ids = story.map(|s| s.ids.clone()).unwrap_or_default();
    let mut out = String::from("# Session summary\n\n## Ids\n\n");
    let flow = format!("{:?}", record.flow).to_lowercase();
    let rows: [(&str, Option<String>); 17] = [
        ("account", Some(record.account.clone())),
        ("chat id", chat_id(record).map(str::to_string)),
        ("session URI", Some(record.uri.clone())),
        ("rtSessionId", ids.rt_session_id),
        ("visitorId", ids.visitor_id),
        ("visitorSessionId", ids.visitor_session_id),
        ("LETagVisitorId", ids.le_visitor_id),
        ("LETagSessionId", ids.le_session_id),
        ("LETagContextId", ids.le_context_id),
        ("engagementId", ids.engagement_id),
        ("campaignId", ids.campaign_id),
        (
            "skill",
            ids.skill_name
                .or_else(|| Some(record.skill.clone()))
                .map(|skill| match &ids.skill_id {
                    Some(id) => format!("{skill} (skillId {id})"),
                    None => skill,
                }),
        ),
        (
            "agent",
            ids.agent_name
                .or_else(|| loaded.entry.agent.clone())
                .map(|agent| match &ids.agent_id {
                    Some(id) => format!("{agent} (agentId {id})"),
                    None => agent,
                }),
        ),
        ("flow", Some(flow)),
        ("profile", record.profile.clone()),
        ("auth connector", record.auth_conn_id.clone()),
        ("journal", record.journal.clone()),
    ];
    for (name, value) in rows {
        if let Some(value) = value.filter(|v| !v.trim().is_empty()) {
            let _ = writeln!(out, "- {name}: {}", markdown(&value));
        }
    }
    out.push_str("\n## Timeline\n\n");
    match story {
        Some(story) => timeline(&mut out, loaded, story),
        None => {
            let _ = writeln!(out, "- requested: {}", record_time(&record.time));
            let agent = loaded
                .entry
                .agent
                .as_deref()
                .map(|a| format!(" (agent {})", markdown(a)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "- last state learnt: {}{agent}, at {}",
                markdown(&record.state),
                markdown(&loaded.entry.updated)
            );
        }
    }
    if !loaded.notes.is_empty() {
        out.push_str("\n## Notes\n\n");
        for note in &loaded.notes {
            let _ = writeln!(out, "- {}", markdown(note));
        }
    }
    out
}

fn timeline(out: &mut String, loaded: &Loaded, story: &Story) {
    let record = &loaded.entry.session;
    match story.requested {
        Some(at) => {
            let _ = writeln!(out, "- requested: {}", clock::utc(at));
        }
        None => {
            let _ = writeln!(out, "- requested: {}", record_time(&record.time));
        }
    }
    if record.uri.is_empty() {
        no_chat(out, loaded);
        let _ = writeln!(
            out,
            "- exchanges: {} ({} failed)",
            story.exchanges, story.failed
        );
        return;
    }
    let queued = story.first_state(&ChatState::Waiting);
    let accepted = story.first_state(&ChatState::Chatting);
    let ended = story.first_state(&ChatState::Ended);
    if let Some(queued) = queued {
        let _ = writeln!(out, "- queued (waiting): {}", at(queued));
    }
    if let Some(accepted) = accepted {
        // Both times by the service's clock when it gave them; else from the request, sent
        // by this machine's.
        let since = queued.and_then(|q| q.when.instant()).or(story.requested);
        let after = since
            .zip(accepted.when.instant())
            .and_then(|(from, to)| clock::seconds_between(from, to))
            .map(|seconds| format!(" after {seconds} s"))
            .unwrap_or_default();
        let _ = writeln!(out, "- accepted (chatting){after}: {}", at(accepted));
    } else {
        out.push_str("- accepted: not seen\n");
    }
    let visitor_end = story.visitor_ended();
    match (ended, visitor_end) {
        (Some(ended), _) => {
            let _ = writeln!(
                out,
                "- ended: {}, {}",
                at(ended),
                ended_by(story, visitor_end, ended)
            );
        }
        (None, Some(end)) => {
            let _ = writeln!(
                out,
                "- ended by the visitor (our end call) at {}; the ended state was not seen",
                at(end)
            );
        }
        (None, None) => {
            let _ = writeln!(
                out,
                "- ended: not seen (last state learnt: {})",
                markdown(&record.state)
            );
        }
    }
    let _ = writeln!(
        out,
        "- exchanges: {} ({} failed)",
        story.exchanges, story.failed
    );
}

/// A time the history kept (RFC 3339, to the second), written as the journal's times are.
fn record_time(time: &str) -> String {
    humantime::parse_rfc3339_weak(time).map_or_else(|_| markdown(time), clock::utc)
}

/// A request that made no chat, or whose answer never came: what its last call was answered.
fn no_chat(out: &mut String, loaded: &Loaded) {
    let _ = writeln!(out, "{}", no_chat_line(loaded));
}

/// The line that says it: `- no chat was made: …` or `- its answer was lost …`.
pub(super) fn no_chat_line(loaded: &Loaded) -> String {
    let last_call = loaded.journal.as_ref().and_then(|journal| {
        journal.entries.iter().rev().find(|entry| {
            matches!(
                entry.operation,
                Operation::ChatRequest | Operation::Authenticate
            )
        })
    });
    let answered = last_call.map(|entry| match (entry.status, &entry.error) {
        (Some(status), _) => format!(
            "the {} was answered HTTP {status}{}",
            entry.operation,
            service_message(entry)
                .map(|message| format!(": “{}”", markdown(&message)))
                .unwrap_or_default()
        ),
        // The error already names the call ("chat request failed: could not connect …").
        (None, Some(error)) => markdown(error),
        (None, None) => format!("the {} got no answer", entry.operation),
    });
    if loaded.entry.session.state == crate::history::NOT_CREATED {
        format!(
            "- no chat was made{}",
            answered.map(|a| format!(": {a}")).unwrap_or_default()
        )
    } else {
        format!(
            "- its answer was lost{}: a chat may exist with no URI to reach it by; look in the \
             skill's agent queue",
            answered.map(|a| format!(" ({a})")).unwrap_or_default()
        )
    }
}

/// The message of an error answer (`{"error":{"message":…}}` or its XML), as the service said
/// it; the journal masked any secret in it.
fn service_message(entry: &crate::journal::Entry) -> Option<String> {
    let body = entry.response_body.as_deref()?;
    let document = crate::api::format::decode(body).ok()?;
    let error = crate::api::value::field(&document, "error")?;
    crate::api::value::text_field(error, "message").filter(|m| !m.trim().is_empty())
}

/// Who ended the chat: the visitor when our end call went before the ended state was seen;
/// else the agent (system message 5) or the service.
fn ended_by(story: &Story, visitor_end: Option<&Item>, ended: &Item) -> &'static str {
    let ended_index = story.items.iter().position(|i| std::ptr::eq(i, ended));
    let end_index =
        visitor_end.and_then(|end| story.items.iter().position(|i| std::ptr::eq(i, end)));
    if let (Some(end), Some(seen)) = (end_index, ended_index) {
        if end < seen {
            return "by the visitor (our end call)";
        }
    }
    if story.has_system_message(system_message::AGENT_ENDED) {
        "by the agent"
    } else if story.has_system_message(system_message::DISCONNECTED) {
        "by the service (the chat was disconnected)"
    } else {
        "by the agent or the service (no end call of ours)"
    }
}

fn at(item: &Item) -> String {
    match &item.when {
        When::Server { given, at } => match at {
            Some(instant) => format!(
                "{} (service clock {})",
                clock::utc(*instant),
                markdown(given)
            ),
            None => markdown(given),
        },
        When::Sent(instant) => clock::utc(*instant),
        When::Unknown => "(no time given)".into(),
    }
}
