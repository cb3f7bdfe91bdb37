//! The stylesheet, compiled into the binary, and the security headers of every response.

use rocket::fairing::AdHoc;
use rocket::http::Header;
use rocket::shield::{Frame, Referrer, Shield};
use rocket::{Route, get};

pub const PANEL_CSS: &str = include_str!("../../static/panel.css");

/// Pages load no scripts and nothing from elsewhere but Discord's avatars.
// Style attributes carry only what the panel writes itself (an embed's colour as `#rrggbb`).
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; \
     style-src-attr 'unsafe-inline'; \
     img-src 'self' https://cdn.discordapp.com data:; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'";

#[derive(rocket::Responder)]
#[response(content_type = "text/css")]
struct Stylesheet {
    body: &'static str,
    cache: Header<'static>,
}

#[get("/static/panel.css")]
fn panel_css() -> Stylesheet {
    Stylesheet {
        body: PANEL_CSS,
        cache: Header::new("Cache-Control", "public, max-age=3600"),
    }
}

pub fn routes() -> Vec<Route> {
    rocket::routes![panel_css]
}

pub fn stage() -> AdHoc {
    AdHoc::on_ignite("Assets and security headers", |rocket| async move {
        rocket
            .mount("/", routes())
            // Replaces Rocket's default Shield (nosniff stays on).
            .attach(
                Shield::default()
                    .enable(Frame::Deny)
                    .enable(Referrer::SameOrigin),
            )
            .attach(AdHoc::on_response("Security headers", |_, response| {
                Box::pin(async move {
                    let defaults = [
                        ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
                        // Pages show tickets; no shared cache may keep them.
                        ("Cache-Control", "private, no-store"),
                    ];
                    for (name, value) in defaults {
                        if !response.headers().contains(name) {
                            response.set_header(Header::new(name, value));
                        }
                    }
                })
            }))
    })
}
