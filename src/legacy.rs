//! Import of the original Python bot's database. Not built yet.

use std::path::Path;

use crate::error::{Error, Result};

pub async fn import_cli(path: &Path) -> Result<()> {
    Err(Error::Internal(format!(
        "import-legacy is not built yet (asked to import {})",
        path.display()
    )))
}
