//! The terminal is given back after every way the console can end — quit, panic, SIGTERM,
//! SIGHUP (a lost SSH link) and an error return: the real binary runs in a pseudo-terminal
//! under `sh`, which, once it is gone, records `stty -a` of the same terminal. The alternate
//! screen must have been left and raw mode turned off (`icanon` and `echo` back on).

use std::path::Path;

use portable_pty::CommandBuilder;

use crate::support;
use crate::support::pty::{Pty, hermetic, left_alternate_screen, wait_until};

/// How the console is made to end.
enum Ending {
    Quit,
    Signal(&'static str),
    Fault(&'static str),
}

/// The pid of the shell's child (the console), from /proc.
fn child_of(pid: u32) -> u32 {
    wait_until("the console to start", || {
        std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
            .ok()
            .and_then(|text| text.split_whitespace().next()?.parse().ok())
    })
    .expect("the console runs under the shell")
}

fn run(ending: Ending) -> (String, String, String) {
    let home = tempfile::tempdir().expect("home");
    let stty = home.path().join("stty.txt");
    let status = home.path().join("status.txt");
    let mut command = CommandBuilder::new("sh");
    command.arg("-c");
    command.arg(format!(
        "\"{}\"; echo $? > \"{}\"; stty -a > \"{}\"",
        env!("CARGO_BIN_EXE_chatstart"),
        status.display(),
        stty.display()
    ));
    hermetic(&mut command, home.path());
    if let Ending::Fault(fault) = ending {
        command.env("CHATSTART_TEST_FAULT", fault);
    }
    let mut pty = Pty::spawn(command);
    if !matches!(ending, Ending::Fault(_)) {
        pty.wait_for("new chat request");
    }
    match ending {
        Ending::Quit => pty.send(b"\x03"),
        Ending::Signal(name) => {
            // Looked up only here: a console made to fail may be gone before /proc shows it.
            let console = child_of(pty.pid());
            support::kill(&format!("-{name}"), console);
        }
        Ending::Fault(_) => {}
    }
    pty.wait_exit();
    let read = |path: &Path| std::fs::read_to_string(path).unwrap_or_default();
    (pty.raw_text(), read(&stty), read(&status))
}

fn assert_restored(raw: &str, stty: &str) {
    assert!(
        left_alternate_screen(raw),
        "the alternate screen was not left"
    );
    let flags: Vec<&str> = stty.split([' ', ';', '\n']).collect();
    assert!(!stty.is_empty(), "stty ran after the console");
    for flag in ["icanon", "echo", "isig"] {
        assert!(
            flags.contains(&flag),
            "`{flag}` is not back on (raw mode left on):\n{stty}"
        );
    }
    assert!(
        raw.rfind("\x1b[?1000l") >= raw.rfind("\x1b[?1000h"),
        "mouse reporting was left on"
    );
}

#[test]
fn quitting_restores_the_terminal() {
    let (raw, stty, status) = run(Ending::Quit);
    assert_restored(&raw, &stty);
    assert_eq!(status.trim(), "0");
}

#[test]
fn sigterm_restores_the_terminal() {
    let (raw, stty, status) = run(Ending::Signal("TERM"));
    assert_restored(&raw, &stty);
    assert_eq!(status.trim(), "0", "SIGTERM is a clean quit");
}

#[test]
fn sighup_restores_the_terminal() {
    let (raw, stty, _) = run(Ending::Signal("HUP"));
    assert_restored(&raw, &stty);
}

#[test]
fn a_panic_restores_the_terminal() {
    let (raw, stty, status) = run(Ending::Fault("panic"));
    assert_restored(&raw, &stty);
    assert_ne!(status.trim(), "0", "a panic is not a success");
    assert!(
        raw.contains("a panic after the first frame"),
        "the panic is reported"
    );
}

#[test]
fn a_panic_in_a_background_task_restores_the_terminal_and_ends_the_console() {
    let (raw, stty, status) = run(Ending::Fault("task-panic"));
    assert_restored(&raw, &stty);
    assert_eq!(
        status.trim(),
        "101",
        "the console ends instead of drawing on"
    );
    assert!(
        raw.contains("a background task panicked"),
        "the panic is reported"
    );
}

#[test]
fn an_error_return_restores_the_terminal() {
    let (raw, stty, status) = run(Ending::Fault("error"));
    assert_restored(&raw, &stty);
    assert_eq!(status.trim(), "4");
    assert!(
        raw.contains("an input error after the first frame"),
        "the error is reported"
    );
}
