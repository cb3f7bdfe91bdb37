//! The staff web panel (Rocket). Placeholder until the panel lands: serves nothing yet.

use std::sync::Arc;

use tokio::sync::watch;

use crate::config::Config;
use crate::db::Db;
use crate::error::Result;

pub async fn serve(config: Arc<Config>, db: Db, mut stop: watch::Receiver<bool>) -> Result<()> {
    let _ = (config, db);
    crate::app::stopped(&mut stop).await;
    Ok(())
}
