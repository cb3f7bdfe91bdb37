//! Sigrid's thinking about one batch of opener messages: the ban lookup and the AI request,
//! run off the actor. No Discord, no database: the actor hands in what the request needs and
//! applies what comes back.

use std::future::Future;
use std::sync::Arc;

use super::ban_lookup;
use super::client::{AiClient, AiFailure};
use super::conversation::{self, DATA, NOTE, USER};
use super::evidence::{Evidence, Reader};
use super::secretary::{IdFound, Mind, Pending, Thought};
use super::{player_id, prompt};
use crate::config::Config;
use crate::db::models::{AiState, AiTurn, Ticket};
use crate::error::Result;

/// The clients every ticket's secretary shares: built once per bot (a reqwest client costs
/// hundreds of KiB), cloned cheaply where a request runs.
#[derive(Clone)]
pub struct Clients {
    model: Option<Arc<AiClient>>,
    http: reqwest::Client,
    ban_lookup_url: Option<String>,
    /// Downloads and reads images (ban evidence, the opener's screenshots).
    pub(crate) reader: Reader,
}

impl Clients {
    pub fn new(config: &Config) -> Self {
        Self {
            model: AiClient::new(&config.ai).map(Arc::new),
            http: reqwest::Client::new(),
            ban_lookup_url: config.ai.ban_lookup_url.clone(),
            reader: Reader {
                ocr: crate::ocr::Ocr::detect(&config.ocr),
                http: crate::attachments::fetch::client(),
                files: None,
                max_bytes: config.attachments.max_bytes(),
            },
        }
    }

    /// Images read are kept in `files`, the attachment archive's store.
    pub fn with_files(mut self, files: crate::attachments::FileStore) -> Self {
        self.reader.files = Some(files);
        self
    }
}

/// Thinks about `pending`: looks up a player id it names, then asks the model (or leaves the
/// answer to the script). `history` is read only when the model is asked.
pub async fn think<H>(clients: Clients, ticket: &Ticket, pending: Pending, history: H) -> Thought
where
    H: Future<Output = Result<Vec<AiTurn>>>,
{
    let mut evidence: Vec<Evidence> = Vec::new();
    let found = match player_id::find(&pending.text) {
        Some(id) => {
            let (lookup, urls) = ban_lookup::lookup_with_evidence(
                &clients.http,
                clients.ban_lookup_url.as_deref(),
                &id,
            )
            .await;
            evidence = clients.reader.read_all(ticket.id, &urls).await;
            Some(IdFound { id, lookup })
        }
        None => None,
    };
    let mut turns = Vec::new();
    if let Some(found) = &found {
        turns.push(conversation::turn(
            ticket.id,
            NOTE,
            prompt::lookup_note(&found.lookup, &found.id),
        ));
        if let Some(data) = prompt::lookup_data(&found.lookup, &found.id) {
            turns.push(conversation::turn(ticket.id, DATA, data));
        }
        // One entry per image, so the numbers match the images; empty ones are left out.
        let texts: Vec<&str> = evidence
            .iter()
            .map(|e| e.text.as_deref().unwrap_or_default())
            .collect();
        if let Some(data) = prompt::image_texts_data(prompt::EVIDENCE_DATA_PREFIX, &texts) {
            turns.push(conversation::turn(ticket.id, DATA, data));
        }
    }
    turns.push(conversation::turn(ticket.id, USER, pending.text.clone()));
    let mind = if ticket.ai_state == AiState::Script {
        Mind::Script
    } else if conversation::over_budget(ticket) {
        Mind::OverBudget
    } else if let Some(client) = clients.model {
        match history.await {
            Ok(history) => Mind::Ai(
                client
                    .complete(conversation::request_messages(&history, &turns))
                    .await,
            ),
            Err(err) => Mind::Ai(Err(AiFailure::Api(format!("Verlauf nicht lesbar: {err}")))),
        }
    } else {
        Mind::NoAi
    };
    Thought {
        pending,
        found,
        evidence,
        turns,
        mind,
    }
}
