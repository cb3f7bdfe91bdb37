//! How often one member may open tickets: at most `per_day` in any 24 hours
//! (`MAX_TICKETS_PER_USER_PER_DAY`) and `cooldown` between two openings (`TICKET_COOLDOWN`).
//! Read inside the reservation's write transaction, so the count and the new row agree.

use diesel::prelude::*;

use super::DbConn;
use super::models::TicketStatus;
use super::schema::tickets;
use crate::error::Error;

pub const DAY_MS: i64 = 86_400_000;

/// The limits one opening is checked against; staff get [`OpenLimits::NONE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenLimits {
    /// `None`: no daily limit.
    pub per_day: Option<u32>,
    /// Zero: no cooldown.
    pub cooldown_ms: i64,
}

impl OpenLimits {
    pub const NONE: Self = Self {
        per_day: None,
        cooldown_ms: 0,
    };

    /// How far back openings can still count against a limit.
    fn lookback_ms(&self) -> i64 {
        let day = if self.per_day.is_some() { DAY_MS } else { 0 };
        day.max(self.cooldown_ms)
    }
}

/// Which limit refused an opening.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    PerDay(u32),
    Cooldown,
}

/// An opening refused by `limit`; the next one is possible from `next_at_ms` (Unix ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitReached {
    pub limit: Limit,
    pub next_at_ms: i64,
}

/// Whether `opener_id` may open a ticket at `now`. Failed reservations (no channel was ever
/// made) do not count.
pub fn limit_reached(
    conn: &mut DbConn,
    opener_id: i64,
    now: i64,
    limits: &OpenLimits,
) -> Result<Option<LimitReached>, Error> {
    let lookback = limits.lookback_ms();
    if lookback == 0 {
        return Ok(None);
    }
    let opened: Vec<i64> = tickets::table
        .filter(tickets::opener_id.eq(opener_id))
        .filter(tickets::status.ne(TicketStatus::Failed.as_str()))
        .filter(tickets::created_at.gt(now - lookback))
        .order(tickets::created_at)
        .select(tickets::created_at)
        .load(conn)?;
    Ok(next_allowed(&opened, now, limits))
}

/// The rule on its own: `opened` holds the opening times (Unix ms, oldest first). When both
/// limits refuse, the later of the two times is when the next opening is possible.
pub fn next_allowed(opened: &[i64], now: i64, limits: &OpenLimits) -> Option<LimitReached> {
    let per_day = limits.per_day.and_then(|limit| {
        let today: Vec<i64> = opened
            .iter()
            .copied()
            .filter(|&at| at > now - DAY_MS)
            .collect();
        let over = (today.len() + 1).checked_sub(limit as usize)?;
        // One more opening is allowed once `over` of today's openings are older than a day.
        let next = today.get(over.checked_sub(1)?)?;
        Some(LimitReached {
            limit: Limit::PerDay(limit),
            next_at_ms: next + DAY_MS,
        })
    });
    let cooldown = opened
        .last()
        .map(|last| last + limits.cooldown_ms)
        .filter(|&next| limits.cooldown_ms > 0 && next > now)
        .map(|next| LimitReached {
            limit: Limit::Cooldown,
            next_at_ms: next,
        });
    match (per_day, cooldown) {
        (Some(a), Some(b)) => Some(if b.next_at_ms > a.next_at_ms { b } else { a }),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 10 * DAY_MS;

    fn limits(per_day: u32, cooldown_ms: i64) -> OpenLimits {
        OpenLimits {
            per_day: Some(per_day),
            cooldown_ms,
        }
    }

    #[test]
    fn below_the_daily_limit_is_allowed() {
        let opened = [NOW - 3_000, NOW - 2_000];
        assert_eq!(next_allowed(&opened, NOW, &limits(3, 0)), None);
        assert_eq!(next_allowed(&[], NOW, &limits(1, 0)), None);
    }

    #[test]
    fn at_the_daily_limit_the_oldest_opening_sets_the_next_time() {
        let opened = [NOW - 5_000, NOW - 3_000, NOW - 2_000];
        let reached = next_allowed(&opened, NOW, &limits(3, 0)).unwrap();
        assert_eq!(reached.limit, Limit::PerDay(3));
        assert_eq!(reached.next_at_ms, NOW - 5_000 + DAY_MS);
        // Over the limit (a lowered setting): enough openings must age out first.
        let reached = next_allowed(&opened, NOW, &limits(2, 0)).unwrap();
        assert_eq!(reached.next_at_ms, NOW - 3_000 + DAY_MS);
    }

    #[test]
    fn openings_older_than_a_day_do_not_count() {
        let opened = [NOW - DAY_MS - 1, NOW - DAY_MS, NOW - 1_000];
        assert_eq!(next_allowed(&opened, NOW, &limits(2, 0)), None);
    }

    #[test]
    fn the_cooldown_counts_from_the_last_opening() {
        let opened = [NOW - 5_000];
        let reached = next_allowed(&opened, NOW, &limits(10, 20_000)).unwrap();
        assert_eq!(reached.limit, Limit::Cooldown);
        assert_eq!(reached.next_at_ms, NOW + 15_000);
        assert_eq!(next_allowed(&opened, NOW, &limits(10, 5_000)), None);
    }

    #[test]
    fn the_later_of_both_limits_wins() {
        let opened = [NOW - DAY_MS + 1_000, NOW - 1_000];
        let reached = next_allowed(&opened, NOW, &limits(2, 2 * DAY_MS)).unwrap();
        assert_eq!(reached.limit, Limit::Cooldown);
        assert_eq!(reached.next_at_ms, NOW - 1_000 + 2 * DAY_MS);
        let reached = next_allowed(&opened, NOW, &limits(2, 1_500)).unwrap();
        assert_eq!(reached.limit, Limit::PerDay(2));
    }

    #[test]
    fn no_limits_allow_everything() {
        let opened = [NOW - 1, NOW - 2, NOW - 3];
        assert_eq!(next_allowed(&opened, NOW, &OpenLimits::NONE), None);
    }
}
