//! JVM-aware sizing of Spark jobs: whether the driver heap fits the task's memory with
//! Spark's overhead, whether it leaves most of the task out of Spark's reach, and the heap
//! that goes with a recommended size.

use crate::model::size::{MIB_PER_GB, Size};
use crate::model::spark::{self, Heap, HeapSource};

/// The warnings about a heap in a task of `size` (none when it fits well). `job` names it.
pub(crate) fn warnings(job: &str, heap: &Heap, size: Size) -> Vec<String> {
    let memory = size.memory_mib();
    let overhead = spark::overhead_mib(heap.mib);
    let used = heap.mib.saturating_add(overhead);
    let heap_text = format!(
        "{job}: driver heap {} ({}) + overhead {} (max(384 MiB, 10%), as Spark reserves)",
        gb(heap.mib),
        heap.source,
        gb(overhead)
    );
    let fitting = spark::format_heap(spark::heap_for(memory));
    if used > memory {
        vec![format!(
            "{heap_text} = {} exceeds the task's memory {}: the task is OOM-killed once the heap fills; set the heap to {fitting} or give the task more memory",
            gb(used),
            gb(memory)
        )]
    } else if u64::from(used) * 2 < u64::from(memory) {
        vec![format!(
            "{heap_text} = {} leaves most of the task's {} out of Spark's reach: set the heap to {fitting} or a smaller task",
            gb(used),
            gb(memory)
        )]
    } else {
        Vec::new()
    }
}

/// The heap for a recommended size, with the sentence explaining it; `None` when it is
/// already that heap or the job's heap cannot be written (Spark's default, set nowhere).
pub(crate) fn recommended_heap(heap: &Heap, size: Size) -> Option<(u32, String)> {
    let mib = spark::heap_for(size.memory_mib());
    if mib == heap.mib || heap.source == HeapSource::Default {
        return None;
    }
    Some((
        mib,
        format!(
            "driver heap {} (was {}): 80% of the task's {} less Spark's overhead of {}; the rest holds the Python workers and the OS",
            gb(mib),
            gb(heap.mib),
            gb(size.memory_mib()),
            gb(spark::overhead_mib(mib))
        ),
    ))
}

/// MiB as "2.8 GB" (GiB, as Fargate and the rest of the output write GB).
fn gb(mib: u32) -> String {
    let tenths = (u64::from(mib) * 10 + u64::from(MIB_PER_GB) / 2) / u64::from(MIB_PER_GB);
    if mib < 1024 {
        format!("{mib} MiB")
    } else {
        format!("{}.{} GB", tenths / 10, tenths % 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::size::Os;

    fn heap(mib: u32) -> Heap {
        Heap {
            mib,
            source: HeapSource::Config,
        }
    }

    fn size(cpu: u32, memory: u32) -> Size {
        Size::new(cpu, memory, Os::Linux).unwrap()
    }

    #[test]
    fn a_heap_over_the_task_and_a_heap_far_under_it_are_warned() {
        // 4 GB heap + 410 MiB overhead in a 4 GB task.
        let over = warnings("j", &heap(4096), size(2048, 4096));
        assert!(
            over[0].contains("= 4.4 GB exceeds the task's memory 4.0 GB"),
            "{over:?}"
        );
        assert!(over[0].contains("set the heap to 2880m"), "{over:?}");
        // 1 GB + 384 MiB in 16 GB.
        let under = warnings("j", &heap(1024), size(4096, 16384));
        assert!(
            under[0].contains("leaves most of the task's 16.0 GB"),
            "{under:?}"
        );
        // 2 GB + 384 MiB in 4 GB fits.
        assert!(warnings("j", &heap(2048), size(2048, 4096)).is_empty());
    }

    #[test]
    fn the_heap_follows_the_size_and_says_why() {
        let (mib, why) = recommended_heap(&heap(2048), size(2048, 4096)).unwrap();
        assert_eq!(mib, 2880);
        assert!(
            why.starts_with("driver heap 2.8 GB (was 2.0 GB): 80% of the task's 4.0 GB"),
            "{why}"
        );
        let default = Heap {
            mib: 1024,
            source: HeapSource::Default,
        };
        assert_eq!(recommended_heap(&default, size(2048, 4096)), None);
    }
}
