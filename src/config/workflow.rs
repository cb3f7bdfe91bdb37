//! The workflow keys of the timers and assignment: `AUTO_CLOSE_AFTER`, `AUTO_CLOSE_WARNING`,
//! `AUTO_ASSIGN`.

use std::time::Duration;

use super::ConfigError;
use super::values::Env;

/// Inactivity auto-close: a ticket that waits on its opener this long is closed, after a
/// warning `warning` before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AutoClose {
    pub after: Duration,
    pub warning: Duration,
}

const DEFAULT_WARNING: Duration = Duration::from_secs(12 * 3600);

/// `AUTO_CLOSE_AFTER` (unset: off) and `AUTO_CLOSE_WARNING` (12h, at most half of it).
pub(super) fn auto_close(env: &Env<'_>) -> Result<Option<AutoClose>, ConfigError> {
    let after = env.duration("AUTO_CLOSE_AFTER", Duration::ZERO)?;
    let warning = env.duration("AUTO_CLOSE_WARNING", DEFAULT_WARNING)?;
    if after.is_zero() {
        return Ok(None);
    }
    if warning.is_zero() || warning > after / 2 {
        return Err(ConfigError::new(
            "AUTO_CLOSE_WARNING",
            format!(
                "must be more than 0 and at most half of AUTO_CLOSE_AFTER ({}), got {}; e.g. \
                 AUTO_CLOSE_AFTER=48h with AUTO_CLOSE_WARNING=12h",
                humantime::format_duration(after),
                humantime::format_duration(warning)
            ),
        ));
    }
    Ok(Some(AutoClose { after, warning }))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn read(pairs: &[(&str, &str)]) -> Result<Option<AutoClose>, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let lookup = |key: &str| map.get(key).cloned();
        auto_close(&Env(&lookup))
    }

    #[test]
    fn unset_is_off_and_the_warning_defaults_to_twelve_hours() {
        assert_eq!(read(&[]), Ok(None));
        assert_eq!(
            read(&[("AUTO_CLOSE_AFTER", "48h")]),
            Ok(Some(AutoClose {
                after: Duration::from_secs(48 * 3600),
                warning: DEFAULT_WARNING
            }))
        );
    }

    #[test]
    fn a_warning_over_half_the_period_or_garbage_names_the_key() {
        let err = read(&[("AUTO_CLOSE_AFTER", "20h")]).unwrap_err();
        assert_eq!(err.key, "AUTO_CLOSE_WARNING");
        assert!(err.problem.contains("AUTO_CLOSE_AFTER=48h"), "{err}");
        let err = read(&[("AUTO_CLOSE_AFTER", "zwei Tage")]).unwrap_err();
        assert_eq!(err.key, "AUTO_CLOSE_AFTER");
        assert!(err.problem.contains("48h"), "{err}");
        let err = read(&[("AUTO_CLOSE_AFTER", "4s"), ("AUTO_CLOSE_WARNING", "2x")]).unwrap_err();
        assert_eq!(err.key, "AUTO_CLOSE_WARNING");
        assert_eq!(
            read(&[("AUTO_CLOSE_AFTER", "4s"), ("AUTO_CLOSE_WARNING", "2s")]),
            Ok(Some(AutoClose {
                after: Duration::from_secs(4),
                warning: Duration::from_secs(2)
            }))
        );
    }
}
