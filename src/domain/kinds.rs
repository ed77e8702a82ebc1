//! The closed vocabularies of the domain, stored as their snake_case names. `GLOSSARY.md`
//! at the root of the repository lists them with their Vietnamese labels.

/// Declares a closed vocabulary stored as text: serde names, `as_str`, `FromStr`,
/// the Vietnamese label, and the list of all values.
#[macro_export]
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:tt, $label:literal;)+ }) => {
        $(#[$meta])*
        // The diesel derives only mark the type as a text column; reading and writing it is
        // `db::columns`'s.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema, diesel::AsExpression, diesel::FromSqlRow)]
        #[diesel(sql_type = diesel::sql_types::Text)]
        // Each value is named on the wire exactly as it is stored (`as_str`); `$text` is a
        // `tt`, not a `literal`: a captured literal reaches the derives wrapped in an
        // invisible group, which utoipa does not read as the rename.
        pub enum $name { $(#[serde(rename = $text)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            pub fn label_vi(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!(
                        "unknown {} {other:?}; expected one of: {}",
                        stringify!($name),
                        [$($text),+].join(", ")
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use vocabulary;

crate::vocabulary! {
    /// What a document is (loại văn bản).
    DocumentKind {
        Resolution => "resolution", "Nghị quyết";
        Decision => "decision", "Quyết định";
        Decree => "decree", "Nghị định";
        Circular => "circular", "Thông tư";
        JointCircular => "joint_circular", "Thông tư liên tịch";
        Directive => "directive", "Chỉ thị";
        Law => "law", "Luật";
        Code => "code", "Bộ luật";
        Ordinance => "ordinance", "Pháp lệnh";
        JointResolution => "joint_resolution", "Nghị quyết liên tịch";
        Edict => "edict", "Sắc lệnh";
        Scheme => "scheme", "Đề án";
        Plan => "plan", "Kế hoạch";
        Program => "program", "Chương trình";
        IsoManual => "iso_manual", "Sổ tay chất lượng";
        IsoPolicy => "iso_policy", "Chính sách chất lượng";
        IsoObjective => "iso_objective", "Mục tiêu chất lượng";
        IsoProcedure => "iso_procedure", "Quy trình";
        IsoInstruction => "iso_instruction", "Hướng dẫn";
        IsoForm => "iso_form", "Biểu mẫu";
    }
}

impl DocumentKind {
    pub fn is_iso(self) -> bool {
        self.as_str().starts_with("iso_")
    }

    /// Maps the corpus `doc_type` (Vietnamese) to a kind.
    pub fn from_vietnamese(s: &str) -> Option<Self> {
        let s = crate::domain::text::nfc(s.trim());
        Self::ALL
            .iter()
            .copied()
            .find(|k| k.label_vi().eq_ignore_ascii_case(&s) || k.label_vi() == s)
    }
}

crate::vocabulary! {
    /// Where a document is in its life (drafting → … → published; withdrawn at the end).
    DocumentState {
        Drafting => "drafting", "Dự thảo";
        Consultation => "consultation", "Lấy ý kiến";
        Revising => "revising", "Chỉnh lý";
        Appraisal => "appraisal", "Thẩm định";
        Submitted => "submitted", "Đã trình";
        Signed => "signed", "Đã ký ban hành";
        Published => "published", "Đã công bố";
        Withdrawn => "withdrawn", "Đã thu hồi";
    }
}

impl DocumentState {
    /// A draft is anything not yet published (or withdrawn after publication).
    pub fn is_draft(self) -> bool {
        !matches!(self, DocumentState::Published | DocumentState::Withdrawn)
    }
}

crate::vocabulary! {
    /// How one document acts on another. `source` acts on `target`: the source is
    /// based on / amends / replaces / repeals / guides / corrects / suspends the target.
    RelationKind {
        BasedOn => "based_on", "Căn cứ";
        Amends => "amends", "Sửa đổi, bổ sung";
        Replaces => "replaces", "Thay thế";
        Repeals => "repeals", "Bãi bỏ";
        Guides => "guides", "Hướng dẫn";
        Corrects => "corrects", "Đính chính";
        Suspends => "suspends", "Đình chỉ / ngưng hiệu lực";
    }
}

crate::vocabulary! {
    /// Whether a relation acts on the whole target or on part of it.
    RelationScope {
        Full => "full", "Toàn bộ";
        Partial => "partial", "Một phần";
    }
}

crate::vocabulary! {
    /// Legal effect of a document on a date (hiệu lực).
    LegalEffect {
        NotYetEffective => "not_yet_effective", "Chưa có hiệu lực";
        InForce => "in_force", "Còn hiệu lực";
        PartiallyExpired => "partially_expired", "Hết hiệu lực một phần";
        Expired => "expired", "Hết hiệu lực toàn bộ";
        Suspended => "suspended", "Ngưng hiệu lực";
        PartiallySuspended => "partially_suspended", "Ngưng hiệu lực một phần";
    }
}

crate::vocabulary! {
    /// What an account may do.
    Role {
        Admin => "admin", "Quản trị hệ thống";
        Drafter => "drafter", "Chuyên viên soạn thảo";
        LegalOfficer => "legal_officer", "Công chức pháp chế";
        Approver => "approver", "Lãnh đạo phê duyệt";
        IsoController => "iso_controller", "Cán bộ kiểm soát tài liệu ISO";
        Viewer => "viewer", "Người xem";
    }
}

crate::vocabulary! {
    /// What an org unit is.
    OrgUnitKind {
        Province => "province", "Tỉnh";
        District => "district", "Huyện";
        Council => "council", "Hội đồng nhân dân";
        Committee => "committee", "Ủy ban nhân dân";
        Agency => "agency", "Cơ quan chuyên môn";
        Commune => "commune", "UBND xã";
        ExternalBody => "external_body", "Cơ quan ngoài huyện";
    }
}

vocabulary! {
    /// Where an ISO revision is in document control (clause 7.5): drafted, reviewed,
    /// approved, issued as the current revision, then superseded by the next one or
    /// withdrawn from use.
    RevisionState {
        Draft => "draft", "Dự thảo";
        InReview => "in_review", "Đang xem xét";
        Approved => "approved", "Đã phê duyệt";
        Current => "current", "Đang hiện hành";
        Superseded => "superseded", "Đã được thay thế";
        Withdrawn => "withdrawn", "Đã thu hồi";
    }
}

vocabulary! {
    /// Where a change request (phiếu yêu cầu sửa đổi tài liệu) stands.
    ChangeRequestState {
        Open => "open", "Chờ xử lý";
        Accepted => "accepted", "Đã chấp nhận";
        Rejected => "rejected", "Không chấp nhận";
        Implemented => "implemented", "Đã ban hành sửa đổi";
        Cancelled => "cancelled", "Đã hủy";
    }
}

vocabulary! {
    /// Why a change request was raised.
    ChangeRequestOrigin {
        Request => "request", "Đề nghị của cán bộ";
        PeriodicReview => "periodic_review", "Xem xét định kỳ";
    }
}

vocabulary! {
    /// The outcome of a periodic review of a quality document.
    ReviewOutcome {
        Confirmed => "confirmed", "Còn phù hợp";
        ChangeNeeded => "change_needed", "Cần sửa đổi";
    }
}

vocabulary! {
    /// What a copy says it is.
    StampChoice {
        Draft => "draft", "Dự thảo";
        Official => "official", "Bản chính thức";
        ControlledCopy => "controlled_copy", "Bản sao kiểm soát";
        Expired => "expired", "Hết hiệu lực / lỗi thời";
    }
}

vocabulary! {
    /// What a session (a refresh-token family) is for: the API's rotated refresh tokens,
    /// or a web page session held in a cookie. Each is accepted only where it belongs.
    SessionKind {
        Api => "api", "Phiên API";
        Web => "web", "Phiên trang web";
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn every_value_round_trips_through_text_and_json() {
        for k in DocumentKind::ALL {
            assert_eq!(DocumentKind::from_str(k.as_str()), Ok(*k));
            let json = serde_json::to_string(k).expect("serialises");
            assert_eq!(json, format!("\"{}\"", k.as_str()));
        }
        for r in RelationKind::ALL {
            assert_eq!(RelationKind::from_str(r.as_str()), Ok(*r));
        }
        assert!(Role::from_str("root").is_err());
    }

    #[test]
    fn corpus_doc_types_map_to_kinds() {
        assert_eq!(
            DocumentKind::from_vietnamese("Nghị định"),
            Some(DocumentKind::Decree)
        );
        assert_eq!(
            DocumentKind::from_vietnamese("Thông tư liên tịch"),
            Some(DocumentKind::JointCircular)
        );
        assert_eq!(
            DocumentKind::from_vietnamese("Bộ luật"),
            Some(DocumentKind::Code)
        );
        assert_eq!(
            DocumentKind::from_vietnamese("Sắc lệnh"),
            Some(DocumentKind::Edict)
        );
        assert_eq!(DocumentKind::from_vietnamese("Công văn"), None);
    }

    #[test]
    fn drafts_are_the_unpublished_states() {
        assert!(DocumentState::Drafting.is_draft());
        assert!(DocumentState::Signed.is_draft());
        assert!(!DocumentState::Published.is_draft());
    }
}
