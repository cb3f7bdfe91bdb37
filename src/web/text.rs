//! Every sentence the panel shows to a person, in one place (German, as in the original panel).

use crate::audit::AuditAction;

pub const LOGIN_EXPIRED: &str = "Die Anmeldung ist abgelaufen oder wurde in einem anderen Fenster begonnen. Bitte melde dich erneut an.";
pub const LOGIN_STATE_MISMATCH: &str =
    "Die Anmeldung konnte nicht bestätigt werden (ungültiger Status). Bitte melde dich erneut an.";
pub const LOGIN_CANCELLED: &str = "Discord-Login abgebrochen.";
pub const LOGIN_NO_CODE: &str = "Discord-Login abgebrochen (kein Code).";
pub const TOKEN_FAILED: &str = "Fehler beim Tokenabruf. Bitte melde dich erneut an.";
pub const USER_FAILED: &str = "Fehler beim Abruf der Nutzerinformationen.";
pub const MEMBER_LOOKUP_FAILED: &str = "Deine Rollen konnten gerade nicht bei Discord geprüft werden. Bitte versuche es gleich noch einmal.";
pub const NOT_A_MEMBER: &str = "Du bist nicht auf dem Discord-Server oder keine Berechtigung.";
pub const MISSING_ROLE: &str = "Du hast keine der erforderlichen Rollen. Zugriff verweigert.";
pub const LOGGED_OUT: &str = "Du wurdest abgemeldet.";
pub const ROLE_CHECK_FAILED: &str = "Deine Rollen konnten gerade nicht bei Discord geprüft werden, deshalb ist der Zugang gesperrt. Bitte versuche es gleich noch einmal oder melde dich erneut an.";
pub const LOGOUT_UNCONFIRMED: &str = "Die Abmeldung kam nicht von dieser Seite und wurde nicht ausgeführt. Bitte nutze den Knopf „Abmelden“ im Panel.";
pub const NOT_FOUND: &str = "Diese Seite gibt es nicht.";
pub const TICKET_NOT_FOUND: &str = "Dieses Ticket gibt es nicht.";
pub const FILE_NOT_FOUND: &str = "Diese Datei gibt es in diesem Ticket nicht.";
pub const TRANSCRIPT_NOT_FOUND: &str = "Dieses Transkript gibt es nicht.";
pub const INTERNAL: &str = "Ein interner Fehler ist aufgetreten. Bitte versuche es später erneut.";
pub const DATABASE_DOWN: &str =
    "Die Datenbank ist gerade nicht erreichbar. Bitte versuche es später erneut.";
pub const BAD_REQUEST: &str = "Die Anfrage war ungültig.";

pub const LOGIN_NEEDED: &str = "Bitte melde dich mit Discord an, um das Ticket-Panel zu sehen.";
pub const TITLE_LOGIN: &str = "Bitte anmelden";
pub const TITLE_LOGIN_FAILED: &str = "Anmeldung fehlgeschlagen";
pub const TITLE_FORBIDDEN: &str = "Zugriff verweigert";
pub const TITLE_NOT_FOUND: &str = "Nicht gefunden";
pub const TITLE_ERROR: &str = "Fehler";
pub const TITLE_LOGGED_OUT: &str = "Abgemeldet";
pub const TITLE_ROLE_CHECK_FAILED: &str = "Rollenprüfung fehlgeschlagen";

/// The German name of a ticket status.
pub fn status_label(status: &str) -> &'static str {
    match status {
        "opening" => "wird eröffnet",
        "open" => "offen",
        "claimed" => "übernommen",
        "closed" => "geschlossen",
        "deleted" => "gelöscht",
        "failed" => "fehlgeschlagen",
        _ => "unbekannt",
    }
}

/// The statuses the list can be filtered by, in the order of the filter menu.
pub const STATUS_FILTERS: [&str; 6] = ["open", "claimed", "closed", "deleted", "opening", "failed"];

/// The German name of each audit action the bot writes (exhaustive: a new action needs one).
pub fn action_label(action: AuditAction) -> &'static str {
    match action {
        AuditAction::Opened => "eröffnet",
        AuditAction::Claimed => "übernommen",
        AuditAction::Closed => "geschlossen",
        AuditAction::Deleted => "gelöscht",
        AuditAction::Transcript => "Transkript gespeichert",
        AuditAction::Refused => "abgelehnt",
        AuditAction::ChannelDeleted => "Kanal in Discord gelöscht",
        AuditAction::Cleanup => "aufgeräumt",
        AuditAction::RestartRequested => "Neustart angefordert",
        AuditAction::Verdict => "KI-Einschätzung",
        AuditAction::Degraded => "beeinträchtigt",
        AuditAction::LegacyImport => "importiert",
        AuditAction::Unclaimed => "freigegeben",
        AuditAction::Transferred => "übergeben",
        AuditAction::MemberAdded => "Mitglied hinzugefügt",
        AuditAction::MemberRemoved => "Mitglied entfernt",
        AuditAction::Renamed => "umbenannt",
        AuditAction::Blacklisted => "auf die Sperrliste gesetzt",
        AuditAction::Unblacklisted => "von der Sperrliste genommen",
        AuditAction::TagSaved => "Textbaustein gespeichert",
        AuditAction::TagDeleted => "Textbaustein gelöscht",
        AuditAction::TagPosted => "Textbaustein gesendet",
        AuditAction::Reopened => "wieder geöffnet",
        AuditAction::CloseRequested => "Schließen angefragt",
        AuditAction::CloseRequestKept => "offen gelassen",
        AuditAction::Rated => "bewertet",
        AuditAction::RatingCommented => "Bewertung kommentiert",
        AuditAction::DmRefused => "Direktnachricht abgelehnt",
        AuditAction::AutoCloseWarned => "vor dem automatischen Schließen gewarnt",
        AuditAction::WaitingOnStaff => "wartet auf das Team",
        AuditAction::DutyOn => "Dienst begonnen",
        AuditAction::DutyOff => "Dienst beendet",
        AuditAction::Assigned => "automatisch zugewiesen",
        AuditAction::Erased => "Daten auf Antrag gelöscht",
    }
}

/// The German name of a stored audit action; unknown actions are shown as stored.
pub fn audit_label(action: &str) -> Option<&'static str> {
    if let Some(known) = AuditAction::parse(action) {
        return Some(action_label(known));
    }
    Some(match action {
        "created" | "ticket_opened" => "eröffnet",
        "ticket_claimed" => "übernommen",
        "unclaimed" => "freigegeben",
        "ticket_closed" => "geschlossen",
        "reopened" => "wieder geöffnet",
        "deleted" | "ticket_deleted" => "gelöscht",
        "transcript" | "transcript_saved" => "Transkript gespeichert",
        "verdict" | "ai_verdict" => "KI-Einschätzung",
        "degraded" => "beeinträchtigt",
        "imported" | "legacy_import" => "importiert",
        "refused" => "Eröffnung abgelehnt",
        "channel_deleted" => "Kanal in Discord gelöscht",
        "cleanup" => "nach Ablauf gelöscht",
        "restart_requested" => "Neustart angefordert",
        "close_requested" | "close_request" => "Schließen angefragt",
        "auto_closed" | "auto_close" => "automatisch geschlossen",
        "transferred" | "transfer" => "übertragen",
        "renamed" | "rename" => "umbenannt",
        "user_added" | "member_added" => "Person hinzugefügt",
        "user_removed" | "member_removed" => "Person entfernt",
        "rated" | "rating" => "bewertet",
        "note" => "Notiz",
        "reply" => "Antwort aus dem Panel",
        _ => return None,
    })
}

/// Why a transcript was saved, in German; unknown reasons (typed by staff) as stored.
pub fn transcript_reason(reason: &str) -> String {
    match reason {
        "close" | "closed" => "beim Schließen",
        "manual" | "command" => "von Hand (/ticket_transcript)",
        "channel_deleted" => "Kanal in Discord gelöscht",
        "cleanup" => "vor dem Löschen",
        "delete" | "deleted" => "beim Löschen",
        "legacy" | "legacy_import" | "imported" => "importiert",
        other => other,
    }
    .to_owned()
}

/// Where the verdict came from, in German.
pub fn verdict_source(source: &str) -> String {
    match source {
        "ai" => "von der KI",
        "script" => "aus dem Fragebogen",
        "manual" => "von Hand",
        "legacy" | "legacy_import" | "imported" => "importiert",
        other => other,
    }
    .to_owned()
}

#[cfg(test)]
mod tests {
    use super::{AuditAction, audit_label};

    #[test]
    fn every_audit_action_the_bot_writes_has_a_panel_label() {
        for action in AuditAction::ALL {
            assert!(audit_label(action.as_str()).is_some(), "{action:?}");
        }
    }
}
