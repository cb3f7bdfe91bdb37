//! The pause before reconnecting after the gateway closed. twilight reconnects at once after a
//! close (it waits only when a connection cannot be opened at all), so a gateway that closes
//! every connection — Discord does so with 4000 in outages — would be hammered with tens of
//! thousands of connections a minute; Discord counts IDENTIFYs (1,000 a day) and resets the
//! token beyond that. A single close after a good connection is normal (Discord asks for
//! reconnects) and is followed at once; closes in a row wait 1 s, 2 s, 4 s, … up to 60 s,
//! each jittered so that many bots do not come back in step.

use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, Instant};

const FIRST_PAUSE: Duration = Duration::from_secs(1);
const MAX_PAUSE: Duration = Duration::from_secs(60);
/// A connection that held its session this long counts as good: the next close starts over.
const STABLE: Duration = Duration::from_secs(30);

#[derive(Debug, Default)]
pub struct Backoff {
    /// Closes since the last good connection.
    closes: u32,
    /// When the current connection got READY or RESUMED.
    up_since: Option<Instant>,
}

impl Backoff {
    /// The connection got READY or RESUMED.
    pub fn connected(&mut self, now: Instant) {
        self.up_since = Some(now);
    }

    /// The connection closed; returns how long to wait before the next attempt.
    pub fn closed(&mut self, now: Instant) -> Duration {
        let was_good = self
            .up_since
            .take()
            .is_some_and(|since| now.saturating_duration_since(since) >= STABLE);
        if was_good {
            self.closes = 0;
        }
        self.closes = self.closes.saturating_add(1);
        jittered(pause_after(self.closes))
    }

    /// The number of the attempt that follows the last close (1 for the first reconnect).
    pub fn attempt(&self) -> u32 {
        self.closes
    }
}

/// The longest pause after `closes` closes in a row.
fn pause_after(closes: u32) -> Duration {
    match closes {
        0 | 1 => Duration::ZERO,
        n => FIRST_PAUSE
            .saturating_mul(1u32.checked_shl(n - 2).unwrap_or(u32::MAX))
            .min(MAX_PAUSE),
    }
}

/// A random point in the upper half of `pause`.
fn jittered(pause: Duration) -> Duration {
    // std's per-instance random hasher keys are random enough for spreading reconnects.
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    let fraction = 0.5 + (random % 1_000) as f64 / 2_000.0;
    pause.mul_f64(fraction)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closes_in_a_row_wait_longer_up_to_a_minute() {
        let mut backoff = Backoff::default();
        let now = Instant::now();
        let pauses: Vec<Duration> = (0..12).map(|_| backoff.closed(now)).collect();
        assert_eq!(pauses[0], Duration::ZERO);
        for (i, pause) in pauses.iter().enumerate().skip(1) {
            let most = pause_after(i as u32 + 1);
            assert!(*pause >= most / 2 && *pause <= most, "{i}: {pause:?}");
        }
        assert_eq!(pause_after(12), MAX_PAUSE);
        assert_eq!(pause_after(200), MAX_PAUSE);
        assert_eq!(backoff.attempt(), 12);
    }

    #[test]
    fn a_connection_that_lasted_starts_over_and_a_short_one_does_not() {
        let mut backoff = Backoff::default();
        let start = Instant::now();
        backoff.closed(start);
        backoff.closed(start);
        backoff.connected(start);
        assert!(backoff.closed(start + Duration::from_secs(1)) >= Duration::from_secs(1));
        assert_eq!(backoff.attempt(), 3);
        backoff.connected(start);
        assert_eq!(backoff.closed(start + STABLE), Duration::ZERO);
        assert_eq!(backoff.attempt(), 1);
    }
}
