//! The one thing the model can do besides talking: `submit_verdict`.

use serde::Deserialize;
use serde_json::{Value, json};

pub const TOOL_NAME: &str = "submit_verdict";

/// The arguments of a `submit_verdict` call.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Verdict {
    #[serde(default)]
    pub ban_id: String,
    #[serde(default)]
    pub ban_reason: String,
    pub cooperative: bool,
    pub summary: String,
}

impl Verdict {
    pub fn parse(arguments: &str) -> Option<Self> {
        serde_json::from_str::<Self>(arguments)
            .ok()
            .filter(|v| !v.summary.trim().is_empty())
    }
}

/// JSON schema of the tool's parameters.
pub fn parameters() -> Value {
    json!({
        "type": "object",
        "properties": {
            "ban_id": { "type": "string", "description": "Die Spieler-ID des Nutzers (leer, wenn unbekannt)." },
            "ban_reason": { "type": "string", "description": "Der Banngrund laut Datenbank oder laut Nutzer." },
            "cooperative": { "type": "boolean", "description": "false, wenn der Antrag wegen dreimal unkooperativen Verhaltens abgelehnt wird." },
            "summary": { "type": "string", "description": "Ein Absatz für das Team: was der Nutzer zu seinem Bann sagt und wie er sich verhalten hat." }
        },
        "required": ["ban_id", "ban_reason", "cooperative", "summary"],
        "additionalProperties": false
    })
}
