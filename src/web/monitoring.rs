//! The operator's endpoints: `/metrics` for Prometheus, only for the `METRICS_TOKEN` bearer or
//! a scraper on this machine, and `/status` for staff.

use std::net::IpAddr;
use std::sync::Arc;

use rocket::fairing::AdHoc;
use rocket::http::{ContentType, Header};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::{Responder, Route, State, get};
use serde::Serialize;

use super::auth::same_secret;
use super::error::PanelError;
use super::session::Staff;
use super::templates::{Page, Templates};
use super::view::UserView;
use crate::config::Config;
use crate::db::Db;
use crate::heartbeat;

/// The configured `METRICS_TOKEN`, managed by Rocket.
struct MetricsToken(Option<String>);

/// Who asks for `/metrics`, as far as the request tells.
enum MetricsCaller {
    /// Presented the configured bearer token.
    TokenHolder,
    /// Connected from loopback, without a token and not through a proxy.
    Local,
    /// Presented no token or a wrong one, from elsewhere.
    Unauthenticated,
    /// From elsewhere, while no token is configured that could let it in.
    Stranger,
}

/// Headers a reverse proxy adds: a request carrying one came from elsewhere, whatever the
/// socket says (nginx on the same machine connects from 127.0.0.1).
const FORWARDING_HEADERS: [&str; 3] = ["Forwarded", "X-Forwarded-For", "X-Real-IP"];

fn from_loopback(request: &Request<'_>) -> bool {
    let socket_is_local = request
        .remote()
        .is_some_and(|addr| IpAddr::to_canonical(&addr.ip()).is_loopback());
    socket_is_local
        && FORWARDING_HEADERS
            .iter()
            .all(|name| !request.headers().contains(*name))
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for MetricsCaller {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let token = request
            .rocket()
            .state::<MetricsToken>()
            .and_then(|token| token.0.as_deref());
        let caller = match request.headers().get_one("Authorization") {
            Some(header) => {
                let presented = header.strip_prefix("Bearer ").map(str::trim);
                match (presented, token) {
                    (Some(presented), Some(token)) if same_secret(presented, token) => {
                        MetricsCaller::TokenHolder
                    }
                    _ => MetricsCaller::Unauthenticated,
                }
            }
            None if from_loopback(request) => MetricsCaller::Local,
            None if token.is_some() => MetricsCaller::Unauthenticated,
            None => MetricsCaller::Stranger,
        };
        Outcome::Success(caller)
    }
}

#[derive(Responder)]
enum MetricsAnswer {
    Metrics((ContentType, String)),
    #[response(status = 401)]
    Unauthorized(&'static str, Header<'static>),
    #[response(status = 403)]
    Forbidden(&'static str),
    #[response(status = 503)]
    Unavailable(&'static str),
}

/// Prometheus scrape: ticket counts from the database, actor and error counters of this process.
#[get("/metrics")]
async fn metrics(caller: MetricsCaller, db: &State<Db>) -> MetricsAnswer {
    match caller {
        MetricsCaller::TokenHolder | MetricsCaller::Local => {}
        MetricsCaller::Unauthenticated => {
            return MetricsAnswer::Unauthorized(
                "/metrics needs the bearer token set in METRICS_TOKEN\n",
                Header::new("WWW-Authenticate", "Bearer realm=\"metrics\""),
            );
        }
        MetricsCaller::Stranger => {
            return MetricsAnswer::Forbidden(
                "/metrics answers only on loopback; set METRICS_TOKEN to scrape it from elsewhere\n",
            );
        }
    }
    match crate::metrics::prometheus(db).await {
        Ok(text) => MetricsAnswer::Metrics((
            ContentType::new("text", "plain").with_params(("version", "0.0.4")),
            text,
        )),
        Err(err) => {
            tracing::error!(error = %err, "metrics: database unreachable");
            MetricsAnswer::Unavailable("database unreachable\n")
        }
    }
}

/// One ticket actor on `/status`.
#[derive(Debug, Serialize)]
struct ActorRow {
    number: i64,
    url: String,
    alive: bool,
    restarts: u64,
    degraded: bool,
}

/// What `/status` shows: this process's actors, or the last report of a bot elsewhere.
#[derive(Debug, Serialize)]
struct StatusView {
    user: UserView,
    /// No bot has reported to this database yet.
    no_report: bool,
    /// The report comes from a bot in another process, this many seconds ago.
    age_secs: Option<u64>,
    actors: u64,
    alive: u64,
    rows: Vec<ActorRow>,
}

fn status_view(user: UserView, report: Option<&heartbeat::Report>, elsewhere: bool) -> StatusView {
    let Some(report) = report else {
        return StatusView {
            user,
            no_report: true,
            age_secs: None,
            actors: 0,
            alive: 0,
            rows: Vec::new(),
        };
    };
    StatusView {
        user,
        no_report: false,
        age_secs: elsewhere.then(|| report.age().as_secs()),
        actors: report.actors,
        alive: report.actors_alive,
        rows: report
            .listed
            .iter()
            .map(|(number, view)| ActorRow {
                number: *number,
                url: format!("/tickets/{number}"),
                alive: view.alive,
                restarts: view.restarts,
                degraded: view.degraded,
            })
            .collect(),
    }
}

/// The bot's ticket actors with their restart counts (staff only): this process's own, or the
/// last report of a bot in another process.
#[get("/status")]
async fn actor_status(
    staff: Staff,
    db: &State<Db>,
    templates: &State<Templates>,
) -> Result<Page, PanelError> {
    let user = UserView::of(&staff.0);
    let view = if crate::metrics::bot_in_process() {
        // In the bot's own process every actor is at hand, healthy ones too.
        let report = heartbeat::Report {
            listed: crate::metrics::actors(),
            ..heartbeat::Report::of_this_process()
        };
        status_view(user, Some(&report), false)
    } else {
        let report = heartbeat::read(db).await?;
        status_view(user, report.as_ref(), true)
    };
    templates.page("status.html", &view)
}

pub fn routes() -> Vec<Route> {
    rocket::routes![metrics, actor_status]
}

/// Manages the metrics token and mounts `/metrics` and `/status`.
pub fn stage(config: Arc<Config>) -> AdHoc {
    AdHoc::on_ignite("Monitoring", move |rocket| async move {
        rocket
            .manage(MetricsToken(config.panel.metrics_token.clone()))
            .mount("/", routes())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{ActorView, Counters};

    fn user() -> UserView {
        UserView {
            name: "Anna".into(),
            id: "1".into(),
            avatar_url: None,
            initials: "A".into(),
            csrf: "c".into(),
        }
    }

    #[test]
    fn status_of_a_bot_elsewhere_says_how_old_its_report_is() {
        let view = |restarts| ActorView {
            alive: true,
            restarts,
            degraded: false,
        };
        let report = heartbeat::Report {
            written_at: crate::db::now_ms() - 12_000,
            actors: 3,
            actors_alive: 3,
            listed: vec![(7, view(2))],
            counters: Counters::default(),
            gateway_connected: None,
        };
        let elsewhere = status_view(user(), Some(&report), true);
        assert!(matches!(elsewhere.age_secs, Some(12 | 13)), "{elsewhere:?}");
        assert_eq!((elsewhere.actors, elsewhere.alive), (3, 3));
        let row = &elsewhere.rows[0];
        assert_eq!((row.number, row.alive, row.restarts), (7, true, 2));
        assert_eq!(row.url, "/tickets/7");
        let here = status_view(user(), Some(&report), false);
        assert_eq!(here.age_secs, None);
        assert!(status_view(user(), None, true).no_report);
    }
}
