//! Reserving a ticket number for an opener: one active ticket per member, within the
//! opening limits. The row is written before the channel exists, so two clicks cannot both
//! get a channel.

use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::DbConn;
use super::models::{NewTicket, Ticket, TicketStatus};
use super::open_limits::{self, LimitReached, OpenLimits};
use super::queries::ticket;
use super::schema::tickets;
use crate::error::Error;

type QueryResult<T> = Result<T, Error>;

/// The outcome of asking for a new ticket.
#[derive(Debug)]
pub enum Reservation {
    Created(Ticket),
    /// The opener already has an active ticket.
    Existing(Ticket),
    /// The opener has opened too many tickets lately; no row was written.
    Limited(LimitReached),
}

pub fn active_ticket_of(conn: &mut DbConn, opener_id: i64) -> QueryResult<Option<Ticket>> {
    Ok(tickets::table
        .filter(tickets::opener_id.eq(opener_id))
        .filter(tickets::status.eq_any(TicketStatus::ACTIVE))
        .select(Ticket::as_select())
        .first(conn)
        .optional()?)
}

/// Reserves a ticket number for `opener_id`, unless they already have an active ticket.
pub fn reserve_ticket(
    conn: &mut DbConn,
    opener_id: i64,
    opener_name: &str,
    now: i64,
) -> QueryResult<Reservation> {
    reserve_ticket_within(conn, opener_id, opener_name, now, &OpenLimits::NONE)
}

/// Like [`reserve_ticket`], and refused when `limits` are reached. Run it in a write
/// transaction: the partial unique index on active tickets lets only one of two concurrent
/// clicks insert, so the count read here cannot be passed by a second opening.
pub fn reserve_ticket_within(
    conn: &mut DbConn,
    opener_id: i64,
    opener_name: &str,
    now: i64,
    limits: &OpenLimits,
) -> QueryResult<Reservation> {
    if let Some(existing) = active_ticket_of(conn, opener_id)? {
        return Ok(Reservation::Existing(existing));
    }
    if let Some(reached) = open_limits::limit_reached(conn, opener_id, now, limits)? {
        return Ok(Reservation::Limited(reached));
    }
    let inserted = diesel::insert_into(tickets::table)
        .values(NewTicket {
            opener_id,
            opener_name,
            status: TicketStatus::Opening.as_str(),
            created_at: now,
        })
        .returning(tickets::id)
        .get_result::<i64>(conn);
    match inserted {
        Ok(id) => Ok(Reservation::Created(ticket(conn, id)?)),
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
            match active_ticket_of(conn, opener_id)? {
                Some(existing) => Ok(Reservation::Existing(existing)),
                None => Err(Error::Internal("ticket reservation conflict".into())),
            }
        }
        Err(err) => Err(err.into()),
    }
}
