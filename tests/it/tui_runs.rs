//! Burst and check views through the whole console loop in-process: TestBackend, injected keys,
//! the in-process emulator's fast scenario. Waits on screen content with a deadline.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chatstart::copy::RecordingClipboard;
use chatstart::emulator::{EmulatorHandle, Scenario, start};
use chatstart::tui::app::App;
use chatstart::tui::form::TextField;
use chatstart::tui::form::prefill;
use chatstart::tui::terminal::NoHost;
use chatstart::tui::{Options, run};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::support::{self, console};

const DEADLINE: Duration = Duration::from_secs(60);

async fn wait_for(screen: &mut watch::Receiver<String>, what: &str) -> String {
    console::wait_for(screen, what, DEADLINE).await
}

/// Waits until the screen satisfies `test`; `what` names it in the failure.
async fn wait_until(
    screen: &mut watch::Receiver<String>,
    what: &str,
    test: impl Fn(&str) -> bool,
) -> String {
    console::wait_until(screen, what, DEADLINE, test).await
}

/// A console on the fast scenario's emulator, the form asking for `skill`.
struct Console {
    emulator: EmulatorHandle,
    keys: mpsc::UnboundedSender<Event>,
    screen: watch::Receiver<String>,
    task: JoinHandle<std::io::Result<App>>,
}

impl Console {
    async fn start(skill: &str) -> Self {
        let scenario = Scenario::from_toml(support::FAST).expect("scenario");
        let emulator = start(scenario, "127.0.0.1:0".parse().expect("address"))
            .await
            .expect("emulator");
        let mut form = prefill::demo(&emulator.base_url(), emulator.account(), emulator.app_key());
        form.set_text(TextField::Skill, skill);
        let app = App::new(form, "DEMO · in-process", Instant::now());
        let (keys, input) = console::input();
        let (screen_tx, screen) = watch::channel(String::new());
        let options = Options {
            clipboard: Arc::new(RecordingClipboard::default()),
            poll_interval: Duration::from_millis(100),
            signals: false,
            screen: Some(screen_tx),
            store: Default::default(),
            ..Options::default()
        };
        let task = tokio::spawn(async move {
            let mut terminal = Terminal::new(TestBackend::new(160, 48)).expect("terminal");
            run(&mut terminal, app, input, &mut NoHost, options).await
        });
        Self {
            emulator,
            keys,
            screen,
            task,
        }
    }

    fn press(&self, code: KeyCode, modifiers: KeyModifiers) {
        self.keys
            .send(Event::Key(KeyEvent::new(code, modifiers)))
            .expect("console listens");
    }

    fn key(&self, code: KeyCode) {
        self.press(code, KeyModifiers::NONE);
    }

    fn type_text(&self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    async fn wait_for(&mut self, what: &str) -> String {
        wait_for(&mut self.screen, what).await
    }

    /// Opens the burst dialog and answers it: `count` chats, two at once; `switch` flips the
    /// state to follow until (the dialog keeps its answers between openings).
    async fn burst_dialog(&mut self, count: &str, switch: bool) {
        self.press(KeyCode::Char('b'), KeyModifiers::CONTROL);
        self.wait_for("Burst of this request").await;
        self.press(KeyCode::Char('u'), KeyModifiers::CONTROL);
        self.type_text(count);
        self.key(KeyCode::Tab);
        self.press(KeyCode::Char('u'), KeyModifiers::CONTROL);
        self.type_text("2");
        self.key(KeyCode::Tab);
        if switch {
            self.key(KeyCode::Char(' '));
            self.wait_for("(•) chatting").await;
        }
        self.wait_for(&format!("chats         {count}")).await;
    }

    /// Answers the survey's mandatory question (DOGS), where the failed start put the focus.
    async fn answer_the_survey(&mut self) {
        self.wait_for("must be answered").await;
        self.key(KeyCode::Right);
        self.key(KeyCode::Char(' '));
        self.wait_for("(•) DOGS").await;
    }

    async fn quit(self) -> App {
        self.press(KeyCode::Char('c'), KeyModifiers::CONTROL);
        tokio::time::timeout(DEADLINE, self.task)
            .await
            .expect("the console quits")
            .expect("no panic")
            .expect("no error")
    }

    /// Requests that ended a chat (the visitor's `ended` state event).
    fn ends(&self) -> usize {
        self.emulator.end_posts()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_three_runs_to_its_summary_with_exactly_three_chat_requests() {
    let mut console = Console::start("Sales").await;
    console.wait_for("questions").await;

    // The form is checked like a submit: its unanswered survey question stops the burst.
    console.burst_dialog("3", true).await;
    console.key(KeyCode::Enter);
    console.answer_the_survey().await;
    assert_eq!(console.emulator.count("POST", "chat/request"), 0);

    console.burst_dialog("3", false).await;
    console.key(KeyCode::Enter);
    let text = console
        .wait_for("created 3/3 · accepted 3 · still waiting 0 · failed 0")
        .await;
    assert!(text.contains("time to accept: min"), "{text}");
    assert!(text.contains("3/3 done"), "{text}");
    assert!(text.contains("Natalie"), "{text}");
    assert_eq!(
        console.emulator.count("POST", "chat/request"),
        3,
        "exactly three chats were requested"
    );

    console.key(KeyCode::Char('e'));
    console.wait_for("ended by chatstart 3").await;
    assert_eq!(console.ends(), 3, "each chat ended once");
    console.key(KeyCode::Esc);
    let text = console.wait_for("new chat request").await;
    assert!(
        text.contains("(•) DOGS"),
        "the form kept its content: {text}"
    );
    console.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_a_burst_ends_every_chat_it_created() {
    let mut console = Console::start("Slow").await;
    console.wait_for("questions").await;
    console.burst_dialog("3", true).await;
    console.key(KeyCode::Enter);
    console.answer_the_survey().await;
    console.burst_dialog("2", false).await;
    console.key(KeyCode::Enter);
    // Both wait in the slow queue (its agent accepts after a minute), each seen waiting.
    console.wait_for("0/2 done · created 2").await;
    wait_until(&mut console.screen, "both rows waiting", |text| {
        let rows = text
            .lines()
            .filter(|line| line.split_whitespace().nth(2) == Some("waiting"));
        rows.count() == 2
    })
    .await;
    console.key(KeyCode::Esc);
    let text = console.wait_for("ended by chatstart 2").await;
    // Ended on the stop: no longer waiting, and every row says so.
    assert!(text.contains("still waiting 0"), "{text}");
    assert_eq!(
        text.lines()
            .filter(|line| line.split_whitespace().nth(2) == Some("ended"))
            .count(),
        2,
        "{text}"
    );
    assert!(text.contains("no chat of the burst is left open"), "{text}");
    assert_eq!(console.emulator.count("POST", "chat/request"), 2);
    assert_eq!(console.ends(), 2, "the stop ended both chats");
    console.quit().await;
}

const TWO_CASES: &str = r#"
[defaults]
poll_interval = 0.1
step_timeout = 60

[[case]]
name = "sales greets"
[case.request]
skill = "Sales"
[case.expect]
accepted_within = 60
skill = "Sales"
agent = "^Nat"
[[case.step]]
expect = "happy to help"

[[case]]
name = "routed to billing"
[case.request]
skill = "Sales"
[case.expect]
skill = "Billing"
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_file_of_two_cases_runs_to_its_verdicts_and_a_case_opens_its_chat() {
    let dir = tempfile::tempdir().expect("dir");
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[[case]]\nname = \"x\"\n[case.expect]\naccepted_witin = 3\n",
    )
    .expect("write");
    let good = dir.path().join("checks.toml");
    std::fs::write(&good, TWO_CASES).expect("write");
    let mut console = Console::start("Sales").await;
    console.wait_for("questions").await;

    console.press(KeyCode::Char('t'), KeyModifiers::CONTROL);
    console.wait_for("Run a check file").await;
    console.press(KeyCode::Char('u'), KeyModifiers::CONTROL);
    console.type_text(&bad.display().to_string());
    console.key(KeyCode::Enter);
    let text = console.wait_for("line 4").await;
    assert!(text.contains("accepted_witin"), "{text}");
    assert_eq!(console.emulator.count("POST", "chat/request"), 0);

    console.press(KeyCode::Char('u'), KeyModifiers::CONTROL);
    console.type_text(&good.display().to_string());
    console.key(KeyCode::Enter);
    let text = console.wait_for("1 of 2 cases passed · 1 failed").await;
    assert!(text.contains("PASS    sales greets"), "{text}");
    assert!(text.contains("FAIL    routed to billing"), "{text}");
    assert!(
        text.contains("expected the chat routed to skill Billing; info says Sales"),
        "{text}"
    );
    assert_eq!(console.emulator.count("POST", "chat/request"), 2);

    console.key(KeyCode::Down);
    console.key(KeyCode::Enter);
    // The case ended its chat; following it shows how it went.
    let text = console.wait_for("ENDED").await;
    assert!(text.contains("Natalie"), "{text}");
    assert!(text.contains("n  back to the checks"), "{text}");
    console.key(KeyCode::Char('n'));
    console.wait_for("1 of 2 cases passed").await;
    console.key(KeyCode::Esc);
    console.wait_for("new chat request").await;
    console.quit().await;
}

const SLOW_THEN_SALES: &str = r#"
[defaults]
poll_interval = 0.1

[[case]]
name = "slow queue"
[case.request]
skill = "Slow"
[case.expect]
accepted_within = 60

[[case]]
name = "never started"
[case.request]
skill = "Sales"
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quitting_a_check_run_starts_no_new_case_and_ends_the_running_ones_chat() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("checks.toml");
    std::fs::write(&file, SLOW_THEN_SALES).expect("write");
    let mut console = Console::start("Sales").await;
    console.wait_for("survey: 2").await;
    console.press(KeyCode::Char('t'), KeyModifiers::CONTROL);
    console.wait_for("Run a check file").await;
    console.press(KeyCode::Char('u'), KeyModifiers::CONTROL);
    console.type_text(&file.display().to_string());
    console.key(KeyCode::Enter);
    // The first case's chat waits in the slow queue (its agent accepts after a minute).
    let deadline = tokio::time::Instant::now() + DEADLINE;
    while console.emulator.count("GET", "/chat/H") == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the case never started"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // One Ctrl+C: the run stops — the running case ends its chat, the next one never starts
    // — and the console quits once every case has its line.
    console.press(KeyCode::Char('c'), KeyModifiers::CONTROL);
    let app = tokio::time::timeout(DEADLINE, &mut console.task)
        .await
        .expect("the console quits")
        .expect("no panic")
        .expect("no error");
    let emulator = &console.emulator;
    assert_eq!(
        emulator.count("POST", "chat/request"),
        1,
        "no new case started"
    );
    assert_eq!(emulator.end_posts(), 1, "the running case ended its chat");
    let chatstart::tui::app::Phase::Checks(view) = &app.phase else {
        panic!("the check view");
    };
    let interrupted: Vec<bool> = view
        .cases
        .iter()
        .map(|row| row.result().is_some_and(|r| r.interrupted && !r.left_open))
        .collect();
    assert_eq!(interrupted, [true, true], "{:?}", view.cases);
    assert!(app.left_behind().is_empty(), "{:?}", app.left_behind());
}
