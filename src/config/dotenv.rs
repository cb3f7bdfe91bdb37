//! `.env` read as python-dotenv (the original bot's loader) reads it: within the file the last
//! line for a key wins, and a key the real environment already has keeps that value
//! (`load_dotenv()`'s default `override=False`). dotenvy's own loader keeps the first line.

use super::ConfigError;

/// The values `.env` (in the working directory or a parent) adds to the environment, in file
/// order, one per key; none when there is no `.env`. A malformed file is an error.
pub fn dotenv_values() -> Result<Vec<(String, String)>, ConfigError> {
    let lines = match dotenvy::dotenv_iter() {
        Ok(lines) => lines,
        Err(err) if err.not_found() => return Ok(Vec::new()),
        Err(err) => return Err(dotenv_error(err)),
    };
    let mut values: Vec<(String, String)> = Vec::new();
    for line in lines {
        let (key, value) = line.map_err(dotenv_error)?;
        values.retain(|(seen, _)| *seen != key);
        values.push((key, value));
    }
    values.retain(|(key, _)| std::env::var_os(key).is_none());
    Ok(values)
}

fn dotenv_error(err: dotenvy::Error) -> ConfigError {
    match err {
        dotenvy::Error::LineParse(line, index) => ConfigError::new(
            ".env",
            format!("cannot parse the line {line:?} (at character {index}); expected KEY=value"),
        ),
        err => ConfigError::new(".env", err.to_string()),
    }
}
