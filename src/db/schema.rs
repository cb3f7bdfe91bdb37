// One schema for both backends; migrations/sqlite and migrations/postgresql keep them equal.

diesel::table! {
    tickets (id) {
        id -> BigInt,
        opener_id -> BigInt,
        opener_name -> Text,
        channel_id -> Nullable<BigInt>,
        status -> Text,
        claimed_by -> Nullable<BigInt>,
        claimed_by_name -> Nullable<Text>,
        welcome_message_id -> Nullable<BigInt>,
        created_at -> BigInt,
        claimed_at -> Nullable<BigInt>,
        closed_at -> Nullable<BigInt>,
        deleted_at -> Nullable<BigInt>,
        degraded -> Bool,
        ai_state -> Text,
        ai_uncooperative -> Integer,
        ai_turns -> Integer,
        ai_tokens -> BigInt,
        ai_answered_up_to -> Nullable<BigInt>,
        verdict_source -> Nullable<Text>,
        verdict_ban_id -> Nullable<Text>,
        verdict_player_name -> Nullable<Text>,
        verdict_ban_reason -> Nullable<Text>,
        verdict_cooperative -> Nullable<Bool>,
        verdict_summary -> Nullable<Text>,
        verdict_at -> Nullable<BigInt>,
        history_synced_id -> Nullable<BigInt>,
        close_reason -> Nullable<Text>,
    }
}

diesel::table! {
    messages (id) {
        id -> BigInt,
        ticket_id -> BigInt,
        author_id -> BigInt,
        author_name -> Text,
        author_avatar -> Nullable<Text>,
        author_is_bot -> Bool,
        is_ai -> Bool,
        content -> Text,
        embeds -> Text,
        attachments -> Text,
        created_at -> BigInt,
        edited_at -> Nullable<BigInt>,
        deleted_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    message_revisions (id) {
        id -> BigInt,
        message_id -> BigInt,
        content -> Text,
        replaced_at -> BigInt,
    }
}

diesel::table! {
    transcripts (id) {
        id -> BigInt,
        ticket_id -> BigInt,
        reason -> Text,
        created_by -> Nullable<BigInt>,
        created_by_name -> Nullable<Text>,
        created_at -> BigInt,
        message_count -> Integer,
        body_text -> Text,
    }
}

diesel::table! {
    transcript_entries (transcript_id, position) {
        transcript_id -> BigInt,
        position -> Integer,
        at_ms -> BigInt,
        author_id -> BigInt,
        author_name -> Text,
        author_is_bot -> Bool,
        is_ai -> Bool,
        content -> Text,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        ticket_id -> Nullable<BigInt>,
        action -> Text,
        actor_id -> Nullable<BigInt>,
        actor_name -> Nullable<Text>,
        detail -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    ai_turns (id) {
        id -> BigInt,
        ticket_id -> BigInt,
        role -> Text,
        content -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    bot_settings (key) {
        key -> Text,
        value -> Text,
    }
}

diesel::table! {
    panel_version (id) {
        id -> Integer,
        version -> BigInt,
    }
}

diesel::table! {
    panel_sessions (token_hash) {
        token_hash -> Text,
        user_id -> BigInt,
        name -> Text,
        avatar -> Nullable<Text>,
        csrf_token -> Text,
        created_at -> BigInt,
        roles_checked_at -> BigInt,
    }
}

diesel::joinable!(messages -> tickets (ticket_id));
diesel::joinable!(transcripts -> tickets (ticket_id));
diesel::joinable!(audit_log -> tickets (ticket_id));
diesel::joinable!(transcript_entries -> transcripts (transcript_id));
diesel::joinable!(ai_turns -> tickets (ticket_id));
diesel::joinable!(message_revisions -> messages (message_id));

diesel::allow_tables_to_appear_in_same_query!(
    tickets,
    messages,
    message_revisions,
    transcripts,
    transcript_entries,
    audit_log,
    ai_turns,
    bot_settings,
);

diesel::table! {
    ticket_members (ticket_id, user_id) {
        ticket_id -> BigInt,
        user_id -> BigInt,
        added_by -> BigInt,
        added_at -> BigInt,
    }
}

diesel::table! {
    blacklist (user_id) {
        user_id -> BigInt,
        user_name -> Text,
        reason -> Text,
        added_by -> BigInt,
        added_at -> BigInt,
    }
}

diesel::table! {
    tags (name) {
        name -> Text,
        body -> Text,
        updated_by -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    pending_renames (ticket_id) {
        ticket_id -> BigInt,
        name -> Text,
        due_at -> BigInt,
    }
}

diesel::table! {
    close_requests (id) {
        id -> BigInt,
        ticket_id -> BigInt,
        requested_by -> BigInt,
        requested_by_name -> Text,
        reason -> Nullable<Text>,
        message_id -> Nullable<BigInt>,
        state -> Text,
        created_at -> BigInt,
        due_at -> BigInt,
        answered_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    ratings (ticket_id) {
        ticket_id -> BigInt,
        rater_id -> BigInt,
        stars -> Integer,
        comment -> Nullable<Text>,
        rated_at -> BigInt,
        commented_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    ticket_inactivity (ticket_id) {
        ticket_id -> BigInt,
        warned_at -> Nullable<BigInt>,
        staff_told_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    on_duty (user_id) {
        user_id -> BigInt,
        user_name -> Text,
        since -> BigInt,
    }
}

diesel::table! {
    archived_files (sha256) {
        sha256 -> Text,
        content_type -> Text,
        size -> BigInt,
        stored_at -> BigInt,
    }
}

diesel::table! {
    message_attachments (message_id, position) {
        message_id -> BigInt,
        position -> Integer,
        ticket_id -> BigInt,
        attachment_id -> BigInt,
        filename -> Text,
        declared_type -> Nullable<Text>,
        size -> BigInt,
        url -> Text,
        status -> Text,
        sha256 -> Nullable<Text>,
        attempts -> Integer,
        next_attempt_at -> BigInt,
        error -> Nullable<Text>,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    archived_files,
    ban_evidence,
    message_attachments,
    messages
);

diesel::table! {
    ban_evidence (ticket_id, position) {
        ticket_id -> BigInt,
        position -> Integer,
        ban_id -> Text,
        url -> Text,
        sha256 -> Nullable<Text>,
        text -> Nullable<Text>,
        error -> Nullable<Text>,
        read_at -> BigInt,
    }
}
