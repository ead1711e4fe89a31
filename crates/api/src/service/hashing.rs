//! Argon2 runs on a few dedicated threads (one per core), never on the async workers or the
//! shared blocking pool. Excess requests wait up to `MAX_WAIT`, then get 503 `overloaded`, so a
//! login flood cannot exhaust memory. Each thread owns one Argon2 working memory (19 MiB) that
//! every verification on it reuses, so the resident set is bounded by threads × 19 MiB: an
//! allocation per hash left freed blocks resident in the allocator (docs/benchmarks.md (3b)).
//!
//! The hashing threads run at a lower scheduling priority (nice + 10) than the rest of the
//! server: under a login flood the hashes keep every core busy, and at equal priority each
//! request worker waited behind their time slices (challenge p99 9.4× the calm figure,
//! docs/benchmarks.md (3a)). Lowered, they still take all the CPU nobody else wants.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{oneshot, Semaphore};
use twofa_core::Argon2Memory;

use crate::error::{ApiError, ApiResult};

const MAX_WAIT: Duration = Duration::from_secs(2);
const RETRY_AFTER_SECS: u64 = 2;
/// How many nice steps below the server's other threads the hashing threads run. At + 10 the
/// kernel gives a runnable request worker about 9 times the CPU share of a hashing thread.
const NICE_STEPS: i32 = 10;

/// Runs on a hashing thread with that thread's Argon2 working memory.
type Job = Box<dyn FnOnce(&mut Argon2Memory) + Send>;
type Idle = Arc<Mutex<Vec<mpsc::Sender<Job>>>>;

pub struct HashGate {
    permits: Arc<Semaphore>,
    /// Senders of idle hashing threads, most recently idle last. Taking the most recent one
    /// keeps sequential requests on one warm thread: no thread is systematically colder (and
    /// slower) than another, which would otherwise show in the timing of alternate requests.
    idle: Idle,
}

impl HashGate {
    pub fn new(parallelism: usize) -> Self {
        let parallelism = parallelism.max(1);
        let mut senders = Vec::with_capacity(parallelism);
        for n in 0..parallelism {
            let (jobs, queue) = mpsc::channel::<Job>();
            let spawned = std::thread::Builder::new()
                .name(format!("twofa-hash-{n}"))
                .spawn(move || {
                    lower_priority();
                    // Allocated by the first hash and reused by every later one: nothing for the
                    // allocator to keep resident between hashes (docs/benchmarks.md (3b)).
                    let mut memory = Argon2Memory::new();
                    // Ends when the gate (every sender) is dropped.
                    while let Ok(job) = queue.recv() {
                        job(&mut memory);
                    }
                });
            match spawned {
                Ok(_) => senders.push(jobs),
                Err(err) => tracing::error!(error = %err, "cannot start a hashing thread"),
            }
        }
        let permits = Arc::new(Semaphore::new(senders.len()));
        Self {
            permits,
            idle: Arc::new(Mutex::new(senders)),
        }
    }

    pub fn per_core() -> Self {
        Self::new(std::thread::available_parallelism().map_or(1, |n| n.get()))
    }

    pub async fn run<T, F>(&self, work: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Argon2Memory) -> T + Send + 'static,
    {
        let permit = tokio::time::timeout(MAX_WAIT, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| ApiError::Overloaded {
                retry_after: RETRY_AFTER_SECS,
            })?
            .map_err(ApiError::internal)?;
        // A permit guarantees an idle thread: threads return before their permit is released.
        let worker = lock(&self.idle)
            .pop()
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("no idle hashing thread")))?;
        let (done, result) = oneshot::channel();
        let idle = Arc::clone(&self.idle);
        let me = worker.clone();
        let job: Job = Box::new(move |memory| {
            let outcome = catch_unwind(AssertUnwindSafe(|| work(memory)));
            lock(&idle).push(me);
            drop(permit);
            if let Ok(value) = outcome {
                let _ = done.send(value);
            }
        });
        worker
            .send(job)
            .map_err(|_| ApiError::internal(anyhow::anyhow!("a hashing thread is gone")))?;
        result
            .await
            .map_err(|_| ApiError::internal(anyhow::anyhow!("a hashing job panicked")))
    }
}

/// Lowers the calling thread's priority by [`NICE_STEPS`]; a failure costs only the latency
/// benefit, so it is logged (once per process, not once per thread) and otherwise ignored.
fn lower_priority() {
    static WARNED: AtomicBool = AtomicBool::new(false);
    if let Err(err) = renice_current_thread(NICE_STEPS) {
        if !WARNED.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                error = %err,
                "cannot lower the hashing threads' priority; they compete with request handling"
            );
        }
    }
}

/// Linux keeps a nice value per thread: `setpriority(PRIO_PROCESS, tid)` changes only this one.
/// Relative to the current value, and capped at 19, so a server started with `nice` stays
/// consistent (raising a priority back would need a privilege).
#[cfg(target_os = "linux")]
fn renice_current_thread(steps: i32) -> std::io::Result<()> {
    use rustix::process::{getpriority_process, setpriority_process};
    let tid = rustix::thread::gettid();
    let current = getpriority_process(Some(tid))?;
    setpriority_process(Some(tid), (current + steps).min(19))?;
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn renice_current_thread(_steps: i32) -> std::io::Result<()> {
    // Elsewhere PRIO_PROCESS would renice the whole server, not one thread.
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        "per-thread nice values are Linux-only",
    ))
}

fn lock(idle: &Idle) -> std::sync::MutexGuard<'_, Vec<mpsc::Sender<Job>>> {
    idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn a_full_gate_answers_overloaded() {
        let gate = HashGate::new(1);
        let _held = gate.permits.clone().acquire_owned().await.unwrap();
        let started = std::time::Instant::now();
        let result = gate.run(|_| 1).await;
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
            .run(|_| std::thread::current().name().map(str::to_owned))
            .await
            .unwrap();
        assert!(name.is_some_and(|n| n.starts_with("twofa-hash-")));
    }

    #[cfg(target_os = "linux")]
    #[actix_web::test]
    async fn hashing_threads_run_at_a_lower_priority() {
        let nice = || rustix::process::getpriority_process(Some(rustix::thread::gettid())).unwrap();
        let nice_there = move |_: &mut Argon2Memory| nice();
        let mine = nice();
        let gate = HashGate::new(2);
        for _ in 0..2 {
            let theirs = gate.run(nice_there).await.unwrap();
            assert_eq!(theirs, (mine + NICE_STEPS).min(19));
        }
        // Only the hashing threads: the caller's priority is untouched.
        assert_eq!(nice(), mine);
    }

    #[actix_web::test]
    async fn sequential_work_stays_on_the_most_recently_idle_thread() {
        let gate = HashGate::new(2);
        let name = |_: &mut Argon2Memory| std::thread::current().name().map(str::to_owned);
        let first = gate.run(name).await.unwrap();
        for _ in 0..5 {
            assert_eq!(gate.run(name).await.unwrap(), first);
        }
    }

    #[actix_web::test]
    async fn a_panicking_job_is_an_internal_error_and_the_gate_still_works() {
        let gate = HashGate::new(1);
        let failed = gate.run(|_| -> u8 { panic!("boom") }).await;
        assert!(matches!(failed, Err(ApiError::Internal(_))));
        assert_eq!(gate.run(|_| 7).await.unwrap(), 7);
    }
}
