//! What the supervisor knows of one ticket: one state, so that impossible combinations (an
//! actor that is degraded, a restart that parks messages for a running actor) cannot be
//! written; and the restart intensity that decides when a ticket is degraded. Generic over
//! the actor handle and the message so that the rules are tested without actors.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// More restarts than this within [`INTENSITY_WINDOW`] marks a ticket degraded.
pub const MAX_RESTARTS: usize = 5;
pub const INTENSITY_WINDOW: Duration = Duration::from_secs(60);
pub const FIRST_BACKOFF: Duration = Duration::from_millis(10);
pub const MAX_BACKOFF: Duration = Duration::from_secs(2);

pub enum State<A, M> {
    /// The actor runs. `waiting` holds what it refused while stopping; its end starts a new
    /// actor for them.
    Running { actor: A, waiting: Vec<M> },
    /// No actor; one is being started (after a back-off); messages wait for it.
    Restarting { waiting: Vec<M> },
    /// It kept crashing: no actor until an operator revives it; messages are stored without.
    Degraded,
}

pub struct Slot<A, M> {
    pub state: State<A, M>,
    /// Restarts within the intensity window, oldest first.
    restarts: VecDeque<Instant>,
    pub total_restarts: usize,
}

impl<A, M> Slot<A, M> {
    /// A ticket whose actor is to be started, with what waits for it.
    pub fn starting(waiting: Vec<M>) -> Self {
        Self {
            state: State::Restarting { waiting },
            restarts: VecDeque::new(),
            total_restarts: 0,
        }
    }

    pub fn degraded() -> Self {
        Self {
            state: State::Degraded,
            ..Self::starting(Vec::new())
        }
    }

    pub fn actor(&self) -> Option<&A> {
        match &self.state {
            State::Running { actor, .. } => Some(actor),
            _ => None,
        }
    }

    pub fn is_degraded(&self) -> bool {
        matches!(self.state, State::Degraded)
    }

    fn take_waiting(&mut self) -> Vec<M> {
        match &mut self.state {
            State::Running { waiting, .. } | State::Restarting { waiting } => {
                std::mem::take(waiting)
            }
            State::Degraded => Vec::new(),
        }
    }

    /// The actor is up; returns what waited for it, to be handed over in order.
    pub fn started(&mut self, actor: A) -> Vec<M> {
        let waiting = self.take_waiting();
        self.state = State::Running {
            actor,
            waiting: Vec::new(),
        };
        waiting
    }

    /// No actor now (it failed, or could not be started); what waited keeps waiting.
    pub fn down(&mut self) {
        let waiting = self.take_waiting();
        if !self.is_degraded() {
            self.state = State::Restarting { waiting };
        }
    }

    /// Keeps `msg` for the next actor (the running one refused it: it is stopping).
    pub fn park(&mut self, msg: M) {
        match &mut self.state {
            State::Running { waiting, .. } | State::Restarting { waiting } => waiting.push(msg),
            State::Degraded => {}
        }
    }

    /// The actor stopped by itself; true when messages wait for a new one (the slot is then
    /// restarting), false when the slot can go.
    pub fn stopped(&mut self) -> bool {
        let waiting = self.take_waiting();
        let due = !waiting.is_empty();
        self.state = State::Restarting { waiting };
        due
    }

    /// Notes a restart at `now`; returns the back-off before it. The first crash in the
    /// window restarts at once (nobody should notice it); repeated crashes back off: 10 ms,
    /// 20 ms, … up to 2 s.
    pub fn record_restart(&mut self, now: Instant) -> Duration {
        while self
            .restarts
            .front()
            .is_some_and(|t| now.duration_since(*t) > INTENSITY_WINDOW)
        {
            self.restarts.pop_front();
        }
        self.restarts.push_back(now);
        self.total_restarts += 1;
        self.down();
        match self.restarts.len() {
            0 | 1 => Duration::ZERO,
            n => (FIRST_BACKOFF * 2u32.pow((n - 2).min(8) as u32)).min(MAX_BACKOFF),
        }
    }

    /// More restarts in the window than the limit.
    pub fn over_limit(&self) -> bool {
        self.restarts.len() > MAX_RESTARTS
    }

    /// Marks it degraded; returns what waited, to be handled without an actor.
    pub fn degrade(&mut self) -> Vec<M> {
        let waiting = self.take_waiting();
        self.state = State::Degraded;
        waiting
    }

    /// An operator cleared the degraded mark: start afresh, with a new window.
    pub fn revive(&mut self) {
        self.restarts.clear();
        self.state = State::Restarting {
            waiting: Vec::new(),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestSlot = Slot<u32, &'static str>;

    #[test]
    fn messages_wait_while_restarting_and_go_to_the_new_actor_in_order() {
        let mut slot = TestSlot::starting(vec!["a"]);
        slot.park("b");
        assert_eq!(slot.started(1), vec!["a", "b"]);
        assert_eq!(slot.actor(), Some(&1));
        // A second start (a `Spawn` that meets the live actor) parks nothing.
        assert!(slot.started(1).is_empty());
        assert!(matches!(slot.state, State::Running { ref waiting, .. } if waiting.is_empty()));
    }

    #[test]
    fn a_stopping_actor_is_restarted_only_for_what_it_refused() {
        let mut slot = TestSlot::starting(Vec::new());
        slot.started(1);
        assert!(!slot.stopped(), "nothing waits: the slot can go");
        let mut slot = TestSlot::starting(Vec::new());
        slot.started(1);
        slot.park("late");
        assert!(slot.stopped());
        assert_eq!(slot.started(2), vec!["late"]);
    }

    #[test]
    fn the_sixth_crash_in_a_minute_degrades_and_backs_off_before() {
        let mut slot = TestSlot::starting(Vec::new());
        let now = Instant::now();
        let mut backoffs = Vec::new();
        for crash in 0..6 {
            slot.started(crash);
            slot.park("m");
            backoffs.push(slot.record_restart(now));
        }
        assert_eq!(backoffs[0], Duration::ZERO);
        assert_eq!(backoffs[1], FIRST_BACKOFF);
        assert_eq!(backoffs[2], FIRST_BACKOFF * 2);
        assert!(slot.over_limit());
        assert_eq!(slot.degrade().len(), 1, "what waited is handed back");
        assert!(slot.is_degraded() && slot.actor().is_none());
        slot.park("ignored");
        slot.revive();
        assert!(!slot.over_limit());
        assert!(slot.started(9).is_empty());
        assert_eq!(slot.total_restarts, 6);
    }

    #[test]
    fn crashes_outside_the_window_do_not_count() {
        let mut slot = TestSlot::starting(Vec::new());
        let start = Instant::now();
        for i in 0..10u32 {
            slot.record_restart(start + INTENSITY_WINDOW * 2 * i);
        }
        assert!(!slot.over_limit());
    }
}
