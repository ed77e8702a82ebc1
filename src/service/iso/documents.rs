//! Quality documents: registration, control metadata, the distribution list.

use chrono::NaiveDate;

use super::{check_row_version, ensure_in_use, load, load_readable, owned_by, require_owner};
use super::{document_response, CreateIsoDocumentRequest, IsoDocumentResponse};
use super::{RecipientRequest, UpdateIsoDocumentRequest};
use crate::auth::Action;
use crate::db::audit::Actor;
use crate::db::models::{
    ControlledCopy, Document, IsoDistributionRow, IsoDocument, IsoDocumentChanges, User,
};
use crate::db::{self, iso as q, Conn, Tx};
use crate::domain::iso::{self as rules, CopyView, Recipient};
use crate::domain::kinds::DocumentKind;
use crate::error::{ApiResult, AppError};
use crate::service::documents::{self as docs, resolve_org_unit, CreateDocumentRequest};
use crate::service::iso_hooks::{
    audit_doc, copy_view, guard, new_control, recall_ids, recipient_of,
    DEFAULT_REVIEW_PERIOD_MONTHS,
};
use crate::service::versions::{self, NewVersion};
use crate::service::{can_see, clean_opt, clean_text, today, Caller};

use_cases! {
    /// Quality documents the caller may see, by code; optionally of one owner.
    run list_documents(owner: Option<String>) -> Vec<IsoDocumentResponse>
        = list(owner.as_deref(), today());
    /// Registers a quality document; answers it as it now stands.
    tx create_document(req: CreateIsoDocumentRequest) -> IsoDocumentResponse
        = registered(&req);
    /// A quality document with its control metadata, revisions in use and distribution
    /// list.
    run get_document(id: String) -> IsoDocumentResponse = get(&id, today());
    /// Changes the control metadata or the distribution list at the row version read;
    /// answers the document as it now stands.
    tx update_document(id: String, expected_version: i32, req: UpdateIsoDocumentRequest)
        -> IsoDocumentResponse = updated(&id, expected_version, &req);
}

fn registered(
    conn: &mut Tx<'_>,
    caller: &Caller,
    req: &CreateIsoDocumentRequest,
) -> ApiResult<IsoDocumentResponse> {
    let doc = create(conn, caller, req)?;
    get(conn, caller, &doc.id, today())
}

fn updated(
    conn: &mut Tx<'_>,
    caller: &Caller,
    id: &str,
    expected_version: i32,
    req: &UpdateIsoDocumentRequest,
) -> ApiResult<IsoDocumentResponse> {
    update(conn, caller, id, expected_version, req)?;
    get(conn, caller, id, today())
}

pub(super) fn resolve_user(conn: &mut Conn, key: &str) -> ApiResult<User> {
    if let Ok(u) = db::users::get(conn, key) {
        return Ok(u);
    }
    db::users::by_username(conn, key)?
        .ok_or_else(|| AppError::invalid("distribution", format!("no account {key:?}")))
}

pub(super) fn resolve_distribution(
    conn: &mut Conn,
    document_id: &str,
    list: &[RecipientRequest],
) -> ApiResult<Vec<IsoDistributionRow>> {
    if list.len() > 500 {
        return Err(AppError::invalid("distribution", "at most 500 recipients"));
    }
    let mut rows: Vec<IsoDistributionRow> = vec![];
    let now = db::now();
    for (i, r) in list.iter().enumerate() {
        let (unit, user) = match (&r.org_unit, &r.user) {
            (Some(u), None) => (Some(resolve_org_unit(conn, "distribution", u)?), None),
            (None, Some(u)) => (None, Some(resolve_user(conn, u)?.id)),
            _ => {
                return Err(AppError::invalid(
                    format!("distribution[{i}]"),
                    "give either org_unit or user",
                ))
            }
        };
        let dup = rows
            .iter()
            .any(|x| x.recipient_unit_id == unit && x.recipient_user_id == user);
        if !dup {
            rows.push(IsoDistributionRow {
                id: db::new_id(),
                document_id: document_id.to_owned(),
                ord: rows.len() as i32 + 1,
                recipient_unit_id: unit,
                recipient_user_id: user,
                created_at: now,
            });
        }
    }
    Ok(rows)
}

pub(super) fn recipients_of(rows: &[IsoDistributionRow]) -> Vec<Recipient> {
    rows.iter()
        .filter_map(|r| recipient_of(&r.recipient_unit_id, &r.recipient_user_id))
        .collect()
}

pub(super) fn check_parent(
    conn: &mut Conn,
    kind: DocumentKind,
    parent_id: &str,
) -> ApiResult<String> {
    if !matches!(kind, DocumentKind::IsoForm | DocumentKind::IsoInstruction) {
        return Err(AppError::invalid(
            "parent_id",
            "only forms and instructions are attached to a procedure",
        ));
    }
    let parent = db::documents::get(conn, parent_id)
        .map_err(|_| AppError::invalid("parent_id", "no such document"))?;
    if parent.kind != DocumentKind::IsoProcedure {
        return Err(AppError::invalid("parent_id", "must be an ISO procedure"));
    }
    Ok(parent.id)
}

pub(super) fn ensure_code_free(conn: &mut Conn, code: &str, except: Option<&str>) -> ApiResult<()> {
    let clash = q::documents_with_code(conn, code)?
        .into_iter()
        .any(|d| Some(d.id.as_str()) != except);
    if clash {
        return Err(guard(
            "iso_code_unique",
            format!("{code} is already the code of another quality document"),
        ));
    }
    Ok(())
}

/// Registers a quality document with its control metadata, and its first draft if a
/// text is given.
pub fn create(
    conn: &mut Tx<'_>,
    caller: &Caller,
    req: &CreateIsoDocumentRequest,
) -> ApiResult<Document> {
    caller.require(Action::ControlIsoDocuments)?;
    if !req.kind.is_iso() {
        return Err(AppError::invalid("kind", "one of the iso_ kinds"));
    }
    let code = rules::parse_iso_code(&req.iso_code)?;
    let owner = resolve_org_unit(conn, "owner", &req.owner)?;
    let review_period = req
        .review_period_months
        .unwrap_or(DEFAULT_REVIEW_PERIOD_MONTHS);
    rules::check_review_period(review_period)?;
    rules::check_retention(req.retention_years)?;
    let parent_id = match &req.parent_id {
        Some(p) => Some(check_parent(conn, req.kind, p)?),
        None => None,
    };
    let probe = IsoDocument {
        retention_years: req.retention_years,
        parent_id,
        ..new_control(String::new(), owner.clone(), review_period)
    };
    require_owner(caller, &probe)?;
    ensure_code_free(conn, &code, None)?;
    let doc = docs::new_document(
        conn,
        &CreateDocumentRequest {
            iso_code: Some(code),
            ..CreateDocumentRequest::draft(
                req.kind,
                req.title.clone(),
                Some(owner.clone()),
                req.field.clone(),
            )
        },
        Some(caller.user_id.clone()),
    )?;
    let actor = caller.actor();
    let doc = docs::insert_audited(conn, &actor, &doc)?;
    let iso = q::insert_document(
        conn,
        &IsoDocument {
            document_id: doc.id.clone(),
            ..probe
        },
    )?;
    let rows = resolve_distribution(conn, &doc.id, &req.distribution)?;
    q::replace_distribution(conn, &doc.id, &rows)?;
    audit_doc(
        conn,
        &actor,
        "iso.register",
        &doc.id,
        None,
        None,
        serde_json::json!({
            "owner_unit_id": iso.owner_unit_id, "review_period_months": iso.review_period_months,
            "retention_years": iso.retention_years, "parent_id": iso.parent_id,
            "recipients": rows.len(),
        }),
    )?;
    if req.body.is_some() || req.label.is_some() {
        first_draft(conn, &actor, &doc, req)?;
    }
    Ok(doc)
}

/// The first draft revision given with the registration.
fn first_draft(
    conn: &mut Tx<'_>,
    actor: &Actor,
    doc: &Document,
    req: &CreateIsoDocumentRequest,
) -> ApiResult<()> {
    let body = match req.body.as_deref() {
        Some(b) => Some(clean_text("body", b, versions::MAX_BODY_CHARS)?),
        None => None,
    };
    versions::insert_version(
        conn,
        actor,
        doc,
        NewVersion {
            label: clean_opt("label", req.label.as_deref(), 200)?,
            body,
            change_summary: clean_opt("change_summary", req.change_summary.as_deref(), 10_000)?,
            ..Default::default()
        },
    )?;
    Ok(())
}

pub fn get(
    conn: &mut Conn,
    caller: &Caller,
    id: &str,
    today: NaiveDate,
) -> ApiResult<IsoDocumentResponse> {
    let (doc, iso) = load_readable(conn, caller, id)?;
    document_response(conn, &doc, &iso, today)
}

/// Quality documents the caller may see, by code; optionally of one owner.
pub fn list(
    conn: &mut Conn,
    caller: &Caller,
    owner: Option<&str>,
    today: NaiveDate,
) -> ApiResult<Vec<IsoDocumentResponse>> {
    caller.require(Action::ReadIsoRecords)?;
    let mut out = vec![];
    for iso in owned_by(conn, owner)? {
        let doc = db::documents::get(conn, &iso.document_id)?;
        if can_see(Some(caller), &doc) {
            out.push(document_response(conn, &doc, &iso, today)?);
        }
    }
    out.sort_by(|a, b| a.iso_code.cmp(&b.iso_code).then(a.id.cmp(&b.id)));
    Ok(out)
}

/// Issues copies of the current revision to recipients without one, and recalls the
/// copies of recipients taken off the list.
pub(super) fn reconcile_copies(
    conn: &mut Tx<'_>,
    actor: &Actor,
    user_id: Option<&str>,
    doc: &Document,
    current: &str,
) -> ApiResult<(usize, usize)> {
    let list = recipients_of(&q::distribution(conn, &doc.id)?);
    let of_current: Vec<CopyView> = q::copies(conn, &doc.id)?
        .iter()
        .filter(|c| c.version_id == current)
        .map(copy_view)
        .collect();
    let plan = rules::plan_distribution(&list, &of_current);
    let now = db::now();
    let first_no = q::max_copy_no(conn, current)? + 1;
    let mut issued = vec![];
    for (next, r) in (first_no..).zip(plan.issue.iter()) {
        let (unit, user, name) = match r {
            Recipient::Unit(u) => (Some(u.clone()), None, db::org_units::get(conn, u)?.name),
            Recipient::User(u) => (None, Some(u.clone()), db::users::get(conn, u)?.display_name),
        };
        let c = q::insert_copy(
            conn,
            &ControlledCopy {
                id: db::new_id(),
                document_id: doc.id.clone(),
                version_id: current.to_owned(),
                copy_no: next,
                recipient_unit_id: unit,
                recipient_user_id: user,
                recipient_name: name,
                issued_at: now,
                issued_by: user_id.map(str::to_owned),
                recall_requested_at: None,
                withdrawn_at: None,
                withdrawal_confirmed_by: None,
                row_version: 1,
            },
        )?;
        issued.push(serde_json::json!({"copy_id": c.id, "copy_no": c.copy_no, "recipient": c.recipient_name}));
    }
    if !issued.is_empty() {
        audit_doc(
            conn,
            actor,
            "iso.copies.issue",
            &doc.id,
            None,
            None,
            serde_json::json!({"version_id": current, "copies": issued}),
        )?;
    }
    let recalled = recall_ids(
        conn,
        actor,
        &doc.id,
        &plan.recall,
        serde_json::json!({"copy_ids": plan.recall, "why": "taken off the distribution list"}),
    )?;
    Ok((issued.len(), recalled))
}

pub fn update(
    conn: &mut Tx<'_>,
    caller: &Caller,
    id: &str,
    expected_version: i32,
    req: &UpdateIsoDocumentRequest,
) -> ApiResult<(Document, IsoDocument)> {
    let (doc, iso) = load(conn, Some(caller), id)?;
    require_owner(caller, &iso)?;
    ensure_in_use(&doc)?;
    check_row_version(iso.row_version, expected_version)?;
    let ch = control_changes(conn, caller, &doc, &iso, req)?;
    let rows = match &req.distribution {
        Some(list) => Some(resolve_distribution(conn, id, list)?),
        None => None,
    };
    let updated = q::update_document(conn, id, expected_version, &ch)?;
    let actor = caller.actor();
    audit_doc(
        conn,
        &actor,
        "iso.update",
        id,
        None,
        None,
        serde_json::json!({
            "owner_unit_id": updated.owner_unit_id, "review_period_months": updated.review_period_months,
            "retention_years": updated.retention_years, "parent_id": updated.parent_id,
            "next_review_on": updated.next_review_on,
            "recipients": rows.as_ref().map(Vec::len),
        }),
    )?;
    if let Some(rows) = rows {
        q::replace_distribution(conn, id, &rows)?;
        if let Some(current) = q::current_revision(conn, id)? {
            reconcile_copies(
                conn,
                &actor,
                Some(&caller.user_id),
                &doc,
                &current.version_id,
            )?;
        }
    }
    Ok((doc, updated))
}

/// The changes of the control metadata a request asks for, each checked.
fn control_changes(
    conn: &mut Conn,
    caller: &Caller,
    doc: &Document,
    iso: &IsoDocument,
    req: &UpdateIsoDocumentRequest,
) -> ApiResult<IsoDocumentChanges> {
    let id = doc.id.as_str();
    let kind: DocumentKind = doc.kind;
    let mut ch = IsoDocumentChanges::default();
    if let Some(o) = &req.owner {
        let owner = resolve_org_unit(conn, "owner", o)?;
        // Handing a document to another agency is the current owner's decision, and the
        // new owner must be one the caller controls too, or nobody could take it back.
        require_owner(
            caller,
            &IsoDocument {
                owner_unit_id: owner.clone(),
                ..iso.clone()
            },
        )?;
        ch.owner_unit_id = Some(owner);
    }
    if let Some(m) = req.review_period_months {
        rules::check_review_period(m)?;
        ch.review_period_months = Some(m);
        // The next review moves with the period, counted from the last review or issue.
        let from = iso
            .last_reviewed_on
            .or(q::current_revision(conn, id)?.and_then(|c| c.effective_from));
        if let Some(from) = from {
            ch.next_review_on = Some(rules::next_review(from, m));
        }
    }
    if let Some(r) = req.retention_years {
        rules::check_retention(r)?;
        ch.retention_years = Some(r);
    }
    if let Some(p) = &req.parent_id {
        ch.parent_id = Some(match p {
            Some(p) => Some(check_parent(conn, kind, p)?),
            None => None,
        });
    }
    Ok(ch)
}
