//! Words and help that fit what happens, through the real binary: the help groups what each
//! command takes and offers only what it takes; the emulator's example keeps the key off the
//! command line and runs as printed; a busy port and a missing config file are named.

use std::io::{BufRead, BufReader};

use crate::support::{self, Emulator, KillOnDrop, in_home, ran};

/// The help of `args` (`… --help`), in a private home.
fn help(args: &[&str]) -> String {
    let home = tempfile::tempdir().expect("home");
    let mut all = args.to_vec();
    all.push("--help");
    let mut command = in_home(home.path(), &all);
    command.env("CHATSTART_APP_KEY", "set-in-the-environment");
    let out = ran(command);
    assert_eq!(out.code, 0, "{out:?}");
    out.stdout
}

/// Where `needle` first appears in the help, after `heading`.
fn under(text: &str, heading: &str, needle: &str) -> bool {
    text.split_once(&format!("\n{heading}:\n"))
        .is_some_and(|(_, rest)| rest.split("\n\n").next().unwrap_or("").contains(needle))
}

#[test]
fn the_help_keeps_request_fields_connection_and_global_options_apart() {
    let request = help(&["request"]);
    for (heading, flag) in [
        ("Options", "--output"),
        ("Connection", "--base-url"),
        ("Connection", "--send-key-to"),
        ("Request fields", "--skill"),
        ("Request fields", "--le-context-id"),
        ("Following the chat", "--wait"),
        ("Global options", "--profile"),
        ("Global options", "--log-file"),
    ] {
        assert!(
            under(&request, heading, flag),
            "{flag} not under {heading}:\n{request}"
        );
    }
    assert!(!under(&request, "Request fields", "--profile"), "{request}");
    // The appKey from the environment is enough: the help says so, never that it is required.
    let app_key = request
        .lines()
        .skip_while(|l| !l.contains("--app-key <"))
        .take(3)
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        app_key.contains("not needed when CHATSTART_APP_KEY") && !app_key.contains("required"),
        "{app_key}"
    );
}

#[test]
fn the_console_offers_no_output_flag() {
    let tui = help(&["tui"]);
    assert!(!tui.contains("--output"), "{tui}");
    assert!(under(&tui, "Request fields", "--skill"), "{tui}");
    let home = tempfile::tempdir().expect("home");
    let out = ran(in_home(home.path(), &["tui", "--output", "json"]));
    assert_eq!(out.code, 2, "refused, not ignored: {out:?}");
}

#[test]
fn history_help_says_what_the_readme_says() {
    let history = help(&["history"]);
    for said in [
        "--open",
        "--output",
        "--profile",
        "history.jsonl",
        "CHATSTART_DATA_DIR",
        "the config file is not read",
        "end --all-open",
    ] {
        assert!(history.contains(said), "`{said}` missing:\n{history}");
    }
}

#[test]
fn the_emulators_example_keeps_the_key_off_the_command_line_and_runs_as_printed() {
    let home = tempfile::tempdir().expect("home");
    let mut child = KillOnDrop(
        in_home(home.path(), &["emulator", "--port", "0"])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("emulator"),
    );
    let mut reader = BufReader::new(child.0.stdout.take().expect("stdout"));
    let mut banner = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).expect("read") == 0 || line.contains("Ctrl+C stops it") {
            break;
        }
        banner.push(line.trim().to_string());
    }
    let key = banner
        .iter()
        .find_map(|l| l.strip_prefix("appKey:"))
        .expect("the appKey is printed")
        .trim()
        .to_string();
    let example = banner
        .iter()
        .find(|l| l.starts_with("chatstart request "))
        .unwrap_or_else(|| panic!("an example: {banner:?}"))
        .clone();
    assert!(
        !example.contains(&key) && !example.contains("--app-key"),
        "{example}"
    );
    assert!(
        banner.contains(&format!("export CHATSTART_APP_KEY={key}")),
        "the key goes in the environment: {banner:?}"
    );
    // As printed, with the key from the environment as the banner says.
    let words: Vec<&str> = example.split_whitespace().skip(1).collect();
    let mut command = in_home(home.path(), &words);
    command.env("CHATSTART_APP_KEY", &key);
    let out = ran(command);
    assert_eq!(out.code, 0, "{example}: {out:?}");
    assert!(out.stdout.contains("state: chatting"), "{out:?}");
}

#[test]
fn an_emulator_on_a_port_in_use_names_the_port_and_the_way_out() {
    let holder = Emulator::start(support::FAST);
    let port = holder.handle.addr().port().to_string();
    let out = ran(holder.bare(&["emulator", "--port", &port]));
    assert_eq!(out.code, 4, "{out:?}");
    assert!(
        out.stderr.contains(&format!("port {port}")) && out.stderr.contains("--port 0"),
        "{out:?}"
    );
}

#[test]
fn a_profile_asked_for_without_a_config_file_says_there_is_none_and_where_it_would_be() {
    let emulator = Emulator::start(support::FAST);
    let out = ran(emulator.chatstart(&["--profile", "nope", "availability"]));
    assert_eq!(out.code, 2, "{out:?}");
    let expected = emulator.config_file();
    assert!(
        out.stderr.contains("there is no config file")
            && out.stderr.contains(&expected.display().to_string()),
        "{out:?}"
    );
    assert!(emulator.handle.requests().is_empty());
    // With a file that has other profiles, the known ones are named instead.
    std::fs::create_dir_all(expected.parent().unwrap()).unwrap();
    std::fs::write(&expected, "[profiles.qa]\ndomain = \"va.example\"\n").unwrap();
    let out = ran(emulator.chatstart(&["--profile", "nope", "availability"]));
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("(profiles: qa)"), "{out:?}");
}
