//! ticketbot: a Discord support-ticket bot with an AI secretary and a staff web panel.

pub mod config;
pub mod db;
pub mod error;

pub use config::Config;
pub use error::{Error, Result};
