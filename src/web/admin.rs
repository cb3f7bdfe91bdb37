//! Who may use the panel's admin actions: members holding `ADMIN_ROLE_ID`. The session row
//! keeps no roles, so the answer of each member lookup the [`super::session::Staff`] guard
//! makes anyway (login, the once-a-minute re-check) is kept here per user; an answer older
//! than [`ROLE_RECHECK_MS`] (or one another panel process got) is asked of Discord again.
//! A failed lookup counts as "not an admin": the action is refused, the pages stay readable.

use std::collections::HashMap;
use std::sync::Mutex;

use super::discord_api::{DiscordApi, GuildMember};
use super::session::{ROLE_RECHECK_MS, Session};
use crate::db::now_ms;

pub struct AdminRoles {
    role: u64,
    /// User id → (holds the admin role, when Discord said so).
    seen: Mutex<HashMap<u64, (bool, i64)>>,
}

impl AdminRoles {
    pub fn new(role: u64) -> Self {
        Self {
            role,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Keeps what a member lookup just said about `user`.
    pub fn record(&self, user: u64, member: &GuildMember, at: i64) {
        let admin = member.role_ids().any(|role| role == self.role);
        if let Ok(mut seen) = self.seen.lock() {
            seen.insert(user, (admin, at));
        }
    }

    fn fresh(&self, user: u64, now: i64) -> Option<bool> {
        let seen = self.seen.lock().ok()?;
        seen.get(&user)
            .filter(|(_, at)| now - at < ROLE_RECHECK_MS)
            .map(|(admin, _)| *admin)
    }

    /// Whether the session's member holds the admin role, as Discord said within the last
    /// minute.
    pub async fn holds(&self, session: &Session, api: &DiscordApi) -> bool {
        let now = now_ms();
        let user = session.user_id;
        if let Some(admin) = self.fresh(user, now) {
            return admin;
        }
        match api.member(user).await {
            Ok(Some(member)) => {
                self.record(user, &member, now);
                self.fresh(user, now).unwrap_or(false)
            }
            Ok(None) => false,
            Err(err) => {
                tracing::warn!(
                    user,
                    "admin role lookup failed, admin actions refused: {err}"
                );
                false
            }
        }
    }
}
