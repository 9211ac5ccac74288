//! QA checks: cases that start a chat and assert what must happen (routing, acceptance, the
//! agent's or bot's lines), run concurrently and repeatedly, reported for people and for CI.

pub mod file;
pub mod report;
pub mod run;

use std::sync::Arc;

use tokio::sync::{Semaphore, mpsc};

pub use file::{Case, CheckFile};
pub use run::{CaseResult, CaseRun, run_case};

/// Runs the cases with at most `concurrency` at once; each result is sent on `results` as it
/// finishes, and all are returned in the order given.
pub async fn run_all(
    runs: Vec<CaseRun>,
    concurrency: usize,
    results: mpsc::UnboundedSender<CaseResult>,
) -> Vec<CaseResult> {
    let gate = Arc::new(Semaphore::new(concurrency.max(1)));
    let tasks: Vec<_> = runs
        .into_iter()
        .map(|run| {
            let (gate, results) = (gate.clone(), results.clone());
            tokio::spawn(async move {
                let _permit = gate.acquire_owned().await;
                let result = run_case(run).await;
                let _ = results.send(result.clone());
                result
            })
        })
        .collect();
    let mut all = Vec::with_capacity(tasks.len());
    for task in tasks {
        if let Ok(result) = task.await {
            all.push(result);
        }
    }
    all
}
