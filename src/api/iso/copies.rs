//! Controlled copies and their withdrawal.

use super::*;

routes! {
    tag "iso";

    /// The controlled copies of a document, of every revision.
    get "/iso/documents/{id}/copies"
        => list_copies(st, caller: Auth, id: Path, q: Query<CopiesQuery>)
        -> [(status = 200, body = Vec<ControlledCopyResponse>), ReadErrors]
        { ok(svc::list_copies(&st.db, caller, id, q.outstanding.unwrap_or(false)).await?) }

    /// Copies still to be withdrawn: recalled and not yet confirmed returned.
    get "/iso/copies/outstanding" => outstanding_copies(st, caller: Auth, q: Query<OwnerQuery>)
        -> [(status = 200, body = Vec<ControlledCopyResponse>), ReadErrors]
        { ok(svc::list_outstanding_copies(&st.db, caller, q.owner).await?) }

    /// Confirm that a recalled copy was withdrawn (ISO controller of the owner agency; `If-Match`).
    post "/iso/copies/{id}/confirm-withdrawal"
        => confirm_copy_withdrawal(st, caller: Auth, (id, version): IfMatch)
        -> [CopyOk, WriteErrors, IfMatchErrors]
        {
            let c = svc::confirm_withdrawal(&st.db, caller, id, version).await?;
            Ok(tagged(StatusCode::OK, &c.id, c.row_version, &c))
        }
}
