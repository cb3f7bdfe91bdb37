//! `/healthz` for a load balancer: 503 naming each failed check, 200 "ok" when all pass. The
//! database must take a real, committed write (a full disk or a read-only file fails only
//! there, not on a read); in a process that runs the bot its gateway must be connected.

use std::time::Duration;

use rocket::fairing::AdHoc;
use rocket::http::Status;
use rocket::{State, get, routes};

use crate::db::Db;
use crate::health::Checks;

/// Longer than this for one write is as good as none to a load balancer.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);

#[get("/healthz")]
async fn healthz(db: &State<Db>, checks: &State<Checks>) -> (Status, String) {
    let mut failed = Vec::new();
    match tokio::time::timeout(WRITE_TIMEOUT, db.probe_write()).await {
        Ok(Ok(())) => {}
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "healthz: the database takes no write");
            failed.push("database not writable");
        }
        Err(_) => {
            tracing::warn!("healthz: a database write took over {WRITE_TIMEOUT:?}");
            failed.push("database not writable");
        }
    }
    if checks.gateway.as_ref().is_some_and(|link| !link.is_up()) {
        failed.push("gateway not connected");
    }
    if failed.is_empty() {
        (Status::Ok, "ok".to_owned())
    } else {
        (Status::ServiceUnavailable, failed.join("; "))
    }
}

pub fn stage(checks: Checks) -> AdHoc {
    AdHoc::on_ignite("Health", |rocket| async move {
        rocket.manage(checks).mount("/", routes![healthz])
    })
}
