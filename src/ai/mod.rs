//! Sigrid, the AI secretary: greets the opener, takes the ban ID and the appeal, and hands over
//! to the staff with a verdict. She can talk and submit a verdict, nothing else.

pub mod ban_lookup;
pub mod client;
pub mod conversation;
pub mod evidence;
pub mod player_id;
pub mod prompt;
pub mod script;
pub mod secretary;
pub mod thinking;
pub mod verdict;

pub use thinking::Clients;
