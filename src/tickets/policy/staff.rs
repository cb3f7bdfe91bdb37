//! Who may do the staff workflow's actions: unclaim, transfer, members, the blacklist and tags.

use twilight_model::id::Id;
use twilight_model::id::marker::{RoleMarker, UserMarker};

use super::{Asker, Refusal};
use crate::config::Roles;
use crate::db::models::{Ticket, TicketStatus};
use crate::texts;

/// Whether the asker holds the ticket's claim.
fn holds(asker: Asker<'_>, ticket: &Ticket) -> bool {
    let me = asker.id.map(crate::ids::stored);
    me.is_some() && ticket.claimed_by == me
}

/// The claimer or an admin gives a claimed ticket back.
pub fn unclaim(roles: &Roles, asker: Asker<'_>, ticket: &Ticket) -> Result<(), Refusal> {
    if !holds(asker, ticket) && !roles.is_admin(asker.roles) {
        return Err(texts::NOT_CLAIMER_OR_ADMIN.to_owned());
    }
    if ticket.status() != TicketStatus::Claimed {
        return Err(texts::NOT_CLAIMED.to_owned());
    }
    Ok(())
}

/// The claimer or an admin hands an active ticket to another member of the team; an admin
/// also hands over one nobody holds yet.
pub fn transfer(
    roles: &Roles,
    asker: Asker<'_>,
    ticket: &Ticket,
    target: Id<UserMarker>,
    target_roles: &[Id<RoleMarker>],
) -> Result<(), Refusal> {
    if !holds(asker, ticket) && !roles.is_admin(asker.roles) {
        return Err(texts::NOT_CLAIMER_OR_ADMIN.to_owned());
    }
    if !ticket.status().is_active() {
        return Err(texts::TICKET_NOT_OPEN.to_owned());
    }
    if !roles.is_staff(target_roles) {
        return Err(texts::target_not_staff(target.get()));
    }
    if ticket.claimed_by == Some(crate::ids::stored(target)) {
        return Err(texts::already_holds(target.get()));
    }
    Ok(())
}

/// Staff add members to, remove them from, rename and post tags in an active ticket.
pub fn manage(roles: &Roles, asker: Asker<'_>, ticket: &Ticket) -> Result<(), Refusal> {
    if !roles.is_staff(asker.roles) {
        return Err(texts::NOT_STAFF.to_owned());
    }
    if !ticket.status().is_active() {
        return Err(texts::TICKET_NOT_OPEN.to_owned());
    }
    Ok(())
}

/// Whoever opened the ticket keeps their access.
pub fn remove_member(ticket: &Ticket, target: Id<UserMarker>) -> Result<(), Refusal> {
    if crate::ids::stored(target) == ticket.opener_id {
        return Err(texts::OPENER_NOT_REMOVABLE.to_owned());
    }
    Ok(())
}

/// Admins keep the blacklist; nobody of the team can be put on it.
pub fn blacklist(
    roles: &Roles,
    asker: Asker<'_>,
    target_roles: Option<&[Id<RoleMarker>]>,
) -> Result<(), Refusal> {
    if !roles.is_admin(asker.roles) {
        return Err(texts::NOT_ADMIN.to_owned());
    }
    if target_roles.is_some_and(|target| roles.is_staff(target)) {
        return Err(texts::BLACKLIST_STAFF.to_owned());
    }
    Ok(())
}

/// Admins keep the tags.
pub fn edit_tags(roles: &Roles, asker: Asker<'_>) -> Result<(), Refusal> {
    if !roles.is_admin(asker.roles) {
        return Err(texts::NOT_ADMIN.to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tickets::policy::tests::{ADMIN, SUPPORT, asker, claimed_by, roles};

    #[test]
    fn only_the_claimer_or_an_admin_unclaims_or_transfers() {
        let (support, admin) = ([Id::new(SUPPORT)], [Id::new(ADMIN)]);
        let held = claimed_by(200);
        assert_eq!(unclaim(&roles(), asker(200, &support), &held), Ok(()));
        assert_eq!(unclaim(&roles(), asker(300, &admin), &held), Ok(()));
        assert_eq!(
            unclaim(&roles(), asker(201, &support), &held),
            Err(texts::NOT_CLAIMER_OR_ADMIN.to_owned())
        );
        assert_eq!(
            unclaim(&roles(), asker(300, &admin), &Ticket::sample(1, 100)),
            Err(texts::NOT_CLAIMED.to_owned())
        );
        let to = Id::new(201);
        assert_eq!(
            transfer(&roles(), asker(200, &support), &held, to, &support),
            Ok(())
        );
        assert_eq!(
            transfer(&roles(), asker(201, &support), &held, to, &support),
            Err(texts::NOT_CLAIMER_OR_ADMIN.to_owned())
        );
        assert_eq!(
            transfer(&roles(), asker(200, &support), &held, to, &[]),
            Err(texts::target_not_staff(201))
        );
        assert_eq!(
            transfer(&roles(), asker(300, &admin), &held, Id::new(200), &support),
            Err(texts::already_holds(200))
        );
    }

    #[test]
    fn the_opener_stays_and_staff_are_never_blacklisted() {
        let open = Ticket::sample(1, 100);
        assert_eq!(
            remove_member(&open, Id::new(100)),
            Err(texts::OPENER_NOT_REMOVABLE.to_owned())
        );
        assert_eq!(remove_member(&open, Id::new(101)), Ok(()));
        assert!(manage(&roles(), asker(100, &[]), &open).is_err());
        let (support, admin) = ([Id::new(SUPPORT)], [Id::new(ADMIN)]);
        assert_eq!(manage(&roles(), asker(200, &support), &open), Ok(()));
        assert_eq!(
            blacklist(&roles(), asker(300, &admin), Some(&support)),
            Err(texts::BLACKLIST_STAFF.to_owned())
        );
        assert_eq!(blacklist(&roles(), asker(300, &admin), Some(&[])), Ok(()));
        assert_eq!(
            blacklist(&roles(), asker(200, &support), None),
            Err(texts::NOT_ADMIN.to_owned())
        );
        assert!(edit_tags(&roles(), asker(200, &support)).is_err());
    }
}
