//! The Spark driver's JVM heap (`spark.driver.memory`): where a job sets it, how big it is,
//! what Spark reserves beside it, and the heap that fits a task. In `local[*]` mode the
//! driver is the whole of Spark, so its heap plus overhead plus the Python workers and the
//! OS must fit the task's memory — the classic way a right-sized Spark task dies.

use std::fmt;

/// Spark's default driver heap when nothing sets it (`spark.driver.memory` = 1g).
pub const DEFAULT_HEAP_MIB: u32 = 1024;

/// The least overhead Spark reserves beside the heap (`spark.driver.memoryOverhead`'s
/// minimum, 384 MiB; otherwise 10% of the heap).
pub const MIN_OVERHEAD_MIB: u32 = 384;

/// The share of the task the heap and its overhead may take when the heap is sized to the
/// task; the remaining 20% holds the Python workers and the OS.
const HEAP_SHARE_PERCENT: u32 = 80;

/// The smallest heap recommended: below it Spark refuses to start (it needs 450 MiB).
const MIN_HEAP_MIB: u32 = 512;

/// Environment keys that set the heap, strongest first (Spark's own precedence:
/// `spark-submit` arguments, then the property, then the environment variable).
pub const HEAP_KEYS: [&str; 3] = [
    "PYSPARK_SUBMIT_ARGS",
    "spark.driver.memory",
    "SPARK_DRIVER_MEMORY",
];

/// Where a job's heap is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeapSource {
    /// `[jobs.spark] driver_memory` in the config.
    Config,
    /// An environment key of `[jobs.local] env`.
    JobEnv(String),
    /// An environment key of the task definition's container.
    TaskDefinition(String),
    /// Nothing sets it: Spark's default.
    Default,
}

impl fmt::Display for HeapSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeapSource::Config => f.write_str("[jobs.spark] driver_memory"),
            HeapSource::JobEnv(key) => write!(f, "{key} in [jobs.local] env"),
            HeapSource::TaskDefinition(key) => write!(f, "{key} in the task definition"),
            HeapSource::Default => f.write_str("Spark's default, nothing sets spark.driver.memory"),
        }
    }
}

/// A Spark job's driver heap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heap {
    /// MiB.
    pub mib: u32,
    /// Where it is set.
    pub source: HeapSource,
}

/// A JVM memory string ("2g", "2048m", "512M", "1t"; no unit = MiB, as Spark reads
/// `spark.driver.memory`) in MiB.
pub fn parse_jvm_size(text: &str) -> Option<u32> {
    let text = text.trim().to_ascii_lowercase();
    let text = text.strip_suffix('b').unwrap_or(&text);
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let value: u64 = digits.parse().ok()?;
    let mib = match unit {
        "k" => value / 1024,
        "" | "m" => value,
        "g" => value.checked_mul(1024)?,
        "t" => value.checked_mul(1024 * 1024)?,
        _ => return None,
    };
    u32::try_from(mib).ok().filter(|m| *m > 0)
}

/// The heap in Spark's notation: whole GiB as "3g", else MiB as "2880m".
pub fn format_heap(mib: u32) -> String {
    if mib.is_multiple_of(1024) {
        format!("{}g", mib / 1024)
    } else {
        format!("{mib}m")
    }
}

/// What Spark reserves beside a heap: max(384 MiB, 10%).
pub fn overhead_mib(heap_mib: u32) -> u32 {
    (heap_mib / 10).max(MIN_OVERHEAD_MIB)
}

/// The heap for a task of `memory_mib`: heap + overhead take 80% of it, rounded down to
/// 64 MiB, at least 512 MiB.
pub fn heap_for(memory_mib: u32) -> u32 {
    let budget = u64::from(memory_mib) * u64::from(HEAP_SHARE_PERCENT) / 100;
    let budget = u32::try_from(budget).unwrap_or(u32::MAX);
    // Overhead is the 384 MiB floor up to a 3840 MiB heap, 10% above.
    let heap = if budget.saturating_sub(MIN_OVERHEAD_MIB) <= MIN_OVERHEAD_MIB * 10 {
        budget.saturating_sub(MIN_OVERHEAD_MIB)
    } else {
        budget / 11 * 10
    };
    (heap / 64 * 64).max(MIN_HEAP_MIB)
}

/// The heap an environment sets, by the strongest key present (see [`HEAP_KEYS`]).
pub fn heap_in_env<'a>(
    env: impl IntoIterator<Item = (&'a str, &'a str)> + Clone,
) -> Option<(String, u32)> {
    HEAP_KEYS.iter().find_map(|key| {
        let value = env.clone().into_iter().find(|(k, _)| k == key)?.1;
        let mib = if *key == "PYSPARK_SUBMIT_ARGS" {
            submit_args_heap(value)?.1
        } else {
            parse_jvm_size(value)?
        };
        Some((key.to_string(), mib))
    })
}

/// The heap in `spark-submit` arguments (`--driver-memory 2g`, `--driver-memory=2g` or
/// `--conf spark.driver.memory=2g`): the token holding it and its MiB.
fn submit_args_heap(args: &str) -> Option<(usize, u32)> {
    let tokens: Vec<&str> = args.split_whitespace().collect();
    tokens.iter().enumerate().find_map(|(i, token)| {
        let value = if *token == "--driver-memory" {
            return tokens
                .get(i + 1)
                .and_then(|v| parse_jvm_size(v))
                .map(|mib| (i + 1, mib));
        } else if let Some(v) = token.strip_prefix("--driver-memory=") {
            v
        } else {
            token.strip_prefix("spark.driver.memory=")?
        };
        parse_jvm_size(value).map(|mib| (i, mib))
    })
}

/// `value` of environment key `key` with the heap set to `mib` (other arguments of
/// `PYSPARK_SUBMIT_ARGS` kept).
pub fn with_heap(key: &str, value: &str, mib: u32) -> String {
    let heap = format_heap(mib);
    if key != "PYSPARK_SUBMIT_ARGS" {
        return heap;
    }
    let Some((index, _)) = submit_args_heap(value) else {
        return value.to_string();
    };
    value
        .split_whitespace()
        .enumerate()
        .map(|(i, token)| {
            if i != index {
                token.to_string()
            } else if let Some((name, _)) = token.split_once('=') {
                format!("{name}={heap}")
            } else {
                heap.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `name`/`value` environment of a task definition's containers (all of them, or the
/// one named), from its JSON text; empty when it has none or is not JSON.
pub fn task_definition_env(text: &str, container: Option<&str>) -> Vec<(String, String)> {
    let Ok(json) = serde_json::from_str::<serde_json::Value>(text) else {
        return Vec::new();
    };
    let task = json.get("taskDefinition").unwrap_or(&json);
    let Some(containers) = task.get("containerDefinitions").and_then(|c| c.as_array()) else {
        return Vec::new();
    };
    containers
        .iter()
        .filter(|c| {
            containers.len() == 1
                || container.is_none()
                || c.get("name").and_then(|n| n.as_str()) == container
        })
        .filter_map(|c| c.get("environment").and_then(|e| e.as_array()))
        .flatten()
        .filter_map(|pair| {
            Some((
                pair.get("name")?.as_str()?.to_string(),
                pair.get("value")?.as_str()?.to_string(),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jvm_sizes_read_like_spark_reads_them() {
        assert_eq!(parse_jvm_size("2g"), Some(2048));
        assert_eq!(parse_jvm_size("2048m"), Some(2048));
        assert_eq!(parse_jvm_size("1536"), Some(1536));
        assert_eq!(parse_jvm_size("3G"), Some(3072));
        assert_eq!(parse_jvm_size("1gb"), Some(1024));
        assert_eq!(parse_jvm_size("2 parsecs"), None);
        assert_eq!(parse_jvm_size("0"), None);
    }

    #[test]
    fn the_strongest_key_sets_the_heap() {
        let env = [
            ("SPARK_DRIVER_MEMORY", "1g"),
            (
                "PYSPARK_SUBMIT_ARGS",
                "--master local[2] --driver-memory 3g pyspark-shell",
            ),
        ];
        assert_eq!(
            heap_in_env(env.iter().map(|(k, v)| (*k, *v))),
            Some(("PYSPARK_SUBMIT_ARGS".into(), 3072))
        );
        let conf = [(
            "PYSPARK_SUBMIT_ARGS",
            "--conf spark.driver.memory=1536m pyspark-shell",
        )];
        assert_eq!(
            heap_in_env(conf.iter().map(|(k, v)| (*k, *v))),
            Some(("PYSPARK_SUBMIT_ARGS".into(), 1536))
        );
        let plain = [("SPARK_DRIVER_MEMORY", "2g")];
        assert_eq!(
            heap_in_env(plain.iter().map(|(k, v)| (*k, *v))),
            Some(("SPARK_DRIVER_MEMORY".into(), 2048))
        );
    }

    #[test]
    fn overhead_and_the_heap_that_fits_a_task() {
        assert_eq!(overhead_mib(2048), 384);
        assert_eq!(overhead_mib(8192), 819);
        // 4 GB: 80% = 3276 MiB, less 384 overhead = 2892, down to 64 MiB steps = 2880.
        assert_eq!(heap_for(4096), 2880);
        // 16 GB: 80% = 13107 MiB = heap × 1.1 → 11915 → 11904.
        assert_eq!(heap_for(16384), 11904);
        assert_eq!(heap_for(512), 512);
        assert_eq!(format_heap(2880), "2880m");
        assert_eq!(format_heap(3072), "3g");
    }

    #[test]
    fn the_heap_is_rewritten_in_place() {
        assert_eq!(with_heap("SPARK_DRIVER_MEMORY", "2g", 2880), "2880m");
        assert_eq!(
            with_heap(
                "PYSPARK_SUBMIT_ARGS",
                "--driver-memory 2g pyspark-shell",
                3072
            ),
            "--driver-memory 3g pyspark-shell"
        );
        assert_eq!(
            with_heap(
                "PYSPARK_SUBMIT_ARGS",
                "--conf spark.driver.memory=2g pyspark-shell",
                1024
            ),
            "--conf spark.driver.memory=1g pyspark-shell"
        );
    }

    #[test]
    fn task_definition_environment() {
        let text = r#"{"containerDefinitions":[{"name":"app","environment":[{"name":"SPARK_DRIVER_MEMORY","value":"6g"}]}]}"#;
        assert_eq!(
            task_definition_env(text, Some("app")),
            [("SPARK_DRIVER_MEMORY".to_string(), "6g".to_string())]
        );
        assert!(task_definition_env("not json", None).is_empty());
    }
}
