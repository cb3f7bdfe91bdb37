//! Every text the bot shows on Discord, in one place (German, as in the original bot).

pub const SETUP_EMBED_TITLE: &str = "Ticket-Hilfe";
pub const SETUP_EMBED_DESCRIPTION: &str = "Klicke auf den Button, um ein neues Ticket zu erstellen. \
     Wenn du gebannt wurdest, nenne bitte deine ID, damit wir dir Auskunft geben können.";
pub const SETUP_DONE: &str = "Ticket-Button wurde platziert und in der DB registriert.";

pub const LABEL_OPEN: &str = "Ticket erstellen";
pub const LABEL_CLAIM: &str = "Ticket beanspruchen";
pub const LABEL_CLOSE: &str = "Ticket schließen";
pub const LABEL_DELETE: &str = "Ticket löschen";
pub const LABEL_UNCLAIM: &str = "Freigeben";

pub const SECRETARY_GREETING: &str = "Hallo, ich bin Sekretärin Sigrid. \
     Bitte teile mir zuerst deine **ID** mit, damit ich deinen Banngrund nachschauen kann.";

pub fn welcome(opener_id: u64) -> String {
    format!(
        "Willkommen <@{opener_id}>! Bitte schildere kurz dein Anliegen. \
         Wenn du gebannt wurdest, teile uns **unbedingt** deine ID mit, \
         damit wir den Banngrund prüfen können."
    )
}

pub fn ticket_title(number: i64) -> String {
    format!("Ticket #{number}")
}

pub fn ticket_created(channel_id: u64) -> String {
    format!("Ticket erstellt: <#{channel_id}>")
}

pub fn already_has_ticket(channel_id: Option<i64>) -> String {
    match channel_id {
        Some(channel) => format!("Du hast bereits ein offenes Ticket: <#{channel}>"),
        None => "Dein Ticket wird gerade erstellt. Bitte warte einen Augenblick.".to_owned(),
    }
}

/// The answer to a click or command from another server or a direct message.
pub const OTHER_GUILD: &str = "Dieser Bot ist nur auf seinem Server zuständig.";

/// When the next ticket is possible; Discord shows it in the reader's own time zone.
fn next_possible(next_unix: i64) -> String {
    format!("<t:{next_unix}:f> (<t:{next_unix}:R>)")
}

pub fn ticket_limit_per_day(limit: u32, next_unix: i64) -> String {
    let tickets = match limit {
        1 => "ein Ticket".to_owned(),
        n => format!("{n} Tickets"),
    };
    format!(
        "Du hast in den letzten 24 Stunden bereits {tickets} eröffnet, mehr sind nicht möglich. \
         Dein nächstes Ticket kannst du ab {} eröffnen.",
        next_possible(next_unix)
    )
}

pub fn ticket_cooldown(next_unix: i64) -> String {
    format!(
        "Zwischen zwei Tickets muss etwas Zeit vergehen. \
         Dein nächstes Ticket kannst du ab {} eröffnen.",
        next_possible(next_unix)
    )
}

pub const OPEN_FAILED: &str = "Das Ticket konnte gerade nicht erstellt werden. \
     Bitte versuche es in ein paar Minuten erneut; das Team wurde informiert.";

pub fn claimed(number: i64, claimer_id: u64) -> String {
    format!("Ticket #{number} wurde von <@{claimer_id}> beansprucht.")
}

pub fn taken_over(number: i64, claimer_id: u64) -> String {
    format!("Ticket #{number} wurde von <@{claimer_id}> übernommen.")
}

pub fn closing(number: i64) -> String {
    format!("Ticket #{number} wird geschlossen. Bitte hier nichts mehr schreiben.")
}

pub const CLOSED_NOTICE: &str =
    "Ticket ist nun geschlossen. Das Transkript wurde automatisch erstellt und gespeichert.";

pub fn deleting(number: i64) -> String {
    format!("Ticket #{number} wird nun gelöscht (Transkript bleibt gespeichert).")
}

pub fn transcript_saved(number: i64, messages: usize) -> String {
    format!(
        "Transkript für Ticket #{number} wurde erstellt und gespeichert ({messages} Nachrichten)."
    )
}

pub const NOT_STAFF: &str = "Du bist kein Supporter/Admin und darfst das nicht!";
pub const NOT_ADMIN: &str = "Nur Admins dürfen diesen Befehl benutzen.";
pub const NOT_STAFF_OR_OPENER: &str =
    "Nur das Team oder die Person, die das Ticket eröffnet hat, darf es schließen.";
pub const NOT_A_TICKET: &str = "Dies ist kein Ticket-Kanal.";
pub const UNKNOWN_ACTION: &str =
    "Diese Schaltfläche kenne ich nicht (mehr). Bitte wende dich an das Team.";
pub const TICKET_NOT_OPEN: &str = "Dieses Ticket ist bereits geschlossen.";
pub const ALREADY_CLAIMED_BY_YOU: &str = "Du hast dieses Ticket bereits beansprucht.";
pub const TEMPORARILY_UNAVAILABLE: &str = "Dieses Ticket ist gerade gestört. \
     Deine Nachrichten werden gespeichert; ein Admin wurde informiert.";
pub const INTERNAL_ERROR: &str =
    "Da ist etwas schiefgelaufen. Bitte versuche es gleich noch einmal; das Team wurde informiert.";
pub const STORAGE_FAILED: &str = "Das konnte gerade nicht gespeichert werden: der Bot hat ein \
     Speicherproblem. Es wurde nichts geändert; bitte versuche es in ein paar Minuten erneut.";

/// What the person who clicked is told when their action failed with `err`.
pub fn action_failed(err: &crate::error::Error) -> &'static str {
    if err.is_storage() {
        STORAGE_FAILED
    } else {
        INTERNAL_ERROR
    }
}

pub fn claimed_by_other(claimer_id: i64) -> String {
    format!("Dieses Ticket wurde bereits von <@{claimer_id}> beansprucht.")
}

pub fn claim_limit(limit: u32) -> String {
    format!(
        "Du hast bereits {limit} beanspruchte Tickets. Schließe zuerst eines, bevor du ein weiteres übernimmst."
    )
}

pub const SECRETARY_STEPS_BACK_CLAIMED: &str =
    "Ein Teammitglied hat das Ticket übernommen. Ich beende meine Antworten.";
pub const SECRETARY_STEPS_BACK_STAFF: &str =
    "Ein Supporter oder Administrator ist jetzt anwesend. Ich beende meine Antworten.";

// Log channel titles.
pub const LOG_OPENED: &str = "Ticket erstellt";
pub const LOG_CLAIMED: &str = "Ticket beansprucht";
pub const LOG_CLOSED: &str = "Ticket geschlossen";
pub const LOG_DELETED: &str = "Ticket gelöscht";
pub const LOG_CHANNEL_GONE: &str = "Ticket-Kanal von Hand gelöscht";
pub const LOG_CLEANUP: &str = "Ticket-Kanal aufgeräumt";
pub const LOG_TRANSCRIPT: &str = "Transkript erstellt";
pub const LOG_REFUSED: &str = "Aktion abgelehnt";
pub const LOG_OPEN_FAILED: &str = "Ticket konnte nicht erstellt werden";
pub const LOG_DEGRADED: &str = "Ticket gestört";
pub const LOG_UNPOSTABLE: &str = "Log-Eintrag nicht postbar";

pub fn log_unpostable(title: &str) -> String {
    format!("Discord hat den Eintrag „{title}“ abgelehnt; er steht vollständig im Bot-Log.")
}

pub const LOG_CATEGORY_NEARLY_FULL: &str = "Ticket-Kategorie fast voll";

pub fn category_nearly_full(category_id: u64, count: usize, max: usize) -> String {
    format!(
        "Die Kategorie <#{category_id}> (`{category_id}`) enthält {count} von {max} Kanälen, \
         die Discord in einer Kategorie erlaubt. Ist sie voll, kann der Bot dort keine Tickets \
         mehr anlegen oder hineinverschieben. Bitte alte geschlossene Tickets löschen oder \
         `TICKET_CLEANUP_DAYS` verringern."
    )
}

// The AI secretary Sigrid (src/ai).
pub const SECRETARY_ASK_ID: &str = "Ich konnte in deiner Nachricht keine gültige ID finden. \
     Eine ID besteht aus mindestens 16 Buchstaben und Ziffern, ohne Leerzeichen. \
     Bitte schicke sie mir noch einmal.";

pub fn secretary_unknown_id(id: &str) -> String {
    format!(
        "Die ID `{id}` finde ich in unserer Ban-Datenbank nicht. \
         Bitte prüfe sie und schicke sie mir noch einmal."
    )
}

/// The scripted intake once the ID is known: explain the reason (if known) and ask for the appeal.
pub fn secretary_ask_appeal(ban_reason: Option<&str>) -> String {
    match ban_reason {
        Some(reason) => format!(
            "Danke! Laut unserer Datenbank wurdest du aus folgendem Grund gebannt: {reason}\n\
             Bitte schildere in deinen eigenen Worten, warum der Bann aufgehoben werden sollte."
        ),
        None => "Danke, ich habe deine ID notiert. Bitte nenne den Grund deines Banns und \
                 schildere in deinen eigenen Worten, warum er aufgehoben werden sollte."
            .to_owned(),
    }
}

pub const SECRETARY_HANDOVER: &str =
    "Danke, ich habe alles für das Team zusammengefasst. Ein Teammitglied meldet sich bei dir.";
pub const SECRETARY_DECLINED: &str = "Leider kann ich deinen Entbannungsantrag so nicht \
     weitergeben. Das Team wurde informiert und entscheidet abschließend.";
pub const SECRETARY_LIMIT: &str = "Ich gebe dein Anliegen jetzt an das Team weiter. \
     Ein Teammitglied meldet sich bei dir.";

pub const VERDICT_TITLE: &str = "Zusammenfassung für das Team";
pub const VERDICT_BAN_ID: &str = "Ban-ID";
pub const VERDICT_PLAYER: &str = "Spielername";
pub const VERDICT_REASON: &str = "Banngrund";
pub const VERDICT_COOPERATIVE: &str = "Kooperativ";
pub const VERDICT_SOURCE: &str = "Quelle";
pub const VERDICT_LIMIT_SUMMARY: &str =
    "Das Gesprächslimit der Sekretärin ist erreicht; bitte den Verlauf im Kanal lesen.";

pub const LOG_VERDICT: &str = "Sekretärin: Übergabe an das Team";
pub const LOG_AI_FALLBACK: &str = "Sekretärin: Skript statt KI";
pub const LOG_BAN_LOOKUP_FAILED: &str = "Sekretärin: Ban-Datenbank nicht erreichbar";

// Staff workflow: unclaim, transfer, members, rename, blacklist, tags.
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
