//! Helpers shared by the integration tests: a seeded CSPRNG so every run is reproducible.

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

/// A ChaCha20 CSPRNG from a fixed seed (the core never touches the OS RNG itself).
pub fn rng(seed: u8) -> ChaCha20Rng {
    ChaCha20Rng::from_seed([seed; 32])
}
