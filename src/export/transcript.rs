//! A chat as a Markdown transcript for a ticket: who said what and when — the service's clock
//! as it gave each time, and UTC — with system lines labelled, the pre-chat lines and answers
//! sent, the state changes, and what the visitor did (name, exit survey, transcript, end).
//! Agent typing is left out: it is not what was said. No I/O.

use std::fmt::Write;

use super::clock;
use super::story::{Answered, Author, Item, Story, SurveyAnswers, What, When};
use super::{Loaded, chat_id};
use crate::api::model::{ChatState, system_message};

/// The transcript of `loaded`, read into `story` (`None`: no exchange was kept).
pub fn render(loaded: &Loaded, story: Option<&Story>) -> String {
    let record = &loaded.entry.session;
    let mut out = String::new();
    let skill = story
        .and_then(|s| s.ids.skill_name.clone())
        .unwrap_or_else(|| record.skill.clone());
    let _ = writeln!(
        out,
        "# Chat transcript: {} · {}\n",
        markdown(if skill.is_empty() { "no skill" } else { &skill }),
        markdown(chat_id(record).unwrap_or("(no chat id)"))
    );
    let agent = story
        .and_then(|s| s.ids.agent_name.clone())
        .or_else(|| loaded.entry.agent.clone());
    for (name, value) in [
        ("Account", Some(record.account.clone())),
        (
            "Session URI",
            Some(record.uri.clone()).filter(|u| !u.is_empty()),
        ),
        ("Agent", agent),
        ("Last known state", Some(record.state.clone())),
    ] {
        if let Some(value) = value {
            let _ = writeln!(out, "- {name}: {}", markdown(&value));
        }
    }
    out.push_str(
        "\nEach time is the service's clock as it gave it, then UTC; the visitor's own actions \
         carry this machine's clock, in UTC.\n",
    );
    pre_chat(&mut out, story);
    out.push_str("\n## The chat\n\n");
    match story {
        Some(story) if !story.items.is_empty() => {
            for item in &story.items {
                item_line(&mut out, item);
            }
        }
        // A request that made no chat: what it was answered is the whole story.
        Some(_) if loaded.entry.session.uri.is_empty() => {
            out.push_str(&super::summary::no_chat_line(loaded));
            out.push('\n');
        }
        Some(_) => out.push_str("Nothing of the chat was seen in the exchanges kept.\n"),
        None => from_history(&mut out, loaded),
    }
    if !loaded.notes.is_empty() {
        out.push_str("\n## Notes\n\n");
        for note in &loaded.notes {
            let _ = writeln!(out, "- {}", markdown(note));
        }
    }
    out
}

fn pre_chat(out: &mut String, story: Option<&Story>) {
    let Some(story) = story else { return };
    if story.pre_chat_lines.is_empty() && story.pre_chat_survey.is_none() {
        return;
    }
    out.push_str("\n## Before the chat\n\n");
    if !story.pre_chat_lines.is_empty() {
        out.push_str("Pre-chat lines (shown to the agent only):\n\n");
        for line in &story.pre_chat_lines {
            let _ = writeln!(out, "- {}", markdown(line));
        }
    }
    if let Some(survey) = &story.pre_chat_survey {
        let _ = writeln!(out, "\nPre-chat survey{}:\n", survey_id(survey));
        answers(out, &survey.questions, "");
    }
}

fn survey_id(survey: &SurveyAnswers) -> String {
    survey
        .survey_id
        .as_deref()
        .map(|id| format!(" {}", markdown(id)))
        .unwrap_or_default()
}

fn answers(out: &mut String, questions: &[Answered], indent: &str) {
    if questions.is_empty() {
        let _ = writeln!(out, "{indent}- (no question answered)");
    }
    for question in questions {
        let asked = match &question.label {
            Some(label) => format!("{} ({})", markdown(label), markdown(&question.question_id)),
            None => format!("question {}", markdown(&question.question_id)),
        };
        let given: Vec<String> = question.answers.iter().map(|a| markdown(a)).collect();
        let _ = writeln!(out, "{indent}- {asked}: {}", given.join(", "));
    }
}

fn when(when: &When) -> String {
    match when {
        When::Server { given, at } => match at {
            Some(at) => format!("`{}` ({})", given.replace('`', "'"), clock::utc(*at)),
            None => format!("`{}`", given.replace('`', "'")),
        },
        When::Sent(at) => format!("{} (sent)", clock::utc(*at)),
        When::Unknown => "(no time given)".into(),
    }
}

fn refused(refused: Option<&String>) -> String {
    refused
        .map(|why| format!(" — not taken: {}", markdown(why)))
        .unwrap_or_default()
}

fn item_line(out: &mut String, item: &Item) {
    let at = when(&item.when);
    match &item.what {
        What::State(state) => {
            let meaning = match state {
                ChatState::Waiting => " (in the queue)",
                ChatState::Chatting => " (an agent accepted)",
                ChatState::Ended => " (the chat is over)",
                ChatState::Other(_) => "",
            };
            let _ = writeln!(
                out,
                "- {at} — state: **{}**{meaning}",
                markdown(state.as_str())
            );
        }
        What::Line {
            author,
            text,
            pre_chat_echo,
            agents_only,
        } => {
            let who = match author {
                Author::Visitor => "**Visitor**".to_string(),
                Author::Agent(Some(name)) => format!("**{}** (agent)", markdown(name)),
                Author::Agent(None) => "**Agent**".to_string(),
                Author::System(id) => {
                    let about = match id {
                        _ if *pre_chat_echo => " (a pre-chat line echoed)".to_string(),
                        Some(id) => match system_message::meaning(*id) {
                            Some(meaning) => format!(" (message {id}: {meaning})"),
                            None => format!(" (message {id})"),
                        },
                        None => String::new(),
                    };
                    format!("**System**{about}")
                }
                Author::Other(source) => format!("**{}**", markdown(source)),
            };
            let only = if *agents_only {
                " _(meant for agents only)_"
            } else {
                ""
            };
            let _ = writeln!(out, "- {at} — {who}{only}: {}", block(text));
        }
        What::Url(url) => {
            let _ = writeln!(out, "- {at} — the agent pushed a link: {}", markdown(url));
        }
        What::Transfer { domain, skill } => {
            let _ = writeln!(
                out,
                "- {at} — a transfer to another account was offered (domain {}, skill {}); not followed",
                markdown(domain.as_deref().unwrap_or("?")),
                markdown(skill.as_deref().unwrap_or("?"))
            );
        }
        What::OtherEvent(type_name) => {
            let _ = writeln!(out, "- {at} — an event of type `{}`", markdown(type_name));
        }
        What::VisitorNamed { name, refused: why } => {
            let _ = writeln!(
                out,
                "- {at} — **Visitor** set their name: {}{}",
                markdown(name),
                refused(why.as_ref())
            );
        }
        What::TranscriptRequested {
            email,
            subject,
            refused: why,
        } => {
            let subject = subject
                .as_deref()
                .map(|s| format!(", subject “{}”", markdown(s)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "- {at} — **Visitor** asked for the transcript by e-mail: {}{subject}{}",
                markdown(email),
                refused(why.as_ref())
            );
        }
        What::ExitSurvey {
            answers: survey,
            refused: why,
        } => {
            let _ = writeln!(
                out,
                "- {at} — **Visitor** submitted the exit survey{}{}:",
                survey_id(survey),
                refused(why.as_ref())
            );
            answers(out, &survey.questions, "  ");
        }
        What::LineNotTaken { text, why } => {
            let _ = writeln!(
                out,
                "- {at} — **Visitor** sent a line the service did not take ({}): {}",
                markdown(why),
                block(text)
            );
        }
        What::VisitorEnded { refused: why } => {
            let _ = writeln!(
                out,
                "- {at} — **Visitor** ended the chat{}",
                refused(why.as_ref())
            );
        }
    }
}

/// A session whose exchanges were not kept: what the history has, in the order it happened.
fn from_history(out: &mut String, loaded: &Loaded) {
    let record = &loaded.entry.session;
    out.push_str("The exchanges of this session were not kept; the history has:\n\n");
    let mut items = vec![(record.time.as_str(), "requested".to_string())];
    for done in &record.visitor {
        items.push((
            done.time.as_str(),
            format!("**Visitor**: {}", markdown(&done.describe())),
        ));
    }
    let agent = loaded
        .entry
        .agent
        .as_deref()
        .map(|a| format!(" (agent {})", markdown(a)))
        .unwrap_or_default();
    items.push((
        loaded.entry.updated.as_str(),
        format!("last state learnt: **{}**{agent}", markdown(&record.state)),
    ));
    // The state is learnt whenever a command last looked, before or after what the visitor
    // did: by time, so the list reads as it happened. A time that cannot be read goes last;
    // the sort is stable, so equal times keep the order above.
    items.sort_by_key(|(time, _)| {
        let instant = clock::server_time(time);
        (instant.is_none(), instant)
    });
    for (time, what) in items {
        let _ = writeln!(out, "- {} — {what}", markdown(time));
    }
}

/// Text that may span lines, kept as one list item: each further line indented under it.
fn block(text: &str) -> String {
    markdown(text).replace('\n', "  \n  ")
}

/// Text as Markdown shows it literally: the characters that would format it escaped, and
/// control characters (a terminal's escape sequences in a chat line) written as `\u{..}`.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push('\n'),
            '\r' => {}
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}
