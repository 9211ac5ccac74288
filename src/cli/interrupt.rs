//! Interruptions of the headless commands that create chats: Ctrl+C (SIGINT), SIGTERM and
//! SIGHUP (a closed terminal, a lost SSH link) all stop them the same way — after saying what
//! exists and how to end it, never by dying with a chat request on its way. Exit code 130.

use std::fmt;

use futures_util::FutureExt;

pub use super::exit::INTERRUPTED;

/// The signal that interrupted a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    Interrupt,
    Terminate,
    HangUp,
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Interrupt => "interrupted (Ctrl+C)",
            Self::Terminate => "terminated (SIGTERM)",
            Self::HangUp => "hung up (SIGHUP)",
        })
    }
}

/// The signals a command listens for, from the moment it is made: one that arrives while the
/// command is busy elsewhere waits to be noticed instead of killing the process.
pub struct Interrupts {
    #[cfg(unix)]
    streams: Vec<(Signal, tokio::signal::unix::Signal)>,
    /// Turns true once a signal has been taken: work that goes on meanwhile (the steps of the
    /// authenticated flow) reads it to send nothing new.
    seen: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Interrupts {
    /// Starts listening; from now on these signals no longer end the process by themselves.
    pub fn listen() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let streams = [
                (Signal::Interrupt, SignalKind::interrupt()),
                (Signal::Terminate, SignalKind::terminate()),
                (Signal::HangUp, SignalKind::hangup()),
            ]
            .into_iter()
            .filter_map(|(name, kind)| signal(kind).ok().map(|stream| (name, stream)))
            .collect();
            Self {
                streams,
                seen: std::sync::Arc::default(),
            }
        }
        #[cfg(not(unix))]
        {
            Self {
                seen: std::sync::Arc::default(),
            }
        }
    }

    /// The next signal.
    pub async fn next(&mut self) -> Signal {
        let signal = self.wait().await;
        self.seen.store(true, std::sync::atomic::Ordering::SeqCst);
        signal
    }

    /// Whether a signal was taken, as a flag work may read while it goes on.
    pub fn seen(&self) -> std::sync::Arc<std::sync::atomic::AtomicBool> {
        self.seen.clone()
    }

    async fn wait(&mut self) -> Signal {
        #[cfg(unix)]
        {
            if self.streams.is_empty() {
                return std::future::pending().await;
            }
            let waits = self.streams.iter_mut().map(|(name, stream)| {
                let name = *name;
                Box::pin(async move {
                    stream.recv().await;
                    name
                })
            });
            futures_util::future::select_all(waits).await.0
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            Signal::Interrupt
        }
    }

    /// A signal that already arrived, without waiting.
    pub fn arrived(&mut self) -> Option<Signal> {
        self.next().now_or_never()
    }
}
