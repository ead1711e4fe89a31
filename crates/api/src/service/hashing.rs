//! Argon2 runs on a few dedicated threads (one per core), never on the async workers or the
//! shared blocking pool. Excess requests wait up to `MAX_WAIT`, then get 503 `overloaded`, so a
//! login flood cannot exhaust memory. Dedicated threads also matter for memory: glibc keeps a
//! freed 19 MiB argon2 block in the arena of the thread that used it, so spreading hashes over
//! many threads grows the resident set by 19 MiB per thread.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{oneshot, Semaphore};

use crate::error::{ApiError, ApiResult};

const MAX_WAIT: Duration = Duration::from_secs(2);
const RETRY_AFTER_SECS: u64 = 2;

type Job = Box<dyn FnOnce() + Send>;

pub struct HashGate {
    permits: Arc<Semaphore>,
    jobs: mpsc::Sender<Job>,
}

impl HashGate {
    pub fn new(parallelism: usize) -> Self {
        let parallelism = parallelism.max(1);
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..parallelism {
            let queue = Arc::clone(&queue);
            let spawned = std::thread::Builder::new()
                .name(format!("twofa-hash-{n}"))
                .spawn(move || loop {
                    let job = match queue.lock() {
                        Ok(queue) => queue.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return, // the gate was dropped
                    }
                });
            if let Err(err) = spawned {
                tracing::error!(error = %err, "cannot start a hashing thread");
            }
        }
        Self {
            permits: Arc::new(Semaphore::new(parallelism)),
            jobs,
        }
    }

    pub fn per_core() -> Self {
        Self::new(std::thread::available_parallelism().map_or(1, |n| n.get()))
    }

    pub async fn run<T, F>(&self, work: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let permit = tokio::time::timeout(MAX_WAIT, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| ApiError::Overloaded {
                retry_after: RETRY_AFTER_SECS,
            })?
            .map_err(ApiError::internal)?;
        let (done, result) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _permit = permit;
            if let Ok(value) = catch_unwind(AssertUnwindSafe(work)) {
                let _ = done.send(value);
            }
        });
        self.jobs
            .send(job)
            .map_err(|_| ApiError::internal(anyhow::anyhow!("hashing threads are gone")))?;
        result
            .await
            .map_err(|_| ApiError::internal(anyhow::anyhow!("a hashing job panicked")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn a_full_gate_answers_overloaded() {
        let gate = HashGate::new(1);
        let _held = gate.permits.clone().acquire_owned().await.unwrap();
        let started = std::time::Instant::now();
        let result = gate.run(|| 1).await;
        assert!(matches!(
            result,
            Err(ApiError::Overloaded { retry_after: 2 })
        ));
        assert!(started.elapsed() >= MAX_WAIT);
    }

    #[actix_web::test]
    async fn work_runs_on_a_hashing_thread() {
        let gate = HashGate::new(1);
        let name = gate
            .run(|| std::thread::current().name().map(str::to_owned))
            .await
            .unwrap();
        assert_eq!(name.as_deref(), Some("twofa-hash-0"));
    }

    #[actix_web::test]
    async fn a_panicking_job_is_an_internal_error_and_the_gate_still_works() {
        let gate = HashGate::new(1);
        let failed = gate.run(|| -> u8 { panic!("boom") }).await;
        assert!(matches!(failed, Err(ApiError::Internal(_))));
        assert_eq!(gate.run(|| 7).await.unwrap(), 7);
    }
}
