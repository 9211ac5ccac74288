//! QA checks: cases that start a chat and assert what must happen (routing, acceptance, the
//! agent's or bot's lines), run concurrently and repeatedly, reported for people and for CI.

pub mod file;
pub mod report;
pub mod run;

use std::sync::Arc;

use tokio::sync::{Semaphore, mpsc};

pub use file::{Case, CheckFile};
pub use run::{CaseResult, CaseRun, run_case};

/// How a run of a check file goes, case run by case run (`index`: its place in the runs given).
#[derive(Debug, Clone, PartialEq)]
pub enum CaseEvent {
    /// The case run has its turn and starts.
    Started { index: usize },
    /// Its verdict.
    Finished {
        index: usize,
        result: Box<CaseResult>,
    },
}

/// Runs the cases with at most `concurrency` at once, starting them in the order given; each
/// start and each result is sent on `events` as it happens, and all results are returned in the
/// order given. `chatstart check` and the console's check runs both run here.
pub async fn run_all(
    runs: Vec<CaseRun>,
    concurrency: usize,
    events: mpsc::UnboundedSender<CaseEvent>,
) -> Vec<CaseResult> {
    let gate = Arc::new(Semaphore::new(concurrency.clamp(1, Semaphore::MAX_PERMITS)));
    let mut tasks = Vec::with_capacity(runs.len());
    for (index, run) in runs.into_iter().enumerate() {
        // The permit is taken here, in the order given, not inside the task: tasks spawned all
        // at once take it in whatever order the runtime polls them, and tokio polls the newest
        // first (its LIFO slot), so with one at a time the file's last case ran first.
        let Ok(permit) = gate.clone().acquire_owned().await else {
            break;
        };
        let (name, repeat) = (run.case.name.clone(), run.repeat);
        let events = events.clone();
        let task = tokio::spawn(async move {
            let _ = events.send(CaseEvent::Started { index });
            let result = run_case(run).await;
            // Reported before the permit goes, so with one at a time the lines come in order.
            let _ = events.send(CaseEvent::Finished {
                index,
                result: Box::new(result.clone()),
            });
            drop(permit);
            result
        });
        tasks.push((name, repeat, task));
    }
    let mut all = Vec::with_capacity(tasks.len());
    for (name, repeat, task) in tasks {
        all.push(task.await.unwrap_or_else(|error| CaseResult {
            name,
            repeat,
            error: Some(format!("the case stopped unexpectedly: {error}")),
            error_kind: Some(crate::api::ErrorKind::Failed),
            ..CaseResult::default()
        }));
    }
    all
}
