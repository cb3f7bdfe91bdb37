//! Tickets: the supervisor, one actor per ticket, opening, transcripts and cleanup.

pub mod actor;
pub mod cleanup;
pub mod open;
pub mod record;
pub mod supervisor;
pub mod transcript;
