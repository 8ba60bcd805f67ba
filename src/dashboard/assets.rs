//! The front end, embedded in the binary at compile time: `dashboard/index.html`,
//! `dashboard/style.css` and the modules of `dashboard/dist/` (compiled from
//! `dashboard/src/*.ts` by `npm run build` and checked in, so `cargo build` needs no node).
//! Nothing is fetched at run time.

use actix_web::{web, HttpResponse};

const INDEX: &str = include_str!("../../dashboard/index.html");
const STYLE: &str = include_str!("../../dashboard/style.css");

/// `dashboard/dist/<name>`, served at `/js/<name>`.
const SCRIPTS: &[(&str, &str)] = &[
    ("app.js", include_str!("../../dashboard/dist/app.js")),
    ("api.js", include_str!("../../dashboard/dist/api.js")),
    ("dom.js", include_str!("../../dashboard/dist/dom.js")),
    ("chart.js", include_str!("../../dashboard/dist/chart.js")),
    (
        "cluster.js",
        include_str!("../../dashboard/dist/cluster.js"),
    ),
    ("topics.js", include_str!("../../dashboard/dist/topics.js")),
    ("groups.js", include_str!("../../dashboard/dist/groups.js")),
    (
        "producers.js",
        include_str!("../../dashboard/dist/producers.js"),
    ),
    (
        "messages.js",
        include_str!("../../dashboard/dist/messages.js"),
    ),
    ("dlq.js", include_str!("../../dashboard/dist/dlq.js")),
    ("acl.js", include_str!("../../dashboard/dist/acl.js")),
];

fn asset(body: &'static str, content_type: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(("Cache-Control", "no-cache"))
        .body(body)
}

async fn index() -> HttpResponse {
    asset(INDEX, "text/html; charset=utf-8")
}

async fn script(name: web::Path<String>) -> HttpResponse {
    match SCRIPTS.iter().find(|(n, _)| *n == name.as_str()) {
        Some((_, body)) => asset(body, "text/javascript; charset=utf-8"),
        None => HttpResponse::NotFound()
            .content_type("text/plain")
            .body("no such script"),
    }
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(index))
        .route("/index.html", web::get().to(index))
        .route(
            "/style.css",
            web::get().to(|| async { asset(STYLE, "text/css; charset=utf-8") }),
        )
        .route("/js/{name}", web::get().to(script));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every module a script imports is served (`import ... from './x.js'`).
    #[test]
    fn every_imported_module_is_embedded() {
        for (name, body) in SCRIPTS {
            for line in body.lines().filter(|l| l.starts_with("import ")) {
                let Some(start) = line.find("'./") else {
                    continue;
                };
                let rest = &line[start + 3..];
                let module = &rest[..rest.find('\'').unwrap_or(rest.len())];
                assert!(
                    SCRIPTS.iter().any(|(n, _)| *n == module),
                    "{name} imports {module}, which is not embedded"
                );
            }
        }
    }
}
