//! `.env` read as python-dotenv (the original bot's loader) reads it: within the file the last
//! line for a key wins, and a key the real environment already has keeps that value
//! (`load_dotenv()`'s default `override=False`). dotenvy's own loader keeps the first line.

use std::path::Path;

use super::ConfigError;

/// The values an env file adds to the environment, in file order, one per key. Without
/// `path`, `.env` in the working directory or a parent, and none when there is no such file;
/// with `path` (`--env-file`), that file, which must exist. A malformed file is an error.
pub fn dotenv_values(path: Option<&Path>) -> Result<Vec<(String, String)>, ConfigError> {
    // Errors name the file the operator gave, or `.env`.
    let key = path.map_or_else(|| ".env".to_owned(), |path| path.display().to_string());
    let lines = match path {
        None => match dotenvy::dotenv_iter() {
            Ok(lines) => lines,
            Err(err) if err.not_found() => return Ok(Vec::new()),
            Err(err) => return Err(dotenv_error(&key, err)),
        },
        Some(path) => match dotenvy::from_path_iter(path) {
            Ok(lines) => lines,
            Err(err) if err.not_found() => {
                return Err(ConfigError::new(
                    "--env-file",
                    format!("{key}: no such file"),
                ));
            }
            Err(err) => return Err(dotenv_error(&key, err)),
        },
    };
    let mut values: Vec<(String, String)> = Vec::new();
    for line in lines {
        let (name, value) = line.map_err(|err| dotenv_error(&key, err))?;
        values.retain(|(seen, _)| *seen != name);
        values.push((name, value));
    }
    values.retain(|(name, _)| std::env::var_os(name).is_none());
    Ok(values)
}

fn dotenv_error(key: &str, err: dotenvy::Error) -> ConfigError {
    match err {
        dotenvy::Error::LineParse(line, index) => ConfigError::new(
            key,
            format!("cannot parse the line {line:?} (at character {index}); expected KEY=value"),
        ),
        err => ConfigError::new(key, err.to_string()),
    }
}
