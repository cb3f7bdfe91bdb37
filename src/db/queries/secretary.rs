//! The secretary's conversation, her state and the verdict she hands over.

use diesel::prelude::*;

use super::QueryResult;
use crate::db::DbConn;
use crate::db::models::AiState;
use crate::db::schema::{ai_turns, tickets};

/// The secretary's persisted conversation of ticket `ticket_id`, oldest first.
pub fn ai_turns_of(
    conn: &mut DbConn,
    ticket_id: i64,
) -> QueryResult<Vec<crate::db::models::AiTurn>> {
    Ok(ai_turns::table
        .filter(ai_turns::ticket_id.eq(ticket_id))
        .order(ai_turns::id)
        .select(crate::db::models::AiTurn::as_select())
        .load(conn)?)
}

pub fn insert_ai_turns(
    conn: &mut DbConn,
    turns: &[crate::db::models::NewAiTurn],
) -> QueryResult<()> {
    for turn in turns {
        diesel::insert_into(ai_turns::table)
            .values(turn)
            .execute(conn)?;
    }
    Ok(())
}

pub fn set_ai_state(conn: &mut DbConn, id: i64, state: AiState) -> QueryResult<()> {
    diesel::update(tickets::table.find(id))
        .set(tickets::ai_state.eq(state.as_str()))
        .execute(conn)?;
    Ok(())
}

/// One answered batch of opener messages: counts the turn and its tokens.
pub fn record_ai_turn(
    conn: &mut DbConn,
    id: i64,
    tokens: i64,
    answered_up_to: i64,
) -> QueryResult<()> {
    diesel::update(tickets::table.find(id))
        .set((
            tickets::ai_turns.eq(tickets::ai_turns + 1),
            tickets::ai_tokens.eq(tickets::ai_tokens + tokens),
            tickets::ai_answered_up_to.eq(answered_up_to),
        ))
        .execute(conn)?;
    Ok(())
}

/// What the ban lookup (or the user) told about the ban, before the verdict.
pub fn set_ban_facts(
    conn: &mut DbConn,
    id: i64,
    ban_id: &str,
    player_name: Option<&str>,
    ban_reason: Option<&str>,
) -> QueryResult<()> {
    diesel::update(tickets::table.find(id))
        .set((
            tickets::verdict_ban_id.eq(ban_id),
            tickets::verdict_player_name.eq(player_name),
            tickets::verdict_ban_reason.eq(ban_reason),
        ))
        .execute(conn)?;
    Ok(())
}

/// The secretary's verdict and where she stands afterwards (`handed_over` or `declined`).
#[allow(clippy::too_many_arguments)]
pub fn set_verdict(
    conn: &mut DbConn,
    id: i64,
    source: &str,
    ban_id: Option<&str>,
    ban_reason: Option<&str>,
    cooperative: Option<bool>,
    summary: &str,
    ai_state: AiState,
    now: i64,
) -> QueryResult<()> {
    diesel::update(tickets::table.find(id))
        .set((
            tickets::verdict_source.eq(source),
            tickets::verdict_ban_id.eq(ban_id),
            tickets::verdict_ban_reason.eq(ban_reason),
            tickets::verdict_cooperative.eq(cooperative),
            tickets::verdict_summary.eq(summary),
            tickets::verdict_at.eq(now),
            tickets::ai_state.eq(ai_state.as_str()),
            tickets::ai_uncooperative
                .eq(tickets::ai_uncooperative + i32::from(cooperative == Some(false))),
        ))
        .execute(conn)?;
    Ok(())
}
