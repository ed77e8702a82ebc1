//! Dữ liệu mẫu (sample data): quality documents of the district's one-stop shop under
//! TCVN ISO 9001, each procedure with two issued revisions, a distribution list,
//! controlled copies (the first revision's recalled, most of them returned), some
//! acknowledgements and change requests. Every title and text says it is sample data.
//!
//! The history is replayed through the document-control use cases as the demo accounts
//! (the ISO controller of Văn phòng, the approver, staff of other units), so it obeys the
//! same rules as real use. Loading is idempotent: a code already present is skipped.

use chrono::NaiveDate;

use crate::db::{self, Conn, Tx};
use crate::domain::kinds::DocumentKind;
use crate::error::{ApiResult, AppError};
use crate::service::iso::{
    self as iso, AcceptChangeRequest, AcknowledgeRequest, CreateIsoDocumentRequest,
    RaiseChangeRequest, RecipientRequest,
};
use crate::service::versions::{self, UpdateVersionRequest};
use crate::service::Caller;

/// Marks every sample title.
pub const SAMPLE: &str = "Dữ liệu mẫu";

const OWNER: &str = "VP";
const RECIPIENTS: &[&str] = &["VP", "TP", "NV", "X-SONDUNG"];

struct Procedure {
    code: &'static str,
    title: &'static str,
    field: &'static str,
    review_period_months: i32,
    retention_years: Option<i32>,
    first: (&'static str, &'static str),
    second: (&'static str, &'static str, &'static str),
    /// The reason of the change request behind the second revision, and who raised it.
    request: (&'static str, &'static str),
    /// Accounts that acknowledged the current revision.
    acknowledged_by: &'static [&'static str],
    /// Recalled copies of the first revision still not returned.
    copies_out: usize,
}

fn body(title: &str, steps: &str, deadline: &str) -> String {
    format!(
        "DỮ LIỆU MẪU - tài liệu minh họa, không phải văn bản thật.\n\
         {title}\n\
         1. Mục đích\n\
         Quy định trình tự, thời hạn và trách nhiệm giải quyết hồ sơ của tổ chức, cá nhân.\n\
         2. Phạm vi áp dụng\n\
         Áp dụng tại Bộ phận tiếp nhận và trả kết quả huyện Sơn Tây và các cơ quan, đơn vị liên quan.\n\
         3. Tài liệu viện dẫn\n\
         TCVN ISO 9001:2015; Nghị định số 61/2018/NĐ-CP ngày 23/4/2018 của Chính phủ về thực hiện cơ chế một cửa, một cửa liên thông trong giải quyết thủ tục hành chính.\n\
         4. Nội dung quy trình\n\
         {steps}\n\
         5. Thời hạn giải quyết\n\
         {deadline}\n\
         6. Hồ sơ lưu\n\
         Hồ sơ được lưu tại cơ quan giải quyết theo thời hạn quy định."
    )
}

fn procedures() -> Vec<Procedure> {
    vec![
        Procedure {
            code: "QT-MC-01",
            title: "Quy trình tiếp nhận và trả kết quả giải quyết thủ tục hành chính theo cơ chế một cửa, một cửa liên thông",
            field: "Kiểm soát thủ tục hành chính",
            review_period_months: 12,
            retention_years: Some(5),
            first: ("2024-01-15", "Bước 1. Tiếp nhận hồ sơ, kiểm tra tính đầy đủ, viết giấy tiếp nhận và hẹn trả kết quả.\nBước 2. Chuyển hồ sơ đến cơ quan chuyên môn giải quyết.\nBước 3. Cơ quan chuyên môn thẩm định, trình lãnh đạo ký.\nBước 4. Trả kết quả cho tổ chức, cá nhân."),
            second: (
                "2026-03-02",
                "Bước 1. Tiếp nhận hồ sơ trực tiếp, qua dịch vụ bưu chính công ích hoặc trực tuyến; kiểm tra tính đầy đủ, viết giấy tiếp nhận và hẹn trả kết quả.\nBước 2. Chuyển hồ sơ đến cơ quan chuyên môn giải quyết trong ngày làm việc.\nBước 3. Cơ quan chuyên môn thẩm định, trình lãnh đạo ký.\nBước 4. Trả kết quả cho tổ chức, cá nhân và xin lỗi bằng văn bản nếu quá hạn.",
                "Bổ sung tiếp nhận qua dịch vụ bưu chính công ích và trực tuyến; thời hạn chuyển hồ sơ trong ngày; xin lỗi khi trả kết quả quá hạn.",
            ),
            request: ("Bổ sung hình thức tiếp nhận hồ sơ qua dịch vụ bưu chính công ích và trực tuyến.", "legal_officer"),
            acknowledged_by: &["iso_controller", "legal_officer", "viewer"],
            copies_out: 1,
        },
        Procedure {
            code: "QT-CT-01",
            title: "Quy trình chứng thực bản sao từ bản chính giấy tờ, văn bản",
            field: "Chứng thực",
            review_period_months: 12,
            retention_years: Some(2),
            first: ("2024-05-06", "Bước 1. Tiếp nhận bản chính và bản sao cần chứng thực.\nBước 2. Đối chiếu bản sao với bản chính.\nBước 3. Ghi lời chứng, ký, đóng dấu và vào sổ chứng thực.\nBước 4. Trả kết quả, thu lệ phí."),
            second: (
                "2025-12-01",
                "Bước 1. Tiếp nhận bản chính và bản sao cần chứng thực; hướng dẫn ngay nếu giấy tờ không đủ điều kiện.\nBước 2. Đối chiếu bản sao với bản chính.\nBước 3. Ghi lời chứng, ký, đóng dấu và vào sổ chứng thực.\nBước 4. Trả kết quả, thu lệ phí.",
                "Bổ sung việc hướng dẫn ngay khi giấy tờ không đủ điều kiện chứng thực.",
            ),
            request: ("Hướng dẫn người yêu cầu ngay tại chỗ khi giấy tờ không đủ điều kiện chứng thực.", "drafter"),
            acknowledged_by: &["iso_controller", "legal_officer"],
            copies_out: 0,
        },
        Procedure {
            code: "QT-HKD-01",
            title: "Quy trình cấp Giấy chứng nhận đăng ký hộ kinh doanh",
            field: "Thành lập và hoạt động của hộ kinh doanh",
            review_period_months: 12,
            retention_years: None,
            first: ("2024-03-11", "Bước 1. Tiếp nhận hồ sơ đăng ký hộ kinh doanh.\nBước 2. Phòng Tài chính - Kế hoạch kiểm tra hồ sơ.\nBước 3. Cấp Giấy chứng nhận đăng ký hộ kinh doanh.\nBước 4. Trả kết quả."),
            second: (
                "2025-06-16",
                "Bước 1. Tiếp nhận hồ sơ đăng ký hộ kinh doanh.\nBước 2. Phòng Tài chính - Kế hoạch kiểm tra hồ sơ; thông báo bằng văn bản nếu hồ sơ chưa hợp lệ.\nBước 3. Cấp Giấy chứng nhận đăng ký hộ kinh doanh.\nBước 4. Trả kết quả.",
                "Thông báo bằng văn bản khi hồ sơ chưa hợp lệ.",
            ),
            request: ("Ghi rõ việc thông báo bằng văn bản khi hồ sơ chưa hợp lệ.", "iso_controller"),
            acknowledged_by: &["iso_controller"],
            copies_out: 2,
        },
    ]
}

fn day(s: &str) -> ApiResult<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(AppError::internal)
}

fn account(conn: &mut Conn, username: &str) -> ApiResult<Option<Caller>> {
    match db::users::by_username(conn, username)? {
        Some(u) => Ok(Some(crate::service::accounts::caller_of(conn, &u)?)),
        None => Ok(None),
    }
}

fn sample_title(title: &str) -> String {
    format!("{title} ({SAMPLE})")
}

/// Takes a revision through review and approval and issues it on `effective`.
fn approve_and_issue(
    conn: &mut Tx<'_>,
    controller: &Caller,
    approver: &Caller,
    version_id: &str,
    effective: NaiveDate,
) -> ApiResult<()> {
    let r = iso::revision(conn, controller, version_id)?;
    let r = iso::submit(conn, controller, version_id, r.row_version)?;
    let r = iso::approve(conn, approver, version_id, r.row_version)?;
    let _ = r;
    iso::issue_on(conn, controller, version_id, effective)?;
    Ok(())
}

/// Loads the sample quality documents; returns how many documents were added.
pub fn load(conn: &mut Tx<'_>) -> ApiResult<usize> {
    let (Some(controller), Some(approver)) =
        (account(conn, "iso_controller")?, account(conn, "approver")?)
    else {
        return Ok(0);
    };
    let distribution: Vec<RecipientRequest> = RECIPIENTS
        .iter()
        .map(|u| RecipientRequest {
            org_unit: Some((*u).to_owned()),
            user: None,
        })
        .collect();
    let mut added = 0;
    let mut first_procedure: Option<String> = None;
    for p in procedures() {
        if let Some(d) = db::iso::documents_with_code(conn, p.code)?
            .into_iter()
            .next()
        {
            first_procedure.get_or_insert(d.id);
            continue;
        }
        let title = sample_title(p.title);
        let doc = iso::create(
            conn,
            &controller,
            &CreateIsoDocumentRequest {
                kind: DocumentKind::IsoProcedure,
                iso_code: p.code.to_owned(),
                title: title.clone(),
                owner: OWNER.to_owned(),
                field: Some(p.field.to_owned()),
                review_period_months: Some(p.review_period_months),
                retention_years: p.retention_years,
                parent_id: None,
                distribution: distribution.clone(),
                label: Some("Dự thảo lần ban hành 01".into()),
                body: Some(body(
                    &title,
                    p.first.1,
                    "Theo thời hạn quy định của thủ tục hành chính.",
                )),
                change_summary: Some("Ban hành lần đầu.".into()),
            },
        )?;
        added += 1;
        first_procedure.get_or_insert(doc.id.clone());
        let first = db::versions::latest(conn, &doc.id)?
            .ok_or_else(|| AppError::internal("sample revision missing"))?;
        approve_and_issue(conn, &controller, &approver, &first.id, day(p.first.0)?)?;

        // The second revision comes from a change request, accepted by the owner.
        let requester = account(conn, p.request.1)?.unwrap_or_else(|| controller.clone());
        let cr = iso::raise(
            conn,
            &requester,
            &doc.id,
            &RaiseChangeRequest {
                reason: p.request.0.to_owned(),
                proposed_change: None,
            },
        )?;
        let cr = iso::accept(
            conn,
            &controller,
            &cr.id,
            cr.row_version,
            &AcceptChangeRequest {
                note: Some("Đồng ý sửa đổi.".into()),
                label: Some("Dự thảo lần ban hành 02".into()),
            },
        )?;
        let draft_id = cr
            .revision_version_id
            .ok_or_else(|| AppError::internal("accepted request without a draft"))?;
        let draft = db::versions::get(conn, &draft_id)?;
        versions::update(
            conn,
            &controller,
            &draft_id,
            &versions::version_etag(&draft),
            &UpdateVersionRequest {
                label: None,
                body: Some(body(
                    &title,
                    p.second.1,
                    "Theo thời hạn quy định của thủ tục hành chính.",
                )),
                change_summary: Some(p.second.2.to_owned()),
            },
        )?;
        approve_and_issue(conn, &controller, &approver, &draft_id, day(p.second.0)?)?;

        // Most recalled copies of the first revision came back.
        let out: Vec<_> = iso::copies(conn, &controller, &doc.id, true)?;
        for c in out.iter().skip(p.copies_out) {
            iso::confirm_copy_withdrawn(conn, &controller, &c.id, c.row_version)?;
        }
        for who in p.acknowledged_by {
            if let Some(reader) = account(conn, who)? {
                iso::acknowledge(conn, &reader, &doc.id, &AcknowledgeRequest::default())?;
            }
        }
    }

    // The form used at reception, attached to the one-stop procedure.
    let form_code = "BM-MC-01";
    if db::iso::documents_with_code(conn, form_code)?.is_empty() {
        let title = sample_title("Giấy tiếp nhận hồ sơ và hẹn trả kết quả");
        let form = iso::create(
            conn,
            &controller,
            &CreateIsoDocumentRequest {
                kind: DocumentKind::IsoForm,
                iso_code: form_code.to_owned(),
                title: title.clone(),
                owner: OWNER.to_owned(),
                field: Some("Kiểm soát thủ tục hành chính".into()),
                review_period_months: Some(24),
                retention_years: Some(5),
                parent_id: first_procedure.clone(),
                distribution: distribution.clone(),
                label: Some("Dự thảo lần ban hành 01".into()),
                body: Some(format!(
                    "DỮ LIỆU MẪU - biểu mẫu minh họa.\n{title}\nMã hồ sơ: ....\nTên thủ tục: ....\nNgày hẹn trả kết quả: ....\nNgười tiếp nhận: ...."
                )),
                change_summary: Some("Ban hành lần đầu.".into()),
            },
        )?;
        added += 1;
        let v = db::versions::latest(conn, &form.id)?
            .ok_or_else(|| AppError::internal("sample revision missing"))?;
        approve_and_issue(conn, &controller, &approver, &v.id, day("2024-01-15")?)?;
        // An open change request, not decided yet.
        if let Some(drafter) = account(conn, "drafter")? {
            iso::raise(
                conn,
                &drafter,
                &form.id,
                &RaiseChangeRequest {
                    reason: "Thêm ô ghi số điện thoại liên hệ của người nộp hồ sơ.".into(),
                    proposed_change: Some("Bổ sung dòng \"Số điện thoại: ....\".".into()),
                },
            )?;
        }
    }
    Ok(added)
}
