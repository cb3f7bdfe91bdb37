//! Who may do what with a ticket: the one place every handler asks. Each rule answers with
//! what the person is allowed to do, or with the refusal they are shown.

use twilight_model::id::Id;
use twilight_model::id::marker::{RoleMarker, UserMarker};

use crate::config::Roles;
use crate::db::models::{Ticket, TicketStatus};
use crate::texts;

mod staff;

pub use staff::*;

/// The person asking: their id and their roles in the server.
#[derive(Debug, Clone, Copy)]
pub struct Asker<'a> {
    pub id: Option<Id<UserMarker>>,
    pub roles: &'a [Id<RoleMarker>],
}

/// Why an action is refused: the text the person is shown (and the audit row keeps).
pub type Refusal = String;

/// A claim that may go ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// Of an open ticket.
    Fresh,
    /// An admin takes over a ticket another supporter holds.
    Takeover,
}

/// Staff open without the per-user opening limits.
pub fn opens_without_limits(roles: &Roles, asker: Asker<'_>) -> bool {
    roles.is_staff(asker.roles)
}

/// Only staff claim; a claimed ticket is taken over only by an admin.
pub fn claim(roles: &Roles, asker: Asker<'_>, ticket: &Ticket) -> Result<Claim, Refusal> {
    if !roles.is_staff(asker.roles) {
        return Err(texts::NOT_STAFF.to_owned());
    }
    let me = asker.id.map(crate::ids::stored);
    match (ticket.status(), ticket.claimed_by) {
        (TicketStatus::Open, _) => Ok(Claim::Fresh),
        (TicketStatus::Claimed, Some(holder)) if Some(holder) == me => {
            Err(texts::ALREADY_CLAIMED_BY_YOU.to_owned())
        }
        (TicketStatus::Claimed, Some(_)) if roles.is_admin(asker.roles) => Ok(Claim::Takeover),
        (TicketStatus::Claimed, holder) => Err(texts::claimed_by_other(holder.unwrap_or_default())),
        _ => Err(texts::TICKET_NOT_OPEN.to_owned()),
    }
}

/// Staff and the opener close a ticket that is still open or claimed.
pub fn close(roles: &Roles, asker: Asker<'_>, ticket: &Ticket) -> Result<(), Refusal> {
    if !roles.is_staff(asker.roles) && !is_opener(asker, ticket) {
        return Err(texts::NOT_STAFF_OR_OPENER.to_owned());
    }
    if !ticket.status().is_active() {
        return Err(texts::TICKET_NOT_OPEN.to_owned());
    }
    Ok(())
}

fn is_opener(asker: Asker<'_>, ticket: &Ticket) -> bool {
    asker
        .id
        .is_some_and(|id| crate::ids::stored(id) == ticket.opener_id)
}

/// Staff reopen a closed ticket; its opener too while `REOPEN_BY_OPENER` allows it.
pub fn reopen(
    roles: &Roles,
    asker: Asker<'_>,
    ticket: &Ticket,
    by_opener: bool,
) -> Result<(), Refusal> {
    if !roles.is_staff(asker.roles) {
        if !is_opener(asker, ticket) {
            return Err(if by_opener {
                texts::NOT_STAFF_OR_OPENER_REOPEN.to_owned()
            } else {
                texts::NOT_REOPENER.to_owned()
            });
        }
        if !by_opener {
            return Err(texts::NOT_REOPENER.to_owned());
        }
    }
    if ticket.status() != TicketStatus::Closed {
        return Err(texts::TICKET_NOT_CLOSED.to_owned());
    }
    Ok(())
}

/// Staff ask the opener of an open or claimed ticket to confirm its close.
pub fn close_request(roles: &Roles, asker: Asker<'_>, ticket: &Ticket) -> Result<(), Refusal> {
    if !roles.is_staff(asker.roles) {
        return Err(texts::NOT_STAFF.to_owned());
    }
    if !ticket.status().is_active() {
        return Err(texts::TICKET_NOT_OPEN.to_owned());
    }
    Ok(())
}

/// Only the opener answers a close request, and only while the ticket is open.
pub fn answer_close_request(asker: Asker<'_>, ticket: &Ticket) -> Result<(), Refusal> {
    if !is_opener(asker, ticket) {
        return Err(texts::CLOSE_REQUEST_ONLY_OPENER.to_owned());
    }
    if !ticket.status().is_active() {
        return Err(texts::CLOSE_REQUEST_NOT_PENDING.to_owned());
    }
    Ok(())
}

/// Only the opener rates a ticket, once it has ended.
pub fn rate(rater: Id<UserMarker>, ticket: &Ticket) -> Result<(), Refusal> {
    if crate::ids::stored(rater) != ticket.opener_id {
        return Err(texts::RATING_NOT_OPENER.to_owned());
    }
    if ticket.status().is_active() {
        return Err(texts::RATING_NOT_ENDED.to_owned());
    }
    Ok(())
}

/// Staff delete any ticket not deleted yet.
pub fn delete(roles: &Roles, asker: Asker<'_>, ticket: &Ticket) -> Result<(), Refusal> {
    if !roles.is_staff(asker.roles) {
        return Err(texts::NOT_STAFF.to_owned());
    }
    if ticket.status() == TicketStatus::Deleted {
        return Err(texts::TICKET_NOT_OPEN.to_owned());
    }
    Ok(())
}

/// Staff save and download transcripts.
pub fn transcript(roles: &Roles, asker: Asker<'_>) -> Result<(), Refusal> {
    if !roles.is_staff(asker.roles) {
        return Err(texts::NOT_STAFF.to_owned());
    }
    Ok(())
}

/// Staff (support or admin) go on and off duty for automatic assignment.
pub fn duty(roles: &Roles, asker: Asker<'_>) -> Result<(), Refusal> {
    if !roles.is_staff(asker.roles) {
        return Err(texts::NOT_STAFF.to_owned());
    }
    Ok(())
}

/// Admins post the "open ticket" button.
pub fn setup_button(roles: &Roles, asker: Asker<'_>) -> Result<(), Refusal> {
    if !roles.is_admin(asker.roles) {
        return Err(texts::NOT_ADMIN.to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use twilight_model::id::Id;

    use super::*;

    // Shared with the tests of `policy::staff`.
    pub(super) const SUPPORT: u64 = 10;
    pub(super) const ADMIN: u64 = 11;

    pub(super) fn roles() -> Roles {
        Roles {
            support: Id::new(SUPPORT),
            admin: Id::new(ADMIN),
            viewers: Vec::new(),
        }
    }

    pub(super) fn asker(id: u64, roles: &[Id<RoleMarker>]) -> Asker<'_> {
        Asker {
            id: Some(Id::new(id)),
            roles,
        }
    }

    pub(super) fn claimed_by(holder: i64) -> Ticket {
        Ticket {
            status: TicketStatus::Claimed,
            claimed_by: Some(holder),
            ..Ticket::sample(1, 100)
        }
    }

    #[test]
    fn only_staff_claim_and_only_an_admin_takes_over() {
        let (support, admin) = ([Id::new(SUPPORT)], [Id::new(ADMIN)]);
        let open = Ticket::sample(1, 100);
        assert_eq!(
            claim(&roles(), asker(200, &support), &open),
            Ok(Claim::Fresh)
        );
        assert_eq!(
            claim(&roles(), asker(100, &[]), &open),
            Err(texts::NOT_STAFF.to_owned())
        );
        assert_eq!(
            claim(&roles(), asker(200, &support), &claimed_by(200)),
            Err(texts::ALREADY_CLAIMED_BY_YOU.to_owned())
        );
        assert_eq!(
            claim(&roles(), asker(201, &support), &claimed_by(200)),
            Err(texts::claimed_by_other(200))
        );
        assert_eq!(
            claim(&roles(), asker(300, &admin), &claimed_by(200)),
            Ok(Claim::Takeover)
        );
    }

    #[test]
    fn the_opener_closes_but_does_not_delete() {
        let open = Ticket::sample(1, 100);
        assert_eq!(close(&roles(), asker(100, &[]), &open), Ok(()));
        assert!(close(&roles(), asker(101, &[]), &open).is_err());
        assert!(delete(&roles(), asker(100, &[]), &open).is_err());
        let closed = Ticket {
            status: TicketStatus::Closed,
            ..open
        };
        assert_eq!(
            close(&roles(), asker(100, &[]), &closed),
            Err(texts::TICKET_NOT_OPEN.to_owned())
        );
        assert_eq!(
            delete(&roles(), asker(200, &[Id::new(SUPPORT)]), &closed),
            Ok(())
        );
    }

    fn closed() -> Ticket {
        Ticket {
            status: TicketStatus::Closed,
            ..Ticket::sample(1, 100)
        }
    }

    #[test]
    fn staff_always_reopen_and_the_opener_only_while_allowed() {
        let support = [Id::new(SUPPORT)];
        assert_eq!(
            reopen(&roles(), asker(200, &support), &closed(), false),
            Ok(())
        );
        assert_eq!(reopen(&roles(), asker(100, &[]), &closed(), true), Ok(()));
        assert_eq!(
            reopen(&roles(), asker(100, &[]), &closed(), false),
            Err(texts::NOT_REOPENER.to_owned())
        );
        assert_eq!(
            reopen(&roles(), asker(101, &[]), &closed(), true),
            Err(texts::NOT_STAFF_OR_OPENER_REOPEN.to_owned())
        );
        assert_eq!(
            reopen(
                &roles(),
                asker(200, &support),
                &Ticket::sample(1, 100),
                true
            ),
            Err(texts::TICKET_NOT_CLOSED.to_owned())
        );
    }

    #[test]
    fn staff_request_a_close_and_only_the_opener_answers() {
        let support = [Id::new(SUPPORT)];
        let open = Ticket::sample(1, 100);
        assert_eq!(close_request(&roles(), asker(200, &support), &open), Ok(()));
        assert_eq!(
            close_request(&roles(), asker(100, &[]), &open),
            Err(texts::NOT_STAFF.to_owned())
        );
        assert_eq!(answer_close_request(asker(100, &[]), &open), Ok(()));
        assert_eq!(
            answer_close_request(asker(200, &support), &open),
            Err(texts::CLOSE_REQUEST_ONLY_OPENER.to_owned())
        );
        assert_eq!(
            answer_close_request(asker(100, &[]), &closed()),
            Err(texts::CLOSE_REQUEST_NOT_PENDING.to_owned())
        );
    }

    #[test]
    fn only_the_opener_rates_an_ended_ticket() {
        assert_eq!(rate(Id::new(100), &closed()), Ok(()));
        assert_eq!(
            rate(Id::new(101), &closed()),
            Err(texts::RATING_NOT_OPENER.to_owned())
        );
        assert_eq!(
            rate(Id::new(100), &Ticket::sample(1, 100)),
            Err(texts::RATING_NOT_ENDED.to_owned())
        );
    }

    #[test]
    fn only_staff_go_on_duty() {
        let (support, admin) = ([Id::new(SUPPORT)], [Id::new(ADMIN)]);
        assert_eq!(duty(&roles(), asker(200, &support)), Ok(()));
        assert_eq!(duty(&roles(), asker(300, &admin)), Ok(()));
        assert_eq!(
            duty(&roles(), asker(100, &[])),
            Err(texts::NOT_STAFF.to_owned())
        );
    }
}
