//! Tickets: the supervisor, one actor per ticket, opening, transcripts and cleanup.

pub mod actor;
pub mod blacklist;
pub mod buttons;
pub mod category_fill;
pub mod cleanup;
pub mod commands;
pub mod context;
pub mod duty;
pub mod inactivity;
pub mod open;
pub mod policy;
pub mod port;
pub mod rating;
pub mod record;
pub mod slot;
pub mod supervisor;
pub mod tags;
pub mod target;
pub mod transcript_files;

#[cfg(test)]
mod tests;
