//! Change requests against quality documents.

use super::*;

routes! {
    tag "iso";

    /// Change requests raised against a document, in order.
    get "/iso/documents/{id}/change-requests" => list_change_requests(st, caller: Auth, id: Path)
        -> [(status = 200, body = Vec<ChangeRequestResponse>), ReadErrors]
        { ok(svc::list_change_requests(&st.db, caller, id).await?) }

    /// Raise a change request (phiếu yêu cầu sửa đổi tài liệu) against a document in use:
    /// anyone on staff.
    post "/iso/documents/{id}/change-requests"
        => raise_change_request(st, caller: Auth, id: Path, body: Json<RaiseChangeRequest>)
        -> [
            (status = 201, body = ChangeRequestResponse, headers(("ETag" = String))),
            WriteErrors, BodyErrors
        ] {
            let c = svc::raise_change_request(&st.db, caller, id, body).await?;
            Ok(change_request(StatusCode::CREATED, c))
        }

    /// One change request.
    get "/iso/change-requests/{id}" => get_change_request(st, caller: Auth, id: Path)
        -> [ChangeRequestOk, ReadErrors]
        { Ok(change_request(StatusCode::OK, svc::get_change_request(&st.db, caller, id).await?)) }

    /// Accept a change request: a revision draft opens from the current text (ISO
    /// controller of the owner agency; `If-Match`).
    post "/iso/change-requests/{id}/accept" => accept_change_request(
        st, caller: Auth, (id, version): IfMatch, body: Json<AcceptChangeRequest>
    ) -> [ChangeRequestOk, WriteErrors, BodyErrors, IfMatchErrors]
        {
            let c = svc::accept_change_request(&st.db, caller, id, version, body).await?;
            Ok(change_request(StatusCode::OK, c))
        }

    /// Reject a change request with the reason (ISO controller of the owner agency; `If-Match`).
    post "/iso/change-requests/{id}/reject" => reject_change_request(
        st, caller: Auth, (id, version): IfMatch, body: Json<ReasonRequest>
    ) -> [ChangeRequestOk, WriteErrors, BodyErrors, IfMatchErrors]
        {
            let c = svc::reject_change_request(&st.db, caller, id, version, body).await?;
            Ok(change_request(StatusCode::OK, c))
        }
}
