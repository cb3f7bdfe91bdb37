//! Test-only fault injection (feature `fault-injection`, enabled for the integration tests
//! only): a message with one of these texts makes its ticket actor panic after storing it,
//! so the tests can prove that supervision restarts it and loses nothing.

pub const PANIC: &str = "\u{26a1}ticketbot-fault:panic";

pub fn after_store(content: &str) {
    if content == PANIC {
        panic!("fault injection: ticket actor panics on request");
    }
}

/// Makes the gateway router panic while it routes this message.
pub const ROUTER_PANIC: &str = "\u{26a1}ticketbot-fault:router-panic";

pub fn in_router(content: &str) {
    if content == ROUTER_PANIC {
        panic!("fault injection: gateway router panics on request");
    }
}
