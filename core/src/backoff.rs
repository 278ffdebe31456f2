//! Exponential backoff with jitter, for everything that reconnects: table watches and log
//! streams.

use std::time::Duration;

/// Delays that double from `initial` up to `max`, each scaled by ±20 % of jitter so many
/// streams that broke together (an API server restart) do not reconnect in lockstep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The first delay.
    pub initial: Duration,
    /// The longest delay.
    pub max: Duration,
}

impl Backoff {
    /// Log streams: 0.5 s doubling to 30 s.
    pub const LOGS: Backoff = Backoff {
        initial: Duration::from_millis(500),
        max: Duration::from_secs(30),
    };

    /// The delay before attempt `n` (from 1) after failures, without jitter.
    pub fn base(&self, n: u32) -> Duration {
        self.initial
            .saturating_mul(1 << n.saturating_sub(1).min(16))
            .min(self.max)
    }

    /// The delay before attempt `n` (from 1), with jitter.
    pub fn delay(&self, n: u32) -> Duration {
        self.base(n).mul_f64(jitter())
    }
}

/// A factor in [0.8, 1.2) from the clock's nanoseconds: cheap, and enough to spread retries.
fn jitter() -> f64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|t| t.subsec_nanos())
        .unwrap_or(0);
    0.8 + 0.4 * f64::from(nanos % 1000) / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_the_limit_with_bounded_jitter() {
        let b = Backoff::LOGS;
        assert_eq!(b.base(1), Duration::from_millis(500));
        assert_eq!(b.base(2), Duration::from_secs(1));
        assert_eq!(b.base(4), Duration::from_secs(4));
        assert_eq!(b.base(20), Duration::from_secs(30));
        assert_eq!(b.base(u32::MAX), Duration::from_secs(30));
        for n in 1..10 {
            let d = b.delay(n);
            assert!(
                d >= b.base(n).mul_f64(0.8) && d < b.base(n).mul_f64(1.2),
                "{n}: {d:?}"
            );
        }
    }
}
