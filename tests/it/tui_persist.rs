//! What the console keeps on disk, with the real binary in a pseudo-terminal: a draft survives
//! a process killed mid-edit and is restored on the next start; and after a whole console
//! session (profile, authenticated flow, log file) no file the program wrote holds the appKey
//! or the SSO key.

use std::path::{Path, PathBuf};

use crate::support;
use crate::support::pty::{Pty, chatstart, wait_until};

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).expect("dir").flatten() {
            if entry.path().is_dir() {
                stack.push(entry.path());
            } else {
                files.push(entry.path());
            }
        }
    }
    files
}

#[test]
fn a_draft_typed_before_a_kill_is_restored_on_the_next_start() {
    let home = tempfile::tempdir().expect("home");
    let draft = home.path().join("data").join("draft.json");
    let mut first = Pty::spawn(chatstart(home.path()));
    // The demo starts with the focus on the skill, "Sales".
    first.wait_for("survey: 4 questions");
    first.send(b"Zebra");
    first.wait_for("SalesZebra");
    wait_until("the draft on disk", || {
        std::fs::read_to_string(&draft)
            .ok()
            .filter(|t| t.contains("SalesZebra"))
    })
    .expect("the draft was written while typing");
    first.signal("KILL");
    first.wait_exit();

    let mut second = Pty::spawn(chatstart(home.path()));
    second.wait_for("skill: SalesZebra");
    second.send(b"r");
    second.wait_for("draft restored");
    second.wait_for_screen("the restored form, the offer gone", |text| {
        !text.contains("Unsent form from last time") && text.contains("SalesZebra")
    });
    second.send(b"\x03");
    assert!(second.wait_exit().success());

    // Still unlike the demo's form, it is offered again; discarded, it is not offered after.
    let mut third = Pty::spawn(chatstart(home.path()));
    third.wait_for("Unsent form from last time");
    third.send(b"d");
    third.wait_for_screen("the demo's form, the draft discarded", |text| {
        !text.contains("Unsent form from last time")
            && text.contains("Sales")
            && !text.contains("SalesZebra")
    });
    third.send(b"\x03");
    third.wait_exit();
    let mut fourth = Pty::spawn(chatstart(home.path()));
    let text = fourth.wait_for("survey: 4 questions");
    assert!(!text.contains("Unsent form from last time"), "{text}");
    fourth.send(b"\x03");
    fourth.wait_exit();
}

#[test]
fn no_secret_reaches_any_file_after_a_console_session() {
    let emulator = support::Emulator::start(support::FAST);
    let app_key = emulator.app_key();
    let sso_key = "sso-key-never-written-5c1e";
    let config = emulator.config_file();
    std::fs::create_dir_all(config.parent().expect("dir")).expect("config dir");
    std::fs::write(
        &config,
        format!(
            r#"default_profile = "qa"

[profiles.qa]
base_url = "{}"
account = "{}"
app_key_env = "QA_APP_KEY"
auth = true
sso_key_env = "QA_SSO_KEY"
auth_conn_id = "568046210"

[profiles.qa.request]
skill = "Sales"
engagement_id = "1"
le_visitor_id = "V"
le_session_id = "S"
le_context_id = "2"
pre_chat_lines = ["from the profile"]

[profiles.qa.request.survey]
1001 = "DOGS"
"#,
            emulator.base_url(),
            emulator.handle.account()
        ),
    )
    .expect("config");
    let home = emulator.home.path();
    let log = home.join("http.log");
    let mut command = chatstart(home);
    command.env("QA_APP_KEY", &app_key);
    command.env("QA_SSO_KEY", sso_key);
    command.env("CHATSTART_LOG", &log);
    let mut pty = Pty::spawn(command);
    pty.wait_for("Sales: ● available");
    pty.send(b"\x13");
    pty.wait_for("CHATTING");
    pty.send(b"e");
    pty.wait_for("ENDED");
    pty.send(b"n");
    pty.wait_for("new chat request");
    pty.send(b"x");
    let draft = emulator.data_dir().join("draft.json");
    wait_until("the draft", || std::fs::metadata(&draft).ok()).expect("a draft was written");
    pty.send(b"\x03");
    assert!(pty.wait_exit().success());

    let history = std::fs::read_to_string(emulator.data_dir().join("history.jsonl"))
        .expect("the console wrote the history");
    assert!(
        history.contains("\"flow\":\"auth\"") && history.contains("\"state\":\"ended\""),
        "{history}"
    );
    let log_text = std::fs::read_to_string(&log).expect("the log");
    assert!(
        log_text.contains("chat/request"),
        "the log has the exchanges"
    );
    let files = files_under(home);
    for expected in [&config, &draft, &log] {
        assert!(
            files.contains(expected),
            "{} in {files:?}",
            expected.display()
        );
    }
    for file in files {
        let text = String::from_utf8_lossy(&std::fs::read(&file).expect("read")).into_owned();
        assert!(!text.contains(&app_key), "appKey in {}", file.display());
        assert!(!text.contains(sso_key), "SSO key in {}", file.display());
    }
    let raw = pty.raw_text();
    assert!(
        !raw.contains(&app_key) && !raw.contains(sso_key),
        "a secret on screen"
    );
    assert!(
        !raw.contains("chat/request"),
        "the log is never drawn over the console"
    );
}

#[test]
fn a_console_killed_mid_chat_leaves_the_last_state_in_the_history_and_no_draft_of_the_sent_form() {
    let home = tempfile::tempdir().expect("home");
    let mut pty = Pty::spawn(chatstart(home.path()));
    pty.wait_for("survey: 4 questions");
    pty.send(b"\x13");
    pty.wait_for("must be answered");
    pty.send(b" ");
    pty.wait_for("(•) CATS");
    pty.send(b"\x13");
    pty.wait_for("CHATTING");
    pty.signal("KILL");
    pty.wait_exit();

    let history = chatstart::history::History::at(home.path().join("data/history.jsonl"));
    let entries = history.entries().expect("history");
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0].session.state, "chatting");
    assert_eq!(entries[0].session.skill, "Sales");
    // The form went out: the history has it, survey answer and all (Ctrl+R re-runs it), and
    // the next start does not offer it back as a draft.
    let answers = &entries[0].session.request.survey_answers;
    assert!(
        answers.iter().any(|a| a.values.iter().any(|v| v == "CATS")),
        "the history has the survey answer: {answers:?}"
    );
    assert!(
        !home.path().join("data/draft.json").exists(),
        "a sent form is no draft"
    );
}
