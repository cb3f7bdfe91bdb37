//! `ticketbot status`: ticket counts, degraded tickets and whether the bot is connected to
//! Discord, read from an existing database. It never creates one: in the wrong directory it
//! says where it looked instead of showing an empty new database.

use std::path::Path;
use std::time::Duration;

use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::DatabaseSetting;
use crate::db::existing::{self, Contents};
use crate::db::{Backend, Db, DbConn, queries};
use crate::error::{Error, Result};
use crate::heartbeat::{self, Report};

/// A report younger than this comes from a running bot: it writes one every
/// [`heartbeat::EVERY`], so this allows two missed writes.
pub const FRESH: Duration = Duration::from_secs(15);

pub async fn status() -> Result<()> {
    let setting = DatabaseSetting::from_env();
    let db = open_existing(&setting).await?;
    println!("database: {}", setting.shown());
    let counts = db.run(queries::status_counts).await?;
    for (status, count) in &counts.by_status {
        println!("{status:>8}: {count}");
    }
    println!("degraded: {}", counts.degraded);
    let report = heartbeat::read(&db).await?;
    println!("     bot: {}", bot_line(report.as_ref()));
    Ok(())
}

/// Opens the database `setting` names if it exists and holds ticketbot's tables; otherwise
/// one line saying where it looked and how to point elsewhere.
async fn open_existing(setting: &DatabaseSetting) -> Result<Db> {
    let missing = || {
        Error::Usage(format!(
            "status: no ticketbot database at {} ({}); set DATABASE_URL, or pass \
             --env-file PATH with the bot's settings, to point at the bot's database",
            setting.shown(),
            setting.source()
        ))
    };
    match Backend::from_url(&setting.url)? {
        Backend::Sqlite { path } => match existing::inspect(Path::new(&path)) {
            Ok(Contents::Ours) => {}
            Ok(Contents::Empty) => return Err(missing()),
            // The same refusal, naming the file and what to do, as every other command.
            _ => existing::ensure_ours(&path)?,
        },
        Backend::Postgres { .. } => {
            let db = Db::open(&setting.url).await?;
            return match db.run(has_tickets_table).await? {
                true => Ok(db),
                false => Err(missing()),
            };
        }
    }
    Db::open(&setting.url).await
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn has_tickets_table(conn: &mut DbConn) -> Result<bool> {
    let found: Count = diesel::sql_query(
        "SELECT COUNT(*) AS n FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_name = 'tickets'",
    )
    .get_result(conn)?;
    Ok(found.n > 0)
}

/// Whether a bot is connected to Discord, by the last report it wrote into this database.
pub fn bot_line(report: Option<&Report>) -> String {
    let Some(report) = report else {
        return "not connected to Discord (no report in this database: no bot has run on it)"
            .to_owned();
    };
    let age = report.age();
    let details = format!(
        "report {} old, {} ticket actors ({} alive), {} restarts",
        shown_age(age),
        report.actors,
        report.actors_alive,
        report.counters.actor_restarts
    );
    if age > FRESH {
        return format!(
            "not connected to Discord: the last report is {} old, so no bot is running on this \
             database ({details})",
            shown_age(age)
        );
    }
    match report.gateway_connected {
        Some(false) => format!(
            "not connected to Discord: the bot runs but its gateway connection is down \
             ({details})"
        ),
        // A bot of an earlier version reports no gateway state; a fresh report means it runs.
        Some(true) | None => format!("connected to Discord ({details})"),
    }
}

fn shown_age(age: Duration) -> String {
    let secs = age.as_secs();
    match secs {
        0..120 => format!("{secs} s"),
        120..7200 => format!("{} min", secs / 60),
        _ => format!("{} h", secs / 3600),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::now_ms;

    fn report(age_ms: i64, gateway_connected: Option<bool>) -> Report {
        Report {
            written_at: now_ms() - age_ms,
            actors: 2,
            actors_alive: 2,
            listed: Vec::new(),
            counters: Default::default(),
            gateway_connected,
        }
    }

    #[test]
    fn a_fresh_report_with_the_gateway_up_is_connected() {
        for gateway in [Some(true), None] {
            let line = bot_line(Some(&report(1_000, gateway)));
            assert!(line.starts_with("connected to Discord"), "{line}");
            assert!(line.contains("2 ticket actors (2 alive)"), "{line}");
        }
    }

    #[test]
    fn an_old_report_or_a_down_gateway_is_not_connected() {
        let old = bot_line(Some(&report(60_000, Some(true))));
        assert!(old.starts_with("not connected to Discord"), "{old}");
        assert!(old.contains("60 s old"), "{old}");
        let down = bot_line(Some(&report(1_000, Some(false))));
        assert!(down.contains("gateway connection is down"), "{down}");
        assert!(bot_line(None).starts_with("not connected to Discord"));
    }
}
