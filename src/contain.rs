//! Panics kept inside the task they happen in, so the task that owns a chat can still end it.
//!
//! [`catch`] runs a future and turns a panic while it is polled into an error that names the
//! panic; its owner then ends the chat it created, as after any other failure. While such a
//! future is polled the thread is marked, so the console's panic hook (which otherwise restores
//! the terminal and ends the process) lets the panic be caught instead. [`test_fault`] is the
//! test-only way to make a chat-owning task panic on purpose. Imports nothing of the UI.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};

thread_local! {
    /// How many [`Caught`] futures are being polled on this thread right now.
    static CATCHING: Cell<u32> = const { Cell::new(0) };
    /// The last caught panic's message with its place, as the hook saw it.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Environment variable that makes a chat-owning task panic on purpose, to prove its chat is
/// still ended: `after-create` panics right after the chat exists (check cases, burst chats and
/// the console's session alike). Read only by [`test_fault`].
pub const TEST_FAULT_ENV: &str = "CHATSTART_TEST_FAULT";

/// Panics when [`TEST_FAULT_ENV`] names `point`; does nothing otherwise.
pub fn test_fault(point: &str) {
    if std::env::var(TEST_FAULT_ENV).is_ok_and(|fault| fault == point) {
        panic!("{TEST_FAULT_ENV}={point}: a panic on purpose");
    }
}

/// Whether a panic on this thread now will be caught by [`catch`] (for panic hooks).
pub fn is_caught_here() -> bool {
    CATCHING.with(Cell::get) > 0
}

/// Installs a panic hook that stays quiet for a panic [`catch`] will turn into an error (its
/// message, with where it happened, goes into that error instead) and hands any other panic to
/// the hook installed before. Call once, before any other hook is set.
pub fn install_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if is_caught_here() {
            let message = message_of(info.payload());
            let noted = match info.location() {
                Some(at) => format!("{message} at {}:{}", at.file(), at.line()),
                None => message,
            };
            LAST_PANIC.with(|last| *last.borrow_mut() = Some(noted));
        } else {
            previous(info);
        }
    }));
}

/// A future whose panics are caught.
pub struct Caught<F> {
    inner: Option<Pin<Box<F>>>,
}

/// Runs `future`; a panic while it runs becomes `Err` with the panic's message.
pub fn catch<F: Future>(future: F) -> Caught<F> {
    Caught {
        inner: Some(Box::pin(future)),
    }
}

impl<F: Future> Future for Caught<F> {
    type Output = Result<F::Output, String>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let Some(inner) = self.inner.as_mut() else {
            return Poll::Ready(Err("polled again after it panicked".into()));
        };
        CATCHING.with(|depth| depth.set(depth.get() + 1));
        let polled = catch_unwind(AssertUnwindSafe(|| inner.as_mut().poll(cx)));
        CATCHING.with(|depth| depth.set(depth.get() - 1));
        match polled {
            Ok(poll) => poll.map(Ok),
            Err(payload) => {
                // The future is dropped here, on this thread: whatever it held is let go now.
                self.inner = None;
                let noted = LAST_PANIC.with(|last| last.borrow_mut().take());
                Poll::Ready(Err(noted.unwrap_or_else(|| message_of(payload.as_ref()))))
            }
        }
    }
}

fn message_of(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(ToString::to_string)
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panic_becomes_an_error_and_the_thread_is_unmarked_after() {
        let outcome = catch(async {
            assert!(is_caught_here());
            tokio::task::yield_now().await;
            panic!("boom {}", 42);
        })
        .await;
        let error: Result<(), String> = outcome;
        assert!(error.unwrap_err().contains("boom 42"));
        assert!(!is_caught_here());
        assert_eq!(catch(async { 7 }).await, Ok(7));
    }
}
