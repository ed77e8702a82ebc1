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

diesel::joinable!(users -> org_units (org_unit_id));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(documents -> org_units (issuer_id));
diesel::joinable!(versions -> documents (document_id));
diesel::joinable!(provisions -> versions (version_id));

diesel::allow_tables_to_appear_in_same_query!(
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
    number_sequences,
    self_inspections,
    review_flags,
    review_campaigns,
    review_items,
);
