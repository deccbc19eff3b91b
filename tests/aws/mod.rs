//! The ECS runner and CloudWatch metrics against moto's server (PyPI `moto[server]`) on
//! 127.0.0.1, started here on free ports and stopped afterwards. CloudWatch goes through
//! tests/support/aws_shim.py, which re-encodes the SDK's RPC v2 CBOR to moto's JSON protocol
//! (moto does all the API work) and can inject faults.

mod ecs;
mod glue;
mod import;
mod metrics;
mod pricing;
mod register;
mod s3;

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A child process killed (and reaped) when dropped — also when a test panics, so no
/// server outlives its test.
pub struct KillOnDrop(pub Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A moto server with the adapter in front of it; both are killed when it drops.
pub struct Moto {
    // Field order is drop order: the adapter first, then moto.
    _shim: KillOnDrop,
    _moto: KillOnDrop,
    /// moto itself.
    pub moto_url: String,
    /// The adapter: the endpoint the tool talks to.
    pub url: String,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn support(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/support")
        .join(file)
}

/// A test that cannot start what it needs: under `CI=true` that is a failure (CI installs
/// everything), elsewhere the test is skipped and says why.
pub fn unavailable<T>(why: &str) -> Option<T> {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true but {why}");
    }
    eprintln!("skipping: {why}");
    None
}

impl Moto {
    /// Start moto and the adapter (with a share of injected faults), or None (printing
    /// why) when moto is not installed.
    pub fn start(fail_rate: f64) -> Option<Moto> {
        Moto::start_with(fail_rate, 0)
    }

    /// Like [`Moto::start`], with GetMetricData paginated every `page_points` points.
    pub fn start_with(fail_rate: f64, page_points: usize) -> Option<Moto> {
        const INSTALL: &str = "python3 -m pip install -r tests/support/requirements.txt";
        let modules = Command::new("python3")
            .args(["-c", "import moto, cbor2, flask"])
            .output();
        if !modules.is_ok_and(|o| o.status.success()) {
            return unavailable(&format!(
                "moto[server] or cbor2 is not installed ({INSTALL})"
            ));
        }
        let (moto_port, shim_port) = (free_port(), free_port());
        let moto = KillOnDrop(
            Command::new("python3")
                .args([
                    "-m",
                    "moto.server",
                    "-H",
                    "127.0.0.1",
                    "-p",
                    &moto_port.to_string(),
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("python3 starts"),
        );
        let mut shim = KillOnDrop(
            Command::new("python3")
                .arg(support("aws_shim.py"))
                .args(["--listen", &shim_port.to_string()])
                .args(["--moto", &moto_port.to_string()])
                .args(["--fail-rate", &fail_rate.to_string()])
                .args(["--page-points", &page_points.to_string()])
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("python3 starts"),
        );
        let mut line = String::new();
        if let Some(stdout) = shim.0.stdout.take() {
            let _ = BufReader::new(stdout).read_line(&mut line);
        }
        if line.trim() != "ready" {
            return unavailable(&format!(
                "the AWS adapter did not start (said {:?}; {INSTALL})",
                line.trim()
            ));
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", moto_port)).is_err() {
            if Instant::now() > deadline {
                return unavailable("moto did not listen within 30 s");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(Moto {
            _shim: shim,
            _moto: moto,
            moto_url: format!("http://127.0.0.1:{moto_port}"),
            url: format!("http://127.0.0.1:{shim_port}"),
        })
    }

    /// Environment for the tool: test credentials, region, endpoint.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.url.clone()),
            ("AWS_ACCESS_KEY_ID", "testing".into()),
            ("AWS_SECRET_ACCESS_KEY", "testing".into()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ]
    }

    /// An SDK config for tests' own calls, through the adapter.
    pub async fn sdk_config(&self) -> aws_config::SdkConfig {
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .endpoint_url(&self.url)
            .region(aws_config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_ecs::config::Credentials::new(
                "testing", "testing", None, None, "test",
            ))
            .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(8))
            .load()
            .await
    }

    /// Cluster, task definition, subnet and security group; tasks progress every
    /// `seconds` (moto's state manager).
    pub fn setup_ecs(&self, seconds: u32) -> serde_json::Value {
        let output = Command::new("python3")
            .arg(support("moto_setup.py"))
            .arg(&self.moto_url)
            .arg(seconds.to_string())
            .output()
            .expect("setup runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).expect("setup JSON")
    }

    /// Glue jobs and runs made by tests/support/glue_setup.py in `mode` (its JSON output).
    pub fn setup_glue(&self, mode: &str) -> serde_json::Value {
        let output = Command::new("python3")
            .arg(support("glue_setup.py"))
            .arg(&self.moto_url)
            .arg(mode)
            .output()
            .expect("glue setup runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).expect("glue setup JSON")
    }

    /// `tests/support/s3_setup.py` in `mode` for `bucket` (its JSON output).
    pub fn setup_s3(&self, mode: &str, bucket: &str) -> serde_json::Value {
        let output = Command::new("python3")
            .arg(support("s3_setup.py"))
            .args([&self.moto_url, mode, bucket])
            .output()
            .expect("s3 setup runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).expect("s3 setup JSON")
    }

    /// Requests per operation seen by the adapter.
    pub fn stats(&self) -> serde_json::Value {
        let output = Command::new("python3")
            .args(["-c", &format!("import urllib.request;print(urllib.request.urlopen('{}/_shim/stats').read().decode())", self.url)])
            .output()
            .expect("stats");
        serde_json::from_slice(&output.stdout).expect("stats JSON")
    }
}
