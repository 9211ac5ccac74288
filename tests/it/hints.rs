//! Hints run as printed: every flag a next step names is one the command it is shown for takes,
//! and every `chatstart SUBCOMMAND …` written in the code, the README or the docs uses only flags
//! that subcommand has. Checked against clap's own description of the command line.

use std::collections::BTreeSet;
use std::path::Path;

use chatstart::api::explain::{self, Explanation};
use chatstart::cli::Cli;
use clap::CommandFactory;

/// The command line as clap builds it (global flags propagated to every subcommand).
fn command_line() -> clap::Command {
    let mut command = Cli::command();
    command.build();
    command
}

/// The long flags `subcommand` takes, globals included.
fn flags_of(subcommand: &str) -> BTreeSet<String> {
    let command = command_line();
    let sub = command
        .find_subcommand(subcommand)
        .unwrap_or_else(|| panic!("no subcommand `{subcommand}`"));
    sub.get_arguments()
        .chain(command.get_arguments())
        .filter_map(|argument| argument.get_long())
        .map(|long| format!("--{long}"))
        .chain(["--help".to_string()])
        .collect()
}

/// The `--flags` a text names.
fn flags_in(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|word| word.starts_with("--") && word.len() > 2)
        .map(str::to_string)
        .collect()
}

/// Checks `chatstart [GLOBAL FLAGS] SUBCOMMAND ARGS…`: the subcommand exists and takes every
/// flag given. `where_` says where the command was found, for the failure message.
fn check_invocation(invocation: &str, where_: &str, problems: &mut Vec<String>) {
    let words: Vec<&str> = invocation
        .split_whitespace()
        .map(|w| w.trim_matches(|c| matches!(c, '[' | ']' | '`' | '(' | ')' | ',' | ';')))
        .collect();
    let Some(rest) = words.strip_prefix(&["chatstart"]) else {
        return;
    };
    // Global flags may come first, each with its value.
    let mut at = 0;
    while rest.get(at).is_some_and(|w| w.starts_with("--")) {
        at += 2;
    }
    let Some(subcommand) = rest.get(at) else {
        return;
    };
    if !subcommand.chars().all(|c| c.is_ascii_lowercase()) {
        return; // A placeholder (`chatstart …`), not a subcommand.
    }
    if command_line().find_subcommand(subcommand).is_none() {
        problems.push(format!(
            "{where_}: `{invocation}`: no subcommand `{subcommand}`"
        ));
        return;
    }
    let takes = flags_of(subcommand);
    for word in &rest[at + 1..] {
        for flag in flags_in(word) {
            if !takes.contains(&flag) {
                problems.push(format!(
                    "{where_}: `{invocation}`: `chatstart {subcommand}` takes no {flag}"
                ));
            }
        }
    }
}

/// Every `chatstart …` in backticks in `text`.
fn backticked_invocations(text: &str) -> Vec<String> {
    text.match_indices("`chatstart")
        .filter_map(|(at, _)| {
            let span = &text[at + 1..];
            span.find('`').map(|end| span[..end].to_string())
        })
        .collect()
}

/// The commands a next step can be shown for: those that make the call the error comes from.
fn shown_for(explanation: &Explanation) -> &'static [&'static str] {
    const ANY_CALL: &[&str] = &[
        "request",
        "auth",
        "watch",
        "info",
        "send",
        "end",
        "survey",
        "availability",
        "burst",
        "check",
    ];
    let name = explanation.name;
    if name.starts_with("chat request or auth call")
        || name.contains("Invalid User")
        || name.contains("Bad captcha")
    {
        &["request", "auth", "burst", "check"]
    } else if name.contains("Cannot add line") {
        &["send", "check"]
    } else if name.contains("Visitor Authentication") || name.contains("conversationId") {
        &["auth", "request", "check"]
    } else {
        ANY_CALL
    }
}

#[test]
fn every_next_step_names_only_flags_of_the_commands_it_is_shown_for() {
    let mut problems = Vec::new();
    for explanation in explain::all() {
        for command in shown_for(explanation) {
            // `check` says the step in the words of a check run.
            let step = if *command == "check" {
                chatstart::check::run::next_step(explanation)
            } else {
                explanation.next.command_line.to_string()
            };
            let takes = flags_of(command);
            // Flags inside a `chatstart SUB …` belong to SUB; the rest to the command itself.
            let mut bare = step.clone();
            for invocation in backticked_invocations(&step) {
                check_invocation(&invocation, explanation.name, &mut problems);
                bare = bare.replace(&invocation, "");
            }
            for flag in flags_in(&bare) {
                if !takes.contains(&flag) {
                    problems.push(format!(
                        "{}: shown for `chatstart {command}`, which takes no {flag}: {step}",
                        explanation.name
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_console_says_next_steps_without_flags_but_in_a_full_command() {
    for explanation in explain::all() {
        let step = chatstart::tui::errors::next_step(explanation);
        let mut bare = step.to_string();
        let mut problems = Vec::new();
        for invocation in backticked_invocations(step) {
            check_invocation(&invocation, explanation.name, &mut problems);
            bare = bare.replace(&invocation, "");
        }
        assert!(problems.is_empty(), "{problems:?}");
        assert!(
            flags_in(&bare).is_empty(),
            "{}: the console has no flags: {step}",
            explanation.name
        );
    }
}

/// Every file under `dir` with extension `extension`, recursively.
fn files(dir: &Path, extension: &str, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable").flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, extension, found);
        } else if path.extension().is_some_and(|e| e == extension) {
            found.push(path);
        }
    }
}

#[test]
fn every_chatstart_command_written_in_the_code_and_docs_runs_as_written() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sources = Vec::new();
    files(&root.join("src"), "rs", &mut sources);
    let mut docs = vec![root.join("README.md")];
    files(&root.join("docs"), "md", &mut docs);
    let mut problems = Vec::new();
    let mut seen = 0;
    for path in sources.iter().chain(&docs) {
        let text = std::fs::read_to_string(path).expect("readable");
        let shown = path
            .strip_prefix(root)
            .unwrap_or(path)
            .display()
            .to_string();
        // A Rust string split over lines with `\` goes on after the line break.
        let text = text.replace("\\\n", " ");
        for invocation in backticked_invocations(&text) {
            seen += 1;
            check_invocation(&invocation, &shown, &mut problems);
        }
        // The docs' shell blocks: one command a line, `\` continuing it.
        if path.extension().is_some_and(|e| e == "md") {
            let mut in_block = false;
            for line in text.lines() {
                let line = line.trim_start();
                if line.starts_with("```") {
                    in_block = !in_block;
                    continue;
                }
                let command = line.split(" #").next().unwrap_or(line);
                if in_block && command.starts_with("chatstart ") {
                    seen += 1;
                    check_invocation(command, &shown, &mut problems);
                }
            }
        }
    }
    assert!(seen > 20, "the scan found the commands: {seen}");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
