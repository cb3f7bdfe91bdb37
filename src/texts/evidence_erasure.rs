//! Texts of erasure on request and of the retention sweep (issue 17).

/// What stands where an erased member's name stood (messages, tickets, audit, transcripts).
pub const ERASED_NAME: &str = "[gelöscht]";

/// The log channel's title for an erasure.
pub const ERASURE_LOG_TITLE: &str = "Daten auf Antrag gelöscht";

/// The log channel's title for a retention sweep that removed something.
pub const RETENTION_LOG_TITLE: &str = "Aufbewahrungsfrist abgelaufen";

/// The audit row's detail on each ticket of the member.
pub fn erased_detail(at: &str, by: &str) -> String {
    format!("erased on request at {at}, by {by}")
}

/// The log channel's line for an erasure.
pub fn erasure_logged(user: u64, tickets: usize, messages: usize, files: usize) -> String {
    format!(
        "Die Daten von Mitglied {user} wurden gelöscht: {tickets} Ticket(s) anonymisiert, \
         {messages} Nachricht(en) geleert, {files} Datei(en) entfernt."
    )
}

/// The log channel's line for a retention sweep.
pub fn retention_logged(tickets: &[i64], days: u64, files: usize) -> String {
    let numbers: Vec<String> = tickets.iter().map(|id| format!("#{id}")).collect();
    format!(
        "{} Ticket(s) älter als {days} Tage entfernt ({}), {files} Datei(en) gelöscht.",
        tickets.len(),
        numbers.join(", ")
    )
}

/// The panel's button on the ticket page, and the confirmation step.
pub const ERASE_BUTTON: &str = "Daten löschen";
pub const ERASE_CONFIRM: &str = "Endgültig löschen";

pub fn erase_question(user: u64) -> String {
    format!(
        "Alle gespeicherten Texte, Namen, Dateien und Bewertungskommentare von Mitglied {user} \
         werden endgültig gelöscht. Die Tickets behalten Nummer und Status."
    )
}

pub fn erase_done(user: u64) -> String {
    format!("Die Daten von Mitglied {user} wurden gelöscht.")
}

pub fn erase_nothing(user: u64) -> String {
    format!("Für Mitglied {user} ist nichts (mehr) gespeichert; nichts geändert.")
}

/// The panel's refusals of an erasure.
pub const ERASE_ADMINS_ONLY: &str = "Nur Mitglieder mit der Admin-Rolle dürfen Daten löschen.";
pub const ERASE_UNCONFIRMED: &str =
    "Die Löschung wurde nicht bestätigt (das Formular war abgelaufen); nichts geändert.";
/// The confirmation page's title.
pub const ERASE_TITLE: &str = "Daten eines Mitglieds löschen";
