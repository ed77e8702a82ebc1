//! Vocabulary values as typed text columns: a row's `kind`, `state`, `role`... is read as
//! the enum of `domain` and written as its snake_case name, on both backends, through one
//! impl set (the way vaultwarden's `impl_FromToSqlText` serves its MultiConnection). A value
//! no migration wrote fails the read as a deserialization error, which the service reports
//! as internal.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;

use crate::domain::kinds::{
    ChangeRequestOrigin, ChangeRequestState, DocumentKind, DocumentState, LegalEffect, OrgUnitKind,
    RelationKind, RelationScope, ReviewOutcome, RevisionState, Role, SessionKind, StampChoice,
};
use crate::domain::regime::{LegalRegime, ReorganisationRole, UnitLevel};
use crate::domain::report::ReportPeriod;
use crate::domain::review::{
    CampaignState, InspectionHandling, InspectionState, ReviewFlagCause, ReviewResult,
    SelfInspectionResult,
};
use crate::domain::workflow::{AppraisalOpinion, CommentStatus, Disposition, WorkflowAction};

macro_rules! text_columns {
    ($($ty:ty),+ $(,)?) => {$(
        impl<DB: Backend> ToSql<Text, DB> for $ty
        where
            str: ToSql<Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                self.as_str().to_sql(out)
            }
        }

        impl<DB: Backend> FromSql<Text, DB> for $ty
        where
            String: FromSql<Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                Ok(String::from_sql(bytes)?.parse::<$ty>()?)
            }
        }
    )+};
}

text_columns!(
    AppraisalOpinion,
    CampaignState,
    ChangeRequestOrigin,
    ChangeRequestState,
    CommentStatus,
    Disposition,
    DocumentKind,
    DocumentState,
    InspectionHandling,
    InspectionState,
    LegalEffect,
    LegalRegime,
    OrgUnitKind,
    RelationKind,
    RelationScope,
    ReorganisationRole,
    ReportPeriod,
    RevisionState,
    ReviewFlagCause,
    ReviewOutcome,
    ReviewResult,
    Role,
    SelfInspectionResult,
    SessionKind,
    StampChoice,
    UnitLevel,
    WorkflowAction,
);
