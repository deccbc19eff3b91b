//! The bad-input corpus: every row is input a user can give (flags or a config file) that
//! must be refused with exit 2 (1 for a runtime failure), never a panic, and one line on
//! stderr naming the flag or field. A new case is one line.

use super::{fargate_cost, run};

struct Case {
    /// Config file text (`--config` points at it), or none.
    config: Option<&'static str>,
    /// The arguments after `--config`.
    args: &'static [&'static str],
    /// Expected exit code.
    code: i32,
    /// Text the error line must contain: the flag or field it is about.
    names: &'static str,
}

/// A valid job the flag cases run against.
const JOB: &str = "[[jobs]]\nname = \"j\"\ncpu = 1\nmemory = \"2GB\"\nduration = \"10m\"\n[jobs.local]\ncommand = [\"true\"]\n";

/// A config file that is not UTF-8.
const NOT_UTF8: &str = "\\xff";

#[rustfmt::skip]
const CASES: &[Case] = &[
    // `--prices cached` with no cache (the helper points the cache at a missing file).
    Case { config: None, args: &["--prices", "cached", "compare", "--cpu", "1", "--memory", "2GB", "--duration", "1h"], code: 2, names: "--prices" },
    Case { config: None, args: &["--prices", "hourly", "compare"], code: 2, names: "--prices" },
    Case { config: None, args: &["--spot-discount", "abc", "compare"], code: 2, names: "--spot-discount" },
    Case { config: None, args: &["--spot-discount", "-3", "compare"], code: 2, names: "--spot-discount" },
    Case { config: None, args: &["--max-price-age", "soon", "compare"], code: 2, names: "--max-price-age" },
    // `import glue` flags are refused before any AWS call.
    Case { config: None, args: &["import", "glue", "--since", "0d"], code: 2, names: "--since" },
    Case { config: None, args: &["import", "glue", "--since", "-1d"], code: 2, names: "--since" },
    Case { config: None, args: &["import", "glue", "--since", "100000000d"], code: 2, names: "--since" },
    Case { config: None, args: &["import", "glue", "--glue-speedup", "-1"], code: 2, names: "--glue-speedup" },
    Case { config: None, args: &["import", "glue", "--glue-speedup", "fast"], code: 2, names: "--glue-speedup" },
    Case { config: None, args: &["--savings-plan", "5y", "compare"], code: 2, names: "--savings-plan" },
    Case { config: Some("[defaults]\nsavings_plan = \"5y\"\n[[jobs]]\nname = \"j\"\ncpu = 1\nmemory = \"2GB\"\nduration = \"1m\"\n"), args: &["compare"], code: 2, names: "savings_plan" },
    Case { config: Some("[[jobs]]\nname = \"j\"\ncpu = 1\nmemory = \"2GB\"\nduration = \"1m\"\nsavings_plan = \"1y\"\n"), args: &["compare"], code: 2, names: "savings_plan" },
    Case { config: Some("[[jobs]]\nname = \"j\"\ncpu = 1\nmemory = \"2GB\"\nduration = \"1m\"\n[jobs.ecs]\nimage_size_mb = 0\n"), args: &["compare"], code: 2, names: "image_size_mb" },
    Case { config: Some("[[jobs]]\nname = \"j\"\ncpu = 1\nmemory = \"2GB\"\nduration = \"1m\"\n[jobs.ecs]\nimage_size_mb = 300000\n"), args: &["compare"], code: 2, names: "image_size_mb" },
    Case { config: None, args: &["--savings-plan-rate", "60", "compare"], code: 2, names: "--savings-plan-rate" },
    Case { config: None, args: &["--savings-plan-rate", "-5", "compare"], code: 2, names: "--savings-plan-rate" },
    Case { config: None, args: &["--savings-plan", "1y", "--savings-plan-rate", "20", "compare"], code: 2, names: "--savings-plan" },
    // Overflow cases that used to panic.
    Case { config: None, args: &["compare", "--cpu", "1", "--memory", "2GB", "--duration", "1h", "--glue-worker-type", "G.16X", "--glue-workers", "4000000000"], code: 2, names: "--glue-workers" },
    Case { config: Some(JOB), args: &["tune", "job", "j", "--since", "100000000d"], code: 2, names: "--since" },
    Case { config: None, args: &["compare", "--cpu", "70000000000000000000000000000 vcpu", "--memory", "2GB", "--duration", "1h"], code: 2, names: "--cpu" },
    Case { config: None, args: &["compare", "--cpu", "3", "--memory", "8GB", "--duration", "1h"], code: 2, names: "--cpu" },
    Case { config: None, args: &["compare", "--cpu", "8", "--memory", "8GB", "--duration", "1h"], code: 2, names: "--memory" },
    Case { config: None, args: &["compare", "--cpu", "lots", "--memory", "8GB", "--duration", "1h"], code: 2, names: "--cpu" },
    Case { config: None, args: &["compare", "--cpu", "-1", "--memory", "2GB", "--duration", "1h"], code: 2, names: "--cpu" },
    Case { config: None, args: &["compare", "--cpu", "0", "--memory", "2GB", "--duration", "1h"], code: 2, names: "--cpu" },
    Case { config: None, args: &["compare", "--cpu", "", "--memory", "2GB", "--duration", "1h"], code: 2, names: "--cpu" },
    Case { config: None, args: &["compare", "--cpu", "1", "--memory", "0", "--duration", "1h"], code: 2, names: "--memory" },
    Case { config: None, args: &["compare", "--cpu", "1", "--memory", "1TB", "--duration", "1h"], code: 2, names: "--memory" },
    Case { config: None, args: &["compare", "--cpu", "1", "--memory", "abc", "--duration", "1h"], code: 2, names: "--memory" },
    Case { config: None, args: &["compare", "--cpu", "1", "--memory", "-2GB", "--duration", "1h"], code: 2, names: "--memory" },
    Case { config: None, args: &["compare", "--cpu", "1", "--memory", "2GB", "--duration", "0s"], code: 2, names: "--duration" },
    Case { config: None, args: &["compare", "--cpu", "1", "--memory", "2GB", "--duration", "-5m"], code: 2, names: "--duration" },
    Case { config: None, args: &["compare", "--cpu", "1", "--memory", "2GB", "--duration", "abc"], code: 2, names: "--duration" },
    Case { config: None, args: &["compare", "--duration", "1h"], code: 2, names: "cpu" },
    Case { config: None, args: &["compare", "--cpu", "1", "--duration", "1h"], code: 2, names: "--cpu" },
    Case { config: None, args: &["compare", "--cpu", "1", "--memory", "2GB", "--duration", "1h", "--runs-per-month", "-1"], code: 2, names: "--runs-per-month" },
    Case { config: None, args: &["compare", "--cpu", "1", "--memory", "2GB", "--duration", "1h", "--runs-per-month", "abc"], code: 2, names: "--runs-per-month" },
    Case { config: None, args: &["compare", "--cpu", "1", "--memory", "2GB", "--duration", "1h", "--schedule", "cron(bad)"], code: 2, names: "--schedule" },
    Case { config: None, args: &["compare", "--cpu", "1", "--memory", "2GB", "--duration", "1h", "--schedule", "rate(0 days)"], code: 2, names: "--schedule" },
    Case { config: None, args: &["compare", "--cpu", "1", "--memory", "2GB", "--duration", "1h", "--schedule", "cron(0 3 * * ? 2300)"], code: 2, names: "--schedule" },
    Case { config: None, args: &["compare", "--cpu", "1", "--memory", "2GB", "--duration", "1h", "--schedule", "every day"], code: 2, names: "--schedule" },
    Case { config: None, args: &["compare", "--cpu", "1", "--memory", "2GB", "--duration", "1h", "--schedule", "rate(1 day)", "--runs-per-month", "3"], code: 2, names: "--runs-per-month" },
    Case { config: None, args: &["compare", "--cpu", "1", "--memory", "2GB", "--duration", "1h", "--arch", "sparc"], code: 2, names: "--arch" },
    Case { config: None, args: &["compare", "--cpu", "1", "--memory", "2GB", "--duration", "1h", "--os", "beos"], code: 2, names: "--os" },
    Case { config: None, args: &["compare", "--cpu", "1", "--memory", "2GB", "--duration", "1h", "--capacity", "reserved"], code: 2, names: "--capacity" },
    Case { config: None, args: &["compare", "--cpu", "1", "--memory", "2GB", "--duration", "1h", "--ephemeral-storage", "5"], code: 2, names: "--ephemeral-storage" },
    Case { config: None, args: &["compare", "--cpu", "1", "--memory", "2GB", "--duration", "1h", "--ephemeral-storage", "500"], code: 2, names: "--ephemeral-storage" },
    Case { config: None, args: &["compare", "--cpu", "1", "--memory", "2GB", "--duration", "1h", "--ephemeral-storage", "-1"], code: 2, names: "--ephemeral-storage" },
    Case { config: None, args: &["compare", "--cpu", "1", "--memory", "2GB", "--duration", "1h", "--ephemeral-storage", "x"], code: 2, names: "--ephemeral-storage" },
    Case { config: None, args: &["compare", "--cpu", "1", "--memory", "2GB", "--duration", "1h", "--os", "windows", "--arch", "arm64"], code: 2, names: "--arch" },
    Case { config: None, args: &["compare", "--cpu", "0.25", "--memory", "0.5GB", "--duration", "1h", "--os", "windows"], code: 2, names: "--cpu" },
    Case { config: None, args: &["compare", "--cpu", "1", "--memory", "2GB", "--duration", "1h", "--glue-worker-type", "G.9X"], code: 2, names: "--glue-worker-type" },
    Case { config: None, args: &["compare", "--cpu", "1", "--memory", "2GB", "--duration", "1h", "--glue-worker-type", "G.1X", "--glue-workers", "1"], code: 2, names: "--glue-workers" },
    Case { config: None, args: &["compare", "--cpu", "1", "--memory", "2GB", "--duration", "1h", "--glue-workers", "3"], code: 2, names: "--glue-workers" },
    Case { config: None, args: &["compare", "--cpu", "1", "--memory", "2GB", "--duration", "1h", "--glue-worker-type", "G.1X", "--glue-workers", "2", "--glue-version", "7.0"], code: 2, names: "--glue-version" },
    Case { config: None, args: &["compare", "--cpu", "1", "--memory", "2GB", "--duration", "1h", "--glue-version", "abc"], code: 2, names: "--glue-version" },
    Case { config: None, args: &["compare", "--cpu", "1", "--memory", "2GB", "--duration", "1h", "--glue-worker-type", "G.025X", "--glue-workers", "2", "--glue-flex"], code: 2, names: "--glue-flex" },
    Case { config: None, args: &["compare", "--cpu", "1", "--memory", "2GB", "--duration", "1h", "--glue-worker-type", "Z.2X", "--glue-workers", "2", "--glue-version", "3.0"], code: 2, names: "--glue-version" },
    Case { config: None, args: &["compare", "--cpu", "1", "--memory", "2GB", "--duration", "1h", "--glue-worker-type", "R.1X", "--glue-workers", "2", "--glue-version", "3.0"], code: 2, names: "--glue-version" },
    Case { config: None, args: &["compare", "--cpu", "1", "--memory", "2GB", "--duration", "1h", "--glue-worker-type", "pythonshell", "--glue-max-capacity", "1", "--glue-version", "6.0"], code: 2, names: "--glue-version" },
    Case { config: None, args: &["compare", "--cpu", "1", "--memory", "2GB", "--duration", "1h", "--glue-worker-type", "pythonshell", "--glue-max-capacity", "0.5"], code: 2, names: "--glue-max-capacity" },
    Case { config: None, args: &["compare", "--cpu", "1", "--memory", "2GB", "--duration", "1h", "--glue-speedup", "0"], code: 2, names: "--glue-speedup" },
    Case { config: None, args: &["compare", "--cpu", "1", "--memory", "2GB", "--duration", "1h", "--glue-speedup", "-2"], code: 2, names: "--glue-speedup" },
    Case { config: None, args: &["compare", "--cpu", "1", "--memory", "2GB", "--duration", "1h", "--engine", "cobol"], code: 2, names: "--engine" },
    Case { config: None, args: &["compare", "--cpu", "1", "--memory", "2GB", "--duration", "1h", "--region", "mars-1"], code: 2, names: "region" },
    Case { config: None, args: &["--output", "bogus", "compare"], code: 2, names: "--output" },
    Case { config: None, args: &["compare", "--cpu", "1", "--memory", "2GB", "--duration", "1h", "--job", "x"], code: 2, names: "--job" },
    Case { config: None, args: &["compare", "--frobnicate"], code: 2, names: "--frobnicate" },
    Case { config: None, args: &["--config", "/nonexistent/fargate-cost.toml", "compare"], code: 2, names: "cannot read config" },
    Case { config: None, args: &["compare", "--cpu", "1", "--memory", "2GB", "--duration", "1h", "--glue-worker-type", "G.1X", "--glue-workers", "0"], code: 2, names: "--glue-workers" },
    Case { config: None, args: &["compare", "--cpu", "1", "--memory", "2GB", "--duration", "1h", "--glue-worker-type", "G.1X", "--glue-workers", "-3"], code: 2, names: "--glue-workers" },
    Case { config: None, args: &["compare", "--cpu", "1", "--memory", "2GB", "--duration", "1h", "--glue-worker-type", "Standard", "--glue-workers", "2", "--glue-version", "4.0"], code: 2, names: "--glue-worker-type" },
    Case { config: None, args: &["compare", "--cpu", "16", "--memory", "200GB", "--duration", "1h"], code: 2, names: "--memory" },
    Case { config: None, args: &["compare", "--cpu", "1 vCPU", "--memory", "2 parsecs", "--duration", "1h"], code: 2, names: "--memory" },
    Case { config: None, args: &["compare", "--cpu", "1", "--memory", "2GB", "--duration", "1 fortnight"], code: 2, names: "--duration" },
    Case { config: None, args: &["runs", "show", "nosuch"], code: 2, names: "RUN_ID" },
    Case { config: None, args: &["runs", "--job"], code: 2, names: "--job" },
    Case { config: None, args: &["runs", "show"], code: 2, names: "RUN_ID" },
    Case { config: None, args: &["report", "--month", "2026-13"], code: 2, names: "--month" },
    Case { config: None, args: &["report", "--month", "abc"], code: 2, names: "--month" },
    Case { config: None, args: &["report", "--from", "2026-11-01"], code: 2, names: "--to" },
    Case { config: None, args: &["report", "--from", "2026-11-10", "--to", "2026-11-01"], code: 2, names: "--to" },
    Case { config: None, args: &["report", "--from", "bad", "--to", "2026-11-01"], code: 2, names: "--from" },
    Case { config: None, args: &["report", "--month", "2026-11", "--from", "2026-11-01", "--to", "2026-11-02"], code: 2, names: "--to" },
    Case { config: None, args: &["import", "ecs"], code: 2, names: "--cluster" },
    Case { config: None, args: &["import", "ecs", "--cluster", "x", "--since", "abc"], code: 2, names: "--since" },
    Case { config: None, args: &["import", "batch"], code: 2, names: "command" },
    Case { config: None, args: &["import", "glue"], code: 2, names: "--region" },
    Case { config: None, args: &["prices", "show", "--region", "mars"], code: 2, names: "region" },
    Case { config: None, args: &["--region", "mars-1", "prices", "show"], code: 2, names: "region" },
    Case { config: None, args: &["prices", "frobnicate"], code: 2, names: "frobnicate" },
    Case { config: None, args: &["completions", "tcsh"], code: 2, names: "<SHELL>" },
    Case { config: None, args: &["--endpoint-url", "not a url", "import", "ecs", "--cluster", "x"], code: 2, names: "--endpoint-url" },
    Case { config: None, args: &["tune"], code: 2, names: "command" },
    Case { config: None, args: &["frobnicate"], code: 2, names: "command" },
    Case { config: Some(JOB), args: &["run", "nosuch"], code: 2, names: "name" },
    Case { config: Some(JOB), args: &["run"], code: 2, names: "<JOB>" },
    Case { config: Some(JOB), args: &["run", "j", "--cpu", "3"], code: 2, names: "--cpu" },
    Case { config: Some(JOB), args: &["run", "j", "--timeout", "abc"], code: 2, names: "--timeout" },
    Case { config: Some(JOB), args: &["run", "j", "--timeout", "0s"], code: 2, names: "--timeout" },
    Case { config: Some(JOB), args: &["run", "j", "--sample-interval", "0"], code: 2, names: "--sample-interval" },
    Case { config: Some(JOB), args: &["run", "j", "--repeat", "0"], code: 2, names: "--repeat" },
    Case { config: Some(JOB), args: &["run", "j", "--engine", "duckdb"], code: 2, names: "--engine" },
    Case { config: Some("[[jobs]]\nname = \"j\"\nengine = \"spark\"\ncpu = 1\nmemory = \"2GB\"\n[jobs.local]\ncommand = [\"true\"]\n[jobs.engines.spark]\ncommand = [\"true\"]\n"), args: &["compare"], code: 2, names: "engines.spark" },
    Case { config: Some("[[jobs]]\nname = \"j\"\ncpu = 1\nmemory = \"2GB\"\n[jobs.engines.duckdb]\ncommand = []\n"), args: &["compare"], code: 2, names: "engines.duckdb" },
    Case { config: Some("[[jobs]]\nname = \"j\"\ncpu = 1\nmemory = \"2GB\"\n[jobs.engines.\"duck db\"]\ncommand = [\"true\"]\n"), args: &["compare"], code: 2, names: "engines.duck db" },
    Case { config: Some("[[jobs]]\nname = \"j\"\ncpu = 1\nmemory = \"2GB\"\n[jobs.local]\ncommand = [\"true\"]\n[jobs.engines.duckdb]\ncommand = [\"true\"]\n[jobs.ecs]\ncluster = \"c\"\n"), args: &["run", "j", "--engine", "duckdb", "--backend", "ecs"], code: 2, names: "--engine" },
    Case { config: Some(JOB), args: &["run", "j", "--backend", "mars"], code: 2, names: "--backend" },
    Case { config: Some(JOB), args: &["run", "j", "--backend", "ecs"], code: 2, names: "jobs.ecs" },
    Case { config: Some(JOB), args: &["run", "j", "--sample-interval", "abc"], code: 2, names: "--sample-interval" },
    Case { config: Some(JOB), args: &["run", "j", "--memory", "3GB", "--cpu", "0.25"], code: 2, names: "--memory" },
    Case { config: Some(JOB), args: &["tune", "job", "nosuch"], code: 2, names: "name" },
    Case { config: Some(JOB), args: &["tune", "job", "j", "--engines", "python,duckdb"], code: 2, names: "--engines" },
    Case { config: Some(JOB), args: &["tune", "job", "j", "--engines", "python", "--write"], code: 2, names: "--engines" },
    Case { config: Some("[[jobs]]\nname = \"j\"\nengine = \"spark\"\ncpu = 1\nmemory = \"2GB\"\n[jobs.spark]\ndriver_memory = \"lots\"\n"), args: &["compare"], code: 2, names: "spark.driver_memory" },
    Case { config: Some(JOB), args: &["tune", "job", "j", "--sweep", "abc"], code: 2, names: "--sweep" },
    Case { config: Some(JOB), args: &["tune", "job", "j", "--sweep", "3"], code: 2, names: "--sweep" },
    Case { config: Some(JOB), args: &["tune", "job", "j", "--memory-headroom", "-1"], code: 2, names: "--memory-headroom" },
    Case { config: Some(JOB), args: &["tune", "job", "j", "--cpu-percentile", "p42"], code: 2, names: "--cpu-percentile" },
    Case { config: Some(JOB), args: &["tune", "job", "j", "--oom-risk", "0"], code: 2, names: "--oom-risk" },
    Case { config: Some(JOB), args: &["tune", "job", "j", "--oom-risk", "60%"], code: 2, names: "--oom-risk" },
    Case { config: Some(JOB), args: &["tune", "job", "j", "--oom-risk", "0.1"], code: 2, names: "reads as 10% of runs out of memory; write 10% if that is meant, or 0.1% for 0.1 percent" },
    Case { config: Some(JOB), args: &["tune", "job", "j", "--oom-risk", "0.1%", "--memory-headroom", "20%"], code: 2, names: "--oom-risk" },
    Case { config: Some(JOB), args: &["tune", "job", "j", "--strategy", "fastest"], code: 2, names: "--strategy" },
    Case { config: Some(JOB), args: &["tune", "job", "j", "--register"], code: 2, names: "--write" },
    Case { config: Some(JOB), args: &["tune", "job", "j", "--since", "abc"], code: 2, names: "--since" },
    Case { config: Some(JOB), args: &["tune", "job", "j", "--min-runs", "-1"], code: 2, names: "--min-runs" },
    Case { config: Some(JOB), args: &["tune", "job", "j", "--deadline", "abc"], code: 2, names: "--deadline" },
    Case { config: Some(JOB), args: &["tune", "job", "j", "--repeat", "0"], code: 2, names: "--repeat" },
    Case { config: Some(JOB), args: &["compare", "--job", "nosuch"], code: 2, names: "name" },
    // cpu3
    Case { config: Some("[[jobs]]\nname = \"j\"\ncpu = \"3 vCPU\"\nmemory = \"2GB\"\nduration = \"10m\"\n[jobs.local]\ncommand = [\"true\"]\n"), args: &["compare"], code: 2, names: "cpu" },
    // mem
    Case { config: Some("[[jobs]]\nname = \"j\"\ncpu = 8\nmemory = \"2GB\"\nduration = \"10m\"\n[jobs.local]\ncommand = [\"true\"]\n"), args: &["compare"], code: 2, names: "memory" },
    // noname
    Case { config: Some("[[jobs]]\ncpu = 1\nmemory = \"2GB\"\nduration = \"10m\"\n[jobs.local]\ncommand = [\"true\"]\n"), args: &["compare"], code: 2, names: "field `name`" },
    // dup
    Case { config: Some("[[jobs]]\nname = \"j\"\ncpu = 1\nmemory = \"2GB\"\nduration = \"10m\"\n[jobs.local]\ncommand = [\"true\"]\n[[jobs]]\nname = \"j\"\ncpu = 1\nmemory = \"2GB\"\nduration = \"10m\"\n[jobs.local]\ncommand = [\"true\"]\n"), args: &["compare"], code: 2, names: "field `name`" },
    // spaces
    Case { config: Some("[[jobs]]\nname = \"a b\"\ncpu = 1\nmemory = \"2GB\"\nduration = \"10m\"\n[jobs.local]\ncommand = [\"true\"]\n"), args: &["compare"], code: 2, names: "name:" },
    // cputype
    Case { config: Some("[[jobs]]\nname = \"j\"\ncpu = true\nmemory = \"2GB\"\nduration = \"10m\"\n[jobs.local]\ncommand = [\"true\"]\n"), args: &["compare"], code: 2, names: "cpu" },
    // unknownkey
    Case { config: Some("[[jobs]]\nname = \"j\"\ncpuu = 1\nmemory = \"2GB\"\nduration = \"10m\"\n[jobs.local]\ncommand = [\"true\"]\n"), args: &["compare"], code: 2, names: "ephemeral_storage_gb" },
    // rpm
    Case { config: Some("[[jobs]]\nname = \"j\"\ncpu = 1\nmemory = \"2GB\"\nduration = \"10m\"\nruns_per_month = -1\n[jobs.local]\ncommand = [\"true\"]\n"), args: &["compare"], code: 2, names: "runs_per_month" },
    // sched
    Case { config: Some("[[jobs]]\nname = \"j\"\ncpu = 1\nmemory = \"2GB\"\nduration = \"10m\"\nschedule = \"cron(bad)\"\n[jobs.local]\ncommand = [\"true\"]\n"), args: &["compare"], code: 2, names: "schedule" },
    // both
    Case { config: Some("[[jobs]]\nname = \"j\"\ncpu = 1\nmemory = \"2GB\"\nduration = \"10m\"\nschedule = \"rate(1 day)\"\nruns_per_month = 3\n[jobs.local]\ncommand = [\"true\"]\n"), args: &["compare"], code: 2, names: "schedule" },
    // dur
    Case { config: Some("[[jobs]]\nname = \"j\"\ncpu = 1\nmemory = \"2GB\"\nduration = \"abc\"\n[jobs.local]\ncommand = [\"true\"]\n"), args: &["compare"], code: 2, names: "duration" },
    // deadline
    Case { config: Some("[[jobs]]\nname = \"j\"\ncpu = 1\nmemory = \"2GB\"\nduration = \"10m\"\ndeadline = \"-1m\"\n[jobs.local]\ncommand = [\"true\"]\n"), args: &["compare"], code: 2, names: "duration" },
    // arch
    Case { config: Some("[[jobs]]\nname = \"j\"\ncpu = 1\narch = \"sparc\"\nmemory = \"2GB\"\nduration = \"10m\"\n[jobs.local]\ncommand = [\"true\"]\n"), args: &["compare"], code: 2, names: "arch" },
    // os
    Case { config: Some("[[jobs]]\nname = \"j\"\ncpu = 1\nos = \"beos\"\nmemory = \"2GB\"\nduration = \"10m\"\n[jobs.local]\ncommand = [\"true\"]\n"), args: &["compare"], code: 2, names: "field `os`" },
    // capacity
    Case { config: Some("[[jobs]]\nname = \"j\"\ncpu = 1\ncapacity = \"reserved\"\nmemory = \"2GB\"\nduration = \"10m\"\n[jobs.local]\ncommand = [\"true\"]\n"), args: &["compare"], code: 2, names: "field `capacity`" },
    // storage
    Case { config: Some("[[jobs]]\nname = \"j\"\ncpu = 1\nephemeral_storage_gb = 5\nmemory = \"2GB\"\nduration = \"10m\"\n[jobs.local]\ncommand = [\"true\"]\n"), args: &["compare"], code: 2, names: "ephemeral_storage_gb" },
    // glue_wt
    Case { config: Some("[[jobs]]\nname = \"j\"\ncpu = 1\nmemory = \"2GB\"\nduration = \"10m\"\n[jobs.local]\ncommand = [\"true\"]\n[jobs.glue]\nworker_type = \"G.9X\"\nworkers = 2\n"), args: &["compare"], code: 2, names: "glue worker_type" },
    // glue_w1
    Case { config: Some("[[jobs]]\nname = \"j\"\ncpu = 1\nmemory = \"2GB\"\nduration = \"10m\"\n[jobs.local]\ncommand = [\"true\"]\n[jobs.glue]\nworker_type = \"G.1X\"\nworkers = 1\n"), args: &["compare"], code: 2, names: "glue workers" },
    // glue_v
    Case { config: Some("[[jobs]]\nname = \"j\"\ncpu = 1\nmemory = \"2GB\"\nduration = \"10m\"\n[jobs.local]\ncommand = [\"true\"]\n[jobs.glue]\nworker_type = \"G.1X\"\nworkers = 2\nversion = \"7.0\"\n"), args: &["compare"], code: 2, names: "glue version" },
    // glue_ec
    Case { config: Some("[[jobs]]\nname = \"j\"\ncpu = 1\nmemory = \"2GB\"\nduration = \"10m\"\n[jobs.local]\ncommand = [\"true\"]\n[jobs.glue]\nworker_type = \"G.1X\"\nworkers = 2\nexecution_class = \"cheap\"\n"), args: &["compare"], code: 2, names: "field `execution_class`" },
    // cmd_empty
    Case { config: Some("[[jobs]]\nname = \"j\"\ncpu = 1\nmemory = \"2GB\"\nduration = \"10m\"\n[jobs.local]\ncommand = []\n"), args: &["compare"], code: 2, names: "local.command" },
    // cmd_str
    Case { config: Some("[[jobs]]\nname = \"j\"\ncpu = 1\nmemory = \"2GB\"\nduration = \"10m\"\n[jobs.local]\ncommand = \"python job.py\"\n"), args: &["compare"], code: 2, names: "field `command`" },
    // toml
    Case { config: Some("[[jobs]\nname = 'x'\n"), args: &["compare"], code: 2, names: "unclosed array table" },
    // region
    Case { config: Some("[[jobs]]\nname = \"j\"\ncpu = 1\nregion = \"mars-1\"\nmemory = \"2GB\"\nduration = \"10m\"\n[jobs.local]\ncommand = [\"true\"]\n"), args: &["compare"], code: 2, names: "region" },
    // pubip
    Case { config: Some("[[jobs]]\nname = \"j\"\ncpu = 1\nmemory = \"2GB\"\nduration = \"10m\"\n[jobs.local]\ncommand = [\"true\"]\n[jobs.ecs]\ncluster = \"c\"\nassign_public_ip = \"yes\"\n"), args: &["compare"], code: 2, names: "assign_public_ip" },
    // defaults
    Case { config: Some("[defaults]\ncpu = \"3\"\n[[jobs]]\nname = \"j\"\nmemory = \"2GB\"\nduration = \"10m\"\n[jobs.local]\ncommand = [\"true\"]\n"), args: &["compare"], code: 2, names: "cpu" },
    // speedup
    Case { config: Some("[[jobs]]\nname = \"j\"\ncpu = 1\nmemory = \"2GB\"\nduration = \"10m\"\nglue_speedup = 0\n[jobs.local]\ncommand = [\"true\"]\n"), args: &["compare"], code: 2, names: "ephemeral_storage_gb" },
    // utf8
    Case { config: Some(NOT_UTF8), args: &["compare"], code: 2, names: "cannot read config" },
    // glue_flex_025
    Case { config: Some("[[jobs]]\nname = \"j\"\ncpu = 1\nmemory = \"2GB\"\nduration = \"10m\"\n[jobs.local]\ncommand = [\"true\"]\n[jobs.glue]\nworker_type = \"G.025X\"\nworkers = 2\nexecution_class = \"flex\"\nversion = \"4.0\"\n"), args: &["compare"], code: 2, names: "glue execution_class" },
    // memory_str
    Case { config: Some("[[jobs]]\nname = \"j\"\ncpu = 1\nmemory = \"lots\"\nduration = \"10m\"\n[jobs.local]\ncommand = [\"true\"]\n"), args: &["compare"], code: 2, names: "memory" },
    // nojobs_key
    Case { config: Some("[[job]]\nname = \"x\"\n"), args: &["compare"], code: 2, names: "unknown field `job`" },
    // name_empty
    Case { config: Some("[[jobs]]\nname = \"\"\ncpu = 1\nmemory = \"2GB\"\nduration = \"10m\"\n[jobs.local]\ncommand = [\"true\"]\n"), args: &["compare"], code: 2, names: "name:" },
    // win_arm
    Case { config: Some("[[jobs]]\nname = \"j\"\ncpu = 1\nos = \"windows\"\narch = \"arm64\"\nmemory = \"2GB\"\nduration = \"10m\"\n[jobs.local]\ncommand = [\"true\"]\n"), args: &["compare"], code: 2, names: "arch" },
    // glue_pyshell_6
    Case { config: Some("[[jobs]]\nname = \"j\"\ncpu = 1\nmemory = \"2GB\"\nduration = \"10m\"\n[jobs.local]\ncommand = [\"true\"]\n[jobs.glue]\nworker_type = \"pythonshell\"\nmax_capacity = 1\nversion = \"6.0\"\n"), args: &["compare"], code: 2, names: "glue version" },
    // glue_z_3
    Case { config: Some("[[jobs]]\nname = \"j\"\ncpu = 1\nmemory = \"2GB\"\nduration = \"10m\"\n[jobs.local]\ncommand = [\"true\"]\n[jobs.glue]\nworker_type = \"Z.2X\"\nworkers = 2\nversion = \"3.0\"\n"), args: &["compare"], code: 2, names: "glue version" },
];

#[test]
fn every_bad_input_is_one_clear_line_and_the_right_exit_code() {
    assert!(CASES.len() >= 100, "the corpus keeps at least 100 cases");
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for (index, case) in CASES.iter().enumerate() {
        let mut command = fargate_cost();
        command.current_dir(dir.path());
        if let Some(text) = case.config {
            let path = dir.path().join(format!("case-{index}.toml"));
            let bytes: &[u8] = if text == NOT_UTF8 {
                b"\xff\xfe[[jobs]]\n"
            } else {
                text.as_bytes()
            };
            std::fs::write(&path, bytes).unwrap();
            command.arg("--config").arg(&path);
        }
        let (code, stdout, stderr) = run(command.args(case.args));
        let line_ok = stderr.lines().count() == 1 && stderr.starts_with("error: ");
        if code != case.code
            || !stdout.is_empty()
            || !line_ok
            || !stderr.contains(case.names)
            || stderr.contains("panicked")
        {
            failures.push(format!(
                "{:?} (config: {}): exit {code}, stderr {stderr:?}",
                case.args,
                case.config.is_some()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}
