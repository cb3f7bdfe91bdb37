//! `ticketbot check`: whether the attachment store (`ATTACHMENT_STORE`) takes and returns a
//! file now. A store that does not is fatal: the archive would keep nothing.

use std::time::Duration;

use super::Finding;
use crate::attachments::FileStore;
use crate::config::Config;
use crate::config::attachments::StoreLocation;

/// Above the S3 client's own retries (20 s).
const TIMEOUT: Duration = Duration::from_secs(30);

pub async fn check(config: &Config) -> Finding {
    let fix = match &config.attachments.store {
        StoreLocation::Local(dir) => format!(
            "create the directory {} and let the bot's user write to it, or point ATTACHMENT_STORE elsewhere",
            dir.display()
        ),
        StoreLocation::S3 { bucket, .. } => format!(
            "check that the bucket {bucket} exists and that AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION (and AWS_ENDPOINT_URL for MinIO and the like) may write to it"
        ),
    };
    let store = match FileStore::open(&config.attachments) {
        Ok(store) => store,
        Err(err) => {
            return Finding::problem(format!("ATTACHMENT_STORE cannot be opened: {err}"), fix);
        }
    };
    match tokio::time::timeout(TIMEOUT, store.probe()).await {
        Ok(Ok(())) => Finding::ok(format!(
            "ATTACHMENT_STORE {}: writable and readable",
            store.describe()
        )),
        Ok(Err(err)) => Finding::problem(
            format!(
                "ATTACHMENT_STORE {}: a test file could not be written and read back: {err}",
                store.describe()
            ),
            fix,
        ),
        Err(_) => Finding::problem(
            format!(
                "ATTACHMENT_STORE {}: no answer within {} s",
                store.describe(),
                TIMEOUT.as_secs()
            ),
            fix,
        ),
    }
}
