//! `AUTO_ASSIGN`: a handed-over ticket is claimed for the supporter on duty with the fewest
//! claimed tickets under `MAX_TICKETS_PER_SUPPORTER`, like a claim: one transaction with its
//! audit row, then the channel moved and renamed and the log told.

use super::TicketState;
use crate::audit::AuditAction;
use crate::db::models::NewAuditEntry;
use crate::db::{now_ms, queries};
use crate::error::Result;
use crate::overwrites::Stage;
use crate::texts;
use crate::tickets::port::GREEN;
use crate::who::Who;

/// Who, of `loads` (member, name, claims held; longest on duty first), gets the next ticket:
/// the fewest claims under `limit`, the longest on duty among equals.
pub(super) fn least_loaded(loads: &[(i64, String, i64)], limit: i64) -> Vec<(i64, String)> {
    let mut candidates: Vec<_> = loads
        .iter()
        .enumerate()
        .filter(|(_, (_, _, held))| *held < limit)
        .collect();
    candidates.sort_by_key(|(order, (_, _, held))| (*held, *order));
    candidates
        .into_iter()
        .map(|(_, (user, name, _))| (*user, name.clone()))
        .collect()
}

impl TicketState {
    /// Claims the ticket for the least-loaded supporter on duty; None (nothing changed) when
    /// assignment is off, nobody is on duty or everyone is at the limit.
    pub(super) async fn assign_on_duty(&mut self) -> Result<Option<Who>> {
        if !self.ctx.config.auto_assign || self.ticket.claimed_by.is_some() {
            return Ok(None);
        }
        let id = self.id();
        let limit = i64::from(self.ctx.config.max_tickets_per_supporter);
        let assigned = self
            .ctx
            .db
            .write(move |conn| {
                let loads = queries::on_duty_loads(conn)?;
                for (user, name) in least_loaded(&loads, limit) {
                    // The limit is checked again under the claimer's lock: another ticket
                    // may have been assigned to them meanwhile.
                    if queries::claim_within_limit(conn, id, user, &name, limit, now_ms())? {
                        let who = crate::ids::read(user).map(|id| Who { id, name });
                        let entry = NewAuditEntry::new(
                            Some(id),
                            AuditAction::Assigned,
                            who.as_ref(),
                            "automatisch zugewiesen (im Dienst, wenigste Tickets)",
                        );
                        queries::audit(conn, &entry)?;
                        return Ok(who);
                    }
                }
                Ok(None)
            })
            .await?;
        let Some(who) = assigned else {
            return Ok(None);
        };
        self.reload().await?;
        self.apply_channel_stage(Stage::Claimed, Some(&who)).await;
        self.log(
            texts::LOG_ASSIGNED,
            Some(&who),
            texts::assigned(id, who.id.get()),
            GREEN,
        );
        Ok(Some(who))
    }
}

#[cfg(test)]
mod tests {
    use super::least_loaded;

    #[test]
    fn the_fewest_claims_under_the_limit_win_and_the_longest_on_duty_among_equals() {
        let loads = [
            (1, "a".to_owned(), 2),
            (2, "b".to_owned(), 1),
            (3, "c".to_owned(), 3),
            (4, "d".to_owned(), 1),
        ];
        let order: Vec<i64> = least_loaded(&loads, 3).into_iter().map(|c| c.0).collect();
        assert_eq!(order, [2, 4, 1]);
        assert!(least_loaded(&loads, 1).is_empty(), "everyone at the limit");
        assert!(least_loaded(&[], 3).is_empty(), "nobody on duty");
    }
}
