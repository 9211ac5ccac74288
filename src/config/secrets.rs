//! Where a secret comes from when it is not typed: an environment variable, a command's output
//! (a password manager), or a masked prompt. Errors never carry the secret itself.

use std::io::IsTerminal;

use crate::secret::Secret;

/// One of three ways to get a secret; at most one is set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecretSource {
    /// An environment variable holding it.
    pub env: Option<String>,
    /// A shell command that prints it (the first line of its output, trimmed).
    pub cmd: Option<String>,
    /// Ask for it, masked, on the terminal.
    pub prompt: bool,
}

/// A secret could not be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("the environment variable {0} is not set")]
    MissingEnv(String),
    #[error("`{command}` failed ({status}){}", stderr_tail(stderr))]
    CommandFailed {
        command: String,
        status: String,
        stderr: String,
    },
    #[error("`{0}` printed nothing")]
    CommandEmpty(String),
    #[error("cannot run `{command}`: {reason}")]
    CommandNotRun { command: String, reason: String },
    #[error("a prompt needs a terminal, and standard input is not one")]
    NoTerminal,
    #[error("reading the prompt failed: {0}")]
    Prompt(String),
}

fn stderr_tail(stderr: &str) -> String {
    let text = stderr.trim();
    if text.is_empty() {
        String::new()
    } else {
        let tail: String = text.chars().take(200).collect();
        format!(": {tail}")
    }
}

impl SecretSource {
    pub fn is_set(&self) -> bool {
        self.env.is_some() || self.cmd.is_some() || self.prompt
    }

    /// A source must name one way, not several. `what` is the keys' stem (`app_key`), so the
    /// message names the keys as written.
    pub fn check(&self, what: &str) -> Result<(), String> {
        let ways = usize::from(self.env.is_some())
            + usize::from(self.cmd.is_some())
            + usize::from(self.prompt);
        if ways > 1 {
            return Err(format!(
                "set only one of {what}_env, {what}_cmd and {what}_prompt"
            ));
        }
        if self.env.as_deref().is_some_and(|v| v.trim().is_empty()) {
            return Err(format!("{what}_env names no variable"));
        }
        if self.cmd.as_deref().is_some_and(|c| c.trim().is_empty()) {
            return Err(format!("{what}_cmd is empty"));
        }
        Ok(())
    }

    /// Gets the secret; `what` names it in the prompt ("appKey", "SSO key"). `None` when no
    /// source is set.
    pub fn resolve(&self, what: &str) -> Result<Option<Secret>, SecretError> {
        if let Some(variable) = &self.env {
            return match std::env::var(variable) {
                Ok(value) if !value.trim().is_empty() => Ok(Some(Secret::new(value.trim()))),
                _ => Err(SecretError::MissingEnv(variable.clone())),
            };
        }
        if let Some(command) = &self.cmd {
            return run_command(command).map(Some);
        }
        if self.prompt {
            return prompt(what).map(Some);
        }
        Ok(None)
    }
}

fn run_command(command: &str) -> Result<Secret, SecretError> {
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| SecretError::CommandNotRun {
            command: command.to_string(),
            reason: e.to_string(),
        })?;
    if !output.status.success() {
        return Err(SecretError::CommandFailed {
            command: command.to_string(),
            status: output.status.to_string(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        });
    }
    // Like git's credential helpers: the first line is the secret.
    let stdout = String::from_utf8_lossy(&output.stdout);
    let first = stdout.lines().next().unwrap_or_default().trim();
    if first.is_empty() {
        return Err(SecretError::CommandEmpty(command.to_string()));
    }
    Ok(Secret::new(first))
}

/// Asks on the terminal with echo off, showing a bullet per character.
fn prompt(what: &str) -> Result<Secret, SecretError> {
    use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
    use std::io::Write;
    if !std::io::stdin().is_terminal() {
        return Err(SecretError::NoTerminal);
    }
    let mut stderr = std::io::stderr();
    let _ = write!(stderr, "{what}: ");
    let _ = stderr.flush();
    crossterm::terminal::enable_raw_mode().map_err(|e| SecretError::Prompt(e.to_string()))?;
    let mut typed = String::new();
    let result = loop {
        match event::read() {
            Ok(Event::Key(key)) if key.kind != KeyEventKind::Release => match key.code {
                KeyCode::Enter => break Ok(()),
                KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                    break Err(SecretError::Prompt("cancelled".into()));
                }
                KeyCode::Backspace if typed.pop().is_some() => {
                    let _ = write!(stderr, "\u{8} \u{8}");
                }
                KeyCode::Char(c) => {
                    typed.push(c);
                    let _ = write!(stderr, "•");
                }
                _ => {}
            },
            Ok(Event::Paste(text)) => {
                typed.push_str(&text);
                let _ = write!(stderr, "{}", "•".repeat(text.chars().count()));
            }
            Ok(_) => {}
            Err(e) => break Err(SecretError::Prompt(e.to_string())),
        }
        let _ = stderr.flush();
    };
    let _ = crossterm::terminal::disable_raw_mode();
    let _ = writeln!(stderr);
    result.map(|()| Secret::new(typed.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_give_their_first_line_and_failures_never_show_output() {
        let source = SecretSource {
            cmd: Some("printf 'k-123\\nrest'".into()),
            ..SecretSource::default()
        };
        assert_eq!(source.resolve("appKey").unwrap().unwrap().expose(), "k-123");
        let failing = SecretSource {
            cmd: Some("printf leaked-; printf secret; echo oops >&2; exit 3".into()),
            ..SecretSource::default()
        };
        let error = failing.resolve("appKey").unwrap_err();
        assert!(
            matches!(&error, SecretError::CommandFailed { .. }),
            "{error}"
        );
        assert!(
            error.to_string().contains("oops") && !error.to_string().contains("leaked-secret"),
            "{error}"
        );
        let empty = SecretSource {
            cmd: Some("true".into()),
            ..SecretSource::default()
        };
        assert!(matches!(
            empty.resolve("appKey"),
            Err(SecretError::CommandEmpty(_))
        ));
    }

    #[test]
    fn a_missing_variable_is_named() {
        let source = SecretSource {
            env: Some("CHATSTART_TEST_SURELY_UNSET_VARIABLE".into()),
            ..SecretSource::default()
        };
        assert_eq!(
            source.resolve("appKey"),
            Err(SecretError::MissingEnv(
                "CHATSTART_TEST_SURELY_UNSET_VARIABLE".into()
            ))
        );
        assert_eq!(SecretSource::default().resolve("appKey"), Ok(None));
    }

    #[test]
    fn only_one_way_may_be_set() {
        let both = SecretSource {
            env: Some("A".into()),
            prompt: true,
            ..SecretSource::default()
        };
        assert!(both.check("app_key").is_err());
        assert!(
            SecretSource {
                env: Some(" ".into()),
                ..SecretSource::default()
            }
            .check("app_key")
            .is_err()
        );
    }
}
