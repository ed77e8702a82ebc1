//! Legal effect of a document on a date, derived from its own dates and the relations
//! that point at it. Pure; the list filter in `db::documents` mirrors these rules in SQL
//! and an integration test holds the two together.
//!
//! Rules, for a date `d`:
//! 1. An unpublished document (a draft) has no effect yet: `not_yet_effective`.
//! 2. Before its start (`effective_from`, else `signed_on`): `not_yet_effective`.
//! 3. From its own `effective_until`, or from the date of a `repeals` / `replaces`
//!    relation with scope `full`: `expired`.
//! 4. While a `suspends` relation with scope `full` is running (from `effective_on`, until
//!    its `effective_until` if any): `suspended`.
//! 5. While a `suspends` relation with scope `partial` is running: `partially_suspended`
//!    (vbpl.vn's "ngưng hiệu lực một phần"): a running suspension is the news of the day,
//!    so it is said before a partial expiry.
//! 6. From the date of a `repeals` / `replaces` relation with scope `partial`:
//!    `partially_expired`. An `amends` relation keeps the document `in_force`: the
//!    amended wording is in force, through the amending document.
//! 7. Otherwise `in_force`. A document with no dates at all is taken as in force.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::kinds::{DocumentState, LegalEffect, RelationKind, RelationScope};

/// A relation whose target is the document being judged.
#[derive(Debug, Clone)]
pub struct IncomingRelation {
    pub id: String,
    pub source_id: String,
    pub kind: RelationKind,
    pub scope: RelationScope,
    pub effective_on: NaiveDate,
    pub effective_until: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct EffectInput<'a> {
    pub state: DocumentState,
    pub signed_on: Option<NaiveDate>,
    pub effective_from: Option<NaiveDate>,
    pub effective_until: Option<NaiveDate>,
    pub incoming: &'a [IncomingRelation],
}

/// The effect on a date and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Effect {
    pub effect: LegalEffect,
    /// The date from which this effect holds, when known.
    pub since: Option<NaiveDate>,
    /// Ids of the relations that decided it.
    pub because: Vec<String>,
}

pub fn ends_in_full(kind: RelationKind, scope: RelationScope) -> bool {
    matches!(kind, RelationKind::Repeals | RelationKind::Replaces) && scope == RelationScope::Full
}

pub fn ends_in_part(kind: RelationKind, scope: RelationScope) -> bool {
    matches!(kind, RelationKind::Repeals | RelationKind::Replaces)
        && scope == RelationScope::Partial
}

pub fn legal_effect(input: &EffectInput<'_>, on: NaiveDate) -> Effect {
    let effect = |effect, since, because| Effect {
        effect,
        since,
        because,
    };
    if input.state.is_draft() {
        return effect(LegalEffect::NotYetEffective, None, vec![]);
    }
    let start = input.effective_from.or(input.signed_on);
    if let Some(start) = start {
        if on < start {
            return effect(LegalEffect::NotYetEffective, None, vec![]);
        }
    }
    let active: Vec<&IncomingRelation> = input
        .incoming
        .iter()
        .filter(|r| r.effective_on <= on)
        .collect();
    let earliest = |pred: &dyn Fn(&IncomingRelation) -> bool| {
        active
            .iter()
            .filter(|r| pred(r))
            .min_by_key(|r| (r.effective_on, r.id.clone()))
            .copied()
    };

    let by_relation = earliest(&|r| ends_in_full(r.kind, r.scope));
    let own_end = input.effective_until.filter(|u| *u <= on);
    match (own_end, by_relation) {
        (Some(u), Some(r)) if u <= r.effective_on => {
            return effect(LegalEffect::Expired, Some(u), vec![]);
        }
        (_, Some(r)) => {
            return effect(
                LegalEffect::Expired,
                Some(r.effective_on),
                vec![r.id.clone()],
            );
        }
        (Some(u), None) => return effect(LegalEffect::Expired, Some(u), vec![]),
        (None, None) => {}
    }

    let running = |scope: RelationScope| {
        earliest(&|r| {
            r.kind == RelationKind::Suspends
                && r.scope == scope
                && r.effective_until.is_none_or(|u| on < u)
        })
    };
    for (scope, suspended) in [
        (RelationScope::Full, LegalEffect::Suspended),
        (RelationScope::Partial, LegalEffect::PartiallySuspended),
    ] {
        if let Some(r) = running(scope) {
            return effect(suspended, Some(r.effective_on), vec![r.id.clone()]);
        }
    }

    let partial: Vec<&IncomingRelation> = active
        .iter()
        .filter(|r| ends_in_part(r.kind, r.scope))
        .copied()
        .collect();
    if let Some(first) = partial.iter().min_by_key(|r| r.effective_on) {
        return effect(
            LegalEffect::PartiallyExpired,
            Some(first.effective_on),
            partial.iter().map(|r| r.id.clone()).collect(),
        );
    }
    effect(LegalEffect::InForce, start, vec![])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    fn rel(id: &str, kind: RelationKind, scope: RelationScope, on: &str) -> IncomingRelation {
        IncomingRelation {
            id: id.into(),
            source_id: format!("src-{id}"),
            kind,
            scope,
            effective_on: d(on),
            effective_until: None,
        }
    }

    fn published<'a>(incoming: &'a [IncomingRelation]) -> EffectInput<'a> {
        EffectInput {
            state: DocumentState::Published,
            signed_on: Some(d("2010-06-08")),
            effective_from: Some(d("2010-10-14")),
            effective_until: None,
            incoming,
        }
    }

    #[test]
    fn not_yet_effective_before_start_then_in_force() {
        let input = published(&[]);
        assert_eq!(
            legal_effect(&input, d("2010-07-01")).effect,
            LegalEffect::NotYetEffective
        );
        let e = legal_effect(&input, d("2010-10-14"));
        assert_eq!(e.effect, LegalEffect::InForce);
        assert_eq!(e.since, Some(d("2010-10-14")));
    }

    #[test]
    fn drafts_have_no_effect() {
        let mut input = published(&[]);
        input.state = DocumentState::Submitted;
        assert_eq!(
            legal_effect(&input, d("2020-01-01")).effect,
            LegalEffect::NotYetEffective
        );
    }

    #[test]
    fn repealed_in_full_expires_from_that_date() {
        let rels = [rel(
            "r1",
            RelationKind::Repeals,
            RelationScope::Full,
            "2016-06-30",
        )];
        let input = published(&rels);
        assert_eq!(
            legal_effect(&input, d("2016-06-29")).effect,
            LegalEffect::InForce
        );
        let e = legal_effect(&input, d("2016-06-30"));
        assert_eq!(e.effect, LegalEffect::Expired);
        assert_eq!(e.since, Some(d("2016-06-30")));
        assert_eq!(e.because, vec!["r1".to_owned()]);
    }

    #[test]
    fn replaced_in_full_expires_and_own_end_date_counts() {
        let rels = [rel(
            "r1",
            RelationKind::Replaces,
            RelationScope::Full,
            "2018-01-01",
        )];
        let mut input = published(&rels);
        input.effective_until = Some(d("2017-01-01"));
        let e = legal_effect(&input, d("2019-01-01"));
        assert_eq!(e.effect, LegalEffect::Expired);
        assert_eq!(e.since, Some(d("2017-01-01")));
    }

    #[test]
    fn amended_stays_in_force_and_partial_repeal_is_partially_expired() {
        let rels = [
            rel(
                "a",
                RelationKind::Amends,
                RelationScope::Partial,
                "2013-05-14",
            ),
            rel(
                "p",
                RelationKind::Repeals,
                RelationScope::Partial,
                "2014-01-01",
            ),
        ];
        let input = published(&rels);
        assert_eq!(
            legal_effect(&input, d("2013-06-01")).effect,
            LegalEffect::InForce
        );
        let e = legal_effect(&input, d("2014-06-01"));
        assert_eq!(e.effect, LegalEffect::PartiallyExpired);
        assert_eq!(e.because, vec!["p".to_owned()]);
    }

    #[test]
    fn suspension_runs_between_its_dates_and_expiry_wins() {
        let mut s = rel(
            "s",
            RelationKind::Suspends,
            RelationScope::Full,
            "2015-01-01",
        );
        s.effective_until = Some(d("2015-07-01"));
        let rels = [s.clone()];
        let input = published(&rels);
        assert_eq!(
            legal_effect(&input, d("2015-03-01")).effect,
            LegalEffect::Suspended
        );
        assert_eq!(
            legal_effect(&input, d("2015-07-01")).effect,
            LegalEffect::InForce
        );
        let rels = [
            s,
            rel(
                "r",
                RelationKind::Repeals,
                RelationScope::Full,
                "2015-02-01",
            ),
        ];
        let input = published(&rels);
        assert_eq!(
            legal_effect(&input, d("2015-03-01")).effect,
            LegalEffect::Expired
        );
    }

    #[test]
    fn a_partial_suspension_is_partially_suspended_and_a_full_one_wins() {
        let mut part = rel(
            "sp",
            RelationKind::Suspends,
            RelationScope::Partial,
            "2019-01-01",
        );
        part.effective_until = Some(d("2019-06-01"));
        let rels = [
            part.clone(),
            rel(
                "p",
                RelationKind::Repeals,
                RelationScope::Partial,
                "2018-01-01",
            ),
        ];
        let input = published(&rels);
        let e = legal_effect(&input, d("2019-02-01"));
        assert_eq!(e.effect, LegalEffect::PartiallySuspended);
        assert_eq!(e.because, vec!["sp".to_owned()]);
        assert_eq!(e.effect.label_vi(), "Ngưng hiệu lực một phần");
        // Once the suspension ends, the partial repeal is what remains.
        assert_eq!(
            legal_effect(&input, d("2019-06-01")).effect,
            LegalEffect::PartiallyExpired
        );
        let rels = [
            part,
            rel(
                "sf",
                RelationKind::Suspends,
                RelationScope::Full,
                "2019-01-15",
            ),
        ];
        assert_eq!(
            legal_effect(&published(&rels), d("2019-02-01")).effect,
            LegalEffect::Suspended
        );
    }

    #[test]
    fn guides_and_based_on_change_nothing() {
        let rels = [
            rel("g", RelationKind::Guides, RelationScope::Full, "2011-01-01"),
            rel(
                "b",
                RelationKind::BasedOn,
                RelationScope::Full,
                "2011-01-01",
            ),
            rel(
                "c",
                RelationKind::Corrects,
                RelationScope::Full,
                "2011-01-01",
            ),
        ];
        assert_eq!(
            legal_effect(&published(&rels), d("2012-01-01")).effect,
            LegalEffect::InForce
        );
    }
}
