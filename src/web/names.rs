//! Who and what a mention (`<@id>`, `<@&id>`, `<#id>`) stands for: user names from what the
//! database knows, role and channel names from the guild ([`super::guild_names`]).

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{messages, tickets};
use crate::error::Error;

/// Shown for a user or role the panel has no name for.
pub const UNKNOWN: &str = "unbekannt";

#[derive(Debug, Default, Clone)]
pub struct Names {
    pub users: HashMap<u64, String>,
    pub roles: HashMap<u64, String>,
    pub channels: HashMap<u64, String>,
}

impl Names {
    pub fn user(&self, id: u64) -> String {
        self.users
            .get(&id)
            .cloned()
            .unwrap_or_else(|| UNKNOWN.to_owned())
    }

    pub fn role(&self, id: u64) -> String {
        self.roles
            .get(&id)
            .cloned()
            .unwrap_or_else(|| UNKNOWN.to_owned())
    }

    /// A channel the guild does not list (deleted, or the guild unreachable) keeps its id.
    pub fn channel(&self, id: u64) -> String {
        self.channels
            .get(&id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    }
}

/// The ids texts mention, by kind.
#[derive(Debug, Default)]
pub struct Mentioned {
    pub users: HashSet<u64>,
    pub roles: bool,
    pub channels: bool,
}

impl Mentioned {
    pub fn in_texts<'t>(texts: impl IntoIterator<Item = &'t str>) -> Self {
        let mut found = Self::default();
        for text in texts {
            let mut rest = text;
            while let Some(at) = rest.find('<') {
                rest = &rest[at + 1..];
                let Some(end) = rest.find('>') else { break };
                let inner = &rest[..end];
                if inner.starts_with("@&") {
                    found.roles = true;
                } else if let Some(id) = inner.strip_prefix('@') {
                    if let Ok(id) = id.trim_start_matches('!').parse() {
                        found.users.insert(id);
                    }
                } else if inner.starts_with('#') {
                    found.channels = true;
                }
            }
        }
        found
    }
}

/// The names the database holds for `ids`: as opener or claimer of a ticket, or as author of a
/// message in ticket `ticket_id` (read through its index; the newest name wins).
pub fn user_names(
    conn: &mut DbConn,
    ticket_id: i64,
    ids: &HashSet<u64>,
) -> Result<HashMap<u64, String>, Error> {
    let ids: Vec<i64> = ids
        .iter()
        .filter_map(|id| i64::try_from(*id).ok())
        .collect();
    let mut names = HashMap::new();
    if ids.is_empty() {
        return Ok(names);
    }
    let openers: Vec<(i64, String)> = tickets::table
        .filter(tickets::opener_id.eq_any(&ids))
        .order(tickets::id)
        .select((tickets::opener_id, tickets::opener_name))
        .load(conn)?;
    let claimers: Vec<(Option<i64>, Option<String>)> = tickets::table
        .filter(tickets::claimed_by.eq_any(&ids))
        .order(tickets::id)
        .select((tickets::claimed_by, tickets::claimed_by_name))
        .load(conn)?;
    let authors: Vec<(i64, String)> = messages::table
        .filter(messages::ticket_id.eq(ticket_id))
        .filter(messages::author_id.eq_any(&ids))
        .order(messages::id)
        .select((messages::author_id, messages::author_name))
        .load(conn)?;
    let claimers = claimers
        .into_iter()
        .filter_map(|(id, name)| Some((id?, name?)));
    for (id, name) in openers.into_iter().chain(claimers).chain(authors) {
        if let Ok(id) = u64::try_from(id)
            && !name.is_empty()
        {
            names.insert(id, name);
        }
    }
    Ok(names)
}
