//! Sigrid's decisions over a conversation: whether she listens, which messages wait for an
//! answer, and what a thought comes to (what to store, what to say, whether to hand over). Pure:
//! the ticket actor does what she decides (`tickets::actor::secretary`).

use super::ban_lookup::Lookup;
use super::client::{AiFailure, Answer, Completion};
use super::conversation::{self, ASSISTANT};
use super::script;
use crate::db::models::{AiState, Message, NewAiTurn, Ticket, TicketStatus};
use crate::texts;

/// She answers the opener while the ticket is open, unclaimed and she has not stepped back.
pub fn listens(ticket: &Ticket) -> bool {
    ticket.status() == TicketStatus::Open
        && ticket.claimed_by.is_none()
        && matches!(ticket.ai_state, AiState::Active | AiState::Script)
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
    /// The ban database's evidence images as read (stored on the ticket by the actor).
    pub evidence: Vec<super::evidence::Evidence>,
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
    pub state: AiState,
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
        evidence: _,
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
                            AiState::HandedOver
                        } else {
                            AiState::Declined
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
                state: AiState::HandedOver,
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
                state: AiState::HandedOver,
            },
            closing: texts::SECRETARY_HANDOVER.to_owned(),
        },
    };
    Decision {
        // Said once per ticket: a ticket already on the script does not fall back again.
        fall_back: cause.filter(|_| ticket.ai_state == AiState::Active),
        ..decision(turns, 0, then)
    }
}

fn non_empty(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ai::verdict::Verdict;

    fn ticket(ai_state: AiState) -> Ticket {
        Ticket {
            ai_state,
            ..Ticket::sample(7, 100)
        }
    }

    fn thought(mind: Mind, found: Option<IdFound>) -> Thought {
        Thought {
            pending: Pending {
                up_to: 42,
                text: "mein Text".into(),
            },
            found,
            evidence: Vec::new(),
            turns: vec![conversation::turn(7, conversation::USER, "mein Text")],
            mind,
        }
    }

    fn completion(answer: Answer) -> Mind {
        Mind::Ai(Ok(Completion { answer, tokens: 99 }))
    }

    #[test]
    fn an_answer_is_stored_with_its_tokens_and_said() {
        let decision = decide(
            &ticket(AiState::Active),
            thought(completion(Answer::Text("Deine ID?".into())), None),
        );
        assert_eq!(decision.fall_back, None);
        assert_eq!((decision.tokens, decision.up_to), (99, 42));
        assert_eq!(decision.turns.len(), 2);
        assert_eq!(decision.turns[1].role, ASSISTANT);
        assert_eq!(decision.then, Then::Say("Deine ID?".into()));
    }

    #[test]
    fn a_verdict_keeps_the_looked_up_reason_over_the_models_and_declines_when_uncooperative() {
        let mut looked_up = ticket(AiState::Active);
        looked_up.verdict_ban_id = Some("765".into());
        looked_up.verdict_ban_reason = Some("Teamkill in Serie".into());
        let verdict = Verdict {
            ban_id: " ".into(),
            ban_reason: "erfunden".into(),
            cooperative: false,
            summary: "Sieht nichts ein.".into(),
        };
        let decision = decide(
            &looked_up,
            thought(
                completion(Answer::Verdict {
                    verdict,
                    text: None,
                }),
                None,
            ),
        );
        let Then::HandOver { verdict, closing } = decision.then else {
            panic!("a hand-over");
        };
        assert_eq!(verdict.state, AiState::Declined);
        assert_eq!(verdict.ban_id.as_deref(), Some("765"));
        assert_eq!(verdict.ban_reason.as_deref(), Some("Teamkill in Serie"));
        assert_eq!(verdict.cooperative, Some(false));
        assert_eq!(closing, texts::SECRETARY_DECLINED);
    }

    #[test]
    fn without_the_ai_the_script_asks_and_the_fall_back_is_said_once() {
        let first = decide(&ticket(AiState::Active), thought(Mind::NoAi, None));
        assert!(first.fall_back.is_some());
        assert_eq!(first.then, Then::Say(texts::SECRETARY_ASK_ID.into()));
        let again = decide(&ticket(AiState::Script), thought(Mind::NoAi, None));
        assert_eq!(again.fall_back, None, "already on the script");
    }

    #[test]
    fn the_script_hands_over_once_the_id_is_known() {
        let mut known = ticket(AiState::Script);
        known.verdict_ban_id = Some("765".into());
        let decision = decide(&known, thought(Mind::Script, None));
        let Then::HandOver { verdict, .. } = decision.then else {
            panic!("a hand-over");
        };
        assert_eq!(verdict.source, "script");
        assert_eq!(verdict.ban_reason.as_deref(), Some("mein Text"));
        assert_eq!(decision.turns.len(), 1, "no answer of hers is stored");
    }

    #[test]
    fn over_the_budget_she_hands_over_what_she_has() {
        let decision = decide(&ticket(AiState::Active), thought(Mind::OverBudget, None));
        assert_eq!(decision.tokens, 0);
        let Then::HandOver { verdict, closing } = decision.then else {
            panic!("a hand-over");
        };
        assert_eq!(verdict.summary, texts::VERDICT_LIMIT_SUMMARY);
        assert_eq!(closing, texts::SECRETARY_LIMIT);
    }

    #[test]
    fn an_unknown_id_records_nothing_and_a_failed_lookup_records_the_id_alone() {
        let unknown = IdFound {
            id: "9".into(),
            lookup: Lookup::Unknown,
        };
        assert_eq!(lookup_facts(&unknown), None);
        let failed = IdFound {
            id: "9".into(),
            lookup: Lookup::Failed("503".into()),
        };
        assert_eq!(lookup_facts(&failed), Some((None, None)));
    }

    #[test]
    fn she_listens_only_to_open_unclaimed_tickets_she_has_not_left() {
        assert!(listens(&ticket(AiState::Active)));
        assert!(listens(&ticket(AiState::Script)));
        assert!(!listens(&ticket(AiState::Stopped)));
        let mut claimed = ticket(AiState::Active);
        claimed.claimed_by = Some(200);
        assert!(!listens(&claimed));
    }
}
