//! Quality documents and their control metadata.

use super::*;

routes! {
    tag "iso";

    /// Quality documents with their control metadata and current revision.
    get "/iso/documents" => list_iso_documents(st, caller: Auth, q: Query<OwnerQuery>)
        -> [(status = 200, body = Vec<IsoDocumentResponse>), ReadErrors]
        { ok(svc::list_documents(&st.db, caller, q.owner).await?) }

    /// Register a quality document (ISO controller of the owner agency), with its code,
    /// review and retention periods, distribution list and, optionally, its first draft.
    post "/iso/documents"
        => create_iso_document(st, caller: Auth, body: Json<CreateIsoDocumentRequest>)
        -> [
            (status = 201, body = IsoDocumentResponse, headers(("ETag" = String))),
            WriteErrors, BodyErrors
        ] {
            let d = svc::create_document(&st.db, caller, body).await?;
            let location = format!("/api/v1/iso/documents/{}", d.id);
            let mut resp = document(StatusCode::CREATED, d);
            if let Ok(v) = header::HeaderValue::from_str(&location) {
                resp.headers_mut().insert(header::LOCATION, v);
            }
            Ok(resp)
        }

    /// A quality document: control metadata, current and open revision, distribution list.
    get "/iso/documents/{id}" => get_iso_document(st, caller: Auth, id: Path)
        -> [DocumentOk, ReadErrors]
        { Ok(document(StatusCode::OK, svc::get_document(&st.db, caller, id).await?)) }

    /// Change the control metadata or the distribution list (send `If-Match`).
    patch "/iso/documents/{id}" => update_iso_document(
        st, caller: Auth, (id, version): IfMatch, body: Json<UpdateIsoDocumentRequest>
    ) -> [DocumentOk, WriteErrors, BodyErrors, IfMatchErrors]
        {
            let d = svc::update_document(&st.db, caller, id, version, body).await?;
            Ok(document(StatusCode::OK, d))
        }

    /// Every revision of a quality document with its state, oldest first.
    get "/iso/documents/{id}/revisions" => list_iso_revisions(st, caller: Auth, id: Path)
        -> [(status = 200, body = Vec<IsoRevisionResponse>), ReadErrors]
        { ok(svc::list_revisions(&st.db, caller, id).await?) }
}
