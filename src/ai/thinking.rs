//! Sigrid's thinking about one batch of opener messages: the ban lookup and the AI request,
//! run off the actor. No Discord, no database: the actor hands in what the request needs and
//! applies what comes back.

use std::future::Future;
use std::sync::Arc;

use super::ban_lookup;
use super::client::{AiClient, AiFailure};
use super::conversation::{self, DATA, NOTE, USER};
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
}

impl Clients {
    pub fn new(config: &Config) -> Self {
        Self {
            model: AiClient::new(&config.ai).map(Arc::new),
            http: reqwest::Client::new(),
            ban_lookup_url: config.ai.ban_lookup_url.clone(),
        }
    }
}

/// Thinks about `pending`: looks up a player id it names, then asks the model (or leaves the
/// answer to the script). `history` is read only when the model is asked.
pub async fn think<H>(clients: Clients, ticket: &Ticket, pending: Pending, history: H) -> Thought
where
    H: Future<Output = Result<Vec<AiTurn>>>,
{
    let found = match player_id::find(&pending.text) {
        Some(id) => {
            let lookup =
                ban_lookup::lookup(&clients.http, clients.ban_lookup_url.as_deref(), &id).await;
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
        turns,
        mind,
    }
}
