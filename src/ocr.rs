//! Reading the text in an image with Tesseract (an adapter), for ban evidence and the
//! opener's screenshots.
//!
//! The `tesseract` command-line program is called through `tokio::process` rather than a crate
//! binding libtesseract: the bindings need bindgen and libclang at build time, and the CLI is
//! what Debian ships (`tesseract-ocr`, `tesseract-ocr-deu`, `tesseract-ocr-eng`). The image goes
//! in on stdin and the text comes out on stdout, so nothing is written to disk; a run over the
//! time limit is killed.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncWriteExt;

use crate::config::ocr::OcrConfig;

/// German and English, as the community writes.
const LANGUAGES: &str = "deu+eng";

/// Tesseract, found at start-up.
#[derive(Debug, Clone)]
pub struct Ocr {
    program: PathBuf,
    timeout: Duration,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OcrError {
    /// Over the time limit; the process was killed.
    TimedOut,
    /// Tesseract could not start or failed (no image, unreadable bytes): its message.
    Failed(String),
}

impl std::fmt::Display for OcrError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::TimedOut => write!(f, "OCR over the time limit"),
            Self::Failed(cause) => write!(f, "{cause}"),
        }
    }
}

impl Ocr {
    /// Tesseract as `config` names it; None, logged once here, when it is not installed: the
    /// bot then runs without reading images.
    pub fn detect(config: &OcrConfig) -> Option<Self> {
        match find_program(&config.tesseract) {
            Some(program) => Some(Self {
                program,
                timeout: config.timeout,
            }),
            None => {
                tracing::warn!(
                    tesseract = %config.tesseract,
                    "OCR is off: Tesseract not found (TESSERACT_PATH); ban evidence and screenshots are not read"
                );
                None
            }
        }
    }

    pub fn program(&self) -> &Path {
        &self.program
    }

    /// The text Tesseract reads in `image`, trimmed; empty when it finds none.
    pub async fn read(&self, image: &[u8]) -> Result<String, OcrError> {
        let mut child = tokio::process::Command::new(&self.program)
            .args(["stdin", "stdout", "-l", LANGUAGES])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|err| OcrError::Failed(format!("cannot start Tesseract: {err}")))?;
        let mut stdin = child
            .stdin
            .take()
            .ok_or_else(|| OcrError::Failed("no stdin".into()))?;
        let image = image.to_vec();
        let run = async move {
            // Tesseract may stop reading early on bad bytes; its exit status tells.
            let _ = stdin.write_all(&image).await;
            drop(stdin);
            child.wait_with_output().await
        };
        // Dropping `run` on the time limit drops the child, which kill_on_drop kills.
        let output = tokio::time::timeout(self.timeout, run)
            .await
            .map_err(|_| OcrError::TimedOut)?
            .map_err(|err| OcrError::Failed(format!("Tesseract: {err}")))?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let last = stderr.lines().rev().find(|l| !l.trim().is_empty());
            return Err(OcrError::Failed(format!(
                "Tesseract {}: {}",
                output.status,
                last.unwrap_or("no message")
            )));
        }
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
    }
}

/// `name` as a path when it has a slash, else the first match in `PATH`.
fn find_program(name: &str) -> Option<PathBuf> {
    let name = Path::new(name);
    if name.components().count() > 1 {
        return is_executable(name).then(|| name.to_owned());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(tesseract: &str) -> OcrConfig {
        OcrConfig {
            tesseract: tesseract.to_owned(),
            timeout: Duration::from_secs(20),
        }
    }

    #[test]
    fn a_missing_program_turns_ocr_off() {
        assert!(Ocr::detect(&config("/nonexistent/tesseract")).is_none());
        assert!(Ocr::detect(&config("no-such-tesseract-program")).is_none());
    }

    #[tokio::test]
    async fn bytes_that_are_no_image_are_an_error_not_text() {
        let Some(ocr) = Ocr::detect(&config("tesseract")) else {
            println!("skipped: tesseract is not installed");
            return;
        };
        let read = ocr.read(b"this is not an image").await;
        assert!(matches!(read, Err(OcrError::Failed(_))), "{read:?}");
    }

    #[tokio::test]
    async fn a_run_over_the_time_limit_is_killed() {
        // A script that never finishes stands in for a Tesseract stuck on an image.
        let dir = tempfile::tempdir().expect("temporary directory");
        let program = dir.path().join("tesseract");
        std::fs::write(&program, "#!/bin/sh\nexec sleep 30\n").expect("write script");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755))
            .expect("make script executable");
        let ocr = Ocr {
            program,
            timeout: Duration::from_millis(300),
        };
        let started = std::time::Instant::now();
        assert_eq!(ocr.read(b"").await, Err(OcrError::TimedOut));
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
