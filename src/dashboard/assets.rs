//! The front end, embedded in the binary at compile time: `dashboard/index.html`,
//! `dashboard/style.css` and `dashboard/dist/app.js` (compiled from `dashboard/src/*.ts` by
//! `npm run build` and checked in, so `cargo build` needs no node). Nothing is fetched at run
//! time.

use actix_web::{web, HttpResponse};

const INDEX: &str = include_str!("../../dashboard/index.html");
const STYLE: &str = include_str!("../../dashboard/style.css");
const APP: &str = include_str!("../../dashboard/dist/app.js");

fn asset(body: &'static str, content_type: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(("Cache-Control", "no-cache"))
        .body(body)
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/",
        web::get().to(|| async { asset(INDEX, "text/html; charset=utf-8") }),
    )
    .route(
        "/index.html",
        web::get().to(|| async { asset(INDEX, "text/html; charset=utf-8") }),
    )
    .route(
        "/style.css",
        web::get().to(|| async { asset(STYLE, "text/css; charset=utf-8") }),
    )
    .route(
        "/app.js",
        web::get().to(|| async { asset(APP, "text/javascript; charset=utf-8") }),
    );
}
