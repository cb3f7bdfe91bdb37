//! What `/healthz` checks besides the database: whether the bot of this process holds a live
//! gateway connection. The Discord adapter sets the flag on READY/RESUMED and clears it on a
//! close; the panel reads it. Neither knows the other: the composition hands both one link.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether a bot's gateway connection is up. Clones share the flag.
#[derive(Clone, Debug, Default)]
pub struct GatewayLink(Arc<AtomicBool>);

impl GatewayLink {
    pub fn set_up(&self, up: bool) {
        self.0.store(up, Ordering::Relaxed);
    }

    pub fn is_up(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// What this process's `/healthz` checks beyond the database.
#[derive(Clone, Debug, Default)]
pub struct Checks {
    /// The bot's gateway link when this process runs the bot; a panel alone has none.
    pub gateway: Option<GatewayLink>,
}
