//! The Discord side: the gateway router, REST with its retry policy, the port's twilight
//! implementation, slash commands and the log channel's poster.

pub mod adapter;
pub mod backoff;
mod channel_edit;
pub mod close_code;
pub mod commands;
pub mod gateway;
pub mod log_channel;
mod messages;
pub mod rest;
mod staff_lists;
