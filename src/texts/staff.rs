//! Texts of the staff workflow: unclaim, transfer, members, rename, blacklist, tags.

pub const NOT_CLAIMED: &str = "Dieses Ticket ist nicht beansprucht.";
pub const NOT_CLAIMER_OR_ADMIN: &str =
    "Nur wer das Ticket beansprucht hat oder ein Admin darf das.";

pub fn unclaimed(number: i64, by: u64) -> String {
    format!("Ticket #{number} wurde von <@{by}> freigegeben und ist wieder offen.")
}

pub fn transferred(number: i64, from: u64, to: u64) -> String {
    format!("Ticket #{number} wurde von <@{from}> an <@{to}> übergeben.")
}

pub fn target_not_staff(user: u64) -> String {
    format!(
        "<@{user}> hat keine Support- oder Admin-Rolle; das Ticket kann nur an das Team übergeben werden."
    )
}

pub fn already_holds(user: u64) -> String {
    format!("<@{user}> hat dieses Ticket bereits beansprucht.")
}

pub fn target_claim_limit(user: u64, limit: u32) -> String {
    format!("<@{user}> hat bereits {limit} beanspruchte Tickets und kann keines mehr übernehmen.")
}

pub const NOT_A_MEMBER: &str = "Dieses Mitglied ist nicht (mehr) auf dem Server.";

pub fn member_added(user: u64) -> String {
    format!("<@{user}> wurde zum Ticket hinzugefügt.")
}

pub fn member_removed(user: u64) -> String {
    format!("<@{user}> wurde aus dem Ticket entfernt.")
}

pub fn already_added(user: u64) -> String {
    format!("<@{user}> hat bereits Zugang zu diesem Ticket.")
}

pub fn not_added(user: u64) -> String {
    format!("<@{user}> wurde nicht zu diesem Ticket hinzugefügt.")
}

pub const OPENER_NOT_REMOVABLE: &str =
    "Wer das Ticket eröffnet hat, kann nicht aus dem Ticket entfernt werden.";
pub const BAD_CHANNEL_NAME: &str = "Der Kanalname muss 1 bis 100 Zeichen lang sein.";

pub fn renamed(name: &str) -> String {
    format!("Der Kanal heißt jetzt „{name}“.")
}

/// A rename Discord's limit puts off: when it happens.
pub fn rename_later(name: &str, due_unix: i64) -> String {
    format!(
        "Discord erlaubt nur zwei Umbenennungen eines Kanals in 10 Minuten. \
         Der Kanal wird <t:{due_unix}:R> in „{name}“ umbenannt."
    )
}

pub const BLACKLIST_STAFF: &str =
    "Teammitglieder (Support oder Admin) können nicht auf die Sperrliste gesetzt werden.";
pub const BLACKLISTED_OPEN: &str =
    "Du bist für Tickets gesperrt und kannst kein neues Ticket eröffnen.";

pub fn blacklisted(user: u64, reason: &str) -> String {
    match reason {
        "" => format!("<@{user}> ist jetzt für Tickets gesperrt."),
        reason => format!("<@{user}> ist jetzt für Tickets gesperrt. Grund: {reason}"),
    }
}

pub fn already_blacklisted(user: u64) -> String {
    format!("<@{user}> ist bereits gesperrt.")
}

pub fn unblacklisted(user: u64) -> String {
    format!("<@{user}> ist nicht mehr für Tickets gesperrt.")
}

pub fn not_blacklisted(user: u64) -> String {
    format!("<@{user}> ist nicht gesperrt.")
}

pub const BLACKLIST_EMPTY: &str = "Niemand ist für Tickets gesperrt.";
pub const BLACKLIST_TITLE: &str = "Für Tickets gesperrt";

pub fn bad_tag_name(max: usize) -> String {
    format!("Ein Tag-Name darf keine Leerzeichen enthalten und höchstens {max} Zeichen lang sein.")
}

pub fn bad_tag_text(max: usize) -> String {
    format!("Der Text eines Tags muss 1 bis {max} Zeichen lang sein.")
}

pub fn tags_full(max: i64) -> String {
    format!("Es gibt bereits {max} Tags, mehr sind nicht möglich. Lösche zuerst einen.")
}

pub fn tag_saved(name: &str) -> String {
    format!("Tag „{name}“ gespeichert.")
}

pub fn tag_deleted(name: &str) -> String {
    format!("Tag „{name}“ gelöscht.")
}

pub fn unknown_tag(name: &str) -> String {
    format!("Einen Tag „{name}“ gibt es nicht.")
}

pub fn tag_posted(name: &str) -> String {
    format!("Tag „{name}“ gesendet.")
}

pub const TAGS_EMPTY: &str = "Es gibt noch keine Tags.";
pub const TAGS_TITLE: &str = "Tags";

pub const LOG_UNCLAIMED: &str = "Ticket freigegeben";
pub const LOG_TRANSFERRED: &str = "Ticket übergeben";
pub const LOG_MEMBER_ADDED: &str = "Mitglied hinzugefügt";
pub const LOG_MEMBER_REMOVED: &str = "Mitglied entfernt";
pub const LOG_RENAMED: &str = "Ticket umbenannt";
pub const LOG_RENAME_LATER: &str = "Umbenennung wartet auf Discord";
pub const LOG_BLACKLISTED: &str = "Mitglied gesperrt";
pub const LOG_UNBLACKLISTED: &str = "Sperre aufgehoben";
pub const LOG_TAG_SAVED: &str = "Tag gespeichert";
pub const LOG_TAG_DELETED: &str = "Tag gelöscht";
pub const LOG_TAG_POSTED: &str = "Tag gesendet";
