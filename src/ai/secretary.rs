//! Sigrid's decisions over a conversation: whether she listens, which messages wait for an
//! answer, and what a thought comes to (what to store, what to say, whether to hand over). Pure:
//! the ticket actor does what she decides (`tickets::actor::secretary`).

use super::ban_lookup::Lookup;
use super::client::{AiFailure, Answer, Completion};
use super::conversation::{self, ASSISTANT};
use super::script;
use crate::db::models::{Message, NewAiTurn, Ticket, TicketStatus};
use crate::texts;

/// `tickets.ai_state` values.
pub const ACTIVE: &str = "active";
/// The AI is unavailable for this ticket; the scripted intake runs.
pub const SCRIPT: &str = "script";
pub const HANDED_OVER: &str = "handed_over";
pub const DECLINED: &str = "declined";
pub const STOPPED: &str = "stopped";

/// She answers the opener while the ticket is open, unclaimed and she has not stepped back.
pub fn listens(ticket: &Ticket) -> bool {
    ticket.status() == TicketStatus::Open
        && ticket.claimed_by.is_none()
        && matches!(ticket.ai_state.as_str(), ACTIVE | SCRIPT)
}

/// The opener's messages she has not answered yet, joined.
#[derive(Debug, Clone)]
pub struct Pending {
    pub up_to: i64,
    pub text: String,
}

/// What waits for an answer among the opener's `unanswered` messages; None when nothing does.
pub fn pending(unanswered: &[Message]) -> Option<Pending> {
    let up_to = unanswered.iter().map(|m| m.id).max()?;
    let text = unanswered
        .iter()
        .map(|m| m.content.trim())
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    Some(Pending { up_to, text })
}

#[derive(Debug, Clone)]
pub struct IdFound {
    pub id: String,
    pub lookup: Lookup,
}

#[derive(Debug)]
pub enum Mind {
    Ai(Result<Completion, AiFailure>),
    /// No `OPENAI_API_KEY`.
    NoAi,
    Script,
    OverBudget,
}

/// The result of thinking about one batch of opener messages.
#[derive(Debug)]
pub struct Thought {
    pub pending: Pending,
    pub found: Option<IdFound>,
    /// The turns this batch adds before her answer (lookup note, the user's text).
    pub turns: Vec<NewAiTurn>,
    pub mind: Mind,
}

/// The ban facts a lookup gives the ticket (player name, ban reason); None when the id is
/// unknown to the ban database, so nothing is recorded.
pub fn lookup_facts(found: &IdFound) -> Option<(Option<String>, Option<String>)> {
    match &found.lookup {
        Lookup::Unknown => None,
        Lookup::Found {
            reason,
            player_name,
        } => Some((player_name.clone(), Some(reason.clone()))),
        Lookup::Failed(_) | Lookup::NotConfigured => Some((None, None)),
    }
}

/// What a hand-over stores: the verdict and where she stands afterwards.
#[derive(Debug, Clone, PartialEq)]
pub struct Handover {
    pub source: &'static str,
    pub ban_id: Option<String>,
    pub ban_reason: Option<String>,
    pub cooperative: Option<bool>,
    pub summary: String,
    pub state: &'static str,
}

/// What she does after the turns are stored.
#[derive(Debug, Clone, PartialEq)]
pub enum Then {
    Say(String),
    /// Store the verdict, say `closing`, post the verdict for the staff.
    HandOver {
        verdict: Handover,
        closing: String,
    },
}

/// What a thought comes to, in the order it is done.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// Switch to the scripted intake first, for this cause (once per ticket).
    pub fall_back: Option<String>,
    /// Stored together with the tokens used and the newest answered message.
    pub turns: Vec<NewAiTurn>,
    pub tokens: i64,
    pub up_to: i64,
    pub then: Then,
}

/// Decides what `thought` comes to for `ticket` as it is once the lookup is recorded.
pub fn decide(ticket: &Ticket, thought: Thought) -> Decision {
    let Thought {
        pending,
        found,
        mut turns,
        mind,
    } = thought;
    let id = ticket.id;
    let decision = |turns, tokens, then| Decision {
        fall_back: None,
        turns,
        tokens,
        up_to: pending.up_to,
        then,
    };
    let cause = match mind {
        Mind::Ai(Ok(Completion { answer, tokens })) => {
            return match answer {
                Answer::Text(text) => {
                    turns.push(conversation::turn(id, ASSISTANT, text.clone()));
                    decision(turns, tokens, Then::Say(text))
                }
                Answer::Verdict { verdict, text } => {
                    turns.push(conversation::turn(
                        id,
                        ASSISTANT,
                        format!("[submit_verdict] {}", verdict.summary),
                    ));
                    let closing = text.unwrap_or_else(|| {
                        if verdict.cooperative {
                            texts::SECRETARY_HANDOVER
                        } else {
                            texts::SECRETARY_DECLINED
                        }
                        .to_owned()
                    });
                    let verdict = Handover {
                        source: "ai",
                        ban_id: non_empty(&verdict.ban_id).or(ticket.verdict_ban_id.clone()),
                        ban_reason: ticket
                            .verdict_ban_reason
                            .clone()
                            .or(non_empty(&verdict.ban_reason)),
                        cooperative: Some(verdict.cooperative),
                        summary: verdict.summary,
                        state: if verdict.cooperative {
                            HANDED_OVER
                        } else {
                            DECLINED
                        },
                    };
                    decision(turns, tokens, Then::HandOver { verdict, closing })
                }
            };
        }
        Mind::OverBudget => {
            let verdict = Handover {
                source: "ai",
                ban_id: ticket.verdict_ban_id.clone(),
                ban_reason: ticket.verdict_ban_reason.clone(),
                cooperative: None,
                summary: texts::VERDICT_LIMIT_SUMMARY.to_owned(),
                state: HANDED_OVER,
            };
            let closing = texts::SECRETARY_LIMIT.to_owned();
            return decision(turns, 0, Then::HandOver { verdict, closing });
        }
        Mind::Script => None,
        Mind::Ai(Err(failure)) => Some(failure.to_string()),
        Mind::NoAi => Some("OPENAI_API_KEY ist nicht gesetzt".to_owned()),
    };
    let step = script::step(
        found.as_ref().map(|f| (f.id.as_str(), &f.lookup)),
        ticket.verdict_ban_id.is_some(),
        &pending.text,
    );
    let then = match step {
        script::Step::Ask(text) => {
            turns.push(conversation::turn(id, ASSISTANT, text.clone()));
            Then::Say(text)
        }
        script::Step::HandOver { summary } => Then::HandOver {
            verdict: Handover {
                source: "script",
                ban_id: ticket.verdict_ban_id.clone(),
                ban_reason: ticket
                    .verdict_ban_reason
                    .clone()
                    .or_else(|| non_empty(&summary)),
                cooperative: None,
                summary,
                state: HANDED_OVER,
            },
            closing: texts::SECRETARY_HANDOVER.to_owned(),
        },
    };
    Decision {
        // Said once per ticket: a ticket already on the script does not fall back again.
        fall_back: cause.filter(|_| ticket.ai_state == ACTIVE),
        ..decision(turns, 0, then)
    }
}

fn non_empty(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}
