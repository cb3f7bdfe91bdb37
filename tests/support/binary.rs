//! The real binary, spawned the way an operator runs it, against the emulators.

use super::app::WAIT;

/// The real binary, as an operator runs it: killed when the test ends however it ends, its
/// log (stdout and stderr) kept in a file so a failing assertion can show what the bot did.
pub struct Running {
    child: std::process::Child,
    log: tempfile::NamedTempFile,
}

impl Running {
    /// What the binary logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log.path()).unwrap_or_default()
    }
}

impl std::ops::Deref for Running {
    type Target = std::process::Child;
    fn deref(&self) -> &Self::Target {
        &self.child
    }
}

impl std::ops::DerefMut for Running {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.child
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until a spawned binary is connected to the gateway and registered its commands.
pub async fn binary_logged_in(emu: &crate::support::discord::DiscordEmu) {
    emu.wait_for(WAIT, |e| {
        (e.commands().len() == ticketbot::discord::commands::definitions().len()
            && e.is_connected())
        .then_some(())
    })
    .await
    .expect("binary logged in");
}

/// A loopback port nobody listens on, for a spawned binary's panel.
pub fn free_port() -> String {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
        .to_string()
}

pub fn spawn_binary(env: &std::collections::HashMap<String, String>) -> Running {
    spawn_binary_with(env, &["bot"])
}

pub fn spawn_binary_with(
    env: &std::collections::HashMap<String, String>,
    args: &[&str],
) -> Running {
    let log = tempfile::NamedTempFile::new().expect("log file");
    // One handle for both streams, so they share one write position.
    let out = log.reopen().expect("log file");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_ticketbot"));
    command
        .args(args)
        .env_clear()
        .envs(env)
        .env(
            "RUST_LOG",
            env.get("RUST_LOG").map_or("info", String::as_str),
        )
        .current_dir(std::env::temp_dir())
        .stdout(out.try_clone().expect("log file"))
        .stderr(out);
    let child = command.spawn().expect("binary starts");
    Running { child, log }
}

impl Running {
    /// The exit status once the binary ends, or `None` if it still runs after `timeout`.
    pub async fn exited(
        &mut self,
        timeout: std::time::Duration,
    ) -> Option<std::process::ExitStatus> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for the binary") {
                return Some(status);
            }
            if tokio::time::Instant::now() >= deadline {
                return None;
            }
            // A child's exit has no waker here; a short poll is the wait.
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
    }
}
