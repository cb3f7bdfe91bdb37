//! A local S3-compatible server for the archive's S3 store: moto's server (`pip install
//! 'moto[server]'`, which `.ci/run` installs), started on a free port per test.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct S3Server {
    child: Child,
    pub endpoint: String,
}

impl S3Server {
    /// A running server with bucket `bucket`, or `None` with the reason printed.
    pub async fn start_or_skip(test: &str, bucket: &str) -> Option<Self> {
        ticketbot::process::install_crypto_provider();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("free port");
        let child = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let child = match child {
            Ok(child) => child,
            Err(err) => {
                eprintln!(
                    "SKIPPED {test}: moto_server cannot be started ({err}); install it with \
                     pip install 'moto[server]' (.ci/run does)"
                );
                return None;
            }
        };
        let server = Self {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let http = reqwest::Client::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            if http.get(&server.endpoint).send().await.is_ok() {
                break;
            }
            if tokio::time::Instant::now() > deadline {
                eprintln!("SKIPPED {test}: moto_server did not answer on port {port}");
                return None;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let created = http
            .put(format!("{}/{bucket}", server.endpoint))
            .send()
            .await
            .expect("create bucket");
        assert!(
            created.status().is_success(),
            "bucket: {}",
            created.status()
        );
        Some(server)
    }

    /// The object at `key` in `bucket`, read from the server with the test's credentials.
    pub async fn object(&self, bucket: &str, key: &str) -> Option<Vec<u8>> {
        use object_store::ObjectStoreExt;
        let s3 = object_store::aws::AmazonS3Builder::new()
            .with_bucket_name(bucket)
            .with_endpoint(&self.endpoint)
            .with_allow_http(true)
            .with_region("us-east-1")
            .with_access_key_id("testing")
            .with_secret_access_key("testing")
            .build()
            .expect("S3 client");
        let found = s3.get(&object_store::path::Path::from(key)).await.ok()?;
        Some(found.bytes().await.ok()?.to_vec())
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
