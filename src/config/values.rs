//! Reading one value: trimmed lookups, ids, numbers, URLs; each failure names its key.

use std::time::Duration;

use twilight_model::id::Id;
use url::Url;

use super::ConfigError;

pub(super) struct Env<'a>(pub(super) &'a dyn Fn(&str) -> Option<String>);

impl Env<'_> {
    /// A set, non-blank value, trimmed.
    pub(super) fn optional(&self, key: &str) -> Option<String> {
        (self.0)(key)
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
    }

    pub(super) fn required(&self, key: &str) -> Result<String, ConfigError> {
        self.optional(key).ok_or_else(|| {
            ConfigError::new(key, "missing; it must be set in .env or the environment")
        })
    }

    pub(super) fn id<T>(&self, key: &str) -> Result<Id<T>, ConfigError> {
        let raw = self
            .optional(key)
            .ok_or_else(|| ConfigError::new(key, "missing; expected a Discord id (digits)"))?;
        parse_id(key, &raw)
    }

    /// Unset, blank or `0` (the original bot's default) mean "none".
    pub(super) fn optional_id<T>(&self, key: &str) -> Result<Option<Id<T>>, ConfigError> {
        match self.optional(key) {
            None => Ok(None),
            Some(raw) if raw == "0" => Ok(None),
            Some(raw) => parse_id(key, &raw).map(Some),
        }
    }

    pub(super) fn number(
        &self,
        key: &str,
        default: u32,
        range: std::ops::RangeInclusive<u32>,
    ) -> Result<u32, ConfigError> {
        let Some(raw) = self.optional(key) else {
            return Ok(default);
        };
        match raw.parse::<u32>() {
            Ok(n) if range.contains(&n) => Ok(n),
            _ => Err(ConfigError::new(
                key,
                format!(
                    "expected a whole number from {} to {}, got {raw:?}",
                    range.start(),
                    range.end()
                ),
            )),
        }
    }

    /// A duration written like `48h`, `90m`, `20s` or `1h 30m`; `0` is zero.
    pub(super) fn duration(&self, key: &str, default: Duration) -> Result<Duration, ConfigError> {
        let Some(raw) = self.optional(key) else {
            return Ok(default);
        };
        if raw == "0" {
            return Ok(Duration::ZERO);
        }
        humantime::parse_duration(&raw).map_err(|_| {
            ConfigError::new(
                key,
                format!("expected a duration such as 48h, 90m or 20s, got {raw:?}"),
            )
        })
    }

    /// `true`/`false` (also `1`/`0`, `yes`/`no`, `on`/`off`, any case); unset is `default`.
    pub(super) fn boolean(&self, key: &str, default: bool) -> Result<bool, ConfigError> {
        let Some(raw) = self.optional(key) else {
            return Ok(default);
        };
        match raw.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Ok(true),
            "false" | "0" | "no" | "off" => Ok(false),
            _ => Err(ConfigError::new(
                key,
                format!("expected true or false, e.g. {key}=true, got {raw:?}"),
            )),
        }
    }

    pub(super) fn url(
        &self,
        key: &str,
        default: &str,
        schemes: &[&str],
    ) -> Result<Url, ConfigError> {
        let raw = self.optional(key).unwrap_or_else(|| default.to_owned());
        parse_url(key, &raw, schemes)
    }
}

pub(super) fn parse_id<T>(key: &str, raw: &str) -> Result<Id<T>, ConfigError> {
    raw.parse::<u64>()
        .ok()
        .and_then(Id::new_checked)
        .ok_or_else(|| {
            ConfigError::new(key, format!("expected a Discord id (digits), got {raw:?}"))
        })
}

pub(super) fn parse_id_list<T>(key: &str, raw: &str) -> Result<Vec<Id<T>>, ConfigError> {
    raw.split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            parse_id(key, part).map_err(|_| {
                ConfigError::new(
                    key,
                    format!("expected comma-separated Discord ids, got {raw:?}"),
                )
            })
        })
        .collect()
}

pub(super) fn parse_url(key: &str, raw: &str, schemes: &[&str]) -> Result<Url, ConfigError> {
    let expected = schemes.join(" or ");
    match Url::parse(raw) {
        Ok(url) if schemes.contains(&url.scheme()) && url.host_str().is_some() => Ok(url),
        _ => Err(ConfigError::new(
            key,
            format!("expected a {expected} URL, got {raw:?}"),
        )),
    }
}
