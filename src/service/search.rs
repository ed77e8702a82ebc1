//! Finding documents: full-text search, number lookup and similar documents, each seen
//! through the caller's visibility.

use std::sync::Arc;

use super::{visibility, Caller};
use crate::db::documents::Visibility;
use crate::db::models::Document;
use crate::db::{self, Db};
use crate::error::{ApiResult, AppError};
use crate::search::query::Audience;
use crate::search::suggest::{SuggestRequest, SuggestResponse};
use crate::search::{SearchHit, SearchIndex, SearchRequest, SearchResponse};

/// What of the index the caller may see: the same rule as [`visibility`].
pub fn audience(caller: Option<&Caller>) -> Audience {
    match visibility(caller) {
        Visibility::PublishedOnly => Audience::Public,
        Visibility::Everything => Audience::Everything,
        Visibility::Scoped { user_id, org_chain } => Audience::Scoped { user_id, org_chain },
    }
}

/// Runs blocking index work off the async workers.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(AppError::internal)?
}

/// One page of hits for a search.
pub async fn search(
    index: Arc<SearchIndex>,
    caller: Option<&Caller>,
    req: SearchRequest,
    max_offset: usize,
) -> ApiResult<SearchResponse> {
    let who = audience(caller);
    blocking(move || {
        let _timer = crate::metrics::METRICS.search.start_timer();
        Ok(index.search_paged(&req, &who, max_offset)?)
    })
    .await
}

/// Suggestions for what has been typed, among what the caller may see.
pub async fn suggest(
    index: Arc<SearchIndex>,
    caller: Option<&Caller>,
    req: SuggestRequest,
) -> ApiResult<SuggestResponse> {
    let who = audience(caller);
    blocking(move || Ok(index.suggest(&req.q, &who, req.limit)?)).await
}

/// The documents the caller may see whose number, in any spelling, is `number`. No
/// document has an empty, over-long or control-bearing number (see `DocumentNumber::parse`),
/// and PostgreSQL refuses text with a NUL: such a number is not found.
pub async fn by_number(db: &Db, caller: Option<Caller>, number: &str) -> ApiResult<Vec<Document>> {
    if number.trim().is_empty()
        || number.chars().count() > 64
        || number.chars().any(char::is_control)
    {
        return Err(AppError::NotFound);
    }
    let key = crate::domain::number::number_key(number);
    db.run(move |conn| -> ApiResult<_> {
        Ok(db::documents::by_number_key(conn, &key)?
            .into_iter()
            .filter(|d| super::can_see(caller.as_ref(), d))
            .collect())
    })
    .await
}

/// Up to ten documents similar to one the caller may see.
pub async fn similar(
    db: &Db,
    index: Arc<SearchIndex>,
    caller: Option<Caller>,
    id: String,
) -> ApiResult<Vec<SearchHit>> {
    let who = audience(caller.as_ref());
    let doc_id = id.clone();
    db.run(move |conn| super::documents::get(conn, caller.as_ref(), &doc_id))
        .await?;
    blocking(move || Ok(index.similar(&id, &who, 10)?)).await
}
