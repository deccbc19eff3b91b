//! Apply a sizing change to the files a user deploys from: the job's `cpu`/`memory` in
//! fargate-cost.toml (toml_edit: comments, order and formatting kept) and, when the job has
//! `task_definition_file`, the task-level `cpu`/`memory` of that ECS task definition (other
//! content kept). Edits are computed from the text read before anything ran (for a diff),
//! then written atomically, refusing to overwrite a file that no longer holds that text.

use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use serde_json::Value as Json;
use toml_edit::{DocumentMut, Item, Value};

use crate::error::{Error, Result};
use crate::model::job::{Config, Job};
use crate::model::size::{Size, format_gb, format_vcpu};
use crate::model::spark;
use crate::model::task::ContainerLimits;
use crate::store::write_atomic;

/// A file and the text it should get.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Edit {
    /// The file.
    pub path: PathBuf,
    /// Its content when read.
    pub before: String,
    /// Its new content.
    pub after: String,
}

impl Edit {
    /// A unified diff of the change ("" when nothing changes).
    pub(crate) fn diff(&self) -> String {
        if self.before == self.after {
            return String::new();
        }
        let name = self.path.display().to_string();
        similar::TextDiff::from_lines(&self.before, &self.after)
            .unified_diff()
            .context_radius(2)
            .header(&name, &name)
            .to_string()
    }

    /// Write the new content, unless the file no longer holds the text the edit was computed
    /// from (it was edited meanwhile, e.g. during a sweep).
    pub(crate) fn apply(&self) -> Result<()> {
        let now = std::fs::read_to_string(&self.path).map_err(|e| io_error(&self.path, e))?;
        if now != self.before {
            return Err(Error::Store(format!(
                "{} changed since it was read; not overwritten (run tune again)",
                self.path.display()
            )));
        }
        write_atomic(&self.path, |file| {
            use std::io::Write;
            file.write_all(self.after.as_bytes())
                .map_err(|e| io_error(&self.path, e))
        })
    }
}

fn io_error(path: &Path, e: std::io::Error) -> Error {
    Error::Store(format!("{}: {e}", path.display()))
}

/// The new value for `cpu`, in the style of the old one ("1 vCPU", 1, "1024 units").
fn cpu_value(old: Option<&Value>, size: Size) -> Value {
    let vcpu = format_vcpu(size.cpu_units());
    match old {
        Some(Value::String(s)) => {
            let text = s.value().to_ascii_lowercase();
            if text.contains("unit") {
                Value::from(format!("{} units", size.cpu_units()))
            } else if text.contains("vcpu") {
                Value::from(format!("{vcpu} vCPU"))
            } else if text.trim().parse::<f64>().is_ok_and(|v| v >= 128.0) {
                Value::from(size.cpu_units().to_string())
            } else {
                Value::from(vcpu)
            }
        }
        Some(Value::Integer(i)) if *i.value() >= 128 => Value::from(i64::from(size.cpu_units())),
        _ => number(size.vcpu()),
    }
}

/// The new value for `memory`, in the style of the old one ("2GB", "2 GiB", "2048MiB", 2).
fn memory_value(old: Option<&Value>, size: Size) -> Value {
    let gb = format_gb(size.memory_mib());
    match old {
        Some(Value::String(s)) => {
            let text = s.value();
            let lower = text.to_ascii_lowercase();
            let spaced = text
                .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.')
                .starts_with(' ');
            let sep = if spaced { " " } else { "" };
            if lower.contains("mib")
                || lower.contains("mb")
                || lower.trim().parse::<f64>().is_ok_and(|v| v >= 128.0)
            {
                let unit = if lower.contains("mib") {
                    "MiB"
                } else if lower.contains("mb") {
                    "MB"
                } else {
                    ""
                };
                Value::from(format!(
                    "{}{}{unit}",
                    size.memory_mib(),
                    if unit.is_empty() { "" } else { sep }
                ))
            } else if lower.contains("gib") {
                Value::from(format!("{gb}{sep}GiB"))
            } else {
                Value::from(format!("{gb}{sep}GB"))
            }
        }
        Some(Value::Integer(i)) if *i.value() >= 128 => Value::from(i64::from(size.memory_mib())),
        _ => number(size.memory_gb()),
    }
}

fn number(value: Decimal) -> Value {
    let value = value.normalize();
    if value.is_integer() {
        Value::from(i64::try_from(value).unwrap_or(0))
    } else {
        Value::from(f64::try_from(value).unwrap_or(0.0))
    }
}

/// Set `key` in a table keeping the old value's surrounding whitespace and comments.
fn set_keeping_decor(table: &mut dyn toml_edit::TableLike, key: &str, mut value: Value) {
    if let Some(old) = table.get(key).and_then(Item::as_value) {
        *value.decor_mut() = old.decor().clone();
    }
    match table.get_mut(key) {
        Some(item) => *item = Item::Value(value),
        None => {
            table.insert(key, Item::Value(value));
        }
    }
}

/// The job's task-definition file and its text as read now, when it has one.
pub(crate) fn read_task_definition(
    config: &Config,
    job: &Job,
) -> Result<Option<(PathBuf, String)>> {
    let Some(file) = &job.task_definition_file else {
        return Ok(None);
    };
    let dir = config
        .path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Error::invalid(
            "task_definition_file",
            format!("job `{}`: cannot read {}: {e}", job.name, path.display()),
        )
    })?;
    Ok(Some((path, text)))
}

/// The fargate-cost.toml edit that gives job `name` the size `size`.
pub(crate) fn config_edit(path: &Path, before: String, name: &str, size: Size) -> Result<Edit> {
    let mut document: DocumentMut = before.parse().map_err(|e: toml_edit::TomlError| {
        Error::Store(format!("{}: {}", path.display(), e.message()))
    })?;
    let jobs = document
        .get_mut("jobs")
        .and_then(Item::as_array_of_tables_mut)
        .ok_or_else(|| Error::Store(format!("{} has no [[jobs]]", path.display())))?;
    let table = jobs
        .iter_mut()
        .find(|t| t.get("name").and_then(Item::as_str) == Some(name))
        .ok_or_else(|| Error::Store(format!("{} has no job `{name}`", path.display())))?;
    let cpu = cpu_value(table.get("cpu").and_then(Item::as_value), size);
    let memory = memory_value(table.get("memory").and_then(Item::as_value), size);
    set_keeping_decor(table, "cpu", cpu);
    set_keeping_decor(table, "memory", memory);
    Ok(Edit {
        path: path.to_path_buf(),
        before,
        after: document.to_string(),
    })
}

/// The task-definition JSON edit: task-level `cpu`/`memory` as strings (as ECS writes
/// them), and container `memory`/`memoryReservation`/`cpu` kept within the new task size.
pub(crate) fn task_definition_edit(
    path: &Path,
    before: String,
    container: Option<&str>,
    size: Size,
) -> Result<Edit> {
    let mut json: Json = serde_json::from_str(&before)
        .map_err(|e| Error::Store(format!("{}: not JSON: {e}", path.display())))?;
    let root = json
        .as_object_mut()
        .ok_or_else(|| Error::Store(format!("{}: not a task definition object", path.display())))?;
    // A `describe-task-definition` dump wraps it in "taskDefinition".
    let task = match root.get_mut("taskDefinition").and_then(Json::as_object_mut) {
        Some(inner) => inner,
        None => root,
    };
    let old_memory = task
        .get("memory")
        .and_then(|m| {
            m.as_str()
                .map(String::from)
                .or_else(|| m.as_u64().map(|n| n.to_string()))
        })
        .and_then(|m| m.trim().parse::<u64>().ok());
    task.insert("cpu".into(), Json::String(size.cpu_units().to_string()));
    task.insert("memory".into(), Json::String(size.memory_mib().to_string()));
    if let Some(containers) = task
        .get_mut("containerDefinitions")
        .and_then(Json::as_array_mut)
    {
        let single = containers.len() == 1;
        for def in containers.iter_mut().filter_map(Json::as_object_mut) {
            let named = def.get("name").and_then(Json::as_str);
            if !single && container.is_some() && named != container {
                continue;
            }
            let get = |key: &str| def.get(key).and_then(Json::as_u64);
            let old = ContainerLimits {
                memory: get("memory"),
                memory_reservation: get("memoryReservation"),
                cpu: get("cpu"),
            };
            let new = old.within(old_memory, size);
            for (key, before, after) in [
                ("memory", old.memory, new.memory),
                (
                    "memoryReservation",
                    old.memory_reservation,
                    new.memory_reservation,
                ),
                ("cpu", old.cpu, new.cpu),
            ] {
                if let Some(value) = after.filter(|_| after != before) {
                    def.insert(key.into(), Json::from(value));
                }
            }
        }
    }
    let mut after = serde_json::to_string_pretty(&json)
        .map_err(|e| Error::Store(format!("{}: {e}", path.display())))?;
    if before.ends_with('\n') {
        after.push('\n');
    }
    Ok(Edit {
        path: path.to_path_buf(),
        before,
        after,
    })
}

/// A config edit that also sets job `name`'s driver heap to `heap_mib` where the config
/// sets it: `[jobs.spark] driver_memory` and the heap keys of `[jobs.local] env`
/// (`SPARK_DRIVER_MEMORY`, `spark.driver.memory`, the `--driver-memory` of
/// `PYSPARK_SUBMIT_ARGS`), each in its own style.
pub(crate) fn with_heap_in_config(edit: Edit, name: &str, heap_mib: u32) -> Result<Edit> {
    let path = edit.path.clone();
    let mut document: DocumentMut = edit.after.parse().map_err(|e: toml_edit::TomlError| {
        Error::Store(format!("{}: {}", path.display(), e.message()))
    })?;
    let table = document
        .get_mut("jobs")
        .and_then(Item::as_array_of_tables_mut)
        .and_then(|jobs| {
            jobs.iter_mut()
                .find(|t| t.get("name").and_then(Item::as_str) == Some(name))
        })
        .ok_or_else(|| Error::Store(format!("{} has no job `{name}`", path.display())))?;
    if let Some(spark) = table.get_mut("spark").and_then(Item::as_table_like_mut)
        && spark.contains_key("driver_memory")
    {
        set_keeping_decor(
            spark,
            "driver_memory",
            Value::from(spark::format_heap(heap_mib)),
        );
    }
    let env = table
        .get_mut("local")
        .and_then(Item::as_table_like_mut)
        .and_then(|local| local.get_mut("env"))
        .and_then(Item::as_table_like_mut);
    if let Some(env) = env {
        for key in spark::HEAP_KEYS {
            let Some(old) = env.get(key).and_then(Item::as_str).map(String::from) else {
                continue;
            };
            set_keeping_decor(env, key, Value::from(spark::with_heap(key, &old, heap_mib)));
        }
    }
    Ok(Edit {
        after: document.to_string(),
        ..edit
    })
}

/// A task-definition edit that also sets the heap keys of its container's environment
/// (the one named, or every one when it has one or none is named) to `heap_mib`.
pub(crate) fn with_heap_in_task_definition(
    edit: Edit,
    container: Option<&str>,
    heap_mib: u32,
) -> Result<Edit> {
    let path = edit.path.clone();
    let mut json: Json = serde_json::from_str(&edit.after)
        .map_err(|e| Error::Store(format!("{}: not JSON: {e}", path.display())))?;
    let task = match json.get("taskDefinition").is_some() {
        true => &mut json["taskDefinition"],
        false => &mut json,
    };
    if let Some(containers) = task
        .get_mut("containerDefinitions")
        .and_then(Json::as_array_mut)
    {
        let single = containers.len() == 1;
        for def in containers.iter_mut() {
            let named = def.get("name").and_then(Json::as_str);
            if !single && container.is_some() && named != container {
                continue;
            }
            let pairs = def.get_mut("environment").and_then(Json::as_array_mut);
            for pair in pairs.into_iter().flatten() {
                let key = pair.get("name").and_then(Json::as_str).unwrap_or("");
                let value = pair.get("value").and_then(Json::as_str);
                if let Some(value) = value.filter(|_| spark::HEAP_KEYS.contains(&key)) {
                    let new = spark::with_heap(key, value, heap_mib);
                    pair["value"] = Json::String(new);
                }
            }
        }
    }
    let mut after = serde_json::to_string_pretty(&json)
        .map_err(|e| Error::Store(format!("{}: {e}", path.display())))?;
    if edit.after.ends_with('\n') {
        after.push('\n');
    }
    Ok(Edit { after, ..edit })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::size::Os;

    const CONFIG: &str = r#"# Team jobs — keep this comment
[defaults]
region = "eu-west-1"   # where we run

[[jobs]]
name = "a"
cpu = "4 vCPU"      # generous
memory = "16 GiB"   # was OOMing once
duration = "10m"

[[jobs]]
name = "b"
cpu = 2
memory = 4096
"#;

    #[test]
    fn the_heap_changes_where_the_config_and_task_definition_set_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fargate-cost.toml");
        let before = "[[jobs]]\nname = \"s\"\ncpu = 2\nmemory = \"4GB\"\n[jobs.local]\ncommand = [\"x\"]\nenv = { EVENTS = \"9\", PYSPARK_SUBMIT_ARGS = \"--driver-memory 2g pyspark-shell\" }\n";
        std::fs::write(&path, before).unwrap();
        let size = Size::new(4096, 8192, Os::Linux).unwrap();
        let edit = config_edit(&path, before.to_string(), "s", size).unwrap();
        let edit = with_heap_in_config(edit, "s", 5760).unwrap();
        assert_eq!(
            edit.after,
            before
                .replace("cpu = 2", "cpu = 4")
                .replace("4GB", "8GB")
                .replace("--driver-memory 2g", "--driver-memory 5760m")
        );
        let task = dir.path().join("task.json");
        let json = r#"{"cpu":"2048","memory":"4096","containerDefinitions":[{"name":"app","environment":[{"name":"SPARK_DRIVER_MEMORY","value":"2g"},{"name":"OTHER","value":"2g"}]}]}"#;
        let edit = task_definition_edit(&task, json.to_string(), None, size).unwrap();
        let edit = with_heap_in_task_definition(edit, None, 5760).unwrap();
        let after: Json = serde_json::from_str(&edit.after).unwrap();
        let env = &after["containerDefinitions"][0]["environment"];
        assert_eq!(env[0]["value"], "5760m");
        assert_eq!(env[1]["value"], "2g", "other keys are kept");
        assert_eq!(after["memory"], "8192");
    }

    #[test]
    fn only_the_size_values_change_in_the_config() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fargate-cost.toml");
        std::fs::write(&path, CONFIG).unwrap();
        let size = Size::new(1024, 3072, Os::Linux).unwrap();
        let edit = config_edit(&path, std::fs::read_to_string(&path).unwrap(), "a", size).unwrap();
        let expected = CONFIG
            .replace("cpu = \"4 vCPU\"      #", "cpu = \"1 vCPU\"      #")
            .replace("memory = \"16 GiB\"   #", "memory = \"3 GiB\"   #");
        assert_eq!(edit.after, expected, "byte-for-byte, except the two values");
        edit.apply().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), expected);
        // Number styles stay numbers: b's memory was MiB.
        let edit = config_edit(
            &path,
            std::fs::read_to_string(&path).unwrap(),
            "b",
            Size::new(512, 2048, Os::Linux).unwrap(),
        )
        .unwrap();
        assert_eq!(
            edit.after,
            expected.replace("cpu = 2\nmemory = 4096", "cpu = 0.5\nmemory = 2048")
        );
        assert!(edit.diff().contains("-cpu = 2\n") && edit.diff().contains("+cpu = 0.5\n"));
    }

    #[test]
    fn a_concurrent_edit_is_detected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fargate-cost.toml");
        std::fs::write(&path, CONFIG).unwrap();
        let edit = config_edit(
            &path,
            std::fs::read_to_string(&path).unwrap(),
            "a",
            Size::new(1024, 2048, Os::Linux).unwrap(),
        )
        .unwrap();
        std::fs::write(&path, format!("{CONFIG}\n# someone else\n")).unwrap();
        let err = edit.apply().unwrap_err().to_string();
        assert!(
            err.contains("changed since it was read; not overwritten"),
            "{err}"
        );
        assert!(
            std::fs::read_to_string(&path)
                .unwrap()
                .ends_with("# someone else\n")
        );
    }

    #[test]
    fn task_definition_keeps_every_other_field() {
        let before = r#"{
  "family": "orders",
  "networkMode": "awsvpc",
  "requiresCompatibilities": ["FARGATE"],
  "cpu": "4096",
  "memory": "16384",
  "executionRoleArn": "arn:aws:iam::123456789012:role/exec",
  "containerDefinitions": [
    {
      "name": "app",
      "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/orders:42",
      "memory": 16384,
      "memoryReservation": 8192,
      "environment": [{"name": "MODE", "value": "batch"}],
      "essential": true
    }
  ],
  "tags": [{"key": "team", "value": "data"}]
}
"#;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("td.json");
        std::fs::write(&path, before).unwrap();
        let edit = task_definition_edit(
            &path,
            before.to_string(),
            Some("app"),
            Size::new(1024, 3072, Os::Linux).unwrap(),
        )
        .unwrap();
        let mut old: Json = serde_json::from_str(before).unwrap();
        let new: Json = serde_json::from_str(&edit.after).unwrap();
        assert_eq!(new["cpu"], "1024");
        assert_eq!(new["memory"], "3072");
        let app = &new["containerDefinitions"][0];
        assert_eq!(app["memory"], 3072, "hard limit followed the task");
        assert_eq!(
            app["memoryReservation"], 3072,
            "reservation kept under the limit"
        );
        // Everything else is identical, in the same key order.
        old["cpu"] = "1024".into();
        old["memory"] = "3072".into();
        old["containerDefinitions"][0]["memory"] = 3072.into();
        old["containerDefinitions"][0]["memoryReservation"] = 3072.into();
        assert_eq!(old, new);
        let keys: Vec<&String> = new.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "family",
                "networkMode",
                "requiresCompatibilities",
                "cpu",
                "memory",
                "executionRoleArn",
                "containerDefinitions",
                "tags"
            ]
        );
    }
}
