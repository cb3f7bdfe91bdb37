//! The close workflow's rows: the close reason, reopening, close requests and ratings.

use diesel::prelude::*;

use super::QueryResult;
use crate::db::DbConn;
use crate::db::models::{CloseRequest, NewCloseRequest, Rating, TicketStatus};
use crate::db::schema::{close_requests, ratings, tickets};

/// Closes ticket `id` with `reason`; `closed_at` is set anew on every close, so the cleanup age
/// counts from the last one. A pending close request is answered by it.
pub fn set_closed_with_reason(
    conn: &mut DbConn,
    id: i64,
    reason: Option<&str>,
    now: i64,
) -> QueryResult<()> {
    diesel::update(tickets::table.find(id))
        .set((
            tickets::status.eq(TicketStatus::Closed.as_str()),
            tickets::closed_at.eq(now),
            tickets::close_reason.eq(reason),
        ))
        .execute(conn)?;
    diesel::update(
        close_requests::table
            .filter(close_requests::ticket_id.eq(id))
            .filter(close_requests::state.eq(CloseRequest::PENDING)),
    )
    .set((
        close_requests::state.eq(CloseRequest::SUPERSEDED),
        close_requests::answered_at.eq(now),
    ))
    .execute(conn)?;
    Ok(())
}

/// Ticket `id` is open again, unclaimed: no close time (the cleanup sweep leaves it alone) and
/// no close reason.
pub fn set_reopened(conn: &mut DbConn, id: i64) -> QueryResult<()> {
    diesel::update(tickets::table.find(id))
        .set((
            tickets::status.eq(TicketStatus::Open.as_str()),
            tickets::claimed_by.eq(None::<i64>),
            tickets::claimed_by_name.eq(None::<String>),
            tickets::claimed_at.eq(None::<i64>),
            tickets::closed_at.eq(None::<i64>),
            tickets::close_reason.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn insert_close_request(
    conn: &mut DbConn,
    request: NewCloseRequest,
) -> QueryResult<CloseRequest> {
    let id: i64 = diesel::insert_into(close_requests::table)
        .values(&request)
        .returning(close_requests::id)
        .get_result(conn)?;
    Ok(close_requests::table
        .find(id)
        .select(CloseRequest::as_select())
        .first(conn)?)
}

pub fn set_close_request_message(conn: &mut DbConn, id: i64, message_id: i64) -> QueryResult<()> {
    diesel::update(close_requests::table.find(id))
        .set(close_requests::message_id.eq(message_id))
        .execute(conn)?;
    Ok(())
}

pub fn close_request(conn: &mut DbConn, id: i64) -> QueryResult<Option<CloseRequest>> {
    Ok(close_requests::table
        .find(id)
        .select(CloseRequest::as_select())
        .first(conn)
        .optional()?)
}

/// The request of ticket `ticket_id` still waiting for the opener, if any.
pub fn pending_close_request(
    conn: &mut DbConn,
    ticket_id: i64,
) -> QueryResult<Option<CloseRequest>> {
    Ok(close_requests::table
        .filter(close_requests::ticket_id.eq(ticket_id))
        .filter(close_requests::state.eq(CloseRequest::PENDING))
        .order(close_requests::id.desc())
        .select(CloseRequest::as_select())
        .first(conn)
        .optional()?)
}

/// Answers request `id` with `state` when it is still pending; false when it was not.
pub fn answer_close_request(
    conn: &mut DbConn,
    id: i64,
    state: &'static str,
    now: i64,
) -> QueryResult<bool> {
    let changed = diesel::update(
        close_requests::table
            .find(id)
            .filter(close_requests::state.eq(CloseRequest::PENDING)),
    )
    .set((
        close_requests::state.eq(state),
        close_requests::answered_at.eq(now),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

pub fn rating_of(conn: &mut DbConn, ticket_id: i64) -> QueryResult<Option<Rating>> {
    Ok(ratings::table
        .find(ticket_id)
        .select(Rating::as_select())
        .first(conn)
        .optional()?)
}

/// Stores `rating` unless the ticket has one; false when it had.
pub fn insert_rating(conn: &mut DbConn, rating: &Rating) -> QueryResult<bool> {
    if rating_of(conn, rating.ticket_id)?.is_some() {
        return Ok(false);
    }
    diesel::insert_into(ratings::table)
        .values(rating)
        .execute(conn)?;
    Ok(true)
}

/// Adds the comment to ticket `ticket_id`'s rating unless it has one; false when it had one
/// or there is no rating.
pub fn set_rating_comment(
    conn: &mut DbConn,
    ticket_id: i64,
    comment: &str,
    now: i64,
) -> QueryResult<bool> {
    let changed = diesel::update(
        ratings::table
            .find(ticket_id)
            .filter(ratings::commented_at.is_null()),
    )
    .set((ratings::comment.eq(comment), ratings::commented_at.eq(now)))
    .execute(conn)?;
    Ok(changed == 1)
}
