//! Sample data for review: 34 legal normative documents of the district, 2011–2016 (the
//! plan counts 34 issued since 2011, 13 of them reviewed), some relations between them,
//! and a review campaign over them with 13 results.
//!
//! SAMPLE DATA: the plan gives the counts only. Numbers, dates and titles here are made
//! up to be plausible for a mountainous district, and every title says so
//! ("(dữ liệu mẫu)"). Loading is idempotent.

use chrono::{Days, NaiveDate};

use crate::db::audit::Actor;
use crate::db::{self, Conn, Tx};
use crate::domain::kinds::{DocumentKind, DocumentState, RelationKind, RelationScope};
use crate::domain::review::ReviewResult;
use crate::error::{ApiResult, AppError};
use crate::service::documents::{self as docs, CreateDocumentRequest};
use crate::service::review::{self, AssignRequest, CreateCampaignRequest, RecordReviewRequest};

pub const SAMPLE: &str = " (dữ liệu mẫu)";
pub const CAMPAIGN_NAME: &str = "Rà soát VBQPPL 2011–2016 (dữ liệu mẫu)";

/// (number, signed on, agency that drafted it and reviews it, title without the suffix).
/// `NQ-HĐND` numbers are resolutions of the People's Council, `QĐ-UBND` decisions of
/// the People's Committee.
pub const DOCUMENTS: [(&str, &str, &str, &str); 34] = [
    ("01/2011/NQ-HĐND", "2011-07-20", "TCKH", "Về phân cấp nguồn thu, nhiệm vụ chi ngân sách các cấp chính quyền địa phương huyện Sơn Tây giai đoạn 2011–2015"),
    ("02/2011/NQ-HĐND", "2011-07-20", "NNPTNT", "Về chính sách hỗ trợ phát triển cây quế, cây keo trên địa bàn huyện giai đoạn 2011–2015"),
    ("01/2011/QĐ-UBND", "2011-03-15", "NV", "Ban hành Quy chế làm việc của Ủy ban nhân dân huyện Sơn Tây nhiệm kỳ 2011–2016"),
    ("02/2011/QĐ-UBND", "2011-05-10", "VP", "Ban hành Quy chế tiếp nhận hồ sơ và trả kết quả theo cơ chế một cửa tại Ủy ban nhân dân huyện"),
    ("03/2011/QĐ-UBND", "2011-08-22", "NNPTNT", "Ban hành Quy định quản lý, bảo vệ rừng giao cho cộng đồng dân cư thôn"),
    ("04/2011/QĐ-UBND", "2011-11-02", "KTHT", "Ban hành Quy định quản lý, vận hành công trình cấp nước sinh hoạt tập trung nông thôn"),
    ("01/2012/NQ-HĐND", "2012-07-18", "GDDT", "Về chính sách hỗ trợ học sinh bán trú là người dân tộc thiểu số"),
    ("02/2012/NQ-HĐND", "2012-12-20", "KTHT", "Về Đề án xây dựng nông thôn mới huyện Sơn Tây giai đoạn 2012–2020"),
    ("01/2012/QĐ-UBND", "2012-02-14", "NNPTNT", "Ban hành Quy chế quản lý, sử dụng vốn hỗ trợ phát triển sản xuất thuộc Chương trình 135"),
    ("02/2012/QĐ-UBND", "2012-04-05", "VHTT", "Ban hành Quy định thực hiện nếp sống văn minh trong việc cưới, việc tang và lễ hội"),
    ("03/2012/QĐ-UBND", "2012-06-12", "TCKH", "Ban hành Quy định quản lý chợ trên địa bàn huyện"),
    ("04/2012/QĐ-UBND", "2012-09-25", "TP", "Ban hành Quy chế phối hợp trong công tác phổ biến, giáo dục pháp luật"),
    ("01/2013/NQ-HĐND", "2013-07-19", "LDTBXH", "Về mục tiêu, giải pháp giảm nghèo bền vững giai đoạn 2013–2015"),
    ("02/2013/NQ-HĐND", "2013-12-18", "TCKH", "Về định mức phân bổ dự toán chi thường xuyên ngân sách huyện năm 2014"),
    ("01/2013/QĐ-UBND", "2013-01-22", "NNPTNT", "Ban hành Quy chế quản lý, sử dụng nguồn vốn hỗ trợ trồng quế"),
    ("02/2013/QĐ-UBND", "2013-03-28", "NV", "Quy định chức năng, nhiệm vụ, quyền hạn và cơ cấu tổ chức của Phòng Nội vụ"),
    ("03/2013/QĐ-UBND", "2013-06-14", "YT", "Ban hành Quy chế phối hợp phòng, chống dịch bệnh ở người trên địa bàn huyện"),
    ("04/2013/QĐ-UBND", "2013-10-08", "TNMT", "Ban hành Quy định quản lý hoạt động khai thác cát, sỏi lòng sông"),
    ("01/2014/NQ-HĐND", "2014-07-17", "DT", "Về chính sách hỗ trợ đồng bào dân tộc thiểu số định canh, định cư"),
    ("02/2014/NQ-HĐND", "2014-12-19", "GDDT", "Về quy hoạch mạng lưới trường, lớp học huyện Sơn Tây đến năm 2020"),
    ("01/2014/QĐ-UBND", "2014-02-20", "NV", "Ban hành Quy chế làm việc của Ủy ban nhân dân huyện Sơn Tây"),
    ("02/2014/QĐ-UBND", "2014-04-15", "TCKH", "Ban hành Quy định phân cấp quản lý tài sản nhà nước tại các cơ quan, đơn vị thuộc huyện"),
    ("03/2014/QĐ-UBND", "2014-08-06", "NNPTNT", "Ban hành Quy định phòng cháy, chữa cháy rừng trên địa bàn huyện"),
    ("04/2014/QĐ-UBND", "2014-11-11", "KTHT", "Ban hành Quy định quản lý trật tự xây dựng tại trung tâm huyện lỵ"),
    ("01/2015/NQ-HĐND", "2015-07-16", "NNPTNT", "Về chính sách hỗ trợ phát triển cây quế, cây keo giai đoạn 2016–2020"),
    ("02/2015/NQ-HĐND", "2015-12-17", "TCKH", "Về phân cấp nguồn thu, nhiệm vụ chi ngân sách các cấp chính quyền địa phương giai đoạn 2016–2020"),
    ("01/2015/QĐ-UBND", "2015-03-10", "VP", "Ban hành Quy chế thực hiện cơ chế một cửa, một cửa liên thông tại Ủy ban nhân dân huyện"),
    ("02/2015/QĐ-UBND", "2015-06-23", "LDTBXH", "Ban hành Quy định trình tự rà soát hộ nghèo, hộ cận nghèo hằng năm"),
    ("03/2015/QĐ-UBND", "2015-09-29", "TNMT", "Bãi bỏ một số điều của Quy định quản lý hoạt động khai thác cát, sỏi lòng sông"),
    ("01/2016/NQ-HĐND", "2016-07-20", "VHTT", "Về phát triển văn hóa, thể thao ở các xã vùng cao giai đoạn 2016–2020"),
    ("01/2016/QĐ-UBND", "2016-01-18", "NNPTNT", "Sửa đổi, bổ sung một số điều của Quy chế quản lý, sử dụng nguồn vốn hỗ trợ trồng quế"),
    ("02/2016/QĐ-UBND", "2016-03-22", "YT", "Ban hành Quy định về hoạt động của nhân viên y tế thôn"),
    ("03/2016/QĐ-UBND", "2016-06-07", "NV", "Ban hành Quy chế thi đua, khen thưởng huyện Sơn Tây"),
    ("04/2016/QĐ-UBND", "2016-10-12", "KTHT", "Ban hành Quy định quản lý, bảo trì đường giao thông nông thôn"),
];

/// (source, kind, target, scope, effective on) between the sample documents. The legal
/// basis of 01/2013/QĐ-UBND is replaced in 2016, which flags it for review.
pub const RELATIONS: [(&str, RelationKind, &str, RelationScope, &str); 7] = [
    (
        "01/2013/QĐ-UBND",
        RelationKind::BasedOn,
        "02/2011/NQ-HĐND",
        RelationScope::Full,
        "2013-02-01",
    ),
    (
        "01/2014/QĐ-UBND",
        RelationKind::Replaces,
        "01/2011/QĐ-UBND",
        RelationScope::Full,
        "2014-03-02",
    ),
    (
        "01/2015/QĐ-UBND",
        RelationKind::Replaces,
        "02/2011/QĐ-UBND",
        RelationScope::Full,
        "2015-03-20",
    ),
    (
        "03/2015/QĐ-UBND",
        RelationKind::Repeals,
        "04/2013/QĐ-UBND",
        RelationScope::Partial,
        "2015-10-09",
    ),
    (
        "01/2015/NQ-HĐND",
        RelationKind::Replaces,
        "02/2011/NQ-HĐND",
        RelationScope::Full,
        "2016-01-01",
    ),
    (
        "02/2015/NQ-HĐND",
        RelationKind::Replaces,
        "01/2011/NQ-HĐND",
        RelationScope::Full,
        "2016-01-01",
    ),
    (
        "01/2016/QĐ-UBND",
        RelationKind::Amends,
        "01/2013/QĐ-UBND",
        RelationScope::Partial,
        "2016-01-28",
    ),
];

/// The 13 reviewed documents: (number, result, reasons, proposed action).
pub const RESULTS: [(&str, ReviewResult, &str, Option<&str>); 13] = [
    ("01/2011/QĐ-UBND", ReviewResult::Expired, "Đã được thay thế bởi Quyết định số 01/2014/QĐ-UBND.", Some("Công bố hết hiệu lực")),
    ("02/2011/QĐ-UBND", ReviewResult::Expired, "Đã được thay thế bởi Quyết định số 01/2015/QĐ-UBND.", Some("Công bố hết hiệu lực")),
    ("04/2011/QĐ-UBND", ReviewResult::Amend, "Mức thu tiền nước và trách nhiệm của tổ quản lý không còn phù hợp với quy định hiện hành về công trình cấp nước nông thôn.", Some("Phòng Kinh tế và Hạ tầng tham mưu sửa đổi, bổ sung trong năm 2017")),
    ("03/2012/QĐ-UBND", ReviewResult::Replace, "Nhiều quy định về phân hạng, quản lý chợ không còn phù hợp với quy định hiện hành về phát triển và quản lý chợ.", Some("Xây dựng Quy định mới thay thế")),
    ("04/2012/QĐ-UBND", ReviewResult::Amend, "Cần cập nhật theo Luật Phổ biến, giáo dục pháp luật năm 2012.", Some("Sửa đổi, bổ sung Quy chế phối hợp")),
    ("02/2013/QĐ-UBND", ReviewResult::Repeal, "Chức năng, nhiệm vụ của Phòng Nội vụ đã được quy định lại theo Nghị định số 37/2014/NĐ-CP và văn bản hướng dẫn.", Some("Trình Ủy ban nhân dân huyện bãi bỏ")),
    ("04/2013/QĐ-UBND", ReviewResult::Amend, "Một số điều đã bị bãi bỏ bởi Quyết định số 03/2015/QĐ-UBND; nội dung còn lại cần hệ thống lại.", Some("Sửa đổi và ban hành lại toàn văn")),
    ("02/2012/QĐ-UBND", ReviewResult::StillAppropriate, "Phù hợp với quy định hiện hành và thực tiễn của huyện.", None),
    ("03/2013/QĐ-UBND", ReviewResult::StillAppropriate, "Phù hợp với quy định hiện hành và thực tiễn của huyện.", None),
    ("01/2014/NQ-HĐND", ReviewResult::StillAppropriate, "Phù hợp với chính sách dân tộc hiện hành.", None),
    ("02/2014/QĐ-UBND", ReviewResult::StillAppropriate, "Phù hợp với quy định hiện hành về quản lý tài sản nhà nước.", None),
    ("03/2014/QĐ-UBND", ReviewResult::StillAppropriate, "Phù hợp với quy định hiện hành và thực tiễn của huyện.", None),
    ("04/2014/QĐ-UBND", ReviewResult::StillAppropriate, "Phù hợp với quy định hiện hành và thực tiễn của huyện.", None),
];

fn date(s: &str) -> ApiResult<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| AppError::internal(format!("sample date {s}: {e}")))
}

fn issuer_of(number: &str) -> (&'static str, DocumentKind) {
    if number.ends_with("NQ-HĐND") {
        ("HDND", DocumentKind::Resolution)
    } else {
        ("UBND", DocumentKind::Decision)
    }
}

fn field_of(agency: &str) -> &'static str {
    match agency {
        "TCKH" => "Tài chính - Ngân sách",
        "NNPTNT" => "Nông nghiệp, lâm nghiệp",
        "NV" => "Tổ chức bộ máy",
        "VP" => "Cải cách hành chính",
        "KTHT" => "Xây dựng, giao thông",
        "GDDT" => "Giáo dục",
        "VHTT" => "Văn hóa",
        "TP" => "Tư pháp",
        "LDTBXH" => "Lao động, xã hội",
        "YT" => "Y tế",
        "TNMT" => "Tài nguyên, môi trường",
        "DT" => "Dân tộc",
        _ => "Khác",
    }
}

fn find(conn: &mut Conn, number: &str) -> ApiResult<Option<db::models::Document>> {
    let (issuer, _) = issuer_of(number);
    let Some(unit) = db::org_units::by_code(conn, issuer)? else {
        return Ok(None);
    };
    Ok(
        db::documents::by_number_key(conn, &crate::domain::number::number_key(number))?
            .into_iter()
            .find(|d| d.issuer_id.as_deref() == Some(unit.id.as_str())),
    )
}

fn must_find(conn: &mut Conn, number: &str) -> ApiResult<db::models::Document> {
    find(conn, number)?.ok_or_else(|| AppError::internal(format!("sample {number} missing")))
}

#[derive(Debug, Default)]
pub struct ReviewDemoReport {
    pub documents_added: usize,
    pub relations_added: usize,
    pub campaign_added: bool,
}

/// Loads the sample documents and the campaign. Run inside the demo's transaction.
pub fn load(conn: &mut Tx<'_>) -> ApiResult<ReviewDemoReport> {
    let actor = Actor {
        id: None,
        name: "demo".into(),
    };
    let mut report = ReviewDemoReport::default();
    for (number, signed, agency, title) in DOCUMENTS {
        if find(conn, number)?.is_some() {
            continue;
        }
        let (issuer, kind) = issuer_of(number);
        let signed_on = date(signed)?;
        let req = CreateDocumentRequest {
            kind,
            number: Some(number.to_owned()),
            title: format!("{title}{SAMPLE}"),
            issuer: Some(issuer.to_owned()),
            field: Some(field_of(agency).to_owned()),
            signer: None,
            signed_on: Some(signed_on),
            published_on: signed_on.checked_add_days(Days::new(2)),
            // District documents of the time took effect seven days after signing.
            effective_from: signed_on.checked_add_days(Days::new(7)),
            effective_until: None,
            external: false,
            iso_code: None,
            iso_revision: None,
            drafting_started_on: None,
        };
        let mut doc = docs::new_document(conn, &req, None)?;
        // The district's own documents, promulgated long ago: published, not external.
        doc.state = DocumentState::Published;
        doc.ever_approved = true;
        // Not drafted here: no regime is recorded for them.
        doc.legal_regime = None;
        docs::insert_audited(conn, &actor, &doc)?;
        report.documents_added += 1;
    }
    for (source, kind, target, scope, on) in RELATIONS {
        let s = must_find(conn, source)?;
        let t = must_find(conn, target)?;
        if super::relate_once(conn, &actor, &s, &t, kind, Some(scope), Some(date(on)?))? {
            report.relations_added += 1;
        }
    }
    if db::review::campaign_by_name(conn, CAMPAIGN_NAME)?.is_some() {
        return Ok(report);
    }
    let view = review::insert_campaign(
        conn,
        &actor,
        None,
        &CreateCampaignRequest {
            name: CAMPAIGN_NAME.into(),
            description: Some(
                "Rà soát các văn bản quy phạm pháp luật do HĐND, UBND huyện ban hành từ năm 2011 \
                 đến năm 2016 (Đề án cải cách hành chính 2016–2020). Dữ liệu mẫu."
                    .into(),
            ),
            issuers: vec!["HDND".into(), "UBND".into()],
            kinds: vec![DocumentKind::Resolution, DocumentKind::Decision],
            signed_from: Some(date("2011-01-01")?),
            signed_to: Some(date("2016-12-31")?),
            document_ids: vec![],
        },
    )?;
    report.campaign_added = true;
    let campaign_id = view.campaign.id;
    let items = db::review::items(conn, &campaign_id, &Default::default())?;
    // Each item goes to the agency that drafted the document.
    let mut by_agency: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
    for item in &items {
        let doc = db::documents::get(conn, &item.document_id)?;
        let agency = DOCUMENTS
            .iter()
            .find(|(n, ..)| Some(*n) == doc.number.as_deref())
            .map(|(_, _, a, _)| *a)
            .unwrap_or("TP");
        by_agency.entry(agency).or_default().push(item.id.clone());
    }
    for (agency, item_ids) in by_agency {
        review::assign_audited(
            conn,
            &actor,
            &campaign_id,
            &AssignRequest {
                assignee: Some(agency.to_owned()),
                item_ids,
            },
        )?;
    }
    let reviewer = db::users::by_username(conn, "legal_officer")?.map(|u| u.id);
    for (number, result, reasons, action) in RESULTS {
        let doc = must_find(conn, number)?;
        let item = db::review::items(conn, &campaign_id, &Default::default())?
            .into_iter()
            .find(|i| i.document_id == doc.id)
            .ok_or_else(|| AppError::internal(format!("no review item for {number}")))?;
        review::record_item_audited(
            conn,
            &actor,
            reviewer.as_deref(),
            &item,
            item.row_version,
            &RecordReviewRequest {
                result,
                reasons: reasons.into(),
                proposed_action: action.map(str::to_owned),
            },
        )?;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_data_is_consistent() {
        let mut numbers = std::collections::HashSet::new();
        for (number, signed, agency, title) in DOCUMENTS {
            assert!(numbers.insert(number), "{number} twice");
            crate::domain::number::DocumentNumber::parse(number).expect("number parses");
            let d = date(signed).expect("date");
            assert!((2011..=2016).contains(&chrono::Datelike::year(&d)));
            assert!(number.contains(&signed[..4]), "{number} signed {signed}");
            assert_ne!(field_of(agency), "Khác", "{agency}");
            assert!(!title.is_empty());
        }
        for (s, _, t, _, on) in RELATIONS {
            assert!(numbers.contains(s) && numbers.contains(t));
            date(on).expect("date");
        }
        let reviewed: std::collections::HashSet<_> = RESULTS.iter().map(|r| r.0).collect();
        assert_eq!(reviewed.len(), 13);
        assert!(reviewed.iter().all(|n| numbers.contains(n)));
        for (_, result, _, action) in RESULTS {
            crate::domain::review::check_review_result(result, action).expect("valid result");
        }
    }
}
