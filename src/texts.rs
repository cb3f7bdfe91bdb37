//! Every text the bot shows on Discord, in one place (German, as in the original bot).

mod evidence_erasure;
mod evidence_ocr;
mod staff;

pub use evidence_erasure::*;
pub use evidence_ocr::*;
pub use staff::*;

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

// The close workflow: close with a reason, reopen, close requests, the opener's DM and rating.
pub const LABEL_CLOSE_REASON: &str = "Mit Grund schließen";
pub const LABEL_REOPEN: &str = "Wieder öffnen";
pub const LABEL_CONFIRM_CLOSE: &str = "Schließen bestätigen";
pub const LABEL_KEEP_OPEN: &str = "Offen lassen";

/// Discord allows 45 characters for a modal's title and a field's label.
pub const CLOSE_REASON_TITLE: &str = "Ticket mit Grund schließen";
pub const CLOSE_REASON_LABEL: &str = "Grund";
pub const RATING_COMMENT_TITLE: &str = "Kommentar zur Bewertung";
pub const RATING_COMMENT_LABEL: &str = "Kommentar (freiwillig)";

/// The close message in the closed channel, with the reason when one was given.
pub fn closed_notice(reason: Option<&str>) -> String {
    match reason {
        Some(reason) => format!("{CLOSED_NOTICE}\n**Grund:** {reason}"),
        None => CLOSED_NOTICE.to_owned(),
    }
}

pub fn closed_log(reason: Option<&str>) -> String {
    reason.map(|r| format!("Grund: {r}")).unwrap_or_default()
}

pub fn reopened(number: i64, by: u64) -> String {
    format!("Ticket #{number} wurde wieder geöffnet von <@{by}>.")
}

pub const NOT_REOPENER: &str = "Nur das Team darf dieses Ticket wieder öffnen.";
pub const NOT_STAFF_OR_OPENER_REOPEN: &str =
    "Nur das Team oder die Person, die das Ticket eröffnet hat, darf es wieder öffnen.";
pub const TICKET_NOT_CLOSED: &str = "Dieses Ticket ist nicht geschlossen.";

pub fn reopen_other_open(channel_id: Option<i64>) -> String {
    match channel_id {
        Some(channel) => format!(
            "Das Ticket kann nicht wieder geöffnet werden: es gibt bereits ein offenes Ticket \
             dieser Person: <#{channel}>"
        ),
        None => "Das Ticket kann nicht wieder geöffnet werden: für diese Person wird gerade \
                 ein anderes Ticket erstellt."
            .to_owned(),
    }
}

pub fn close_request(opener: u64, by: u64, reason: Option<&str>, due_unix: i64) -> String {
    let reason = reason
        .map(|r| format!("\n**Grund:** {r}"))
        .unwrap_or_default();
    format!(
        "<@{opener}>, <@{by}> möchte dieses Ticket schließen. Ist dein Anliegen erledigt?{reason}\n\
         Ohne Antwort wird das Ticket <t:{due_unix}:R> geschlossen."
    )
}

pub const CLOSE_REQUEST_SENT: &str = "Die Schließanfrage wurde gestellt.";
pub const CLOSE_REQUEST_ONLY_OPENER: &str =
    "Nur die Person, die das Ticket eröffnet hat, kann diese Anfrage beantworten.";
pub const CLOSE_REQUEST_NOT_PENDING: &str =
    "Diese Schließanfrage ist nicht mehr offen (bereits beantwortet oder abgelaufen).";
pub const CLOSE_REQUEST_ALREADY: &str =
    "Für dieses Ticket wartet bereits eine Schließanfrage auf Antwort.";
pub const CLOSE_REQUEST_KEPT: &str = "Das Ticket bleibt offen.";

pub fn close_request_kept(opener: u64) -> String {
    format!("<@{opener}> möchte das Ticket offen lassen. Die Schließanfrage ist beendet.")
}

pub fn close_request_confirmed(opener: u64) -> String {
    format!("<@{opener}> hat das Schließen bestätigt.")
}

pub const CLOSE_REQUEST_EXPIRED: &str =
    "Keine Antwort auf die Schließanfrage: das Ticket wurde geschlossen.";

/// The direct message to the opener when their ticket ends.
pub fn ended_dm_title(number: i64) -> String {
    format!("Dein Ticket #{number} wurde geschlossen")
}

pub fn ended_dm(closed_by: Option<&str>, reason: Option<&str>) -> String {
    let by = closed_by.unwrap_or("dem System");
    let reason = reason.unwrap_or("kein Grund angegeben");
    format!(
        "Geschlossen von: {by}\nGrund: {reason}\n\nDas Transkript hängt an. \
         Wie zufrieden warst du mit der Hilfe? Bewerte uns mit 1 (schlecht) bis 5 (sehr gut)."
    )
}

pub const RATING_THANKS: &str = "Danke für deine Bewertung.";

pub fn rated_dm(stars: i32) -> String {
    format!("Deine Bewertung: {stars} von 5. Danke!")
}

pub const RATING_TWICE: &str = "Dieses Ticket hast du bereits bewertet.";
pub const RATING_NOT_OPENER: &str =
    "Nur die Person, die das Ticket eröffnet hat, darf es bewerten.";
pub const RATING_UNKNOWN_TICKET: &str =
    "Dieses Ticket gibt es nicht (mehr); nichts wurde gespeichert.";
pub const RATING_NOT_ENDED: &str =
    "Dieses Ticket ist noch offen und kann noch nicht bewertet werden.";
pub const RATING_COMMENT_SAVED: &str = "Danke, dein Kommentar wurde gespeichert.";
pub const RATING_COMMENT_TWICE: &str = "Zu dieser Bewertung gibt es bereits einen Kommentar.";

pub const LOG_REOPENED: &str = "Ticket wieder geöffnet";
pub const LOG_CLOSE_REQUESTED: &str = "Schließen angefragt";
pub const LOG_CLOSE_REQUEST_KEPT: &str = "Schließanfrage abgelehnt";
pub const LOG_RATED: &str = "Ticket bewertet";
pub const LOG_RATING_COMMENT: &str = "Kommentar zur Bewertung";
pub const LOG_DM_REFUSED: &str = "Direktnachricht nicht zustellbar";

pub fn dm_refused(opener: i64) -> String {
    format!(
        "<@{opener}> nimmt keine Direktnachrichten an; Transkript und Bewertung wurden nicht \
         zugestellt."
    )
}
pub const CLOSE_REASON_MISSING: &str = "Bitte gib einen Grund an; das Ticket bleibt offen.";
// Inactivity auto-close (`AUTO_CLOSE_AFTER`).

/// The reason an inactive ticket is closed with; `silent` is `AUTO_CLOSE_AFTER`.
pub fn auto_close_reason(silent: std::time::Duration) -> String {
    format!("keine Antwort seit {}", humantime::format_duration(silent))
}

/// The warning to the opener, who alone is pinged; `closes_at_unix` in seconds.
pub fn auto_close_warning(opener_id: u64, closes_at_unix: i64) -> String {
    format!(
        "<@{opener_id}> Hier wartet das Team auf deine Antwort. Ohne Antwort wird dieses \
         Ticket <t:{closes_at_unix}:R> automatisch geschlossen; schreib einfach eine Nachricht, \
         damit es offen bleibt."
    )
}

pub const LOG_AUTO_CLOSE_WARNED: &str = "Ticket: Warnung vor dem automatischen Schließen";
pub const LOG_WAITING_ON_STAFF: &str = "Ticket wartet auf das Team";

pub fn waiting_on_staff(waited: std::time::Duration) -> String {
    format!(
        "Seit {} wartet dieses Ticket auf eine Antwort des Teams.",
        humantime::format_duration(waited)
    )
}

// Assignment (`AUTO_ASSIGN`) and `/duty`.

pub fn assigned(number: i64, supporter_id: u64) -> String {
    format!("<@{supporter_id}> Ticket #{number} wurde dir automatisch zugewiesen.")
}

pub const LOG_ASSIGNED: &str = "Ticket automatisch zugewiesen";
pub const DUTY_ON: &str = "Du bist jetzt im Dienst: neue Tickets können dir zugewiesen werden.";
pub const DUTY_OFF: &str = "Du bist jetzt nicht mehr im Dienst.";
pub const DUTY_ALREADY_ON: &str = "Du bist bereits im Dienst.";
pub const DUTY_ALREADY_OFF: &str = "Du warst nicht im Dienst.";
pub const LOG_DUTY: &str = "Dienst";

pub const ARCHIVE_FAILED_TITLE: &str = "Anhang nicht archiviert";
pub const ARCHIVE_STORE_DOWN_TITLE: &str = "Anhang-Speicher nicht erreichbar";

pub fn archive_failed(filename: &str, cause: &str, attempts: i32) -> String {
    format!(
        "Der Anhang „{filename}“ konnte nach {attempts} Versuchen nicht heruntergeladen werden \
         ({cause}). Die Nachricht ist gespeichert, die Datei fehlt im Archiv."
    )
}

pub fn archive_store_down(store: &str, cause: &str) -> String {
    format!(
        "Der Speicher für Anhänge ({store}) nimmt keine Dateien an: {cause}. \
         Die Dateien werden später erneut gespeichert."
    )
}

/// Shown in the panel and transcripts for a file over `ATTACHMENT_MAX_MB`.
pub fn not_archived_too_large(max_mb: u32) -> String {
    format!("nicht archiviert: größer als {max_mb} MB")
}

/// Shown in the panel and transcripts for a file whose download failed for good.
pub fn not_archived_failed(cause: &str) -> String {
    format!("nicht archiviert: Download fehlgeschlagen ({cause})")
}
