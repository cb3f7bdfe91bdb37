//! `TESSERACT_PATH` and `OCR_TIMEOUT`: which Tesseract reads ban evidence and how long one image
//! may take.

use std::time::Duration;

use super::ConfigError;
use super::values::Env;

const DEFAULT_TESSERACT: &str = "tesseract";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone)]
pub struct OcrConfig {
    /// A path, or a name looked up in `PATH` (`tesseract`).
    pub tesseract: String,
    /// The longest Tesseract may read one image; then the process is killed.
    pub timeout: Duration,
}

impl OcrConfig {
    pub(super) fn read(env: &Env<'_>) -> Result<Self, ConfigError> {
        let tesseract = env
            .optional("TESSERACT_PATH")
            .unwrap_or_else(|| DEFAULT_TESSERACT.to_owned());
        if tesseract.trim().is_empty() {
            return Err(ConfigError::new(
                "TESSERACT_PATH",
                "expected a path or a program name, got an empty value",
            ));
        }
        let timeout = env.duration("OCR_TIMEOUT", DEFAULT_TIMEOUT)?;
        if timeout.is_zero() {
            return Err(ConfigError::new(
                "OCR_TIMEOUT",
                "expected a duration above zero such as 30s",
            ));
        }
        Ok(Self { tesseract, timeout })
    }
}
