//! Acceptance tests of the local runner: CPU quota, peak memory, OOM, timeout.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use fargate_cost::model::run::{StopReason, cpu_stats, memory_stats};
use fargate_cost::model::size::{Os, Size};
use fargate_cost::runner::local::{self, LocalRequest, Measurement};

use super::{cgroup_dirs_named, cgroups_or_skip, serial};

fn request(name: &str, script: &str, cpu: u32, memory: u32) -> LocalRequest {
    LocalRequest {
        job: name.into(),
        run_id: format!("test-{name}-{}", std::process::id()),
        command: vec!["python3".into(), "-c".into(), script.into()],
        env: BTreeMap::new(),
        workdir: std::env::temp_dir(),
        size: Size::new(cpu, memory, Os::Linux).expect("valid size"),
        sample_interval: Duration::from_millis(200),
        timeout: Some(Duration::from_secs(60)),
        stop: Arc::new(AtomicBool::new(false)),
        show_output: true,
    }
}

fn run(request: &LocalRequest) -> Measurement {
    let measurement = local::run(request, &mut |_| {}).expect("runner works");
    assert!(
        cgroup_dirs_named(&request.run_id).is_empty(),
        "the run's cgroup was removed"
    );
    measurement
}

#[test]
fn busy_loop_under_half_a_vcpu_records_half_a_vcpu() {
    if !cgroups_or_skip("busy_loop_under_half_a_vcpu") {
        return;
    }
    let _machine = serial();
    let script = "import time\nend = time.time() + 4\nwhile time.time() < end: pass";
    let m = run(&request("busy", script, 512, 1024));
    assert_eq!(m.stop_reason, StopReason::Completed, "{}", m.stop_detail);
    assert!(m.limits.enforced);
    let mean = m.cpu_mean.expect("exact CPU counter");
    // Within ±10% of 0.5 vCPU.
    assert!((0.45..=0.55).contains(&mean), "mean CPU {mean}");
    let stats = cpu_stats(&m.samples, m.cpu_mean, 0.5);
    assert!(
        (0.45..=0.55).contains(&stats.p50),
        "median CPU {}",
        stats.p50
    );
    // A busy loop waits for CPU the whole time: (nearly) every sample is at the limit.
    assert!(stats.at_limit.unwrap() >= 0.8, "{stats:?}");
    // Sampling every 200 ms over ~4 s.
    assert!(m.samples.len() >= 15, "{} samples", m.samples.len());
}

#[test]
fn holding_300_mib_records_a_300_mib_peak() {
    if !cgroups_or_skip("holding_300_mib") {
        return;
    }
    let _machine = serial();
    // Touch every page of 300 MiB, then hold it.
    let script = "import time\nb = b'x' * (300 * 1024 * 1024)\ntime.sleep(2)";
    let m = run(&request("hold", script, 1024, 2048));
    assert_eq!(m.stop_reason, StopReason::Completed, "{}", m.stop_detail);
    let peak = m.kernel_peak_mib.expect("kernel peak counter");
    // Within ±5% of 300 MiB (the interpreter itself adds a few MiB).
    assert!((285.0..=315.0).contains(&peak), "peak {peak} MiB");
    let stats = memory_stats(&m.samples, m.kernel_peak_mib);
    assert!(stats.peak_exact);
    assert!(stats.p95_mib > 250.0, "p95 {} MiB", stats.p95_mib);
}

#[test]
fn allocating_past_the_limit_is_recorded_as_oom() {
    if !cgroups_or_skip("allocating_past_the_limit") {
        return;
    }
    let _machine = serial();
    // Grow in 64 MiB steps to 1 GiB under a 512 MiB limit.
    let script = "chunks = []\nfor _ in range(16): chunks.append(b'x' * (64 * 1024 * 1024))";
    let m = run(&request("oom", script, 256, 512));
    assert_eq!(m.stop_reason, StopReason::Oom, "{}", m.stop_detail);
    assert_eq!(m.exit_code, Some(137), "killed by SIGKILL");
    assert!(m.stop_detail.contains("512 MiB limit"), "{}", m.stop_detail);
}

#[test]
fn failure_and_timeout_are_told_apart() {
    if !cgroups_or_skip("failure_and_timeout") {
        return;
    }
    let _machine = serial();
    let m = run(&request("fail", "raise SystemExit(3)", 256, 512));
    assert_eq!(m.stop_reason, StopReason::Failed);
    assert_eq!(m.exit_code, Some(3));
    let mut slow = request("slow", "import time\ntime.sleep(30)", 256, 512);
    slow.timeout = Some(Duration::from_millis(800));
    let m = run(&slow);
    assert_eq!(m.stop_reason, StopReason::Timeout, "{}", m.stop_detail);
    assert!(
        m.wall < Duration::from_secs(10),
        "stopped promptly: {:?}",
        m.wall
    );
    assert_eq!(m.exit_code, Some(128 + 15), "SIGTERM");
}

#[test]
fn a_missing_command_is_a_clear_launch_error() {
    let mut missing = request("missing", "", 256, 512);
    missing.command = vec!["no-such-program-xyz".into()];
    let err = local::run(&missing, &mut |_| {}).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert_eq!(
        err.to_string(),
        format!(
            "cannot start job `missing`: `no-such-program-xyz` was not found (in {} or on PATH); check [jobs.local] command",
            std::env::temp_dir().display()
        )
    );
    assert!(
        cgroup_dirs_named(&missing.run_id).is_empty(),
        "no cgroup left behind"
    );
}
