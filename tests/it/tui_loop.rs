//! The whole console loop in-process: TestBackend, an injected key stream and the recording
//! clipboard, against the in-process emulator. Waits on screen content with a deadline.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chatstart::copy::RecordingClipboard;
use chatstart::emulator::{Scenario, start};
use chatstart::tui::app::App;
use chatstart::tui::form::prefill;
use chatstart::tui::terminal::NoHost;
use chatstart::tui::{Options, run};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::{mpsc, watch};

use crate::support::{self, console};

const DEADLINE: Duration = Duration::from_secs(60);

async fn wait_for(screen: &mut watch::Receiver<String>, what: &str) -> String {
    console::wait_for(screen, what, DEADLINE).await
}

fn key(code: KeyCode, modifiers: KeyModifiers) -> Event {
    Event::Key(KeyEvent::new(code, modifiers))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submit_follow_copy_send_and_end_against_the_emulator() {
    // The console writes the copied URI into the data directory, which only the process's
    // environment names: the test runs in a process of its own whose environment names one.
    let Some(data) = support::in_own_process(
        concat!(
            module_path!(),
            "::submit_follow_copy_send_and_end_against_the_emulator"
        ),
        chatstart::paths::DATA_DIR_ENV,
    ) else {
        return;
    };
    let emulator = start(Scenario::demo(), "127.0.0.1:0".parse().expect("address"))
        .await
        .expect("emulator");
    let form = prefill::demo(&emulator.base_url(), emulator.account(), emulator.app_key());
    let app = App::new(form, "DEMO · in-process", Instant::now());
    let (keys, input) = console::input();
    let (screen_tx, mut screen) = watch::channel(String::new());
    let clipboard = RecordingClipboard::default();
    let options = Options {
        clipboard: Arc::new(clipboard.clone()),
        poll_interval: Duration::from_millis(200),
        signals: false,
        screen: Some(screen_tx),
        store: Default::default(),
        ..Options::default()
    };
    let console = tokio::spawn(async move {
        let mut terminal = Terminal::new(TestBackend::new(200, 40)).expect("terminal");
        run(&mut terminal, app, input, &mut NoHost, options).await
    });
    let press = |code: KeyCode, modifiers: KeyModifiers| {
        keys.send(key(code, modifiers)).expect("console listens");
    };

    // The survey arrives; its mandatory drop-down must be answered before anything is sent.
    wait_for(&mut screen, "survey: 4 questions").await;
    press(KeyCode::Char('s'), KeyModifiers::CONTROL);
    wait_for(&mut screen, "must be answered").await;
    press(KeyCode::Char(' '), KeyModifiers::NONE);
    wait_for(&mut screen, "(•) CATS").await;
    assert_eq!(emulator.count("POST", "chat/request"), 0);

    press(KeyCode::Char('s'), KeyModifiers::CONTROL);
    let text = wait_for(&mut screen, "CHATTING").await;
    wait_for(&mut screen, "Natalie ›").await;
    let uri = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Session URI"))
        .map(|u| u.trim().to_string())
        .expect("URI on screen");
    assert!(uri.contains("/chat/"), "{uri}");

    press(KeyCode::Char('c'), KeyModifiers::NONE);
    let text = wait_for(&mut screen, "copied the session URI").await;
    assert_eq!(clipboard.copied(), std::slice::from_ref(&uri));
    let file = data.join("last-session-uri.txt");
    assert!(text.contains(&file.display().to_string()), "{text}");
    assert_eq!(
        std::fs::read_to_string(&file).expect("URI file").trim(),
        uri
    );

    press(KeyCode::Char('i'), KeyModifiers::NONE);
    for c in "hello q".chars() {
        press(KeyCode::Char(c), KeyModifiers::NONE);
    }
    press(KeyCode::Enter, KeyModifiers::NONE);
    wait_for(&mut screen, "you › hello q").await;
    wait_for(&mut screen, "Let me check that for you").await;
    press(KeyCode::Esc, KeyModifiers::NONE);

    press(KeyCode::Char('e'), KeyModifiers::NONE);
    wait_for(&mut screen, "ENDED").await;
    press(KeyCode::Char('q'), KeyModifiers::NONE);
    let app = tokio::time::timeout(DEADLINE, console)
        .await
        .expect("the console quits")
        .expect("no panic")
        .expect("no error");
    assert!(app.quitting);
    assert_eq!(
        emulator.count("POST", "chat/request"),
        1,
        "exactly one chat was requested"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_history_view_reruns_a_past_request_as_a_new_chat() {
    use chatstart::api::{ChatRequest, SurveyAnswer};
    use chatstart::history::{Flow, History, SessionRecord};
    use chatstart::tui::setup::Store;

    let home = tempfile::tempdir().expect("home");
    let history = History::at(home.path().join("history.jsonl"));
    let emulator = start(Scenario::demo(), "127.0.0.1:0".parse().expect("address"))
        .await
        .expect("emulator");
    let past = ChatRequest {
        skill: "Sales".into(),
        pre_chat_lines: vec!["rerun me please".into()],
        survey_answers: vec![SurveyAnswer {
            question_id: "12786273".into(),
            values: vec!["DOGS".into()],
        }],
        ..ChatRequest::default()
    };
    let old_uri = format!(
        "{}/api/account/{}/chat/OLD",
        emulator.base_url(),
        emulator.account()
    );
    history
        .created(SessionRecord::created(
            None,
            emulator.account(),
            &old_uri,
            Flow::Request,
            &past,
            None,
        ))
        .expect("history");
    history.state(&old_uri, "ended", None).expect("history");
    let mut form = prefill::demo(&emulator.base_url(), emulator.account(), emulator.app_key());
    form.pre_chat = chatstart::tui::form::prechat::PreChat::from_values(&["typed now".into()]);
    let app = App::new(form, "DEMO · in-process", Instant::now());
    let (keys, input) = console::input();
    let (screen_tx, mut screen) = watch::channel(String::new());
    let options = Options {
        clipboard: Arc::new(RecordingClipboard::default()),
        poll_interval: Duration::from_millis(200),
        signals: false,
        screen: Some(screen_tx),
        store: Store {
            history: Some(history.clone()),
            ..Store::default()
        },
        ..Options::default()
    };
    let console = tokio::spawn(async move {
        let mut terminal = Terminal::new(TestBackend::new(200, 40)).expect("terminal");
        run(&mut terminal, app, input, &mut NoHost, options).await
    });
    let press = |code: KeyCode, modifiers: KeyModifiers| {
        keys.send(key(code, modifiers)).expect("console listens");
    };

    wait_for(&mut screen, "survey: 4 questions").await;
    press(KeyCode::Char('r'), KeyModifiers::CONTROL);
    let text = wait_for(&mut screen, "History · 1 session").await;
    assert!(
        text.contains("ended") && text.contains("/chat/OLD"),
        "{text}"
    );
    press(KeyCode::Enter, KeyModifiers::NONE);
    let text = wait_for(&mut screen, "form refilled").await;
    assert!(
        text.contains("rerun me please") && !text.contains("typed now"),
        "{text}"
    );
    assert!(
        text.contains("(•) DOGS"),
        "the survey answer came back: {text}"
    );
    press(KeyCode::Char('s'), KeyModifiers::CONTROL);
    let text = wait_for(&mut screen, "CHATTING").await;
    let uri = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Session URI"))
        .map(|u| u.trim().to_string())
        .expect("URI on screen");
    let post = emulator
        .requests()
        .into_iter()
        .find(|r| r.method == "POST" && r.path.contains("chat/request"))
        .expect("a chat request");
    assert!(post.body.contains("rerun me please"), "{}", post.body);
    assert!(post.body.contains("DOGS"), "{}", post.body);

    // The new chat is in the history, newest first, with its last known state.
    let entries = history.entries().expect("entries");
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].session.uri, uri);
    assert_eq!(
        entries[0].session.request.pre_chat_lines,
        ["rerun me please"]
    );
    press(KeyCode::Char('e'), KeyModifiers::NONE);
    wait_for(&mut screen, "ENDED").await;
    press(KeyCode::Char('q'), KeyModifiers::NONE);
    tokio::time::timeout(DEADLINE, console)
        .await
        .expect("the console quits")
        .expect("no panic")
        .expect("no error");
    let entries = history.entries().expect("entries");
    assert_eq!(entries[0].session.state, "ended");
    assert_eq!(emulator.count("POST", "chat/request"), 1);
}

/// A console on a 200×40 `TestBackend` against `emulator`, its keys and its screen.
struct Console {
    keys: mpsc::UnboundedSender<Event>,
    screen: watch::Receiver<String>,
    task: tokio::task::JoinHandle<std::io::Result<App>>,
}

impl Console {
    fn start(emulator: &chatstart::emulator::EmulatorHandle, options: Options) -> Self {
        let form = prefill::demo(&emulator.base_url(), emulator.account(), emulator.app_key());
        let app = App::new(form, "DEMO · in-process", Instant::now());
        let (keys, input) = console::input();
        let (screen_tx, screen) = watch::channel(String::new());
        let options = Options {
            screen: Some(screen_tx),
            ..options
        };
        let task = tokio::spawn(async move {
            let mut terminal = Terminal::new(TestBackend::new(200, 40)).expect("terminal");
            run(&mut terminal, app, input, &mut NoHost, options).await
        });
        Self { keys, screen, task }
    }

    fn press(&self, code: KeyCode, modifiers: KeyModifiers) {
        self.keys
            .send(key(code, modifiers))
            .expect("console listens");
    }

    async fn wait_for(&mut self, what: &str) -> String {
        wait_for(&mut self.screen, what).await
    }

    /// Answers the demo survey's mandatory drop-down and sends the request.
    async fn submit_demo(&mut self) {
        self.wait_for("survey: 4 questions").await;
        self.press(KeyCode::Char('s'), KeyModifiers::CONTROL);
        self.wait_for("must be answered").await;
        self.press(KeyCode::Char(' '), KeyModifiers::NONE);
        self.wait_for("(•) CATS").await;
        self.press(KeyCode::Char('s'), KeyModifiers::CONTROL);
        self.wait_for("Session URI").await;
    }

    async fn exit(self) -> App {
        drop(self.keys);
        tokio::time::timeout(DEADLINE, self.task)
            .await
            .expect("the console quits")
            .expect("no panic")
            .expect("no error")
    }
}

fn quick_options() -> Options {
    Options {
        clipboard: Arc::new(RecordingClipboard::default()),
        poll_interval: Duration::from_millis(100),
        ..Options::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn end_chat_and_quit_leaves_the_chat_ended_in_the_history() {
    use chatstart::history::History;
    use chatstart::tui::setup::Store;

    let home = tempfile::tempdir().expect("home");
    let history = History::at(home.path().join("history.jsonl"));
    let emulator = start(Scenario::demo(), "127.0.0.1:0".parse().expect("address"))
        .await
        .expect("emulator");
    let mut console = Console::start(
        &emulator,
        Options {
            store: Store {
                history: Some(history.clone()),
                ..Store::default()
            },
            ..quick_options()
        },
    );
    console.submit_demo().await;
    console.wait_for("WAITING").await;
    console.press(KeyCode::Char('c'), KeyModifiers::CONTROL);
    console.wait_for("e  end chat & quit").await;
    console.press(KeyCode::Char('e'), KeyModifiers::NONE);
    let app = tokio::time::timeout(DEADLINE, console.task)
        .await
        .expect("the console quits once the chat is ended")
        .expect("no panic")
        .expect("no error");
    assert!(app.quitting);
    let entries = history.entries().expect("entries");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].session.state, "ended", "{entries:?}");
    assert_eq!(emulator.count("POST", "chat/request"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_polls_of_the_faulty_emulator_show_reconnecting_then_the_lost_session() {
    use chatstart::emulator::FaultSpec;
    use chatstart::session::RetryPolicy;

    let emulator = start(Scenario::demo(), "127.0.0.1:0".parse().expect("address"))
        .await
        .expect("emulator");
    let fault = |spec: &str| vec![FaultSpec::parse(spec).expect("fault")];
    // Every poll answers 500; the tracker retries (quickly here) without giving up.
    emulator.set_faults(fault("500@session"));
    let mut console = Console::start(
        &emulator,
        Options {
            retry: RetryPolicy {
                server_error: [Duration::from_millis(50); 3],
                ..RetryPolicy::default()
            },
            max_failures: 1_000,
            ..quick_options()
        },
    );
    console.submit_demo().await;
    let text = console.wait_for("reconnecting (attempt").await;
    assert!(text.contains("HTTP 500"), "{text}");
    // Then a refusal no retry can mend: the session is lost, and the screen says how to resume.
    emulator.set_faults(fault("400@session"));
    let text = console.wait_for("session lost").await;
    assert!(text.contains("resume with: chatstart watch"), "{text}");
    assert!(!text.contains("reconnecting"), "{text}");
    assert_eq!(
        emulator.count("POST", "chat/request"),
        1,
        "polls are retried, the chat request never"
    );
    console.press(KeyCode::Char('q'), KeyModifiers::NONE);
    assert!(console.exit().await.quitting);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quitting_while_the_chat_request_is_on_its_way_keeps_it_in_the_history() {
    use chatstart::emulator::FaultSpec;
    use chatstart::history::History;
    use chatstart::tui::setup::Store;

    let home = tempfile::tempdir().expect("home");
    let history = History::at(home.path().join("history.jsonl"));
    let emulator = start(Scenario::demo(), "127.0.0.1:0".parse().expect("address"))
        .await
        .expect("emulator");
    // The service makes the chat, then holds its answer: the request is on its way.
    emulator.set_faults(vec![
        FaultSpec::parse("slow@request,delay_ms=10000").expect("fault"),
    ]);
    let mut console = Console::start(
        &emulator,
        Options {
            store: Store {
                history: Some(history.clone()),
                ..Store::default()
            },
            ..quick_options()
        },
    );
    console.wait_for("survey: 4 questions").await;
    console.press(KeyCode::Char('s'), KeyModifiers::CONTROL);
    console.wait_for("must be answered").await;
    console.press(KeyCode::Char(' '), KeyModifiers::NONE);
    console.wait_for("(•) CATS").await;
    console.press(KeyCode::Char('s'), KeyModifiers::CONTROL);
    let deadline = tokio::time::Instant::now() + DEADLINE;
    while emulator.count("POST", "chat/request") == 0 {
        assert!(tokio::time::Instant::now() < deadline, "never sent");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Ctrl+C asks; Ctrl+C again quits anyway.
    console.press(KeyCode::Char('c'), KeyModifiers::CONTROL);
    console.wait_for("Quit").await;
    console.press(KeyCode::Char('c'), KeyModifiers::CONTROL);
    let app = tokio::time::timeout(DEADLINE, console.task)
        .await
        .expect("the console quits")
        .expect("no panic")
        .expect("no error");
    let entries = history.entries().expect("entries");
    assert_eq!(
        entries.len(),
        1,
        "the chat the service made is not lost: {entries:?}"
    );
    assert_eq!(entries[0].session.uri, "");
    assert_eq!(entries[0].session.state, "unknown");
    assert_eq!(entries[0].session.skill, "Sales");
    let said = app.left_behind().join("\n");
    assert!(said.contains("a chat may exist"), "{said}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_history_that_cannot_be_written_stops_the_chat_request_before_it_is_sent() {
    use chatstart::history::History;
    use chatstart::tui::setup::Store;

    let home = tempfile::tempdir().expect("home");
    // A file where the data directory should be: nothing can be created there, even by root.
    let blocked = home.path().join("blocked");
    std::fs::write(&blocked, "").expect("file");
    let history = History::at(blocked.join("history.jsonl"));
    let emulator = start(Scenario::demo(), "127.0.0.1:0".parse().expect("address"))
        .await
        .expect("emulator");
    let mut console = Console::start(
        &emulator,
        Options {
            store: Store {
                history: Some(history),
                ..Store::default()
            },
            ..quick_options()
        },
    );
    console.wait_for("survey: 4 questions").await;
    console.press(KeyCode::Char('s'), KeyModifiers::CONTROL);
    console.wait_for("must be answered").await;
    console.press(KeyCode::Char(' '), KeyModifiers::NONE);
    console.wait_for("(•) CATS").await;
    console.press(KeyCode::Char('s'), KeyModifiers::CONTROL);
    let text = console.wait_for("not sent: cannot write the history").await;
    assert!(
        text.contains("(•) CATS"),
        "the form keeps its content: {text}"
    );
    assert_eq!(emulator.count("POST", "chat/request"), 0);
    console.press(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert!(console.exit().await.quitting);
}

/// The demo chat of a console whose history (and journals) are in `data` and whose current
/// directory is `here`, submitted and waiting.
async fn journaled_console(
    emulator: &chatstart::emulator::EmulatorHandle,
    history: &chatstart::history::History,
    here: &std::path::Path,
) -> Console {
    use chatstart::tui::setup::Store;
    let mut console = Console::start(
        emulator,
        Options {
            store: Store {
                history: Some(history.clone()),
                evidence_dir: Some(here.to_path_buf()),
                ..Store::default()
            },
            ..quick_options()
        },
    );
    console.submit_demo().await;
    console.wait_for("WAITING").await;
    console
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_console_chat_is_journaled_from_its_request_to_its_end() {
    use chatstart::api::Operation;
    use chatstart::history::History;

    let data = tempfile::tempdir().expect("data");
    let here = tempfile::tempdir().expect("current directory");
    let history = History::at(data.path().join("history.jsonl"));
    let emulator = start(Scenario::demo(), "127.0.0.1:0".parse().expect("address"))
        .await
        .expect("emulator");
    let mut console = journaled_console(&emulator, &history, here.path()).await;
    console.press(KeyCode::Char('e'), KeyModifiers::NONE);
    console.wait_for("ENDED").await;

    // The chat request, a poll and the end, each written as it happened, the appKey masked.
    let entries = history.entries().expect("entries");
    let record = &entries.first().expect("the chat is recorded").session;
    let journal = history
        .journal_of(record)
        .expect("the record names its journal");
    let raw = std::fs::read_to_string(journal.path()).expect("the journal was written");
    assert!(!raw.contains(emulator.app_key()), "the appKey is masked");
    let reading = chatstart::journal::Reading::parse(raw.as_bytes());
    assert!(reading.skipped.is_empty(), "{:?}", reading.skipped);
    let operations: Vec<Operation> = reading.entries.iter().map(|e| e.operation).collect();
    assert_eq!(
        operations.first(),
        Some(&Operation::ChatRequest),
        "{operations:?}"
    );
    let request = &reading.entries[0];
    assert_eq!(request.method, "POST");
    assert!(request.status.is_some_and(|s| s < 300), "{request:?}");
    assert!(operations.contains(&Operation::Session), "{operations:?}");
    assert!(operations.contains(&Operation::EndChat), "{operations:?}");
    console.exit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s_in_a_running_chat_writes_its_bundle_in_the_current_directory() {
    use chatstart::history::History;

    let data = tempfile::tempdir().expect("data");
    let here = tempfile::tempdir().expect("current directory");
    let history = History::at(data.path().join("history.jsonl"));
    let emulator = start(Scenario::demo(), "127.0.0.1:0".parse().expect("address"))
        .await
        .expect("emulator");
    let mut console = journaled_console(&emulator, &history, here.path()).await;
    console.press(KeyCode::Char('s'), KeyModifiers::NONE);
    // Either answer ends the wait, so a refusal fails at once with its reason.
    let text = console::wait_until(
        &mut console.screen,
        "the evidence's answer",
        DEADLINE,
        |t| t.contains("evidence saved in") || t.contains("evidence not saved"),
    )
    .await;
    assert!(text.contains("evidence saved in"), "{text}");
    let bundles: Vec<std::path::PathBuf> = std::fs::read_dir(here.path())
        .expect("listed")
        .map(|e| e.expect("entry").path())
        .collect();
    let [bundle] = bundles.as_slice() else {
        panic!("one bundle in the current directory: {bundles:?}");
    };
    assert!(bundle.is_dir(), "{bundle:?}");
    assert!(
        text.contains(&bundle.display().to_string()),
        "the screen names {bundle:?}:\n{text}"
    );
    assert!(
        std::fs::read_dir(bundle).expect("bundle").next().is_some(),
        "the bundle holds its files"
    );
    console.exit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_journal_that_cannot_be_written_is_said_and_the_chat_goes_on() {
    use chatstart::history::History;
    use chatstart::tui::setup::Store;

    let data = tempfile::tempdir().expect("data");
    // A file where the journals' directory goes: refused whoever runs the test.
    std::fs::write(data.path().join(chatstart::journal::DIR_NAME), "in the way").expect("file");
    let history = History::at(data.path().join("history.jsonl"));
    let emulator = start(Scenario::demo(), "127.0.0.1:0".parse().expect("address"))
        .await
        .expect("emulator");
    let mut console = Console::start(
        &emulator,
        Options {
            store: Store {
                history: Some(history.clone()),
                ..Store::default()
            },
            ..quick_options()
        },
    );
    console.submit_demo().await;
    let text = console
        .wait_for("could not write the session journal")
        .await;
    assert!(text.contains("the chat goes on"), "{text}");
    console.wait_for("WAITING").await;
    assert_eq!(history.entries().expect("entries").len(), 1);
    console.exit().await;
}
