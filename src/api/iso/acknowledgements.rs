//! Read-and-understood acknowledgements.

use super::*;

routes! {
    tag "iso";

    /// Acknowledge the current revision as read and understood (a recipient). 201 the
    /// first time, 200 when already acknowledged.
    post "/iso/documents/{id}/acknowledge"
        => acknowledge_document(st, caller: Auth, id: Path, body: Json<AcknowledgeRequest>)
        -> [
            (status = 201, body = AcknowledgementResponse),
            (status = 200, body = AcknowledgementResponse),
            WriteErrors, BodyErrors
        ] {
            let (a, new) = svc::acknowledge_document(&st.db, caller, id, body).await?;
            let status = if new {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            Ok(HttpResponse::build(status).json(a))
        }

    /// Who has acknowledged the current revision and who has not.
    get "/iso/documents/{id}/acknowledgements"
        => list_acknowledgements(st, caller: Auth, id: Path)
        -> [(status = 200, body = AcknowledgementsResponse), ReadErrors]
        { ok(svc::list_acknowledgements(&st.db, caller, id).await?) }
}
