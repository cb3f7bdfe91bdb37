//! What staff keep beside a ticket's row: members added to a ticket, the blacklist, tags, and
//! a channel rename that waits on Discord's limit.

use diesel::prelude::*;

use super::QueryResult;
use crate::db::DbConn;
use crate::db::models::{BlacklistEntry, Tag, TicketStatus};
use crate::db::schema::{blacklist, pending_renames, tags, ticket_members, tickets};

/// Returns an unclaimed ticket to "open": nobody holds it any more.
pub fn set_unclaimed(conn: &mut DbConn, id: i64, _now: i64) -> QueryResult<()> {
    diesel::update(tickets::table.find(id))
        .set((
            tickets::status.eq(TicketStatus::Open.as_str()),
            tickets::claimed_by.eq(None::<i64>),
            tickets::claimed_by_name.eq(None::<String>),
            tickets::claimed_at.eq(None::<i64>),
        ))
        .execute(conn)?;
    Ok(())
}

/// Adds `user` to ticket `id`; false when they were added before.
pub fn add_ticket_member(
    conn: &mut DbConn,
    id: i64,
    user: i64,
    added_by: i64,
    now: i64,
) -> QueryResult<bool> {
    if ticket_members_of(conn, id)?.contains(&user) {
        return Ok(false);
    }
    diesel::insert_into(ticket_members::table)
        .values((
            ticket_members::ticket_id.eq(id),
            ticket_members::user_id.eq(user),
            ticket_members::added_by.eq(added_by),
            ticket_members::added_at.eq(now),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Removes `user` from ticket `id`; false when they were not added.
pub fn remove_ticket_member(conn: &mut DbConn, id: i64, user: i64) -> QueryResult<bool> {
    let removed = diesel::delete(
        ticket_members::table
            .filter(ticket_members::ticket_id.eq(id))
            .filter(ticket_members::user_id.eq(user)),
    )
    .execute(conn)?;
    Ok(removed > 0)
}

/// The members added to ticket `id`, in the order they were added.
pub fn ticket_members_of(conn: &mut DbConn, id: i64) -> QueryResult<Vec<i64>> {
    Ok(ticket_members::table
        .filter(ticket_members::ticket_id.eq(id))
        .order((ticket_members::added_at, ticket_members::user_id))
        .select(ticket_members::user_id)
        .load(conn)?)
}

pub fn blacklisted(conn: &mut DbConn, user: i64) -> QueryResult<Option<BlacklistEntry>> {
    Ok(blacklist::table
        .find(user)
        .select(BlacklistEntry::as_select())
        .first(conn)
        .optional()?)
}

/// Puts a member on the blacklist; false when they are on it already (the entry stays).
pub fn blacklist_add(conn: &mut DbConn, entry: &BlacklistEntry) -> QueryResult<bool> {
    if blacklisted(conn, entry.user_id)?.is_some() {
        return Ok(false);
    }
    diesel::insert_into(blacklist::table)
        .values(entry.clone())
        .execute(conn)?;
    Ok(true)
}

/// Takes a member off the blacklist; false when they were not on it.
pub fn blacklist_remove(conn: &mut DbConn, user: i64) -> QueryResult<bool> {
    Ok(diesel::delete(blacklist::table.find(user)).execute(conn)? > 0)
}

pub fn blacklist_all(conn: &mut DbConn) -> QueryResult<Vec<BlacklistEntry>> {
    Ok(blacklist::table
        .order(blacklist::added_at)
        .select(BlacklistEntry::as_select())
        .load(conn)?)
}

/// What saving a tag did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagSaved {
    Created,
    Updated,
    /// A new tag beyond `max` tags: nothing saved.
    Full,
}

/// Saves `tag`, replacing one of the same name; a new name only while fewer than `max` exist.
pub fn save_tag(conn: &mut DbConn, tag: &Tag, max: i64) -> QueryResult<TagSaved> {
    let updated = diesel::update(tags::table.find(&tag.name))
        .set((
            tags::body.eq(&tag.body),
            tags::updated_by.eq(tag.updated_by),
            tags::updated_at.eq(tag.updated_at),
        ))
        .execute(conn)?;
    if updated > 0 {
        return Ok(TagSaved::Updated);
    }
    let count: i64 = tags::table.count().get_result(conn)?;
    if count >= max {
        return Ok(TagSaved::Full);
    }
    diesel::insert_into(tags::table)
        .values(tag.clone())
        .execute(conn)?;
    Ok(TagSaved::Created)
}

pub fn delete_tag(conn: &mut DbConn, name: &str) -> QueryResult<bool> {
    Ok(diesel::delete(tags::table.find(name)).execute(conn)? > 0)
}

pub fn tag(conn: &mut DbConn, name: &str) -> QueryResult<Option<Tag>> {
    Ok(tags::table
        .find(name)
        .select(Tag::as_select())
        .first(conn)
        .optional()?)
}

/// All tags by name.
pub fn tags_all(conn: &mut DbConn) -> QueryResult<Vec<Tag>> {
    Ok(tags::table
        .order(tags::name)
        .select(Tag::as_select())
        .load(conn)?)
}

/// Remembers that ticket `id`'s channel is to be renamed to `name` at `due_at` (replacing an
/// earlier wish: the newest name wins).
pub fn set_pending_rename(conn: &mut DbConn, id: i64, name: &str, due_at: i64) -> QueryResult<()> {
    let updated = diesel::update(pending_renames::table.find(id))
        .set((
            pending_renames::name.eq(name),
            pending_renames::due_at.eq(due_at),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(pending_renames::table)
            .values((
                pending_renames::ticket_id.eq(id),
                pending_renames::name.eq(name),
                pending_renames::due_at.eq(due_at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The rename ticket `id` waits for: `(name, due_at)`.
pub fn pending_rename(conn: &mut DbConn, id: i64) -> QueryResult<Option<(String, i64)>> {
    Ok(pending_renames::table
        .find(id)
        .select((pending_renames::name, pending_renames::due_at))
        .first(conn)
        .optional()?)
}

pub fn clear_pending_rename(conn: &mut DbConn, id: i64) -> QueryResult<()> {
    diesel::delete(pending_renames::table.find(id)).execute(conn)?;
    Ok(())
}
