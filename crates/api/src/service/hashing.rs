//! Argon2 runs on the blocking pool with at most one hash per core at once. Excess requests wait
//! up to `MAX_WAIT`, then get 503 `overloaded`, so a login flood cannot exhaust memory.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::error::{ApiError, ApiResult};

const MAX_WAIT: Duration = Duration::from_secs(2);
const RETRY_AFTER_SECS: u64 = 2;

pub struct HashGate {
    permits: Arc<Semaphore>,
}

impl HashGate {
    pub fn new(parallelism: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(parallelism.max(1))),
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
        let out = actix_web::web::block(move || {
            let _permit = permit;
            work()
        })
        .await?;
        Ok(out)
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
    async fn a_free_gate_runs_the_work() {
        let gate = HashGate::new(1);
        assert_eq!(gate.run(|| 41 + 1).await.unwrap(), 42);
    }
}
