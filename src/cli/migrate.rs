//! `ticketbot migrate`: applies the pending migrations and names each one.

use super::DatabaseSetting;
use crate::db::{Db, redact};
use crate::error::Result;

pub async fn migrate() -> Result<()> {
    let setting = DatabaseSetting::from_env();
    let db = Db::open(&setting.url).await?;
    let applied = db.migrate().await?;
    let shown = setting.shown();
    if applied.is_empty() {
        println!("{shown}: no migrations pending; the database is up to date.");
    } else {
        println!(
            "{shown}: applied {}:",
            super::counted(applied.len(), "migration")
        );
        for name in &applied {
            println!("  {name}");
        }
    }
    tracing::info!(database = %redact(&setting.url), applied = applied.len(), "migrations up to date");
    Ok(())
}
