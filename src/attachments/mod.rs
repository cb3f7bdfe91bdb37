//! The attachment archive (an adapter): files of ticket messages kept by content hash in a
//! local directory or S3-compatible storage, downloaded by a pool of their own, and the rules
//! for serving them. The rows are in `db::attachments`.

pub mod fetch;
pub mod pool;
pub mod sniff;
pub mod store;

pub use store::FileStore;

/// The panel's path of an archived file of ticket `ticket` (`/tickets/<n>/files/<sha256>`).
pub fn panel_path(ticket: i64, sha256: &str) -> String {
    format!("/tickets/{ticket}/files/{sha256}")
}
