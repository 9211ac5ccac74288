//! Soak (issue 6, "load"): 200 chats polling the emulator every 200 ms while it injects every
//! poll fault, each visitor typing a line a second and the agent answering. The emulator runs as
//! its own process (the real binary, faults given by `--fault`), so this process's memory is the
//! client's alone: what it keeps must not grow after warm-up. At the end
//! every chat's delivered event ids must be 0, 1, 2, … without a gap or a repeat (the emulator
//! numbers a chat's events that way) and end with the chat's end.
//!
//! The visitors type for 120 s by default; `CHATSTART_SOAK_SECS=600 cargo test --test soak --
//! --nocapture` runs longer and prints the figures. How fast the chats end afterwards is a
//! printed figure, never part of the verdict: on a loaded machine every step is slower, and
//! what this test proves (every event once, in order, flat memory) does not depend on speed.
//! Only a run that makes no progress at all for [`STALL`] fails for time.
//!
//! A test binary of its own, not a module of `tests/it`: the global allocator below counts every
//! allocation of the process, and other tests running beside it would be counted as the client's.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use chatstart::api::model::{ChatState, EventKind};
use chatstart::api::{ChatApi, ChatRequest, ClientConfig, Endpoint};
use chatstart::secret::Secret;
use chatstart::session::{self, FollowOptions, RetryPolicy, SessionUpdate};
use tokio::sync::mpsc;
use tokio::time::Instant;

const CHATS: usize = 200;
const POLL: Duration = Duration::from_millis(200);
/// A safety net, not a measure: no update from any chat for this long means a hang.
const STALL: Duration = Duration::from_secs(600);

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
    "slow@session,skip=8,every=101,delay_ms=4000",
];

/// The heap this process holds right now, counted by the allocator itself: unlike the RSS it
/// does not keep what was once touched and given back, so a busy moment leaves no mark on it.
static LIVE_BYTES: AtomicUsize = AtomicUsize::new(0);

struct CountingAllocator;

// SAFETY: every call goes to the system allocator unchanged; only the counter is added.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            LIVE_BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        }
        pointer
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { System.alloc_zeroed(layout) };
        if !pointer.is_null() {
            LIVE_BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        unsafe { System.dealloc(pointer, layout) };
        LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let moved = unsafe { System.realloc(pointer, layout, new_size) };
        if !moved.is_null() {
            LIVE_BYTES.fetch_add(new_size, Ordering::Relaxed);
            LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

fn live_kib() -> u64 {
    (LIVE_BYTES.load(Ordering::Relaxed) / 1024) as u64
}

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
    ended: bool,
    last: Option<SessionUpdate>,
    retries: usize,
}

/// The emulator as its own process; killed when dropped.
struct EmulatorProcess {
    child: Child,
    base_url: String,
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn emulator_process(home: &std::path::Path) -> EmulatorProcess {
    let scenario = home.join("soak.toml");
    std::fs::write(&scenario, SCENARIO).expect("scenario");
    let mut command = Command::new(env!("CARGO_BIN_EXE_chatstart"));
    command
        .args(["emulator", "--port", "0", "--scenario"])
        .arg(&scenario);
    for fault in FAULTS {
        command.args(["--fault", fault]);
    }
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("emulator");
    let mut banner = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    while banner.read_line(&mut line).expect("banner") > 0 {
        if let Some(url) = line
            .split_whitespace()
            .find(|w| w.starts_with("http://127.0.0.1:"))
        {
            let base_url = url.to_string();
            // Keep reading its output so the pipe never fills.
            std::thread::spawn(move || for _ in banner.lines() {});
            return EmulatorProcess { child, base_url };
        }
        line.clear();
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the emulator printed no base URL");
}

#[test]
fn two_hundred_chats_under_faults_deliver_every_event_once_in_order_with_flat_memory() {
    let seconds: u64 = std::env::var("CHATSTART_SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(120);
    let home = tempfile::tempdir().expect("home");
    let emulator = emulator_process(home.path());
    let mut config = ClientConfig::new(
        Endpoint::BaseUrl(emulator.base_url.clone()),
        "12345678",
        Secret::new("demo-app-key-0123456789abcdef"),
    );
    // Longer than a loaded machine's slowest answer, shorter than the `slow` fault's delay,
    // which must still time out.
    config.http_timeout = Duration::from_secs(3);
    let api = ChatApi::new(config).expect("client");
    let started = std::time::Instant::now();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");

    let (outcomes, samples, steady_until, ended_after) = runtime.block_on(async {
        // Open the chats; the faults are on from the start, so reading a chat's events link
        // (a GET of the chat) may meet one and is tried again.
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
            let mut events = None;
            for _ in 0..20 {
                if let Ok(link) = api.events_link(uri.as_str()).await {
                    events = Some(link);
                    break;
                }
            }
            chats.push((uri.to_string(), events.expect("events link")));
        }

        let deadline = Instant::now() + Duration::from_secs(seconds);
        // Woken by every update and every try to end a chat: the stall net below.
        let progress = std::sync::Arc::new(tokio::sync::Notify::new());
        let steady_until = started.elapsed().as_secs() + seconds;
        let mut followers = Vec::new();
        for (uri, events) in chats {
            let (sender, mut updates) = mpsc::unbounded_channel();
            // LivePerson's 5, 10, 15 s after a 5xx, shortened: this test is about the event
            // streams staying whole under faults, and wants many polls in its minutes. Failures
            // in a row never give a session up here: on a loaded machine timeouts can pile up,
            // and losing a session is not what this test is about.
            let options = FollowOptions {
                poll_interval: POLL,
                skill: None,
                max_failures: u32::MAX,
                retry: RetryPolicy {
                    server_error: [250, 500, 750].map(Duration::from_millis),
                    ..RetryPolicy::default()
                },
                known_reachable: true,
                visitor_name: None,
            };
            let tracker = session::follow(api.clone(), uri.clone(), options, sender);
            let visitor = api.clone();
            let session_uri = uri.clone();
            let ending = progress.clone();
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
                // The end must get through whatever the faults and the load do to single
                // requests: read the chat and end it until it shows ended.
                while visitor.end_session(&session_uri).await.is_err() {
                    ending.notify_one();
                    tokio::time::sleep(POLL).await;
                }
            });
            let progress = progress.clone();
            followers.push(tokio::spawn(async move {
                let mut outcome = Outcome {
                    chat: uri.rsplit('/').next().unwrap_or_default().to_string(),
                    ids: Vec::new(),
                    ended: false,
                    last: None,
                    retries: 0,
                };
                while let Some(update) = updates.recv().await {
                    progress.notify_one();
                    match &update {
                        SessionUpdate::Batch { events, .. } => {
                            outcome.ids.extend(events.iter().filter_map(|e| e.id));
                            outcome.ended |= events
                                .iter()
                                .any(|e| e.kind == EventKind::State(ChatState::Ended));
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

        // Sample this process's memory: the client's alone, the emulator runs elsewhere. The
        // heap is read often (it costs a load), the RSS every ten seconds, for the record.
        let mut samples = Vec::new();
        let mut every = tokio::time::interval(Duration::from_millis(250));
        let mut last_progress = Instant::now();
        let mut printed = 0;
        while followers.iter().any(|f| !f.is_finished()) {
            tokio::select! {
                _ = every.tick() => {
                    let at = started.elapsed();
                    samples.push((at, live_kib()));
                    if at.as_secs() >= printed {
                        printed = at.as_secs() + 10;
                        let rss = rss_kib().map_or("?".into(), |rss| rss.to_string());
                        println!(
                            "soak: {:>4} s  client heap {} KiB, RSS {rss} KiB",
                            at.as_secs(),
                            live_kib()
                        );
                    }
                }
                () = progress.notified() => last_progress = Instant::now(),
            }
            assert!(
                last_progress.elapsed() < STALL,
                "no chat made any progress for {} s: a hang",
                STALL.as_secs()
            );
        }
        let ended_after = Instant::now().saturating_duration_since(deadline);
        let mut outcomes = Vec::new();
        for follower in followers {
            outcomes.push(follower.await.expect("collector"));
        }
        (outcomes, samples, steady_until, ended_after)
    });

    let elapsed = started.elapsed();
    let events: usize = outcomes.iter().map(|o| o.ids.len()).sum();
    let retries: usize = outcomes.iter().map(|o| o.retries).sum();
    println!(
        "soak: {CHATS} chats, {} s, {events} events delivered, {retries} retries; all ended \
         {:.1} s after the visitors stopped typing",
        elapsed.as_secs(),
        ended_after.as_secs_f64()
    );
    for outcome in &outcomes {
        assert_eq!(
            outcome.last,
            Some(SessionUpdate::Ended),
            "chat {} did not end cleanly",
            outcome.chat
        );
        let expected: Vec<u64> = (0..outcome.ids.len() as u64).collect();
        assert_eq!(
            outcome.ids, expected,
            "chat {}: events skipped, repeated or out of order",
            outcome.chat
        );
        assert!(
            outcome.ended,
            "chat {}: its end was not delivered",
            outcome.chat
        );
        assert!(
            outcome.ids.len() > 10,
            "chat {}: too few events to prove anything",
            outcome.chat
        );
    }
    assert!(
        retries > 100,
        "the faults must have been met and the polls retried"
    );

    // Memory: the least heap held in a window of the steady run after warm-up (a fifth of the
    // run) against the least in the window that ends it. The least, because at any instant the
    // heap also holds the requests and answers in flight, more of them the slower the machine
    // is; what stays at the quietest moment of a window is what the client keeps. The samples
    // after the deadline are left out: there all 200 visitors end their chats at once. What
    // may grow without being a leak: the ids the client de-duplicates by, and this test's own
    // record of them (64 bytes per delivered event is ample), and the connections the HTTP
    // pool keeps open, whose number follows the most requests ever in flight at once, which a
    // loaded machine raises (at most one per tracker and one per visitor, 32 KiB each is
    // ample). A leak of anything kept per poll (an answer, an event list) is hundreds of MB
    // over the run, far beyond the bound.
    const PER_CONNECTION_KIB: u64 = 32;
    let connections = 2 * CHATS as u64;
    let window = Duration::from_secs(10);
    let least_in = |from: Duration, to: Duration| {
        samples
            .iter()
            .filter(|(at, _)| *at >= from && *at < to)
            .map(|(_, kib)| *kib)
            .min()
    };
    let warm_from = Duration::from_secs(seconds / 5);
    let steady_end = Duration::from_secs(steady_until);
    let warm = least_in(warm_from, warm_from + window);
    let last = least_in(steady_end.saturating_sub(window), steady_end);
    let (Some(warm), Some(last)) = (warm, last) else {
        panic!(
            "no heap samples in the windows compared: {} samples",
            samples.len()
        );
    };
    println!("soak: least heap after warm-up {warm} KiB, at the end of the steady run {last} KiB");
    let bound = warm + warm / 4 + events as u64 / 16 + connections * PER_CONNECTION_KIB;
    assert!(
        last <= bound,
        "the heap grew from {warm} KiB to {last} KiB for {events} events (bound {bound} KiB)"
    );
}
