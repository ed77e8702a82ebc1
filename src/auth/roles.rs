//! The role → action matrix. Every route names the action it needs; the matrix is the
//! single place that says who may do it (tested route by route in `tests/`).

use crate::domain::kinds::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    ManageUsers,
    ManageOrgUnits,
    ReadOrgUnits,
    /// Create, edit, delete documents and add versions (kind rules apply on top).
    EditDocuments,
    WithdrawDocuments,
    ApproveVersions,
    ManageRelations,
    ReadAudit,
    /// See drafts of any issuer.
    ReadAllDrafts,
    /// Run self-inspections, open, assign and close review campaigns, resolve review flags.
    RunReviews,
    /// Record the result of a review item (drafters only for items assigned to their unit).
    RecordReviewResults,
    /// Record the result of any review item, whichever unit it is assigned to.
    RecordAnyReviewResult,
    /// Read self-inspections, review campaigns and review flags.
    ReadReviews,
    /// ISO document control: accept or reject change requests, submit, issue and abandon
    /// revisions, keep the distribution list, confirm withdrawn copies, record periodic
    /// reviews (on documents owned by the caller's unit or a unit above it).
    ControlIsoDocuments,
    /// Comment on an ISO revision under review.
    CommentOnRevisions,
    /// Raise a change request against an ISO document (anyone on staff).
    RaiseChangeRequests,
    /// Acknowledge an ISO document as read and understood (its recipients).
    AcknowledgeDocuments,
    /// Read change requests, copies, acknowledgements, due reviews and the compliance report.
    ReadIsoRecords,
    /// Read the periodic report on the legal workflow (every agency's drafts included).
    ReadReports,
    /// Record the justice office's appraisal opinion on a draft.
    AppraiseDrafts,
    /// Handle the public's comments on a draft under consultation: read, moderate, answer.
    HandleComments,
}

pub fn allows(role: Role, action: Action) -> bool {
    use Action::*;
    use Role::*;
    match action {
        ManageUsers | ManageOrgUnits => role == Admin,
        ReadOrgUnits => true,
        EditDocuments => matches!(role, Drafter | LegalOfficer | IsoController),
        WithdrawDocuments => matches!(role, LegalOfficer | Approver | IsoController),
        ApproveVersions => role == Approver,
        ManageRelations => matches!(role, Drafter | LegalOfficer),
        ReadAudit => matches!(role, Admin | LegalOfficer | Approver | IsoController),
        ReadAllDrafts => matches!(role, LegalOfficer | Approver),
        RunReviews | RecordAnyReviewResult | AppraiseDrafts => role == LegalOfficer,
        RecordReviewResults => matches!(role, Drafter | LegalOfficer),
        ReadReviews => true,
        ControlIsoDocuments => role == IsoController,
        CommentOnRevisions => matches!(role, Drafter | LegalOfficer | Approver | IsoController),
        RaiseChangeRequests | AcknowledgeDocuments | ReadIsoRecords => true,
        ReadReports => matches!(role, LegalOfficer | Approver),
        HandleComments => matches!(role, Drafter | LegalOfficer),
    }
}

/// Which document kinds a role may write: ISO documents belong to the ISO controller,
/// legal and policy documents to drafters and legal officers.
pub fn may_edit_kind(role: Role, is_iso: bool) -> bool {
    match role {
        Role::IsoController => is_iso,
        Role::Drafter | Role::LegalOfficer => !is_iso,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viewer_only_reads() {
        for a in [
            Action::ManageUsers,
            Action::EditDocuments,
            Action::WithdrawDocuments,
            Action::ApproveVersions,
            Action::ManageRelations,
            Action::ReadAudit,
            Action::ReadAllDrafts,
            Action::RunReviews,
            Action::RecordReviewResults,
            Action::ReadReports,
            Action::RecordAnyReviewResult,
            Action::AppraiseDrafts,
            Action::HandleComments,
        ] {
            assert!(!allows(Role::Viewer, a), "{a:?}");
        }
        assert!(allows(Role::Viewer, Action::ReadOrgUnits));
        assert!(allows(Role::Viewer, Action::ReadReviews));
    }

    #[test]
    fn only_approvers_approve_and_only_admins_manage_users() {
        for r in Role::ALL {
            assert_eq!(allows(*r, Action::ApproveVersions), *r == Role::Approver);
            assert_eq!(allows(*r, Action::ManageUsers), *r == Role::Admin);
        }
    }

    #[test]
    fn legal_officers_run_reviews_and_agencies_record_results() {
        for r in Role::ALL {
            assert_eq!(allows(*r, Action::RunReviews), *r == Role::LegalOfficer);
        }
        assert!(allows(Role::Drafter, Action::RecordReviewResults));
        assert!(!allows(Role::Approver, Action::RecordReviewResults));
    }

    #[test]
    fn the_justice_office_appraises_and_any_review_result_is_its_own() {
        for r in Role::ALL {
            assert_eq!(allows(*r, Action::AppraiseDrafts), *r == Role::LegalOfficer);
            assert_eq!(
                allows(*r, Action::RecordAnyReviewResult),
                *r == Role::LegalOfficer
            );
        }
    }

    #[test]
    fn drafting_agencies_and_the_justice_office_handle_comments() {
        for r in Role::ALL {
            assert_eq!(
                allows(*r, Action::HandleComments),
                matches!(r, Role::Drafter | Role::LegalOfficer)
            );
        }
    }

    #[test]
    fn iso_control_is_the_controllers_and_every_account_may_raise_and_acknowledge() {
        for r in Role::ALL {
            assert_eq!(
                allows(*r, Action::ControlIsoDocuments),
                *r == Role::IsoController
            );
            assert!(allows(*r, Action::RaiseChangeRequests));
            assert!(allows(*r, Action::AcknowledgeDocuments));
        }
        assert!(!allows(Role::Viewer, Action::CommentOnRevisions));
        assert!(!allows(Role::Admin, Action::CommentOnRevisions));
    }

    #[test]
    fn iso_documents_belong_to_the_iso_controller() {
        assert!(may_edit_kind(Role::IsoController, true));
        assert!(!may_edit_kind(Role::IsoController, false));
        assert!(!may_edit_kind(Role::Drafter, true));
        assert!(may_edit_kind(Role::LegalOfficer, false));
    }
}
