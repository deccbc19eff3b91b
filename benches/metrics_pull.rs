//! GetMetricData efficiency: requests made for N tasks × 2 metrics versus the minimum the API
//! limits allow (500 queries and 100,800 points a request), and the wall time of the pull
//! against moto's server (through the tests' CBOR adapter). Needs `moto_server` and
//! `python3 -m pip install -r tests/support/requirements.txt`.
//!
//! Run: `cargo bench --bench metrics_pull`.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use fargate_cost::aws::metrics::{MAX_POINTS, MAX_QUERIES, TaskMetric, pull};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port")
}

struct Servers(Vec<Child>);

impl Drop for Servers {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[allow(clippy::print_stdout)]
fn main() {
    let (moto_port, shim_port) = (free_port(), free_port());
    let moto = Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &moto_port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("moto_server (pip install 'moto[server]')");
    let mut shim = Command::new("python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/support/aws_shim.py"
        ))
        .args([
            "--listen",
            &shim_port.to_string(),
            "--moto",
            &moto_port.to_string(),
        ])
        .stdout(Stdio::piped())
        .spawn()
        .expect("adapter");
    let mut line = String::new();
    BufReader::new(shim.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("ready");
    let _servers = Servers(vec![moto, shim]);
    while std::net::TcpStream::connect(("127.0.0.1", moto_port)).is_err() {
        std::thread::sleep(Duration::from_millis(100));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let client = runtime.block_on(async {
        let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .endpoint_url(format!("http://127.0.0.1:{shim_port}"))
            .region(aws_config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_ecs::config::Credentials::new(
                "testing", "testing", None, None, "bench",
            ))
            .load()
            .await;
        aws_sdk_cloudwatch::Client::new(&config)
    });
    println!("| tasks | window | queries | requests made | minimum | ratio | wall time (moto) |");
    println!("|---|---|---|---|---|---|---|");
    let now = Utc::now();
    for tasks in [10usize, 1_000, 5_000] {
        for (label, window) in [
            ("1 h", chrono::Duration::hours(1)),
            ("14 d", chrono::Duration::days(14)),
        ] {
            let metrics: Vec<TaskMetric> = (0..tasks)
                .flat_map(|t| {
                    ["CpuUtilized", "MemoryUtilized"].map(|m| TaskMetric {
                        cluster: "data".into(),
                        family: "etl".into(),
                        task_id: format!("task-{t}"),
                        metric: m.into(),
                    })
                })
                .collect();
            let start = now - window + chrono::Duration::minutes(5);
            let points = (window.num_seconds() as usize).div_ceil(60);
            let per_request = (MAX_POINTS / points).clamp(1, MAX_QUERIES);
            let minimum = metrics.len().div_ceil(per_request);
            let timer = Instant::now();
            let (_, requests) = runtime
                .block_on(pull(&client, &metrics, start, now, now))
                .expect("pull");
            println!(
                "| {tasks} | {label} | {} | {requests} | {minimum} | {:.2} | {:.1} s |",
                metrics.len(),
                requests as f64 / minimum as f64,
                timer.elapsed().as_secs_f64()
            );
        }
    }
}
