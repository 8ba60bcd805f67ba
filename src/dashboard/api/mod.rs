//! The dashboard's JSON API under `/api/` (docs/dashboard.md): one file per resource. Every
//! handler answers JSON, or `{"error": ...}` with an HTTP status (`super::error`).

pub mod acl;
pub mod cluster;
pub mod dlq;
pub mod groups;
pub mod messages;
pub mod producers;
pub mod topics;
pub mod view;

use actix_web::web;

pub type Data = web::Data<super::DashState>;
pub type ApiResult = Result<actix_web::HttpResponse, super::ApiError>;

/// `200 OK` with `v` as JSON.
pub fn ok<T: serde::Serialize>(v: &T) -> ApiResult {
    Ok(actix_web::HttpResponse::Ok().json(v))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api")
            .route("/cluster", web::get().to(cluster::list))
            .route("/cluster/tps", web::get().to(cluster::tps))
            .route("/topics", web::get().to(topics::list))
            .route("/topics", web::post().to(topics::create))
            .route("/topics/{topic}", web::get().to(topics::detail))
            .route("/topics/{topic}", web::delete().to(topics::delete))
            .route("/groups", web::get().to(groups::list))
            .route("/groups", web::post().to(groups::create))
            .route("/groups/{group}", web::get().to(groups::detail))
            .route("/groups/{group}/reset", web::post().to(groups::reset))
            .route("/producers", web::get().to(producers::list))
            .route("/messages", web::get().to(messages::by_topic))
            .route("/messages", web::post().to(messages::send))
            .route("/messages/key", web::get().to(messages::by_key))
            .route("/messages/id", web::get().to(messages::by_id))
            .route(
                "/messages/consume",
                web::post().to(messages::consume_directly),
            )
            .route("/dlq", web::get().to(dlq::list))
            .route("/dlq/resend", web::post().to(dlq::resend))
            .route("/acl", web::get().to(acl::get))
            .route("/acl/accounts", web::post().to(acl::update))
            .route("/acl/accounts/{access_key}", web::delete().to(acl::delete)),
    );
}
