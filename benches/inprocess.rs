//! In-process figures (criterion): the session view drawn with a 10,000-event transcript, the
//! response parsers, and input through the whole console loop on a `TestBackend` — a 10 KB
//! paste into a field and into the SSO key until the frame shows it, a key until its frame, and
//! one exchange appended to a session journal.
//! Run with `cargo bench --bench inprocess`; figures print, nothing fails.

use std::hint::black_box;
use std::time::Instant;

use chatstart::api::format::decode;
use chatstart::api::model::ChatResource;
use chatstart::tui::app::{App, Phase, SessionView};
use chatstart::tui::form::{Focus, Form, TextField};
use chatstart::tui::session::transcript::{Speaker, TranscriptLine};
use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::Duration;

fn session_app(lines: usize) -> App {
    let now = Instant::now();
    let mut app = App::new(Form::default(), "bench", now);
    let mut view = SessionView::new(
        1,
        "https://h.example/api/account/1/chat/H1-abcK2".into(),
        now,
    );
    view.transcript = (0..lines)
        .map(|i| TranscriptLine {
            speaker: if i % 2 == 0 { Speaker::Agent } else { Speaker::Visitor },
            by: "Natalie".into(),
            text: format!("line {i}: the quick brown fox jumps over the lazy dog, and then some more words to wrap"),
            time: Some("2017-02-27T06:24:15.424-05:00".into()),
            system_message_id: None,
        })
        .collect();
    app.phase = Phase::Session(Box::new(view));
    app
}

fn render(c: &mut Criterion) {
    for (width, height) in [(80, 24), (160, 48)] {
        for events in [0, 10_000] {
            let app = session_app(events);
            let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
            let name = format!("session view, {events} events, {width}x{height}");
            c.bench_function(&name, |b| {
                b.iter(|| {
                    terminal
                        .draw(|frame| {
                            chatstart::tui::view::render(black_box(&app), frame);
                        })
                        .map(drop)
                })
            });
        }
    }
}

fn chat_document(events: usize) -> String {
    let event = |i: usize| {
        format!(
            r#"{{"@id":"{i}","@type":"line","time":"2017-02-27T06:24:15.425-05:00","textType":"html","text":"<div dir=\"ltr\">hello &amp; welcome {i}</div>","by":"Natalie","source":"agent"}}"#
        )
    };
    let all: Vec<String> = (0..events).map(event).collect();
    format!(
        r#"{{"chat":{{"link":[{{"@href":"https://h/c?from={events}","@rel":"next"}}],"events":{{"event":[{}]}},"info":{{"state":"chatting","agentName":"Natalie","chatTimeout":"40"}}}}}}"#,
        all.join(",")
    )
}

fn parse(c: &mut Criterion) {
    let json = chat_document(100);
    c.bench_function("parse a 100-event chat (JSON)", |b| {
        b.iter(|| ChatResource::from_document(&decode(black_box(&json)).expect("json")).map(drop))
    });
    let value = decode(&json).expect("json");
    let xml = chatstart::xmljson::value_to_xml(&value).expect("xml");
    c.bench_function("parse a 100-event chat (XML)", |b| {
        b.iter(|| ChatResource::from_document(&decode(black_box(&xml)).expect("xml")).map(drop))
    });
}

/// A console on an 80×24 `TestBackend` with no service to ask (no appKey), focused on `field`:
/// its input and its screen.
struct Console {
    keys: tokio::sync::mpsc::UnboundedSender<crossterm::event::Event>,
    screen: tokio::sync::watch::Receiver<String>,
}

fn console(runtime: &tokio::runtime::Runtime, field: TextField) -> Console {
    let mut form = chatstart::tui::form::prefill::demo("http://127.0.0.1:9", "12345678", "");
    form.auth = true;
    form.focus = Focus::Text(field);
    let app = App::new(form, "bench", Instant::now());
    let (keys, mut received) = tokio::sync::mpsc::unbounded_channel();
    let input = Box::pin(futures_util::stream::poll_fn(move |cx| {
        received.poll_recv(cx).map(|event| event.map(Ok))
    }));
    let (screen_tx, screen) = tokio::sync::watch::channel(String::new());
    let options = chatstart::tui::Options {
        screen: Some(screen_tx),
        ..chatstart::tui::Options::default()
    };
    runtime.spawn(async move {
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
        let mut host = chatstart::tui::terminal::NoHost;
        chatstart::tui::run(&mut terminal, app, input, &mut host, options).await
    });
    Console { keys, screen }
}

impl Console {
    /// Sends `event` and waits for the first frame whose text passes `drawn`; the time taken.
    async fn timed(
        &mut self,
        event: crossterm::event::Event,
        drawn: impl Fn(&str) -> bool,
    ) -> Duration {
        self.screen.borrow_and_update();
        let start = Instant::now();
        self.keys.send(event).expect("console runs");
        loop {
            self.screen.changed().await.expect("console runs");
            if drawn(&self.screen.borrow_and_update()) {
                return start.elapsed();
            }
        }
    }

    /// Empties the focused field (Ctrl+U) and waits for its frame.
    async fn clear(&mut self) {
        let ctrl_u =
            crossterm::event::Event::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
        self.timed(ctrl_u, |_| true).await;
    }
}

fn input(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut field = console(&runtime, TextField::ChatReferrer);
    let mut round = 0u64;
    c.bench_function("paste 10 KB into a field, until drawn (80x24)", |b| {
        b.iter_custom(|iters| {
            runtime.block_on(async {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    round += 1;
                    field.clear().await;
                    let marker = format!("END{round}");
                    let text = format!("{}{marker}", "r".repeat(10_240 - marker.len()));
                    let paste = crossterm::event::Event::Paste(text);
                    total += field.timed(paste, |screen| screen.contains(&marker)).await;
                }
                total
            })
        })
    });
    let mut sso = console(&runtime, TextField::SsoKey);
    c.bench_function("paste a 10 KB SSO key, until drawn (80x24)", |b| {
        b.iter_custom(|iters| {
            runtime.block_on(async {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    round += 1;
                    sso.clear().await;
                    let subject = format!("bench-subject-{round}");
                    let paste = crossterm::event::Event::Paste(jwt(&subject));
                    total += sso.timed(paste, |screen| screen.contains(&subject)).await;
                }
                total
            })
        })
    });
    c.bench_function("a key until its frame (80x24)", |b| {
        b.iter_custom(|iters| {
            runtime.block_on(async {
                let mut total = Duration::ZERO;
                for typed in 0..iters {
                    if typed % 200 == 0 {
                        field.clear().await;
                    }
                    let key = crossterm::event::Event::Key(KeyEvent::new(
                        KeyCode::Char('k'),
                        KeyModifiers::NONE,
                    ));
                    total += field.timed(key, |_| true).await;
                }
                total
            })
        })
    });
}

/// An unsigned JWT of about 10 KB with this subject.
fn jwt(subject: &str) -> String {
    use base64::Engine;
    let part = |value: serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
    };
    let claims = serde_json::json!({"iss": "bench", "sub": subject, "pad": "x".repeat(7_400)});
    format!(
        "{}.{}.sig",
        part(serde_json::json!({"alg": "none"})),
        part(claims)
    )
}

/// One poll's exchange appended to a session journal, as the client does after each answer:
/// what journaling adds to a poll.
fn journal(c: &mut Criterion) {
    use chatstart::api::exchange::Exchange;
    let dir = std::env::temp_dir().join(format!("chatstart-bench-journal-{}", std::process::id()));
    let journal = chatstart::journal::Journals::at(&dir).begin("bench");
    let exchange = Exchange {
        operation: chatstart::api::Operation::Session,
        started: std::time::SystemTime::now(),
        method: "GET".into(),
        url: "https://h.example/api/account/1/chat/H1-abcK2/events?v=1&NC=true&from=12".into(),
        request_headers: vec![
            ("Accept".into(), "application/json".into()),
            ("Authorization".into(), "LivePerson appKey=••••".into()),
        ],
        request_body: None,
        status: Some(200),
        response_headers: vec![("Content-Type".into(), "application/json".into())],
        response_body: Some(chat_document(3)),
        elapsed: Duration::from_millis(12),
        error: None,
    };
    c.bench_function("journal: one poll's exchange appended", |b| {
        b.iter(|| journal.append(black_box(&exchange)).expect("appended"))
    });
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(3));
    targets = render, parse, input, journal
}
criterion_main!(benches);
