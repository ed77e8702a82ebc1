// One schema for both backends. Column order matches the migrations: the
// `Queryable` structs in `db::models` rely on it (MultiConnection has no `Selectable`).

diesel::table! {
    org_units (id) {
        id -> Text,
        code -> Text,
        name -> Text,
        kind -> Text,
        parent_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        row_version -> Integer,
        level -> Nullable<Text>,
        established_on -> Nullable<Date>,
        abolished_on -> Nullable<Date>,
    }
}

diesel::table! {
    login_throttle (key) {
        key -> Text,
        window_start -> Timestamp,
        failures -> Integer,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        username -> Text,
        display_name -> Text,
        password_hash -> Text,
        role -> Text,
        org_unit_id -> Nullable<Text>,
        active -> Bool,
        failed_logins -> Integer,
        locked_until -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        row_version -> Integer,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        user_id -> Text,
        family_id -> Text,
        token_hash -> Text,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        kind -> Text,
    }
}

diesel::table! {
    documents (id) {
        id -> Text,
        kind -> Text,
        number -> Nullable<Text>,
        number_key -> Nullable<Text>,
        title -> Text,
        title_key -> Text,
        issuer_id -> Nullable<Text>,
        field -> Nullable<Text>,
        signer -> Nullable<Text>,
        signed_on -> Nullable<Date>,
        published_on -> Nullable<Date>,
        effective_from -> Nullable<Date>,
        effective_until -> Nullable<Date>,
        state -> Text,
        external -> Bool,
        external_id -> Nullable<Text>,
        iso_code -> Nullable<Text>,
        iso_revision -> Nullable<Text>,
        ever_approved -> Bool,
        withdrawn_at -> Nullable<Timestamp>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        row_version -> Integer,
        legal_regime -> Nullable<Text>,
        holder_id -> Nullable<Text>,
    }
}

diesel::table! {
    reorganisations (id) {
        id -> Text,
        effective_on -> Date,
        basis -> Text,
        note -> Nullable<Text>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    reorganisation_units (reorganisation_id, unit_id) {
        reorganisation_id -> Text,
        unit_id -> Text,
        role -> Text,
    }
}

diesel::table! {
    inheritances (reorganisation_id, document_id) {
        reorganisation_id -> Text,
        document_id -> Text,
        from_unit_id -> Text,
        to_unit_id -> Text,
        campaign_id -> Nullable<Text>,
    }
}

diesel::table! {
    blobs (sha256) {
        sha256 -> Text,
        content_type -> Text,
        size -> BigInt,
        data -> Binary,
        created_at -> Timestamp,
    }
}

diesel::table! {
    versions (id) {
        id -> Text,
        document_id -> Text,
        seq -> Integer,
        label -> Text,
        body -> Nullable<Text>,
        blob_sha256 -> Nullable<Text>,
        file_name -> Nullable<Text>,
        change_summary -> Nullable<Text>,
        author_id -> Nullable<Text>,
        approved_at -> Nullable<Timestamp>,
        approved_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    provisions (id) {
        id -> Text,
        version_id -> Text,
        ord -> Integer,
        depth -> Integer,
        kind -> Text,
        number -> Text,
        path -> Text,
        heading -> Nullable<Text>,
        body -> Text,
        external_id -> Nullable<Text>,
    }
}

diesel::table! {
    relations (id) {
        id -> Text,
        source_id -> Text,
        target_id -> Text,
        kind -> Text,
        scope -> Text,
        effective_on -> Nullable<Date>,
        effective_until -> Nullable<Date>,
        note -> Nullable<Text>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (seq) {
        seq -> BigInt,
        at -> Timestamp,
        actor_id -> Nullable<Text>,
        actor_name -> Text,
        action -> Text,
        entity_type -> Text,
        entity_id -> Text,
        from_state -> Nullable<Text>,
        to_state -> Nullable<Text>,
        reason -> Nullable<Text>,
        details -> Nullable<Text>,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    audit_head (id) {
        id -> Integer,
        seq -> BigInt,
        hash -> Text,
    }
}

diesel::table! {
    consultations (id) {
        id -> Text,
        document_id -> Text,
        version_id -> Text,
        opens_on -> Date,
        closes_on -> Date,
        closed_at -> Nullable<Timestamp>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    comments (id) {
        id -> Text,
        consultation_id -> Text,
        tracking_code -> Text,
        idempotency_key -> Nullable<Text>,
        author_name -> Text,
        author_email -> Nullable<Text>,
        organisation -> Nullable<Text>,
        provision_path -> Nullable<Text>,
        body -> Text,
        status -> Text,
        moderation_reason -> Nullable<Text>,
        moderated_by -> Nullable<Text>,
        moderated_at -> Nullable<Timestamp>,
        disposition -> Nullable<Text>,
        response -> Nullable<Text>,
        disposed_by -> Nullable<Text>,
        disposed_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        row_version -> Integer,
        request_fingerprint -> Nullable<Text>,
    }
}

diesel::table! {
    appraisals (id) {
        id -> Text,
        document_id -> Text,
        version_id -> Text,
        opinion -> Text,
        findings -> Nullable<Text>,
        appraiser_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    appraisal_requests (id) {
        id -> Text,
        document_id -> Text,
        version_id -> Text,
        requested_on -> Date,
        due_on -> Date,
        requested_by -> Nullable<Text>,
        appraisal_id -> Nullable<Text>,
        answered_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    number_sequences (issuer_id, kind, year) {
        issuer_id -> Text,
        kind -> Text,
        year -> Integer,
        last_number -> Integer,
    }
}

diesel::table! {
    self_inspections (id) {
        id -> Text,
        document_id -> Text,
        started_on -> Date,
        due_on -> Date,
        state -> Text,
        result -> Nullable<Text>,
        findings -> Nullable<Text>,
        handling -> Nullable<Text>,
        opened_by -> Nullable<Text>,
        opened_at -> Timestamp,
        recorded_by -> Nullable<Text>,
        recorded_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    review_flags (id) {
        id -> Text,
        document_id -> Text,
        cause_kind -> Text,
        cause_document_id -> Nullable<Text>,
        cause_relation_id -> Nullable<Text>,
        cause_self_inspection_id -> Nullable<Text>,
        action -> Nullable<Text>,
        detail -> Text,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        resolved_at -> Nullable<Timestamp>,
        resolved_by -> Nullable<Text>,
        resolution -> Nullable<Text>,
    }
}

diesel::table! {
    review_campaigns (id) {
        id -> Text,
        name -> Text,
        description -> Nullable<Text>,
        selection -> Text,
        state -> Text,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        closed_at -> Nullable<Timestamp>,
        closed_by -> Nullable<Text>,
        close_reason -> Nullable<Text>,
    }
}

diesel::table! {
    review_items (id) {
        id -> Text,
        campaign_id -> Text,
        document_id -> Text,
        assignee_id -> Nullable<Text>,
        result -> Nullable<Text>,
        reasons -> Nullable<Text>,
        proposed_action -> Nullable<Text>,
        reviewed_by -> Nullable<Text>,
        reviewed_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        row_version -> Integer,
    }
}

diesel::table! {
    iso_documents (document_id) {
        document_id -> Text,
        owner_unit_id -> Text,
        review_period_months -> Integer,
        retention_years -> Nullable<Integer>,
        next_review_on -> Nullable<Date>,
        last_reviewed_on -> Nullable<Date>,
        parent_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        row_version -> Integer,
    }
}

diesel::table! {
    iso_distribution (id) {
        id -> Text,
        document_id -> Text,
        ord -> Integer,
        recipient_unit_id -> Nullable<Text>,
        recipient_user_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    iso_revisions (version_id) {
        version_id -> Text,
        document_id -> Text,
        state -> Text,
        revision_no -> Nullable<Integer>,
        submitted_at -> Nullable<Timestamp>,
        issued_at -> Nullable<Timestamp>,
        issued_by -> Nullable<Text>,
        effective_from -> Nullable<Date>,
        superseded_at -> Nullable<Timestamp>,
        superseded_by -> Nullable<Text>,
        withdrawn_at -> Nullable<Timestamp>,
        withdrawn_by -> Nullable<Text>,
        withdrawal_reason -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        row_version -> Integer,
    }
}

diesel::table! {
    iso_review_comments (id) {
        id -> Text,
        version_id -> Text,
        author_id -> Nullable<Text>,
        author_name -> Text,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    iso_change_requests (id) {
        id -> Text,
        document_id -> Text,
        seq -> Integer,
        origin -> Text,
        reason -> Text,
        proposed_change -> Nullable<Text>,
        state -> Text,
        raised_by -> Nullable<Text>,
        raised_at -> Timestamp,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        decision_note -> Nullable<Text>,
        revision_version_id -> Nullable<Text>,
        updated_at -> Timestamp,
        row_version -> Integer,
    }
}

diesel::table! {
    iso_controlled_copies (id) {
        id -> Text,
        document_id -> Text,
        version_id -> Text,
        copy_no -> Integer,
        recipient_unit_id -> Nullable<Text>,
        recipient_user_id -> Nullable<Text>,
        recipient_name -> Text,
        issued_at -> Timestamp,
        issued_by -> Nullable<Text>,
        recall_requested_at -> Nullable<Timestamp>,
        withdrawn_at -> Nullable<Timestamp>,
        withdrawal_confirmed_by -> Nullable<Text>,
        row_version -> Integer,
    }
}

diesel::table! {
    iso_acknowledgements (id) {
        id -> Text,
        document_id -> Text,
        version_id -> Text,
        user_id -> Text,
        acknowledged_at -> Timestamp,
    }
}

diesel::table! {
    renditions (source_hash) {
        source_hash -> Text,
        blob_sha256 -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    verifications (code) {
        code -> Text,
        document_id -> Text,
        version_id -> Text,
        stamp -> Text,
        recipient -> Nullable<Text>,
        copy_no -> Nullable<Integer>,
        source_sha256 -> Text,
        issued_by -> Nullable<Text>,
        issued_at -> Timestamp,
    }
}

diesel::table! {
    extractions (version_id) {
        version_id -> Text,
        text_layer -> Bool,
        pages -> Integer,
        created_at -> Timestamp,
    }
}

diesel::joinable!(users -> org_units (org_unit_id));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(documents -> org_units (issuer_id));
diesel::joinable!(versions -> documents (document_id));
diesel::joinable!(provisions -> versions (version_id));

diesel::joinable!(iso_documents -> documents (document_id));

diesel::joinable!(iso_revisions -> versions (version_id));

diesel::allow_tables_to_appear_in_same_query!(
    reorganisations,
    reorganisation_units,
    inheritances,
    renditions,
    verifications,
    extractions,
    org_units,
    users,
    refresh_tokens,
    documents,
    blobs,
    versions,
    provisions,
    relations,
    audit_log,
    audit_head,
    consultations,
    comments,
    appraisals,
    appraisal_requests,
    number_sequences,
    self_inspections,
    review_flags,
    review_campaigns,
    review_items,
    iso_documents,
    iso_distribution,
    iso_revisions,
    iso_review_comments,
    iso_change_requests,
    iso_controlled_copies,
    iso_acknowledgements,
    login_throttle,
);
