//! HEAD is answered as GET on every path (API, docs, metrics, SPA pages and assets), in one
//! place instead of per route: the request reaches routing as GET, and the HTTP codec, which
//! remembers the method on the wire, sends the headers (length included) without the body.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;

pub async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    next.call(req).await
}
