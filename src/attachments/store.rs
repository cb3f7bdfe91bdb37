//! The archive's files, by content hash, in a local directory or S3-compatible storage
//! (`ATTACHMENT_STORE`), through `object_store`.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload, RetryConfig};

use crate::config::ConfigError;
use crate::config::attachments::{AttachmentConfig, StoreLocation};
use crate::error::{Error, Result};

/// Where archived files live; cheap to clone.
#[derive(Clone, Debug)]
pub struct FileStore {
    inner: Arc<dyn ObjectStore>,
    prefix: Path,
    /// For messages: the directory or `s3://bucket/prefix`.
    describe: String,
}

impl FileStore {
    /// Opens the store `config` names; a local directory is created when missing. A setting
    /// the store refuses names `ATTACHMENT_STORE` (or the `AWS_*` key).
    pub fn open(config: &AttachmentConfig) -> Result<Self> {
        match &config.store {
            StoreLocation::Local(dir) => {
                std::fs::create_dir_all(dir).map_err(|err| {
                    bad(
                        "ATTACHMENT_STORE",
                        format!("cannot create {}: {err}", dir.display()),
                    )
                })?;
                let local = LocalFileSystem::new_with_prefix(dir).map_err(|err| {
                    bad(
                        "ATTACHMENT_STORE",
                        format!("cannot use {}: {err}", dir.display()),
                    )
                })?;
                Ok(Self {
                    inner: Arc::new(local),
                    prefix: Path::default(),
                    describe: dir.display().to_string(),
                })
            }
            StoreLocation::S3 { bucket, prefix } => {
                // object_store's client is the shared reqwest over rustls with ring.
                crate::process::install_crypto_provider();
                let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
                for (key, value) in &config.s3 {
                    let parsed = key.to_ascii_lowercase().parse().map_err(|err| {
                        bad(key, format!("not understood by the S3 client: {err}"))
                    })?;
                    builder = builder.with_config(parsed, value);
                }
                if let Some((_, endpoint)) = config
                    .s3
                    .iter()
                    .find(|(key, _)| key == "AWS_ENDPOINT_URL" || key == "AWS_ENDPOINT")
                    && is_loopback_http(endpoint)
                {
                    // A local MinIO or test server speaks plain http; elsewhere https only.
                    builder = builder.with_allow_http(true);
                }
                let retry = RetryConfig {
                    max_retries: 2,
                    retry_timeout: Duration::from_secs(20),
                    ..RetryConfig::default()
                };
                let s3 = builder
                    .with_retry(retry)
                    .build()
                    .map_err(|err| bad("ATTACHMENT_STORE", format!("S3 store: {err}")))?;
                Ok(Self {
                    inner: Arc::new(s3),
                    prefix: Path::from(prefix.as_str()),
                    describe: format!("s3://{bucket}/{prefix}"),
                })
            }
        }
    }

    pub fn describe(&self) -> &str {
        &self.describe
    }

    /// `ab/abcdef…`: a directory level keeps a local directory small.
    fn location(&self, sha256: &str) -> Path {
        let fan = sha256.get(..2).unwrap_or("00");
        let mut path = self.prefix.clone();
        for part in [fan, sha256] {
            path = path.clone().join(part);
        }
        path
    }

    pub async fn put(&self, sha256: &str, bytes: Bytes) -> Result<()> {
        self.inner
            .put(&self.location(sha256), PutPayload::from_bytes(bytes))
            .await?;
        Ok(())
    }

    pub async fn get(&self, sha256: &str) -> Result<Bytes> {
        Ok(self
            .inner
            .get(&self.location(sha256))
            .await?
            .bytes()
            .await?)
    }

    /// Deletes a file; one that is gone already counts as deleted.
    pub async fn delete(&self, sha256: &str) -> Result<()> {
        match self.inner.delete(&self.location(sha256)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(err) => Err(err.into()),
        }
    }

    /// Writes, reads back and removes a small file: whether the store takes files now.
    pub async fn probe(&self) -> Result<()> {
        let path = self.prefix.clone().join(".ticketbot-probe");
        self.inner
            .put(&path, PutPayload::from_static(b"probe"))
            .await?;
        let back = self.inner.get(&path).await?.bytes().await?;
        self.inner.delete(&path).await?;
        if back.as_ref() == b"probe" {
            Ok(())
        } else {
            Err(Error::Internal("the store returned other bytes".into()))
        }
    }
}

fn bad(key: &str, problem: String) -> Error {
    Error::Config(ConfigError {
        key: key.to_owned(),
        problem,
    })
}

fn is_loopback_http(endpoint: &str) -> bool {
    url::Url::parse(endpoint).is_ok_and(|url| {
        url.scheme() == "http"
            && match url.host() {
                Some(url::Host::Domain(host)) => host == "localhost",
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                None => false,
            }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_local_store_keeps_files_by_hash() {
        let dir = tempfile::tempdir().unwrap();
        let config = AttachmentConfig {
            store: StoreLocation::Local(dir.path().join("files")),
            max_mb: 25,
            s3: Vec::new(),
        };
        let store = FileStore::open(&config).unwrap();
        store.probe().await.unwrap();
        store
            .put("abcdef", Bytes::from_static(b"evidence"))
            .await
            .unwrap();
        assert_eq!(store.get("abcdef").await.unwrap().as_ref(), b"evidence");
        assert!(dir.path().join("files/ab/abcdef").is_file());
    }

    #[test]
    fn only_loopback_endpoints_may_be_plain_http() {
        assert!(is_loopback_http("http://127.0.0.1:9000"));
        assert!(is_loopback_http("http://localhost:9000"));
        assert!(!is_loopback_http("http://minio.example:9000"));
        assert!(!is_loopback_http("https://127.0.0.1:9000"));
    }
}
