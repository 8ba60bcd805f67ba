//! The API's error answer: `{"error": "..."}` with an HTTP status, for a cluster error (502,
//! or 404 for what does not exist), a bad request (400), or ACL refused (403). Never a panic.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use serde_json::json;

use crate::client::MqError;
use crate::codec::codes::response;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request itself is wrong (missing field, bad number, unknown cluster).
    #[error("{0}")]
    BadRequest(String),
    /// What was asked for does not exist (topic, group, message).
    #[error("{0}")]
    NotFound(String),
    /// The cluster answered with an error or could not be reached.
    #[error("{0}")]
    Cluster(#[from] MqError),
}

impl ApiError {
    pub fn bad(msg: impl Into<String>) -> Self {
        ApiError::BadRequest(msg.into())
    }

    /// The topic, group or message asked for does not exist.
    pub fn is_not_found(&self) -> bool {
        self.status_code() == StatusCode::NOT_FOUND
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Cluster(MqError::NoRoute { .. }) => StatusCode::NOT_FOUND,
            ApiError::Cluster(e) => match e.response_code() {
                Some(response::TOPIC_NOT_EXIST)
                | Some(response::SUBSCRIPTION_GROUP_NOT_EXIST)
                | Some(response::QUERY_NOT_FOUND) => StatusCode::NOT_FOUND,
                Some(response::NO_PERMISSION) => StatusCode::FORBIDDEN,
                Some(response::CONSUMER_NOT_ONLINE) => StatusCode::CONFLICT,
                _ => StatusCode::BAD_GATEWAY,
            },
        }
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status_code()).json(json!({ "error": self.to_string() }))
    }
}

/// A JSON body that does not parse is a 400 with the same `{error}` shape.
pub fn json_error(err: actix_web::error::JsonPayloadError, _: &HttpRequest) -> actix_web::Error {
    ApiError::bad(format!("bad JSON body: {err}")).into()
}

/// A query string that does not parse is a 400 with the same `{error}` shape.
pub fn query_error(err: actix_web::error::QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    ApiError::bad(format!("bad query: {err}")).into()
}
