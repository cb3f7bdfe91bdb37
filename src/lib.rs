//! ticketbot: a Discord support-ticket bot with an AI secretary and a staff web panel.

pub mod ai;
pub mod app;
pub mod attachments;
pub mod audit;
pub mod bot;
pub mod check;
pub mod cli;
pub mod config;
pub mod db;
pub mod discord;
pub mod erasure;
pub mod error;
#[cfg(feature = "fault-injection")]
pub mod fault;
pub mod health;
pub mod heartbeat;
pub mod html;
pub mod ids;
pub mod legacy;
pub mod limits;
pub mod metrics;
pub mod ocr;
pub mod overwrites;
pub mod process;
pub mod telemetry;
pub mod texts;
pub mod tickets;
pub mod transcript;
pub mod web;
pub mod who;

pub use config::Config;
pub use error::{Error, Result};
