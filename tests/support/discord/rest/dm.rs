//! Direct messages and modals, as Discord serves them: `POST /users/@me/channels` opens (or
//! finds) the DM channel with a user; a post there is refused with 403 / 50007 "Cannot send
//! messages to this user" when the user does not accept DMs; a modal (callback type 9) is
//! checked against Discord's limits and kept for [`Model::modal_submit_payload`].

use serde_json::{Value, json};

use super::super::model::*;
use super::{Handled, Incoming, Reply, parse_id, snowflake};

/// Discord's limits for a modal.
const CUSTOM_ID_MAX: usize = 100;
const TITLE_MAX: usize = 45;
const LABEL_MAX: usize = 45;

impl Model {
    pub(in crate::support::discord) fn is_dm_channel(&self, id: &str) -> bool {
        parse_id(id).is_ok_and(|id| self.dm_channels.contains_key(&id))
    }

    fn dm_channel_json(&self, channel: u64, recipient: u64) -> Value {
        json!({
            "id": channel.to_string(),
            "type": 1,
            "last_message_id": self.messages.get(&channel)
                .and_then(|h| h.last()).map(|m| m.id.to_string()),
            "flags": 0,
            "recipients": [self.user_json(recipient)],
        })
    }

    /// `POST /users/@me/channels` with `{"recipient_id": …}`.
    pub(super) fn open_dm(&mut self, body: &Value) -> Handled {
        let recipient = snowflake(&body["recipient_id"]).ok_or_else(|| {
            Reply::invalid_form(
                "recipient_id",
                "BASE_TYPE_REQUIRED",
                "This field is required",
            )
        })?;
        if !self.users.contains_key(&recipient) {
            return Err(Reply::unknown("User", 10013));
        }
        let existing = self
            .dm_channels
            .iter()
            .find(|(_, user)| **user == recipient)
            .map(|(channel, _)| *channel);
        let channel = match existing {
            Some(channel) => channel,
            None => {
                let channel = self.next_id();
                self.dm_channels.insert(channel, recipient);
                channel
            }
        };
        Ok(Reply::ok(self.dm_channel_json(channel, recipient)))
    }

    /// `POST /channels/{dm}/messages`.
    pub(super) fn post_dm(&mut self, channel: u64, r: &Incoming) -> Handled {
        let recipient = self.dm_channels[&channel];
        if self.refuses_dms.contains(&recipient) {
            return Err(Reply::error(
                403,
                50007,
                "Cannot send messages to this user",
            ));
        }
        let mut msg = self.new_message(channel, self.bot_user_id, 0);
        self.apply_message_body(&mut msg, r, false)?;
        msg.flags &= !FLAG_EPHEMERAL;
        let mut v = self.message_json(&msg);
        v["channel_type"] = json!(1);
        // No MESSAGE_CREATE: the bot asks for no DM intents.
        self.messages.entry(channel).or_default().push(msg);
        Ok(Reply::ok(v))
    }

    /// `PATCH /channels/{dm}/messages/{id}`: only the bot's own messages.
    pub(super) fn edit_dm(&mut self, channel: u64, id: &str, r: &Incoming) -> Handled {
        let id = parse_id(id)?;
        let Some(msg) = self
            .messages
            .get_mut(&channel)
            .and_then(|h| h.iter_mut().find(|m| m.id == id))
        else {
            return Err(Reply::unknown("Message", 10008));
        };
        if msg.author_id != self.bot_user_id {
            return Err(Reply::error(
                403,
                50005,
                "Cannot edit a message authored by another user",
            ));
        }
        let mut edited = msg.clone();
        self.apply_message_body(&mut edited, r, true)?;
        edited.edited_timestamp = Some(now_timestamp());
        let v = self.message_json(&edited);
        if let Some(slot) = self.message_mut(id) {
            *slot = edited;
        }
        Ok(Reply::ok(v))
    }

    /// Checks a modal callback's `data` against Discord's rules; for a modal submit (type 5)
    /// Discord refuses a modal as the answer.
    pub(super) fn check_modal(&self, ix: &InteractionState, data: &Value) -> Result<(), Reply> {
        if ix.kind == 5 {
            return Err(Reply::error(
                400,
                40043,
                "Interaction callback type is invalid for this interaction.",
            ));
        }
        let custom_id = data["custom_id"].as_str().unwrap_or("");
        if custom_id.is_empty() || custom_id.chars().count() > CUSTOM_ID_MAX {
            return Err(Reply::invalid_form(
                "data.custom_id",
                "BASE_TYPE_BAD_LENGTH",
                "Must be between 1 and 100 in length.",
            ));
        }
        let title = data["title"].as_str().unwrap_or("");
        if title.is_empty() || title.chars().count() > TITLE_MAX {
            return Err(Reply::invalid_form(
                "data.title",
                "BASE_TYPE_BAD_LENGTH",
                "Must be between 1 and 45 in length.",
            ));
        }
        let components = data["components"].as_array().cloned().unwrap_or_default();
        if components.is_empty() || components.len() > 5 {
            return Err(Reply::invalid_form(
                "data.components",
                "BASE_TYPE_BAD_LENGTH",
                "Must be between 1 and 5 in length.",
            ));
        }
        for component in &components {
            let input = match component["type"].as_u64() {
                Some(18) => {
                    let label = component["label"].as_str().unwrap_or("");
                    if label.is_empty() || label.chars().count() > LABEL_MAX {
                        return Err(Reply::invalid_form(
                            "data.components.0.label",
                            "BASE_TYPE_BAD_LENGTH",
                            "Must be between 1 and 45 in length.",
                        ));
                    }
                    &component["component"]
                }
                Some(1) => &component["components"][0],
                _ => {
                    return Err(Reply::invalid_form(
                        "data.components.0.type",
                        "UNION_TYPE_CHOICES",
                        "Value of field \"type\" must be one of (1, 18).",
                    ));
                }
            };
            if input["type"] != 4 || input["custom_id"].as_str().is_none_or(str::is_empty) {
                return Err(Reply::invalid_form(
                    "data.components.0.component",
                    "BASE_TYPE_REQUIRED",
                    "A text input with a custom_id is required.",
                ));
            }
            let max = input["max_length"].as_u64().unwrap_or(4000);
            if !(1..=4000).contains(&max) {
                return Err(Reply::invalid_form(
                    "data.components.0.component.max_length",
                    "NUMBER_TYPE_MAX",
                    "int value should be less than or equal to 4000.",
                ));
            }
        }
        Ok(())
    }

    /// `data` of the MODAL_SUBMIT for the modal the bot answered `token` with, filled with
    /// `values` (custom_id → text), as Discord sends it. Err when the client would not submit
    /// (a required field left empty, a text over its `max_length`).
    pub fn modal_submit_data(
        &mut self,
        token: &str,
        values: &[(&str, &str)],
    ) -> Result<Value, String> {
        let modal = self
            .modals
            .get(token)
            .cloned()
            .ok_or("the bot answered this interaction with no modal")?;
        let mut next = 0;
        let mut id = || {
            next += 1;
            next
        };
        let mut components = Vec::new();
        for component in modal["components"].as_array().into_iter().flatten() {
            let input = if component["type"] == 18 {
                &component["component"]
            } else {
                &component["components"][0]
            };
            let custom_id = input["custom_id"].as_str().unwrap_or("");
            let value = values
                .iter()
                .find(|(k, _)| *k == custom_id)
                .map_or("", |(_, v)| *v);
            if input["required"].as_bool().unwrap_or(true) && value.is_empty() {
                return Err(format!("the field {custom_id:?} is required"));
            }
            if let Some(max) = input["max_length"].as_u64()
                && value.chars().count() as u64 > max
            {
                return Err(format!(
                    "the field {custom_id:?} takes at most {max} characters"
                ));
            }
            let text = json!({"type": 4, "id": id(), "custom_id": custom_id, "value": value});
            components.push(if component["type"] == 18 {
                json!({"type": 18, "id": id(), "component": text})
            } else {
                json!({"type": 1, "id": id(), "components": [text]})
            });
        }
        Ok(json!({"custom_id": modal["custom_id"], "components": components}))
    }
}
