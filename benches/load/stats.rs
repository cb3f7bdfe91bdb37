//! Percentiles and the printed tables.

use std::time::Duration;

/// Latency samples, sorted.
pub struct Samples(Vec<Duration>);

impl Samples {
    pub fn new(mut samples: Vec<Duration>) -> Self {
        samples.sort();
        Self(samples)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Nearest-rank quantile (`q` in 0..=1); zero when empty.
    pub fn quantile(&self, q: f64) -> Duration {
        let n = self.0.len();
        if n == 0 {
            return Duration::ZERO;
        }
        let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
        self.0[rank - 1]
    }

    pub fn p50(&self) -> Duration {
        self.quantile(0.5)
    }

    pub fn p99(&self) -> Duration {
        self.quantile(0.99)
    }

    pub fn max(&self) -> Duration {
        self.0.last().copied().unwrap_or_default()
    }
}

pub fn fmt_duration(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us < 1_000.0 {
        format!("{us:.0} µs")
    } else if us < 1_000_000.0 {
        format!("{:.2} ms", us / 1e3)
    } else {
        format!("{:.2} s", us / 1e6)
    }
}

/// `a / b` as `1.23×`.
pub fn ratio(a: f64, b: f64) -> String {
    if b == 0.0 {
        return "-".to_owned();
    }
    format!("{:.2}×", a / b)
}

/// `a - b` for durations, signed, as `+1.23 ms`.
pub fn delta(a: Duration, b: Duration) -> String {
    if a >= b {
        format!("+{}", fmt_duration(a - b))
    } else {
        format!("-{}", fmt_duration(b - a))
    }
}

/// A row of a latency table: label, count, p50, p99, max, then `extra` columns.
pub fn latency_row(label: &str, samples: &Samples, extra: &[String]) {
    print!(
        "  {label:<38} {:>6} {:>10} {:>10} {:>10}",
        samples.len(),
        fmt_duration(samples.p50()),
        fmt_duration(samples.p99()),
        fmt_duration(samples.max()),
    );
    for column in extra {
        print!(" {column:>14}");
    }
    println!();
}

pub fn latency_header(extra: &[&str]) {
    print!(
        "  {:<38} {:>6} {:>10} {:>10} {:>10}",
        "", "n", "p50", "p99", "max"
    );
    for column in extra {
        print!(" {column:>14}");
    }
    println!();
}

pub fn per_second(count: usize, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64().max(1e-9)
}
