//! A small tmpfs of a test's own, to run the bot on a disk that can be filled (root only).

/// Unmounted when dropped.
pub struct SmallDisk(tempfile::TempDir);

impl SmallDisk {
    /// A tmpfs of `size` (e.g. `8m`), or why none could be mounted.
    pub fn mount(size: &str) -> Result<Self, String> {
        let dir = tempfile::tempdir().map_err(|err| err.to_string())?;
        let output = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .output()
            .map_err(|err| format!("mount: {err}"))?;
        if !output.status.success() {
            return Err(String::from_utf8_lossy(&output.stderr).trim().to_owned());
        }
        Ok(Self(dir))
    }

    /// [`Self::mount`], or None with the skipped test and the reason printed.
    pub fn mount_or_skip(test: &str, size: &str) -> Option<Self> {
        Self::mount(size)
            .inspect_err(|reason| {
                eprintln!(
                    "SKIPPED {test}: cannot mount a tmpfs for a full disk (needs root): {reason}"
                )
            })
            .ok()
    }

    pub fn path(&self) -> &std::path::Path {
        self.0.path()
    }

    /// Writes a file until the file system is full, down to the last byte; returns its path.
    pub fn fill(&self) -> std::path::PathBuf {
        use std::io::Write as _;
        let path = self.path().join("filler");
        let mut file = std::fs::File::create(&path).expect("filler file");
        for chunk in [65_536, 4_096, 512, 1] {
            let block = vec![0u8; chunk];
            while file
                .write_all(&block)
                .and_then(|()| file.sync_data())
                .is_ok()
            {}
        }
        path
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.0.path())
            .status();
    }
}
