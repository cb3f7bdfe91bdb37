//! The OpenAI-compatible chat client: one request at a time per ticket, a timeout per request,
//! and a limit on requests in flight across all tickets of a bot.

use std::time::Duration;

use async_openai::Client;
use async_openai::config::OpenAIConfig;
use async_openai::types::chat::{
    ChatCompletionMessageToolCalls, ChatCompletionRequestMessage, ChatCompletionTool,
    ChatCompletionTools, CreateChatCompletionRequest, FunctionObject,
};
use tokio::sync::Semaphore;

use super::verdict::{self, Verdict};
use crate::config::AiConfig;

/// AI requests in flight across all tickets of a bot (its tickets share one client).
pub const MAX_CONCURRENT: usize = 8;

/// What the model answered.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Text(String),
    /// `text` is what she said along with the call, if anything.
    Verdict {
        verdict: Verdict,
        text: Option<String>,
    },
}

#[derive(Debug, Clone)]
pub struct Completion {
    pub answer: Answer,
    pub tokens: i64,
}

/// Why there is no answer; every kind leads to the scripted intake.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AiFailure {
    #[error("keine Antwort innerhalb von {0} s")]
    Timeout(u64),
    #[error("API-Fehler: {0}")]
    Api(String),
    #[error("unbrauchbare Antwort: {0}")]
    Malformed(String),
}

pub struct AiClient {
    client: Client<OpenAIConfig>,
    model: String,
    timeout: Duration,
    permits: Semaphore,
}

impl AiClient {
    /// `None` without `OPENAI_API_KEY`.
    pub fn new(config: &AiConfig) -> Option<Self> {
        let key = config.api_key.as_deref().filter(|k| !k.is_empty())?;
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(|err| tracing::error!(error = %err, "could not build the AI HTTP client"))
            .ok()?;
        let openai = OpenAIConfig::new()
            .with_api_key(key)
            .with_api_base(config.base_url.clone());
        Some(Self {
            client: Client::with_config(openai).with_http_client(http),
            model: config.model.clone(),
            timeout: config.timeout,
            permits: Semaphore::new(MAX_CONCURRENT),
        })
    }

    /// One request, counted in the metrics with its latency and whether it gave an answer.
    pub async fn complete(
        &self,
        messages: Vec<ChatCompletionRequestMessage>,
    ) -> Result<Completion, AiFailure> {
        let started = std::time::Instant::now();
        let completion = self.request(messages).await;
        crate::metrics::ai_request(started.elapsed(), completion.is_ok());
        completion
    }

    async fn request(
        &self,
        messages: Vec<ChatCompletionRequestMessage>,
    ) -> Result<Completion, AiFailure> {
        let request = CreateChatCompletionRequest {
            model: self.model.clone(),
            messages,
            tools: Some(vec![ChatCompletionTools::Function(ChatCompletionTool {
                function: FunctionObject {
                    name: verdict::TOOL_NAME.to_owned(),
                    description: Some(
                        "Übergibt das Ticket mit einer Zusammenfassung an das Team. Beendet das Gespräch."
                            .to_owned(),
                    ),
                    parameters: Some(verdict::parameters()),
                    strict: None,
                },
            })]),
            ..Default::default()
        };
        // Waiting for a permit counts against the timeout too: the ticket never hangs.
        let call = async {
            let _permit = self
                .permits
                .acquire()
                .await
                .map_err(|e| AiFailure::Api(e.to_string()))?;
            self.client.chat().create(request).await.map_err(classify)
        };
        let response = tokio::time::timeout(self.timeout, call)
            .await
            .map_err(|_| AiFailure::Timeout(self.timeout.as_secs()))??;
        let tokens = response
            .usage
            .as_ref()
            .map_or(0, |u| i64::from(u.total_tokens));
        let message = response
            .choices
            .into_iter()
            .next()
            .ok_or_else(|| AiFailure::Malformed("keine Auswahl".into()))?
            .message;
        let text = message.content.filter(|t| !t.trim().is_empty());
        let call = message
            .tool_calls
            .unwrap_or_default()
            .into_iter()
            .find_map(|call| match call {
                ChatCompletionMessageToolCalls::Function(call) => Some(call.function),
                ChatCompletionMessageToolCalls::Custom(_) => None,
            });
        let answer = match (call, text) {
            (Some(function), text) if function.name == verdict::TOOL_NAME => {
                let verdict = Verdict::parse(&function.arguments).ok_or_else(|| {
                    AiFailure::Malformed(format!("submit_verdict: {}", function.arguments))
                })?;
                Answer::Verdict { verdict, text }
            }
            (Some(function), _) => {
                return Err(AiFailure::Malformed(format!(
                    "unbekanntes Werkzeug {}",
                    function.name
                )));
            }
            (None, Some(text)) => Answer::Text(text),
            (None, None) => return Err(AiFailure::Malformed("leere Antwort".into())),
        };
        Ok(Completion { answer, tokens })
    }
}

fn classify(err: async_openai::error::OpenAIError) -> AiFailure {
    use async_openai::error::OpenAIError;
    match err {
        OpenAIError::JSONDeserialize(err, _) => AiFailure::Malformed(err.to_string()),
        other => AiFailure::Api(other.to_string()),
    }
}
