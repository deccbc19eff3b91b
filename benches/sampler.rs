//! Sampler overhead: how much CPU the local runner itself uses while a job runs, as a share
//! of one core. The job is `sleep`, so everything measured is the runner: its poll loop,
//! the cgroup (or /proc) reads at each sample, and the bookkeeping.
//!
//! Run as root for the cgroup path: `cargo bench --bench sampler`. Figures go to
//! docs/BENCHMARKS.md. Our own CPU time comes from getrusage(RUSAGE_SELF), which excludes
//! the (waited-for) job.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use fargate_cost::model::size::{Os, Size};
use fargate_cost::runner::local::{self, LocalRequest};

fn self_cpu() -> Duration {
    // SAFETY: getrusage fills the struct we pass.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let micros = |t: libc::timeval| t.tv_sec as u64 * 1_000_000 + t.tv_usec as u64;
    Duration::from_micros(micros(usage.ru_utime) + micros(usage.ru_stime))
}

fn measure(interval: Duration, seconds: u64) -> (f64, usize, String) {
    let request = LocalRequest {
        job: "sleep".into(),
        run_id: format!("bench-{}-{}", std::process::id(), interval.as_millis()),
        command: vec!["sleep".into(), seconds.to_string()],
        env: BTreeMap::new(),
        workdir: std::env::temp_dir(),
        size: Size::new(1024, 2048, Os::Linux).expect("valid"),
        sample_interval: interval,
        timeout: None,
        stop: Arc::new(AtomicBool::new(false)),
        show_output: false,
    };
    let (cpu_before, wall) = (self_cpu(), Instant::now());
    let m = local::run(&request, &mut |_| {}).expect("runs");
    let used = self_cpu() - cpu_before;
    let share = used.as_secs_f64() / wall.elapsed().as_secs_f64() * 100.0;
    (share, m.samples.len(), m.limits.mechanism)
}

// A bench binary reports its table on stdout by design.
#[allow(clippy::print_stdout)]
fn main() {
    let seconds = std::env::var("SAMPLER_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    println!("| interval | job | samples | runner CPU (% of one core) | limits |");
    println!("|---|---|---|---|---|");
    for interval in [Duration::from_secs(1), Duration::from_millis(100)] {
        let (share, samples, mechanism) = measure(interval, seconds);
        println!(
            "| {} | sleep {seconds} | {samples} | {share:.3}% | {mechanism} |",
            humantime::format_duration(interval)
        );
    }
}
