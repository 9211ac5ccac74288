//! In-process figures (criterion): the session view drawn with a 10,000-event transcript, and
//! the response parsers. Run with `cargo bench --bench inprocess`; figures print, nothing fails.

use std::hint::black_box;
use std::time::Instant;

use chatstart::api::format::decode;
use chatstart::api::model::ChatResource;
use chatstart::tui::app::{App, Phase, SessionView};
use chatstart::tui::form::Form;
use chatstart::tui::transcript::{Speaker, TranscriptLine};
use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

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
                        .draw(|frame| chatstart::tui::view::render(black_box(&app), frame))
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

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(3));
    targets = render, parse
}
criterion_main!(benches);
