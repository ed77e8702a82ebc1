//! The Sơn Tây demo district: its org units, the district's 2016-2020 administrative
//! reform plan with its full text, every national or provincial document the plan
//! cites (linked to it by `based_on`), and one account per role. Loading is idempotent.
//!
//! `district.json` holds the plan's facts and, where the plan is silent, public facts;
//! each cited document keeps the sentence of the plan that cites it (`cited_as`).

pub mod iso;
pub mod review;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::db::audit::Actor;
use crate::db::{self, Conn, Tx};
use crate::domain::kinds::{DocumentKind, OrgUnitKind, RelationKind, RelationScope, Role};
use crate::error::{ApiResult, AppError};
use crate::service::accounts::{self, CreateUserRequest};
use crate::service::documents::{self as docs, CreateDocumentRequest};
use crate::service::org_units::{self, CreateOrgUnitRequest};
use crate::service::relations::{self, CreateRelationRequest};
use crate::service::versions::{self, NewVersion};

const DISTRICT: &str = include_str!("district.json");
pub const PLAN_TEXT: &str = include_str!("de-an-cai-cach-hanh-chinh-son-tay-2016-2020.txt");

#[derive(Debug, Deserialize)]
struct District {
    org_units: Vec<Unit>,
    plan: PlanDoc,
    cited_documents: Vec<Cited>,
}

#[derive(Debug, Deserialize)]
struct Unit {
    code: String,
    name: String,
    kind: OrgUnitKind,
    parent: Option<String>,
    #[serde(default)]
    level: Option<crate::domain::regime::UnitLevel>,
    #[serde(default)]
    established_on: Option<NaiveDate>,
}

#[derive(Debug, Deserialize)]
struct PlanDoc {
    kind: DocumentKind,
    number: Option<String>,
    title: String,
    issuer: String,
    field: Option<String>,
    signed_on: Option<NaiveDate>,
    effective_from: Option<NaiveDate>,
}

#[derive(Debug, Deserialize)]
struct Cited {
    kind: DocumentKind,
    number: String,
    title: Option<String>,
    issuer: String,
    signed_on: Option<NaiveDate>,
    field: Option<String>,
    cited_as: String,
}

/// Relations between cited documents that are public fact: Nghị định 48/2013/NĐ-CP
/// amends 63/2010/NĐ-CP from 01/07/2013; Nghị định 37/2014/NĐ-CP replaces
/// 14/2008/NĐ-CP from 20/06/2014.
const KNOWN_RELATIONS: &[(&str, RelationKind, &str, &str)] = &[
    (
        "48/2013/NĐ-CP",
        RelationKind::Amends,
        "63/2010/NĐ-CP",
        "2013-07-01",
    ),
    (
        "37/2014/NĐ-CP",
        RelationKind::Replaces,
        "14/2008/NĐ-CP",
        "2014-06-20",
    ),
];

/// The demo account of each role and the unit it belongs to.
pub const ACCOUNTS: &[(Role, &str)] = &[
    (Role::Admin, "VP"),
    (Role::Drafter, "NV"),
    (Role::LegalOfficer, "TP"),
    (Role::Approver, "UBND"),
    (Role::IsoController, "VP"),
    (Role::Viewer, "X-SONDUNG"),
];

#[derive(Debug, Default)]
pub struct DemoReport {
    pub org_units_added: usize,
    pub documents_added: usize,
    pub accounts_added: usize,
    pub plan_id: String,
}

fn find_document(
    conn: &mut Conn,
    number: Option<&str>,
    title: &str,
) -> ApiResult<Option<db::models::Document>> {
    match number {
        Some(n) => Ok(
            db::documents::by_number_key(conn, &crate::domain::number::number_key(n))?
                .into_iter()
                .next(),
        ),
        None => {
            use crate::db::schema::documents;
            use diesel::prelude::*;
            Ok(documents::table
                .filter(documents::title.eq(title))
                .first(conn)
                .optional()
                .map_err(db::DbError::from)?)
        }
    }
}

/// Loads the district. Run inside one transaction; safe to run again.
pub fn load(conn: &mut Tx<'_>, password: &str) -> ApiResult<DemoReport> {
    let district: District = serde_json::from_str(DISTRICT)
        .map_err(|e| AppError::internal(format!("district.json: {e}")))?;
    let actor = Actor {
        id: None,
        name: "demo".into(),
    };
    let mut report = DemoReport::default();

    for u in &district.org_units {
        if db::org_units::by_code(conn, &u.code)?.is_none() {
            org_units::insert_audited(
                conn,
                &actor,
                &CreateOrgUnitRequest {
                    code: u.code.clone(),
                    name: u.name.clone(),
                    kind: u.kind,
                    parent: u.parent.clone(),
                    level: u.level,
                    established_on: u.established_on,
                    abolished_on: None,
                },
            )?;
            report.org_units_added += 1;
        }
    }

    for (role, unit) in ACCOUNTS {
        if db::users::by_username(conn, role.as_str())?.is_none() {
            accounts::insert_audited(
                conn,
                &actor,
                &CreateUserRequest {
                    username: role.as_str().to_owned(),
                    display_name: Some(format!("Demo {}", role.label_vi())),
                    password: password.to_owned(),
                    role: *role,
                    org_unit: Some((*unit).to_owned()),
                },
            )?;
            report.accounts_added += 1;
        }
    }

    let p = &district.plan;
    let plan = match find_document(conn, p.number.as_deref(), &p.title)? {
        Some(d) => d,
        None => {
            let req = CreateDocumentRequest {
                number: p.number.clone(),
                signer: Some("Lê Văn Tùng".into()),
                signed_on: p.signed_on,
                effective_from: p.effective_from,
                external: true,
                ..CreateDocumentRequest::draft(
                    p.kind,
                    p.title.clone(),
                    Some(p.issuer.clone()),
                    p.field.clone(),
                )
            };
            let doc = docs::new_document(conn, &req, None)?;
            let doc = docs::insert_audited(conn, &actor, &doc)?;
            versions::insert_version(
                conn,
                &actor,
                &doc,
                NewVersion {
                    label: Some("Bản ban hành".into()),
                    body: Some(crate::domain::text::nfc(PLAN_TEXT)),
                    ..Default::default()
                },
            )?;
            report.documents_added += 1;
            doc
        }
    };
    report.plan_id = plan.id.clone();

    for c in &district.cited_documents {
        let doc = match find_document(conn, Some(&c.number), "")? {
            Some(d) => d,
            None => {
                let title = c
                    .title
                    .clone()
                    .unwrap_or_else(|| format!("{} số {}", c.kind.label_vi(), c.number));
                let req = CreateDocumentRequest {
                    number: Some(c.number.clone()),
                    signed_on: c.signed_on,
                    external: true,
                    ..CreateDocumentRequest::draft(
                        c.kind,
                        title,
                        Some(c.issuer.clone()),
                        c.field.clone(),
                    )
                };
                let doc = docs::new_document(conn, &req, None)?;
                report.documents_added += 1;
                docs::insert_audited(conn, &actor, &doc)?
            }
        };
        let linked = db::relations::outgoing(conn, &plan.id)?
            .iter()
            .any(|r| r.target_id == doc.id);
        if !linked {
            relations::insert_audited(
                conn,
                &actor,
                &plan.id,
                &CreateRelationRequest {
                    target_id: doc.id.clone(),
                    kind: RelationKind::BasedOn,
                    scope: Some(RelationScope::Full),
                    effective_on: p.effective_from.or(p.signed_on),
                    effective_until: None,
                    note: Some(c.cited_as.clone()),
                },
                None,
            )?;
        }
    }

    for (source, kind, target, on) in KNOWN_RELATIONS {
        let (Some(s), Some(t)) = (
            find_document(conn, Some(source), "")?,
            find_document(conn, Some(target), "")?,
        ) else {
            continue;
        };
        let on = NaiveDate::parse_from_str(on, "%Y-%m-%d").ok();
        relate_once(conn, &actor, &s, &t, *kind, None, on)?;
    }
    review::load(conn)?;
    report.documents_added += iso::load(conn)?;
    report.documents_added += open_sample_consultation(conn)?;
    Ok(report)
}

/// Records that `source` acts on `target` unless some relation between them exists already;
/// whether it was added.
fn relate_once(
    conn: &mut Tx<'_>,
    actor: &Actor,
    source: &db::models::Document,
    target: &db::models::Document,
    kind: RelationKind,
    scope: Option<RelationScope>,
    effective_on: Option<NaiveDate>,
) -> ApiResult<bool> {
    if db::relations::outgoing(conn, &source.id)?
        .iter()
        .any(|r| r.target_id == target.id)
    {
        return Ok(false);
    }
    let req = CreateRelationRequest {
        target_id: target.id.clone(),
        kind,
        scope,
        effective_on,
        effective_until: None,
        note: None,
    };
    relations::insert_audited(conn, actor, &source.id, &req, None)?;
    Ok(true)
}

const SAMPLE_DRAFT_TITLE: &str =
    "Quyết định ban hành Quy chế tiếp nhận và trả kết quả giải quyết thủ tục hành chính theo cơ chế một cửa, một cửa liên thông (dự thảo, dữ liệu mẫu)";

const SAMPLE_DRAFT_TEXT: &str = "QUYẾT ĐỊNH\nBan hành Quy chế tiếp nhận và trả kết quả giải quyết thủ tục hành chính theo cơ chế một cửa, một cửa liên thông tại Ủy ban nhân dân huyện Sơn Tây (dữ liệu mẫu)\n\nChương I\nQUY ĐỊNH CHUNG\nĐiều 1. Phạm vi điều chỉnh\n1. Quy chế này quy định việc tiếp nhận hồ sơ, giải quyết và trả kết quả thủ tục hành chính tại Bộ phận tiếp nhận và trả kết quả của Ủy ban nhân dân huyện.\n2. Quy chế áp dụng cho các cơ quan chuyên môn thuộc Ủy ban nhân dân huyện và Ủy ban nhân dân các xã.\nĐiều 2. Nguyên tắc thực hiện\n1. Công khai, minh bạch thủ tục hành chính, phí, lệ phí và thời hạn giải quyết.\n2. Tiếp nhận hồ sơ và trả kết quả tại một đầu mối.\nChương II\nTIẾP NHẬN VÀ TRẢ KẾT QUẢ\nĐiều 3. Tiếp nhận hồ sơ\n1. Công chức tiếp nhận kiểm tra tính đầy đủ của hồ sơ:\na) Hồ sơ đầy đủ thì lập giấy tiếp nhận và hẹn trả kết quả;\nb) Hồ sơ chưa đầy đủ thì hướng dẫn một lần bằng văn bản.\nĐiều 4. Trả kết quả\nKết quả được trả đúng hẹn tại Bộ phận tiếp nhận và trả kết quả hoặc qua dịch vụ bưu chính công ích.";

/// One sample draft decision open for public comment, so that the public API can be tried
/// at once. Opened when loaded, for 30 days; loaded again after it closed, nothing changes.
fn open_sample_consultation(conn: &mut Tx<'_>) -> ApiResult<usize> {
    if find_document(conn, None, SAMPLE_DRAFT_TITLE)?.is_some() {
        return Ok(0);
    }
    let drafter = db::users::by_username(conn, Role::Drafter.as_str())?;
    let actor = Actor {
        id: drafter.as_ref().map(|u| u.id.clone()),
        name: Role::Drafter.as_str().into(),
    };
    let req = CreateDocumentRequest::draft(
        DocumentKind::Decision,
        SAMPLE_DRAFT_TITLE.into(),
        Some("UBND".into()),
        Some("Cải cách thủ tục hành chính".into()),
    );
    let doc = docs::new_document(conn, &req, actor.id.clone())?;
    let doc = docs::insert_audited(conn, &actor, &doc)?;
    let v = versions::insert_version(
        conn,
        &actor,
        &doc,
        NewVersion {
            label: Some("Dự thảo 1".into()),
            body: Some(SAMPLE_DRAFT_TEXT.into()),
            ..Default::default()
        },
    )?;
    let today = crate::service::today();
    let c = db::workflow::insert_consultation(
        conn,
        &db::workflow::Consultation {
            id: db::new_id(),
            document_id: doc.id.clone(),
            version_id: v.id,
            opens_on: today,
            closes_on: today + chrono::TimeDelta::days(30),
            closed_at: None,
            created_by: actor.id.clone(),
            created_at: db::now(),
        },
    )?;
    db::documents::update(
        conn,
        &doc.id,
        doc.row_version,
        &crate::db::models::DocumentChanges {
            state: Some(crate::domain::kinds::DocumentState::Consultation),
            ..Default::default()
        },
    )?;
    crate::db::audit::append(
        conn,
        &actor,
        crate::db::audit::Event {
            action: "workflow.open_consultation",
            entity_type: "document",
            entity_id: &doc.id,
            from_state: Some("drafting"),
            to_state: Some("consultation"),
            details: Some(serde_json::json!({"consultation_id": c.id, "sample": true})),
            ..Default::default()
        },
    )?;
    // One citizen's comment on Article 3, waiting for the justice office to moderate it, so
    // that the consultation desk has work from the first start.
    let workflow = crate::config::Settings::embedded_defaults()
        .map_err(AppError::internal)?
        .workflow;
    crate::service::consultations::submit(
        conn,
        &c.id,
        &crate::service::consultations::NewCommentRequest {
            name: "Nguyễn Văn An (dữ liệu mẫu)".into(),
            email: None,
            organisation: Some("Thôn Phú Thành, xã Sơn Dung (dữ liệu mẫu)".into()),
            provision_path: Some("dieu-3".into()),
            body: "Đề nghị quy định rõ thời hạn hướng dẫn bổ sung hồ sơ chưa đầy đủ, ví dụ trong \
                   ngày làm việc tiếp nhận, để người dân không phải đi lại nhiều lần."
                .into(),
        },
        None,
        &workflow,
    )?;
    Ok(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn district_data_is_consistent() {
        let d: District = serde_json::from_str(DISTRICT).expect("district.json parses");
        let codes: std::collections::HashSet<_> =
            d.org_units.iter().map(|u| u.code.as_str()).collect();
        assert_eq!(codes.len(), d.org_units.len(), "codes are unique");
        for u in &d.org_units {
            if let Some(p) = &u.parent {
                assert!(
                    codes.contains(p.as_str()),
                    "{} has unknown parent {p}",
                    u.code
                );
            }
        }
        for c in &d.cited_documents {
            assert!(
                codes.contains(c.issuer.as_str()),
                "{} issuer {}",
                c.number,
                c.issuer
            );
            crate::domain::number::DocumentNumber::parse(&c.number).expect("number parses");
        }
        let agencies = d
            .org_units
            .iter()
            .filter(|u| u.kind == OrgUnitKind::Agency)
            .count();
        assert_eq!(agencies, 13);
        // The district's nine communes, and the three communes that succeeded it on
        // 1 July 2025 (Nghị quyết 1677/NQ-UBTVQH15), directly under the province.
        let communes = |parent: &str| {
            d.org_units
                .iter()
                .filter(|u| u.kind == OrgUnitKind::Commune && u.parent.as_deref() == Some(parent))
                .collect::<Vec<_>>()
        };
        assert_eq!(communes("ST").len(), 9);
        let successors = communes("QNG");
        assert_eq!(successors.len(), 3);
        assert!(successors
            .iter()
            .all(|u| u.established_on == NaiveDate::from_ymd_opt(2025, 7, 1)));
        for n in [
            "63/2010/NĐ-CP",
            "48/2013/NĐ-CP",
            "130/2005/NĐ-CP",
            "09/2015/QĐ-TTg",
            "05/2014/TT-BTP",
            "390/QĐ-UBND",
        ] {
            assert!(
                d.cited_documents.iter().any(|c| c.number == n),
                "{n} is cited"
            );
        }
        let d130 = d
            .cited_documents
            .iter()
            .find(|c| c.number == "130/2005/NĐ-CP")
            .expect("cited");
        assert_eq!(d130.signed_on, NaiveDate::from_ymd_opt(2005, 10, 17));
        for (_, unit) in ACCOUNTS {
            assert!(codes.contains(unit));
        }
    }
}
