//! The whole console loop in-process: its input is a channel the test sends events on, its screen
//! is the text sent on a watch after every draw (`Options::screen`). Waits are on that text, with
//! a deadline, never a sleep.

use std::pin::Pin;
use std::time::Duration;

use crossterm::event::Event;
use futures_util::Stream;
use tokio::sync::{mpsc, watch};

/// The console's input: the events sent on the sender, in order, until it is dropped.
pub type Input = Pin<Box<dyn Stream<Item = std::io::Result<Event>> + Send>>;

/// A sender for the test and the input it feeds.
pub fn input() -> (mpsc::UnboundedSender<Event>, Input) {
    let (keys, received) = mpsc::unbounded_channel::<Event>();
    let input = Box::pin(futures_util::stream::unfold(
        received,
        |mut rx| async move { rx.recv().await.map(|event| (Ok(event), rx)) },
    ));
    (keys, input)
}

/// Waits at most `within` until the screen shows `what`; the screen.
pub async fn wait_for(
    screen: &mut watch::Receiver<String>,
    what: &str,
    within: Duration,
) -> String {
    wait_until(screen, what, within, |text| text.contains(what)).await
}

/// Waits at most `within` until the screen satisfies `test` (`what` names it in the failure);
/// the screen.
pub async fn wait_until(
    screen: &mut watch::Receiver<String>,
    what: &str,
    within: Duration,
    test: impl Fn(&str) -> bool,
) -> String {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        {
            let text = screen.borrow_and_update();
            if test(&text) {
                return text.clone();
            }
        }
        if tokio::time::timeout_at(deadline, screen.changed())
            .await
            .is_err()
        {
            panic!(
                "`{what}` did not appear within {within:?}; screen:\n{}",
                *screen.borrow()
            );
        }
    }
}
