//! What inactivity auto-close reads and marks, and who is on duty for auto-assignment.

use diesel::prelude::*;

use super::QueryResult;
use crate::db::DbConn;
use crate::db::models::TicketStatus;
use crate::db::schema::{messages, on_duty, ticket_inactivity, tickets};

/// A message's place in time: when it was written (ms), then its id, which orders two
/// messages of the same millisecond.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Written {
    pub at: i64,
    pub id: i64,
}

/// The newest message of the opener, of staff (any other person) and of Sigrid in a ticket,
/// from its stored messages that are not deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LastWritten {
    pub opener: Option<Written>,
    pub staff: Option<Written>,
    pub sigrid: Option<Written>,
}

pub fn last_written(conn: &mut DbConn, ticket_id: i64, opener: i64) -> QueryResult<LastWritten> {
    let live = || {
        messages::table
            .filter(messages::ticket_id.eq(ticket_id))
            .filter(messages::deleted_at.is_null())
            .order((messages::created_at.desc(), messages::id.desc()))
            .select((messages::created_at, messages::id))
    };
    let newest = |found: Option<(i64, i64)>| found.map(|(at, id)| Written { at, id });
    let by_opener = live()
        .filter(messages::author_is_bot.eq(false))
        .filter(messages::author_id.eq(opener))
        .first(conn)
        .optional()?;
    let by_staff = live()
        .filter(messages::author_is_bot.eq(false))
        .filter(messages::author_id.ne(opener))
        .first(conn)
        .optional()?;
    let by_sigrid = live()
        .filter(messages::is_ai.eq(true))
        .first(conn)
        .optional()?;
    Ok(LastWritten {
        opener: newest(by_opener),
        staff: newest(by_staff),
        sigrid: newest(by_sigrid),
    })
}

/// What auto-close already did in a ticket's current waiting period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Queryable)]
pub struct InactivityMarks {
    pub warned_at: Option<i64>,
    pub staff_told_at: Option<i64>,
}

pub fn inactivity_marks(conn: &mut DbConn, ticket_id: i64) -> QueryResult<InactivityMarks> {
    Ok(ticket_inactivity::table
        .find(ticket_id)
        .select((
            ticket_inactivity::warned_at,
            ticket_inactivity::staff_told_at,
        ))
        .first(conn)
        .optional()?
        .unwrap_or_default())
}

pub fn set_inactivity_marks(
    conn: &mut DbConn,
    ticket_id: i64,
    marks: InactivityMarks,
) -> QueryResult<()> {
    let updated = diesel::update(ticket_inactivity::table.find(ticket_id))
        .set((
            ticket_inactivity::warned_at.eq(marks.warned_at),
            ticket_inactivity::staff_told_at.eq(marks.staff_told_at),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(ticket_inactivity::table)
            .values((
                ticket_inactivity::ticket_id.eq(ticket_id),
                ticket_inactivity::warned_at.eq(marks.warned_at),
                ticket_inactivity::staff_told_at.eq(marks.staff_told_at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Puts `user` on duty (again: the name is refreshed) or takes them off; false when nothing
/// changed.
pub fn set_on_duty(
    conn: &mut DbConn,
    user: i64,
    name: &str,
    on: bool,
    now: i64,
) -> QueryResult<bool> {
    let was_on = on_duty::table.find(user).count().get_result::<i64>(conn)? > 0;
    match (on, was_on) {
        (true, false) => {
            diesel::insert_into(on_duty::table)
                .values((
                    on_duty::user_id.eq(user),
                    on_duty::user_name.eq(name),
                    on_duty::since.eq(now),
                ))
                .execute(conn)?;
            Ok(true)
        }
        (false, true) => {
            diesel::delete(on_duty::table.find(user)).execute(conn)?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// Everyone on duty with how many claimed tickets each holds now, longest on duty first.
pub fn on_duty_loads(conn: &mut DbConn) -> QueryResult<Vec<(i64, String, i64)>> {
    let members: Vec<(i64, String)> = on_duty::table
        .order((on_duty::since, on_duty::user_id))
        .select((on_duty::user_id, on_duty::user_name))
        .load(conn)?;
    let mut loads = Vec::with_capacity(members.len());
    for (user, name) in members {
        let held: i64 = tickets::table
            .filter(tickets::claimed_by.eq(user))
            .filter(tickets::status.eq(TicketStatus::Claimed.as_str()))
            .count()
            .get_result(conn)?;
        loads.push((user, name, held));
    }
    Ok(loads)
}
