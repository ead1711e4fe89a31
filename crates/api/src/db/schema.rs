// The schema of migrations/{sqlite,postgres}; both backends map to these diesel types.

diesel::table! {
    users (id) {
        id -> BigInt,
        username -> Text,
        username_key -> Text,
        password_hash -> Text,
        is_admin -> Bool,
        created_at -> BigInt,
        disabled_at -> Nullable<BigInt>,
        session_epoch -> BigInt,
        username_skeleton -> Nullable<Text>,
    }
}

diesel::table! {
    totp_credentials (user_id) {
        user_id -> BigInt,
        state -> Text,
        secret_ct -> Binary,
        key_id -> Text,
        created_at -> BigInt,
        expires_at -> Nullable<BigInt>,
        enabled_at -> Nullable<BigInt>,
        last_used_step -> Nullable<BigInt>,
    }
}

diesel::table! {
    recovery_codes (id) {
        id -> BigInt,
        user_id -> BigInt,
        lookup_tag -> Text,
        phc -> Text,
        created_at -> BigInt,
        used_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    challenges (id) {
        id -> BigInt,
        id_hash -> Text,
        user_id -> BigInt,
        binding_hash -> Nullable<Text>,
        attempts -> Integer,
        created_at -> BigInt,
        expires_at -> BigInt,
        consumed_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    sessions (id) {
        id -> BigInt,
        key_hash -> Text,
        kind -> Text,
        user_id -> Nullable<BigInt>,
        state -> Text,
        ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        created_at -> BigInt,
        last_seen_at -> BigInt,
        expires_at -> BigInt,
    }
}

diesel::table! {
    audit_events (id) {
        id -> BigInt,
        at -> BigInt,
        user_id -> Nullable<BigInt>,
        ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        event -> Text,
        outcome -> Text,
        reason -> Nullable<Text>,
    }
}

diesel::table! {
    throttles (key) {
        key -> Text,
        count -> Integer,
        window_start -> BigInt,
        locked_until -> Nullable<BigInt>,
    }
}

diesel::table! {
    meta (key) {
        key -> Text,
        value -> Binary,
    }
}

diesel::joinable!(totp_credentials -> users (user_id));
diesel::joinable!(recovery_codes -> users (user_id));
diesel::joinable!(challenges -> users (user_id));
diesel::joinable!(sessions -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    totp_credentials,
    recovery_codes,
    challenges,
    sessions,
    audit_events,
    throttles,
    meta,
);
