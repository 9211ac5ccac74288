//! Soak (issue 6, "load"): 200 chats polling the in-process emulator every 200 ms while it
//! injects every poll fault, each visitor typing a line a second and the agent answering. At the
//! end every chat's delivered event ids must equal the emulator's, in order, without duplicates,
//! and this process's RSS, sampled as it runs, must not keep growing after warm-up.
//!
//! Runs for 120 s by default; `CHATSTART_SOAK_SECS=600 cargo test --test soak -- --nocapture`
//! runs longer and prints the figures.

mod common;

use std::time::Duration;

use chatstart::api::{ChatApi, ChatRequest, ClientConfig, Endpoint};
use chatstart::emulator::FaultSpec;
use chatstart::secret::Secret;
use chatstart::session::{self, FollowOptions, SessionUpdate};
use common::Emulator;
use tokio::sync::mpsc;
use tokio::time::Instant;

const CHATS: usize = 200;
const POLL: Duration = Duration::from_millis(200);

const SCENARIO: &str = r#"
default_chat_timeout_secs = 40
[[skills]]
name = "Soak"
id = 1
agent_name = "Natalie"
accept_after_ms = 100
greeting = "<b>Hi</b>"
replies = ["one", "<i>two</i>", "three"]
reply_after_ms = 50
"#;

/// Every poll fault, spread so that each chat meets them at different moments. The counters
/// are shared by all chats, so the hits land on polls of different chats.
const FAULTS: [&str; 8] = [
    "reorder@session,every=5",
    "503@session,skip=1,every=11,retry_after=0",
    "drop@session,skip=2,every=13",
    "malformed@session,skip=3,every=17",
    "no-next@session,skip=4,every=19",
    "repeat@session,skip=6,every=23",
    "429@session,skip=7,every=97,retry_after=1",
    "slow@session,skip=8,every=101,delay_ms=2500",
];

fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

struct Outcome {
    chat: String,
    ids: Vec<u64>,
    last: Option<SessionUpdate>,
    retries: usize,
}

#[test]
fn two_hundred_chats_under_faults_deliver_every_event_once_in_order_with_flat_memory() {
    let seconds: u64 = std::env::var("CHATSTART_SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(120);
    let emulator = Emulator::start(SCENARIO);
    let mut config = ClientConfig::new(
        Endpoint::BaseUrl(emulator.base_url()),
        emulator.handle.account(),
        Secret::new(emulator.app_key()),
    );
    config.http_timeout = Duration::from_secs(1);
    let api = ChatApi::new(config).expect("client");
    let started = std::time::Instant::now();

    let (outcomes, samples, requests, faults_hit) = emulator.runtime().block_on(async {
        // Open the chats and read their events links before the faults start.
        let mut chats = Vec::new();
        for _ in 0..CHATS {
            let uri = api
                .request_chat(
                    &ChatRequest {
                        skill: "Soak".into(),
                        ..ChatRequest::default()
                    },
                    None,
                )
                .await
                .expect("chat");
            let events = api.events_link(uri.as_str()).await.expect("events link");
            chats.push((uri.to_string(), events));
        }
        emulator.handle.set_faults(
            FAULTS
                .iter()
                .map(|spec| FaultSpec::parse(spec).expect("fault"))
                .collect(),
        );

        let deadline = Instant::now() + Duration::from_secs(seconds);
        let mut followers = Vec::new();
        for (uri, events) in chats {
            let (sender, mut updates) = mpsc::unbounded_channel();
            let options = FollowOptions {
                poll_interval: POLL,
                skill: None,
                max_failures: 9,
            };
            let tracker = session::follow(api.clone(), uri.clone(), options, sender);
            let visitor = api.clone();
            // The visitor types a line a second until the deadline, then ends the chat.
            tokio::spawn(async move {
                let mut every = tokio::time::interval(Duration::from_secs(1));
                let mut n = 0;
                loop {
                    every.tick().await;
                    if Instant::now() >= deadline {
                        break;
                    }
                    n += 1;
                    let _ = visitor.add_line(&events, &format!("line {n}")).await;
                }
                let _ = visitor.end_chat(&events).await;
            });
            followers.push(tokio::spawn(async move {
                let mut outcome = Outcome {
                    chat: uri.rsplit('/').next().unwrap_or_default().to_string(),
                    ids: Vec::new(),
                    last: None,
                    retries: 0,
                };
                while let Some(update) = updates.recv().await {
                    match &update {
                        SessionUpdate::Batch { events, .. } => {
                            outcome.ids.extend(events.iter().filter_map(|e| e.id));
                        }
                        SessionUpdate::Retrying { .. } => outcome.retries += 1,
                        _ => {}
                    }
                    outcome.last = Some(update);
                }
                tracker.await.expect("the tracker did not panic");
                outcome
            }));
        }

        // Sample memory and drain the emulator's log (it would otherwise grow with every
        // request and hide the client's own footprint).
        let mut samples = Vec::new();
        let mut requests = 0usize;
        let mut faults_hit = 0usize;
        let mut every = tokio::time::interval(Duration::from_secs(10));
        let finish = deadline + Duration::from_secs(60);
        while followers.iter().any(|f| !f.is_finished()) {
            every.tick().await;
            let log = emulator.handle.take_requests();
            requests += log.len();
            faults_hit += log.iter().filter(|r| r.fault.is_some()).count();
            if let Some(rss) = rss_kib() {
                let at = started.elapsed().as_secs();
                println!("soak: {at:>4} s  RSS {rss} KiB  requests so far {requests}");
                samples.push((at, rss));
            }
            assert!(Instant::now() < finish, "the chats did not all end in time");
        }
        let mut outcomes = Vec::new();
        for follower in followers {
            outcomes.push(follower.await.expect("collector"));
        }
        let log = emulator.handle.take_requests();
        requests += log.len();
        faults_hit += log.iter().filter(|r| r.fault.is_some()).count();
        (outcomes, samples, requests, faults_hit)
    });

    let elapsed = started.elapsed();
    let events: usize = outcomes.iter().map(|o| o.ids.len()).sum();
    let retries: usize = outcomes.iter().map(|o| o.retries).sum();
    println!(
        "soak: {CHATS} chats, {} s, {requests} requests ({faults_hit} faulted), {events} events delivered, {retries} retries",
        elapsed.as_secs()
    );
    for outcome in &outcomes {
        assert_eq!(
            outcome.last,
            Some(SessionUpdate::Ended),
            "chat {} did not end cleanly",
            outcome.chat
        );
        let held = emulator.handle.event_ids(&outcome.chat).expect("held");
        assert_eq!(
            outcome.ids, held,
            "chat {}: delivered events differ from the emulator's",
            outcome.chat
        );
    }
    assert!(faults_hit > 100, "the faults must have been exercised");
    assert!(retries > 100, "failed polls must have been retried");

    // Memory: compare the end with the first sample after warm-up (a fifth of the run), with a
    // generous allowance, plus 1 KiB per delivered event: the emulator in this same process keeps
    // every chat's events on purpose, so a longer run legitimately holds more.
    let warm = samples
        .iter()
        .find(|(at, _)| *at >= seconds / 5)
        .or(samples.first())
        .map(|(_, rss)| *rss);
    let last = samples.last().map(|(_, rss)| *rss);
    if let (Some(warm), Some(last)) = (warm, last) {
        println!("soak: RSS after warm-up {warm} KiB, at the end {last} KiB");
        assert!(
            last <= warm + warm / 2 + 64 * 1024 + events as u64,
            "RSS grew from {warm} KiB to {last} KiB for {events} events"
        );
    }
}
