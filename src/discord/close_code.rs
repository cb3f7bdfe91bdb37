//! What a close of the gateway websocket means. Some codes say that a setting is wrong
//! (token, intents): reconnecting cannot help, and the operator must be told what to fix
//! before the program stops. The others are retried.

/// The one line that ends the program for a close code Discord will repeat on every
/// connection, or `None` for a code worth reconnecting after.
pub fn fatal_reason(code: u16) -> Option<&'static str> {
    Some(match code {
        4004 => "Discord refused the token (4004): check BOT_TOKEN",
        4010 => "Discord refused the shard (4010 invalid shard): report this as a bug of ticketbot",
        4011 => {
            "Discord requires sharding (4011): the bot is in too many servers for one connection"
        }
        4012 => "Discord refused the API version (4012): update ticketbot",
        4013 => "Discord refused the intents (4013 invalid intents): update ticketbot",
        4014 => {
            "Discord refused the intents (4014): turn on Message Content Intent and Server \
             Members Intent in the developer portal"
        }
        _ => return None,
    })
}

/// Discord's name for a close code, for the log.
pub fn describe(code: u16) -> &'static str {
    match code {
        1000 | 1001 => "normal close",
        1006 => "connection lost",
        4000 => "unknown error",
        4001 => "unknown opcode",
        4002 => "decode error",
        4003 => "not authenticated",
        4005 => "already authenticated",
        4007 => "invalid sequence",
        4008 => "rate limited",
        4009 => "session timed out",
        _ => "unexpected code",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_twilight_gives_up_on_all_have_a_reason() {
        use twilight_model::gateway::CloseCode;
        for code in 4000..=4020u16 {
            let fatal = CloseCode::try_from(code).is_ok_and(|c| !c.can_reconnect());
            assert_eq!(fatal_reason(code).is_some(), fatal, "close code {code}");
        }
    }
}
