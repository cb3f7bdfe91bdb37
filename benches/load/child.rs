//! Child processes: a fresh process per measurement for start-up time (from process start)
//! and memory (RSS of nothing but the bot). The parent runs the emulator and prepares the
//! database, starts this binary again with `__child <kind> <tickets>` and the bot's settings in
//! the environment, and reads these lines from its stdout:
//!
//! ```text
//! SUPERVISOR <µs since main>   the ticket supervisor is registered (database ready)
//! LIVE <µs since main>         every ticket actor has finished starting
//! IDLE <CPU ms> <window ms>    CPU time used over an idle window, when
//!                              `LOAD_IDLE_WINDOW_MS` is given (before RSS)
//! RSS <KiB> <peak KiB>         after a short settle
//! ```
//!
//! The child ends when its stdin closes.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdout, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use ractor::{Actor, ActorProcessingErr, ActorRef};
use ticketbot::config::Part;

use crate::fixture;

pub const ARG: &str = "__child";

/// What a child runs.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// The real bot (`ticketbot::app::run`, as `ticketbot bot` does).
    Bot,
    /// Bare named ractor actors under one supervisor, as many as tickets.
    Bare,
}

impl Kind {
    fn arg(self) -> &'static str {
        match self {
            Kind::Bot => "bot",
            Kind::Bare => "bare",
        }
    }
}

/// What the parent learnt from a child.
#[derive(Debug, Clone, Copy)]
pub struct Report {
    /// Process spawned until every actor runs, seen by the parent.
    pub live: Duration,
    /// Child's `main` until the supervisor was registered.
    pub supervisor: Duration,
    pub rss_kib: u64,
    pub peak_kib: u64,
    /// Process spawned until `after_live` was satisfied, if one was given.
    pub caught_up: Option<Duration>,
    /// CPU time (user + system) the child used over an idle window, and the window (ms).
    pub idle_cpu_ms: Option<(u64, u64)>,
}

/// The child's setting for an idle window over which it measures its CPU time.
pub const IDLE_WINDOW_VAR: &str = "LOAD_IDLE_WINDOW_MS";

/// Something the parent waits for after the child reported its actors live (blocking; gets
/// the moment the child was spawned and returns when the condition holds).
pub type AfterLive = Box<dyn FnOnce(Instant) -> Duration + Send>;

/// Runs a child with `env` (and nothing else) and collects its report.
pub fn measure(kind: Kind, tickets: usize, settle: Duration, env: &[(String, String)]) -> Report {
    measure_then(kind, tickets, settle, env, None)
}

/// Like [`measure`], then waits for `after_live` before the child stops.
pub fn measure_then(
    kind: Kind,
    tickets: usize,
    settle: Duration,
    env: &[(String, String)],
    after_live: Option<AfterLive>,
) -> Report {
    let exe = std::env::current_exe().expect("own executable");
    let started = Instant::now();
    let mut child = Command::new(exe)
        .args([
            ARG,
            kind.arg(),
            &tickets.to_string(),
            &settle.as_millis().to_string(),
        ])
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start a child");
    let mut lines = BufReader::new(child.stdout.take().expect("child stdout"));
    let mut supervisor = Duration::ZERO;
    let mut live = None;
    let mut rss = (0, 0);
    let mut idle_cpu_ms = None;
    let mut line = String::new();
    loop {
        line.clear();
        match lines.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["SUPERVISOR", us] => supervisor = micros(us),
            ["LIVE", _] => live = Some(started.elapsed()),
            ["IDLE", cpu, window] => {
                idle_cpu_ms = Some((cpu.parse().unwrap_or(0), window.parse().unwrap_or(0)));
            }
            ["RSS", now, peak] => {
                rss = (now.parse().unwrap_or(0), peak.parse().unwrap_or(0));
                break;
            }
            _ => {}
        }
    }
    let caught_up = after_live.map(|wait| wait(started));
    finish(child, lines);
    Report {
        live: live.expect("the child reports its actors live"),
        supervisor,
        rss_kib: rss.0,
        peak_kib: rss.1,
        caught_up,
        idle_cpu_ms,
    }
}

fn micros(text: &str) -> Duration {
    Duration::from_micros(text.parse().unwrap_or(0))
}

/// Closes the child's stdin (it stops) and waits a bounded time; kills it after that.
fn finish(mut child: Child, mut stdout: BufReader<ChildStdout>) {
    drop(child.stdin.take());
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                break;
            }
        }
    }
    let mut rest = String::new();
    let _ = stdout.read_to_string(&mut rest);
}

/// The child's `main`: `__child <kind> <tickets> <settle ms>`.
pub fn main(args: &[String]) -> ExitCode {
    let started = Instant::now();
    let kind = args.first().map(String::as_str).unwrap_or("");
    let count: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(0);
    let settle = Duration::from_millis(args.get(2).and_then(|n| n.parse().ok()).unwrap_or(0));
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        match kind {
            "bot" => run_bot(started, count, settle).await,
            "bare" => run_bare(started, count, settle).await,
            other => {
                eprintln!("unknown child kind {other:?}");
            }
        }
    });
    runtime.shutdown_timeout(Duration::from_secs(1));
    ExitCode::SUCCESS
}

fn say(line: String) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

async fn report_memory(settle: Duration) {
    tokio::time::sleep(settle).await;
    if let Some(window) = std::env::var(IDLE_WINDOW_VAR)
        .ok()
        .and_then(|ms| ms.parse().ok())
    {
        let before = cpu_ms();
        tokio::time::sleep(Duration::from_millis(window)).await;
        say(format!("IDLE {} {window}", cpu_ms().saturating_sub(before)));
    }
    say(format!(
        "RSS {} {}",
        fixture::rss_kib("VmRSS"),
        fixture::rss_kib("VmHWM")
    ));
}

/// This process's CPU time so far (user + system, all threads), from `/proc/self/stat` in
/// clock ticks of 10 ms (Linux's `USER_HZ` of 100).
fn cpu_ms() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The command name in parentheses may hold spaces; the fields after it are plain.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the name.
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|t| t.parse::<u64>().ok())
            .unwrap_or(0)
    };
    (ticks(11) + ticks(12)) * 10
}

async fn stdin_closed() {
    let _ = tokio::task::spawn_blocking(|| {
        let mut sink = String::new();
        let _ = std::io::stdin().read_to_string(&mut sink);
    })
    .await;
}

async fn run_bot(started: Instant, tickets: usize, settle: Duration) {
    let config = ticketbot::Config::from_lookup(|key| std::env::var(key).ok())
        .expect("the parent passes a valid configuration");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let app = tokio::spawn(ticketbot::app::run(config, Part::Bot, async {
        let _ = stopped.await;
    }));
    // The only bot of this process: actor names without prefix.
    while ractor::registry::where_is("tickets").is_none() {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    say(format!("SUPERVISOR {}", started.elapsed().as_micros()));
    fixture::wait_actors_running("", tickets, Duration::from_secs(600)).await;
    say(format!("LIVE {}", started.elapsed().as_micros()));
    report_memory(settle).await;
    stdin_closed().await;
    let _ = stop.send(());
    let _ = tokio::time::timeout(Duration::from_secs(20), app).await;
}

struct BareActor;

impl Actor for BareActor {
    type Msg = ();
    type State = ();
    type Arguments = ();

    async fn pre_start(&self, _: ActorRef<()>, _: ()) -> Result<(), ActorProcessingErr> {
        Ok(())
    }
}

struct BareParent;

impl Actor for BareParent {
    type Msg = ();
    type State = ();
    type Arguments = ();

    async fn pre_start(&self, _: ActorRef<()>, _: ()) -> Result<(), ActorProcessingErr> {
        Ok(())
    }
}

async fn run_bare(started: Instant, count: usize, settle: Duration) {
    let (parent, _) = Actor::spawn(Some("tickets".to_owned()), BareParent, ())
        .await
        .expect("parent actor");
    say(format!("SUPERVISOR {}", started.elapsed().as_micros()));
    let mut children = Vec::with_capacity(count);
    for id in 1..=count {
        let (child, _) = Actor::spawn_linked(
            Some(format!("ticket:{id}")),
            BareActor,
            (),
            parent.get_cell(),
        )
        .await
        .expect("bare actor");
        children.push(child);
    }
    fixture::wait_actors_running("", count, Duration::from_secs(600)).await;
    say(format!("LIVE {}", started.elapsed().as_micros()));
    report_memory(settle).await;
    stdin_closed().await;
    parent.stop(None);
}
