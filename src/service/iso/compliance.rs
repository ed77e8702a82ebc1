//! The clause 7.5 compliance report and its CSV.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;

use super::{owned_by, recipient_users, within, ComplianceReport, ComplianceRow};
use crate::auth::Action;
use crate::db::models::IsoDocument;
use crate::db::{self, iso as q, Conn};
use crate::domain::iso as rules;
use crate::domain::kinds::RevisionState;
use crate::error::ApiResult;
use crate::service::export::csv_table;
use crate::service::iso_hooks::open_change_requests;
use crate::service::{today, Caller};

/// The measures of the report, each with the clause 7.5 requirement it answers.
pub const MEASURES: &[(&str, &str, &str, &str)] = &[
    (
        "documents_current",
        "7.5.2 c)",
        "Documented information is reviewed and approved for suitability and adequacy before issue: documents with an approved, current revision",
        "Xem xét và phê duyệt sự phù hợp và thỏa đáng: tài liệu có lần ban hành hiện hành đã được phê duyệt",
    ),
    (
        "reviews_due",
        "7.5.2 c)",
        "Documented information is reviewed and updated as necessary: periodic reviews due or overdue",
        "Xem xét, cập nhật khi cần thiết: tài liệu đến hạn hoặc quá hạn xem xét định kỳ",
    ),
    (
        "reviews_overdue",
        "7.5.2 c)",
        "Documented information is reviewed and updated as necessary: periodic reviews overdue",
        "Xem xét, cập nhật khi cần thiết: tài liệu quá hạn xem xét định kỳ",
    ),
    (
        "copies_current",
        "7.5.3.2 a)",
        "Distribution, access, retrieval and use: controlled copies of current revisions in the places of use",
        "Phân phối, tiếp cận, khôi phục và sử dụng: bản sao kiểm soát của lần ban hành hiện hành tại nơi sử dụng",
    ),
    (
        "copies_not_withdrawn",
        "7.5.3.2 d)",
        "Retention and disposition; obsolete documents kept from unintended use: recalled copies not yet withdrawn",
        "Lưu giữ và hủy bỏ, ngăn ngừa việc sử dụng tài liệu lỗi thời: bản sao đã yêu cầu thu hồi nhưng chưa thu hồi",
    ),
    (
        "acknowledgements_missing",
        "7.5.3.1 a)",
        "Documented information is available and suitable for use where and when it is needed: recipients who have not confirmed reading the current revision",
        "Sẵn có và phù hợp để sử dụng tại nơi và khi cần: người nhận chưa xác nhận đã đọc lần ban hành hiện hành",
    ),
    (
        "change_requests_open",
        "7.5.3.2 c)",
        "Control of changes (e.g. version control): change requests open or accepted and not yet issued",
        "Kiểm soát các thay đổi (ví dụ kiểm soát phiên bản): phiếu yêu cầu sửa đổi chưa xử lý xong",
    ),
];

use_cases! {
    /// The compliance report per owner agency, judged today; reviews due within
    /// `within_days` (default 30, at most 366) count as due.
    run compliance_report(owner: Option<String>, within_days: Option<i64>)
        -> ComplianceReport = compliance(owner.as_deref(), within(within_days)?, today());
}

pub fn compliance(
    conn: &mut Conn,
    caller: &Caller,
    owner: Option<&str>,
    within_days: i64,
    today: NaiveDate,
) -> ApiResult<ComplianceReport> {
    caller.require(Action::ReadIsoRecords)?;
    let mut by_owner: BTreeMap<String, Vec<IsoDocument>> = BTreeMap::new();
    for i in owned_by(conn, owner)? {
        by_owner.entry(i.owner_unit_id.clone()).or_default().push(i);
    }
    let mut units = vec![];
    for (owner_id, list) in by_owner {
        let u = db::org_units::get(conn, &owner_id)?;
        units.push((u, list));
    }
    units.sort_by(|a, b| a.0.code.cmp(&b.0.code));
    let mut rows = vec![];
    for (unit, list) in units {
        let m = measures(conn, &list, within_days, today)?;
        rows.extend(
            MEASURES.iter().map(
                |(measure, clause, requirement, requirement_vi)| ComplianceRow {
                    owner_code: unit.code.clone(),
                    owner_name: unit.name.clone(),
                    measure: (*measure).to_owned(),
                    value: m.get(measure).copied().unwrap_or(0),
                    clause: (*clause).to_owned(),
                    requirement: (*requirement).to_owned(),
                    requirement_vi: (*requirement_vi).to_owned(),
                },
            ),
        );
    }
    Ok(ComplianceReport {
        as_of: today,
        within_days,
        rows,
    })
}

/// The measures of one agency's quality documents, by name (absent: zero).
fn measures(
    conn: &mut Conn,
    list: &[IsoDocument],
    within_days: i64,
    today: NaiveDate,
) -> ApiResult<HashMap<&'static str, i64>> {
    let mut m: HashMap<&'static str, i64> = HashMap::new();
    let ids: Vec<String> = list.iter().map(|i| i.document_id.clone()).collect();
    let revs = q::revisions_of(conn, &ids)?;
    let current: HashMap<String, String> = revs
        .iter()
        .filter(|r| r.state == RevisionState::Current)
        .map(|r| (r.document_id.clone(), r.version_id.clone()))
        .collect();
    for iso in list {
        if !current.contains_key(&iso.document_id) {
            continue;
        }
        *m.entry("documents_current").or_default() += 1;
        if rules::review_due(iso.next_review_on, today, within_days) {
            *m.entry("reviews_due").or_default() += 1;
        }
        if iso.next_review_on.is_some_and(|d| d < today) {
            *m.entry("reviews_overdue").or_default() += 1;
        }
    }
    let current_versions: HashSet<&String> = current.values().collect();
    for c in q::copies_of(conn, &ids)? {
        if c.withdrawn_at.is_some() {
            continue;
        }
        if c.recall_requested_at.is_some() {
            *m.entry("copies_not_withdrawn").or_default() += 1;
        } else if current_versions.contains(&c.version_id) {
            *m.entry("copies_current").or_default() += 1;
        }
    }
    let versions: Vec<String> = current.values().cloned().collect();
    let acks: HashSet<(String, String)> = q::acknowledgements_of(conn, &versions)?
        .into_iter()
        .map(|a| (a.version_id, a.user_id))
        .collect();
    for (doc_id, version_id) in &current {
        for u in recipient_users(conn, doc_id)? {
            if !acks.contains(&(version_id.clone(), u.id)) {
                *m.entry("acknowledgements_missing").or_default() += 1;
            }
        }
    }
    let open = open_change_requests(conn, &ids)?;
    m.insert("change_requests_open", open.len() as i64);
    Ok(m)
}

/// The report as CSV.
pub fn compliance_csv(report: &ComplianceReport) -> ApiResult<Vec<u8>> {
    csv_table(
        &[
            "owner_code",
            "owner_name",
            "measure",
            "value",
            "clause",
            "requirement",
            "requirement_vi",
        ],
        report.rows.iter().map(|r| {
            vec![
                r.owner_code.clone(),
                r.owner_name.clone(),
                r.measure.clone(),
                r.value.to_string(),
                r.clause.clone(),
                r.requirement.clone(),
                r.requirement_vi.clone(),
            ]
        }),
    )
}
