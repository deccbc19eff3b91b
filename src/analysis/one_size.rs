//! CPU from one size: how a CPU-bound job's run time scales with vCPU, estimated from the
//! CPU trace of its runs at the one size it has run at, so `tune` can trim or grow CPU
//! without a sweep.
//!
//! An Amdahl-style split of the run at v₀ vCPU taking T₀ seconds: the share f of samples at
//! the CPU limit is time the job waited for CPU — work that more CPU would finish sooner;
//! the rest (1 − f) ran below the limit — waiting on I/O, a single thread, the interpreter —
//! and does not shrink. So T(v) = T₀·(1 − f) + T₀·f·v₀ / v, the runtime model T = a + b/v
//! with a = T₀(1 − f) and b = T₀·f·v₀.
//!
//! Confidence differs by direction. With less CPU the work at the limit is conserved (a
//! job that used v₀ fully needs v₀/v as long for it), so trimming is well founded. With more
//! CPU the model assumes the limited part keeps scaling, which one size cannot show (the job
//! may have no more parallelism to use), so growth is capped at [`GROWTH_LIMIT`]× v₀ and
//! called low-confidence. A sweep, or runs at two sizes, replaces this model.

use crate::analysis::sizing::RuntimeModel;

/// The most a one-size model grows CPU: one Fargate CPU level (2×).
pub const GROWTH_LIMIT: f64 = 2.0;

/// A runtime model from one size's CPU trace.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct OneSize {
    /// The size it came from, vCPU.
    pub vcpu: f64,
    /// Share of samples at the CPU limit (mean over the runs).
    pub at_limit: f64,
    /// Runs it came from.
    pub runs: usize,
}

impl OneSize {
    /// The model from `runs` runs at `vcpu` taking `seconds` (trimmed mean), whose
    /// samples were at the limit `at_limit` of the time; None without a usable share.
    pub fn model(vcpu: f64, seconds: f64, at_limit: f64, runs: usize) -> Option<RuntimeModel> {
        let valid = vcpu > 0.0 && seconds > 0.0 && (0.0..=1.0).contains(&at_limit);
        if !valid || at_limit == 0.0 {
            return None;
        }
        Some(RuntimeModel {
            a: seconds * (1.0 - at_limit),
            b: seconds * at_limit * vcpu,
            // A model through one point fits it exactly; its uncertainty is said in words.
            r2: 1.0,
            points: vec![(vcpu, seconds, runs)],
            one_size: Some(OneSize {
                vcpu,
                at_limit,
                runs,
            }),
        })
    }

    /// The largest vCPU the model may recommend.
    pub fn max_vcpu(&self) -> f64 {
        self.vcpu * GROWTH_LIMIT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_split_puts_the_time_at_the_limit_in_the_part_that_scales() {
        // 100 s at 2 vCPU, 80 % of samples at the limit: a = 20 s, b = 100 × 0.8 × 2 = 160.
        let m = OneSize::model(2.0, 100.0, 0.8, 4).unwrap();
        assert!(
            (m.a - 20.0).abs() < 1e-9 && (m.b - 160.0).abs() < 1e-9,
            "{m:?}"
        );
        // It reproduces the measured size, halves the scalable part at twice the CPU
        // (20 + 40 = 60 s) and doubles it at half (20 + 160 = 180 s).
        assert!((m.predict(2.0) - 100.0).abs() < 1e-9);
        assert!((m.predict(4.0) - 60.0).abs() < 1e-9);
        assert!((m.predict(1.0) - 180.0).abs() < 1e-9);
        assert_eq!(m.one_size.unwrap().max_vcpu(), 4.0);
        // Never at the limit: nothing to scale, no model.
        assert!(OneSize::model(2.0, 100.0, 0.0, 4).is_none());
        assert!(OneSize::model(2.0, 100.0, 1.5, 4).is_none());
    }
}
