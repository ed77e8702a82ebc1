//! Tests of ISO document control rules.

use super::*;
use RevisionState as S;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

fn guard_of<T: std::fmt::Debug>(r: Result<T, RuleError>) -> &'static str {
    match r {
        Err(RuleError::Guard { guard, .. }) => guard,
        other => panic!("expected a guard, got {other:?}"),
    }
}

fn rev(id: &str, state: RevisionState, no: Option<i32>, eff: Option<&str>) -> RevisionView {
    RevisionView {
        id: id.into(),
        state,
        revision_no: no,
        effective_from: eff.map(d),
    }
}

#[test]
fn the_happy_path_and_its_guards() {
    use RevisionEvent as E;
    let allowed = [
        (S::Draft, E::Submit, S::InReview),
        (S::InReview, E::Return, S::Draft),
        (S::InReview, E::Approve, S::Approved),
        (S::Approved, E::Issue, S::Current),
        (S::Current, E::Supersede, S::Superseded),
        (S::Superseded, E::WithdrawDocument, S::Superseded),
        (S::Current, E::WithdrawDocument, S::Withdrawn),
    ];
    for (from, event, to) in allowed {
        assert_eq!(next_state(from, event), Ok(to), "{from:?} {event:?}");
    }
    let refused = [
        (S::Draft, E::Approve, "approve_only_in_review"),
        (S::InReview, E::Issue, "issue_only_approved"),
        (S::Approved, E::Submit, "submit_only_drafts"),
        (S::Draft, E::Return, "return_only_in_review"),
        (S::Current, E::Abandon, "withdraw_current_with_document"),
        (S::Superseded, E::Abandon, "obsolete_is_final"),
    ];
    for (from, event, guard) in refused {
        assert_eq!(
            guard_of(next_state(from, event)),
            guard,
            "{from:?} {event:?}"
        );
    }
}

#[test]
fn issuing_supersedes_the_current_revision_in_one_plan() {
    let revs = vec![
        rev("a", S::Current, Some(1), Some("2024-01-15")),
        rev("b", S::Approved, None, None),
    ];
    let plan = plan_issue(&revs, "b", d("2026-03-02"), d("2026-03-02")).expect("plan");
    assert_eq!(plan.revision_no, 2);
    assert_eq!(plan.supersedes.as_deref(), Some("a"));
    assert_eq!(
        plan.changes,
        vec![
            StateChange {
                id: "b".into(),
                from: S::Approved,
                to: S::Current
            },
            StateChange {
                id: "a".into(),
                from: S::Current,
                to: S::Superseded
            },
        ]
    );
    assert_eq!(
        guard_of(plan_issue(&revs, "b", d("2026-03-03"), d("2026-03-02"))),
        "effective_not_in_future"
    );
    assert_eq!(
        guard_of(plan_issue(&revs, "b", d("2023-12-31"), d("2026-03-02"))),
        "effective_after_previous"
    );
    assert_eq!(
        guard_of(plan_issue(&revs, "a", d("2026-03-02"), d("2026-03-02"))),
        "issue_only_approved"
    );
}

#[test]
fn one_revision_open_at_a_time() {
    let mut revs = vec![
        rev("a", S::Current, Some(1), None),
        rev("b", S::InReview, None, None),
    ];
    assert_eq!(
        guard_of(check_can_open_revision(&revs)),
        "one_open_revision"
    );
    revs[1].state = S::Withdrawn;
    assert!(check_can_open_revision(&revs).is_ok());
}

#[test]
fn only_obsolete_revisions_carry_the_obsolete_stamp() {
    for s in RevisionState::ALL {
        let stamp = required_stamp(*s, Some(d("2026-03-02")), Some("Lần ban hành 02".into()));
        assert_eq!(
            stamp.is_some(),
            matches!(s, S::Superseded | S::Withdrawn),
            "{s:?}"
        );
    }
    let stamp = required_stamp(S::Superseded, None, None).expect("stamp");
    assert_eq!(stamp.title, "TÀI LIỆU LỖI THỜI");
}

#[test]
fn copies_recalled_and_distributed() {
    let copy = |id: &str, v: &str, r: Recipient, recalled: bool, withdrawn: bool| CopyView {
        id: id.into(),
        version_id: v.into(),
        recipient: r,
        recall_requested: recalled,
        withdrawn,
    };
    let tp = Recipient::Unit("TP".into());
    let nv = Recipient::Unit("NV".into());
    let u = Recipient::User("u1".into());
    let copies = vec![
        copy("c1", "v1", tp.clone(), false, false),
        copy("c2", "v1", nv.clone(), true, false),
        copy("c3", "v1", u.clone(), true, true),
        copy("c4", "v2", tp.clone(), false, false),
    ];
    assert_eq!(
        copies_to_recall(&copies, Some("v2")),
        vec!["c1".to_string()]
    );
    assert_eq!(
        copies_to_recall(&copies, None),
        vec!["c1".to_string(), "c4".to_string()]
    );
    let current: Vec<CopyView> = copies
        .iter()
        .filter(|c| c.version_id == "v2")
        .cloned()
        .collect();
    let plan = plan_distribution(&[nv.clone(), u.clone(), nv.clone()], &current);
    assert_eq!(plan.issue, vec![nv, u]);
    assert_eq!(plan.recall, vec!["c4".to_string()]);
}

#[test]
fn review_dates() {
    assert_eq!(next_review(d("2026-01-31"), 1), Some(d("2026-02-28")));
    assert_eq!(next_review(d("2026-03-02"), 12), Some(d("2027-03-02")));
    assert_eq!(next_review(d("2026-03-02"), -1), None);
    assert!(review_due(Some(d("2026-12-01")), d("2026-11-27"), 30));
    assert!(review_due(Some(d("2026-01-01")), d("2026-11-27"), 0));
    assert!(!review_due(Some(d("2027-03-02")), d("2026-11-27"), 30));
    assert!(!review_due(None, d("2026-11-27"), 30));
    assert!(check_review_period(0).is_err() && check_review_period(12).is_ok());
    assert!(check_retention(Some(0)).is_err() && check_retention(None).is_ok());
}

#[test]
fn iso_codes() {
    assert_eq!(parse_iso_code(" qt-tp-01 "), Ok("QT-TP-01".into()));
    assert_eq!(
        parse_iso_code("BM.01/QT-VP-02"),
        Ok("BM.01/QT-VP-02".into())
    );
    assert!(parse_iso_code("QT TP").is_err());
    assert!(parse_iso_code("--").is_err());
    assert_eq!(revision_label(3), "Lần ban hành 03");
}

/// A small deterministic generator (xorshift64*): the property test needs no crate
/// and every failure names the seed that reproduces it.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The document as the service keeps it, driven only through the rules above.
#[derive(Default)]
struct Model {
    revisions: Vec<RevisionView>,
    copies: Vec<CopyView>,
    withdrawn: bool,
    today: i64,
}

impl Model {
    fn day(&self) -> NaiveDate {
        d("2020-01-01") + chrono::Duration::days(self.today)
    }

    fn current(&self) -> Option<&RevisionView> {
        self.revisions.iter().find(|r| r.state == S::Current)
    }

    fn step(&mut self, rng: &mut Rng) {
        self.today += rng.below(40) as i64;
        // Mostly the revision being prepared, sometimes any: the guards must hold
        // against both.
        let pick = |m: &Model, rng: &mut Rng| {
            let open = m
                .revisions
                .iter()
                .position(|r| matches!(r.state, S::Draft | S::InReview | S::Approved));
            match open {
                Some(i) if rng.below(5) > 0 => Some(i),
                _ => (!m.revisions.is_empty()).then(|| rng.below(m.revisions.len())),
            }
        };
        match rng.below(20) {
            0..=2 if !self.withdrawn => {
                if check_can_open_revision(&self.revisions).is_ok() {
                    let id = format!("v{}", self.revisions.len());
                    self.revisions.push(rev(&id, S::Draft, None, None));
                }
            }
            3..=10 => {
                let Some(i) = pick(self, rng) else { return };
                let event = [
                    RevisionEvent::Submit,
                    RevisionEvent::Approve,
                    RevisionEvent::Submit,
                    RevisionEvent::Approve,
                    RevisionEvent::Return,
                ][rng.below(5)];
                if let Ok(s) = next_state(self.revisions[i].state, event) {
                    self.revisions[i].state = s;
                }
            }
            11..=14 => {
                let Some(i) = pick(self, rng) else { return };
                self.issue(i, rng);
            }
            15 => {
                let Some(i) = pick(self, rng) else { return };
                if let Ok(s) = next_state(self.revisions[i].state, RevisionEvent::Abandon) {
                    self.revisions[i].state = s;
                }
            }
            16 if rng.below(10) == 0 && !self.withdrawn => self.withdraw(),
            _ => {
                // A recipient returns a recalled copy.
                if let Some(c) = self
                    .copies
                    .iter_mut()
                    .find(|c| c.recall_requested && !c.withdrawn)
                {
                    c.withdrawn = true;
                }
            }
        }
    }

    /// Issues revision `i` on a day drawn at random, with its copies.
    fn issue(&mut self, i: usize, rng: &mut Rng) {
        // Sometimes back-dated, sometimes in the future: the guards decide.
        let eff = self.day() + chrono::Duration::days(rng.below(30) as i64 - 20);
        let id = self.revisions[i].id.clone();
        let Ok(plan) = plan_issue(&self.revisions, &id, eff, self.day()) else {
            return;
        };
        for c in &plan.changes {
            let r = self.revision(&c.id);
            assert_eq!(r.state, c.from);
            r.state = c.to;
        }
        let r = self.revision(&id);
        r.revision_no = Some(plan.revision_no);
        r.effective_from = Some(eff);
        self.recall(Some(&id));
        for k in 0..1 + rng.below(3) {
            self.copies.push(CopyView {
                id: format!("{id}-c{k}"),
                version_id: id.clone(),
                recipient: Recipient::Unit(format!("U{k}")),
                recall_requested: false,
                withdrawn: false,
            });
        }
    }

    /// Withdraws the whole document.
    fn withdraw(&mut self) {
        for c in plan_withdraw_document(&self.revisions) {
            let r = self.revision(&c.id);
            r.state = next_state(r.state, RevisionEvent::WithdrawDocument).expect("always");
            assert_eq!(r.state, c.to);
        }
        self.recall(None);
        self.withdrawn = true;
    }

    fn revision(&mut self, id: &str) -> &mut RevisionView {
        self.revisions.iter_mut().find(|r| r.id == id).expect("rev")
    }

    /// Asks back the copies not of `current`.
    fn recall(&mut self, current: Option<&str>) {
        for id in copies_to_recall(&self.copies, current) {
            self.copies
                .iter_mut()
                .filter(|c| c.id == id)
                .for_each(|c| c.recall_requested = true);
        }
    }

    fn check(&self, seed: u64, step: usize) {
        let at = format!("seed {seed}, step {step}");
        check_one_current(&self.revisions, self.withdrawn).unwrap_or_else(|e| panic!("{at}: {e}"));
        let current = self.current().map(|c| c.id.clone());
        for r in &self.revisions {
            let stamp = required_stamp(r.state, None, None);
            // Never served unstamped when obsolete, never stamped obsolete when current.
            assert_eq!(stamp.is_some(), is_obsolete(r.state), "{at}: {r:?}");
            if current.as_deref() == Some(r.id.as_str()) {
                assert!(stamp.is_none(), "{at}");
            }
        }
        // Every copy of a revision not in use is asked back or already returned.
        for c in &self.copies {
            if Some(&c.version_id) != current.as_ref() {
                assert!(c.recall_requested || c.withdrawn, "{at}: {c:?}");
            }
        }
        // Revision numbers go up with effective dates.
        let mut issued: Vec<&RevisionView> = self
            .revisions
            .iter()
            .filter(|r| r.revision_no.is_some())
            .collect();
        issued.sort_by_key(|r| r.revision_no);
        assert!(
            issued
                .windows(2)
                .all(|w| w[0].effective_from <= w[1].effective_from),
            "{at}"
        );
    }
}

#[test]
fn property_exactly_one_current_and_obsolete_always_stamped() {
    let mut issued_some = 0;
    for seed in 1..=2_000u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let mut m = Model::default();
        for step in 0..120 {
            m.step(&mut rng);
            m.check(seed, step);
        }
        if m.revisions
            .iter()
            .filter(|r| r.revision_no.is_some())
            .count()
            > 1
        {
            issued_some += 1;
        }
    }
    // The generator does reach the interesting states (several issues per document).
    assert!(issued_some > 500, "only {issued_some} runs issued twice");
}
