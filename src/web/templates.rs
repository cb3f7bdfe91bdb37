//! The Tera templates, compiled into the binary so it runs from any directory. Tera escapes
//! every value in `.html` templates; the only `| safe` values are built by
//! [`super::markdown::render`], which escapes first.

use rocket::fairing::AdHoc;
use rocket::http::{ContentType, Status};
use rocket::request::Request;
use rocket::response::{self, Responder};
use rocket_dyn_templates::tera::{Context, Tera};
use serde::Serialize;

use super::error::PanelError;

const TEMPLATES: [(&str, &str); 9] = [
    ("base.html", include_str!("../../templates/base.html")),
    ("list.html", include_str!("../../templates/list.html")),
    ("ticket.html", include_str!("../../templates/ticket.html")),
    (
        "transcript.html",
        include_str!("../../templates/transcript.html"),
    ),
    (
        "transcript_download.html",
        include_str!("../../templates/transcript_download.html"),
    ),
    ("message.html", include_str!("../../templates/message.html")),
    ("logout.html", include_str!("../../templates/logout.html")),
    ("erase.html", include_str!("../../templates/erase.html")),
    ("status.html", include_str!("../../templates/status.html")),
];

pub struct Templates {
    tera: Tera,
}

impl Templates {
    pub fn load() -> Result<Self, rocket_dyn_templates::tera::Error> {
        let mut tera = Tera::default();
        tera.add_raw_templates(TEMPLATES)?;
        Ok(Self { tera })
    }

    pub fn render(&self, name: &str, view: &impl Serialize) -> Result<String, PanelError> {
        let context = Context::from_serialize(view)
            .map_err(|err| PanelError::internal(format!("template context for {name}: {err}")))?;
        self.tera.render(name, &context).map_err(|err| {
            let mut cause = format!("rendering {name}: {err}");
            let mut source = std::error::Error::source(&err);
            while let Some(inner) = source {
                cause.push_str(&format!(": {inner}"));
                source = inner.source();
            }
            PanelError::internal(cause)
        })
    }

    pub fn page(&self, name: &str, view: &impl Serialize) -> Result<Page, PanelError> {
        Ok(Page::html(self.render(name, view)?))
    }
}

/// A rendered HTML page.
pub struct Page {
    pub html: String,
    pub status: Status,
}

impl Page {
    /// A page answered with 200 OK.
    pub fn html(html: String) -> Self {
        Self {
            html,
            status: Status::Ok,
        }
    }
}

impl<'r> Responder<'r, 'static> for Page {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        let mut response = (ContentType::HTML, self.html).respond_to(request)?;
        response.set_status(self.status);
        Ok(response)
    }
}

pub fn stage() -> AdHoc {
    AdHoc::try_on_ignite("Templates", |rocket| async move {
        match Templates::load() {
            Ok(templates) => Ok(rocket.manage(templates)),
            Err(err) => {
                tracing::error!(
                    code = "panel_templates",
                    "the panel's templates do not compile: {err:?}"
                );
                Err(rocket)
            }
        }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn templates_compile() {
        if let Err(err) = super::Templates::load() {
            panic!("{err:?}");
        }
    }
}
