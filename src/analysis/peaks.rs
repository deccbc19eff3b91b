//! Memory from the risk of running out, not a fixed headroom: the memory target is an upper
//! prediction bound for the next run's peak at a chosen risk (`--oom-risk`, default 0.1 %
//! per run).
//!
//! Model: a job's peaks are log-normal — its data varies by a factor, not by a fixed
//! amount — so y = ln(peak) is normal with mean μ and spread σ. The bound for one new
//! observation is the Student-t prediction interval ȳ + t(1−risk; ν) · σ̂ · √(1 + 1/n): the
//! t quantile and the √(1 + 1/n) term are the small-sample correction for not knowing μ and
//! σ. σ̂ pools the runs' spread with a weak prior (a spread of [`PRIOR_SPREAD`] worth
//! [`PRIOR_RUNS`] runs, the conjugate normal–inverse-χ² update), so three identical runs do
//! not claim a spread of 0 and three scattered ones do not ask for 20× their peak; with many
//! runs the job's own spread dominates. A steady job gets little headroom, a spiky one more.
//!
//! Peaks that grow over time (data growth) are fitted as a line in ln(peak) against days;
//! when the slope is positive at 95 % confidence, the bound is the regression's prediction
//! interval [`HORIZON_DAYS`] after the last run.
//!
//! Pure arithmetic on f64 (statistics of MiB, not money).

use statrs::distribution::{ContinuousCDF, StudentsT};

/// The default risk of running out of memory, per run.
pub const DEFAULT_OOM_RISK: f64 = 0.001;

/// The spread a batch job's peak is assumed to have before its runs say otherwise
/// (σ of ln peak: about ±10 % run to run)...
pub const PRIOR_SPREAD: f64 = 0.10;
/// ...held as strongly as this many runs.
pub const PRIOR_RUNS: f64 = 4.0;

/// The least spread of peaks read at 1-minute resolution (ECS Container Insights'
/// `MemoryUtilized` Maximum): a spike shorter than a report is not seen, so the fitted
/// spread is widened to at least 5 %. Local runs read the kernel's exact peak.
pub const MINUTE_PEAK_SPREAD: f64 = 0.05;

/// A growing peak is projected this far past the last run (the next month of runs).
pub const HORIZON_DAYS: f64 = 30.0;

/// Fewest runs to look for a trend (a line needs residuals to judge its slope).
const MIN_RUNS_FOR_TREND: usize = 6;

/// Confidence a slope needs to count as growth.
const TREND_CONFIDENCE: f64 = 0.95;

/// One run's peak.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Peak {
    /// When the run started, in days since any fixed time.
    pub day: f64,
    /// Its peak, MiB.
    pub mib: f64,
    /// Whether the peak is the kernel's exact one (local) rather than a 1-minute value.
    pub exact: bool,
}

/// The bound and what it rests on, for the explanation.
#[derive(Debug, Clone, PartialEq)]
pub struct PeakBound {
    /// Runs fitted.
    pub runs: usize,
    /// The quantile bounded (1 − risk).
    pub quantile: f64,
    /// The typical peak (geometric mean, or the trend's value at the last run), MiB.
    pub typical_mib: f64,
    /// The spread used (σ of ln peak, after the prior and the 1-minute floor).
    pub spread: f64,
    /// The runs' own spread (sample σ of ln peak, or of the trend's residuals).
    pub observed_spread: f64,
    /// Whether some peaks were 1-minute values (so the spread was floored at 5 %).
    pub minute_peaks: bool,
    /// Whether that floor raised the spread (it was below 5 %).
    pub spread_floored: bool,
    /// Growth per [`HORIZON_DAYS`] when peaks trend up (0.12 = +12 %), projected.
    pub growth: Option<f64>,
    /// The bound, MiB.
    pub bound_mib: f64,
    /// Whether the bound is the highest peak plus one spread (above the fit's bound).
    pub from_highest: bool,
}

/// The upper prediction bound of the next run's peak at `risk`; None with fewer than 2
/// peaks, a risk outside (0, 0.5), or a peak that is not a positive number.
pub fn bound(peaks: &[Peak], risk: f64) -> Option<PeakBound> {
    let n = peaks.len();
    let valid = peaks.iter().all(|p| p.mib.is_finite() && p.mib > 0.0);
    if n < 2 || !valid || !(risk > 0.0 && risk < 0.5) {
        return None;
    }
    let minute_peaks = peaks.iter().any(|p| !p.exact);
    let ys: Vec<f64> = peaks.iter().map(|p| p.mib.ln()).collect();
    let fit = match Trend::fit(peaks, &ys) {
        Some(trend) => trend.bound(n, risk, minute_peaks),
        None => level_bound(&ys, risk, minute_peaks)?,
    };
    Some(fit.at_least_a_spread_over(peaks))
}

impl PeakBound {
    /// A log-normal fit is symmetric in ln(peak), but real peaks are often a steady level
    /// with rare spikes (a skewed day of data): a spike already seen says the next may be as
    /// large. So the bound is never below the highest peak plus one spread.
    fn at_least_a_spread_over(mut self, peaks: &[Peak]) -> PeakBound {
        let highest = peaks.iter().map(|p| p.mib).fold(0.0, f64::max);
        let over_highest = highest * self.spread.exp();
        if over_highest > self.bound_mib {
            self.bound_mib = over_highest;
            self.from_highest = true;
        }
        self
    }
}

/// The bound of a level without a trend.
fn level_bound(ys: &[f64], risk: f64, minute_peaks: bool) -> Option<PeakBound> {
    let n = ys.len();
    let n_f = n as f64;
    let mean = ys.iter().sum::<f64>() / n_f;
    let ss: f64 = ys.iter().map(|y| (y - mean).powi(2)).sum();
    let (spread, freedom, spread_floored) = pooled(ss, n_f - 1.0, minute_peaks);
    let half = t_quantile(1.0 - risk, freedom)? * spread * (1.0 + 1.0 / n_f).sqrt();
    Some(PeakBound {
        runs: n,
        quantile: 1.0 - risk,
        typical_mib: mean.exp(),
        spread,
        observed_spread: (ss / (n_f - 1.0)).sqrt(),
        minute_peaks,
        spread_floored,
        growth: None,
        bound_mib: (mean + half).exp(),
        from_highest: false,
    })
}

/// The spread pooled with the prior, floored for 1-minute peaks, its degrees of freedom, and
/// whether the floor raised it.
fn pooled(sum_of_squares: f64, freedom: f64, minute_peaks: bool) -> (f64, f64, bool) {
    let pooled_freedom = PRIOR_RUNS + freedom;
    let variance = (PRIOR_RUNS * PRIOR_SPREAD.powi(2) + sum_of_squares) / pooled_freedom;
    let spread = variance.sqrt();
    let floored = minute_peaks && spread < MINUTE_PEAK_SPREAD;
    let floor = if floored { MINUTE_PEAK_SPREAD } else { spread };
    (spread.max(floor), pooled_freedom, floored)
}

/// The Student-t quantile `q` with `freedom` degrees of freedom.
fn t_quantile(q: f64, freedom: f64) -> Option<f64> {
    StudentsT::new(0.0, 1.0, freedom)
        .ok()
        .map(|t| t.inverse_cdf(q))
        .filter(|t| t.is_finite())
}

/// ln(peak) = a + b · day, fitted by least squares.
struct Trend {
    a: f64,
    b: f64,
    mean_day: f64,
    sxx: f64,
    sse: f64,
    last_day: f64,
}

impl Trend {
    /// The line, when there are enough runs and its slope is positive at 95 % confidence.
    fn fit(peaks: &[Peak], ys: &[f64]) -> Option<Trend> {
        let n = peaks.len();
        if n < MIN_RUNS_FOR_TREND {
            return None;
        }
        let n_f = n as f64;
        let mean_day = peaks.iter().map(|p| p.day).sum::<f64>() / n_f;
        let mean_y = ys.iter().sum::<f64>() / n_f;
        let sxx: f64 = peaks.iter().map(|p| (p.day - mean_day).powi(2)).sum();
        if sxx <= f64::EPSILON {
            return None;
        }
        let sxy: f64 = peaks
            .iter()
            .zip(ys)
            .map(|(p, y)| (p.day - mean_day) * (y - mean_y))
            .sum();
        let b = sxy / sxx;
        let a = mean_y - b * mean_day;
        let sse: f64 = peaks
            .iter()
            .zip(ys)
            .map(|(p, y)| (y - a - b * p.day).powi(2))
            .sum();
        let freedom = n_f - 2.0;
        let slope_error = (sse / freedom / sxx).sqrt();
        let significant = b > 0.0
            && (slope_error == 0.0
                || b / slope_error > t_quantile(TREND_CONFIDENCE, freedom).unwrap_or(f64::MAX));
        let last_day = peaks.iter().map(|p| p.day).fold(f64::MIN, f64::max);
        significant.then_some(Trend {
            a,
            b,
            mean_day,
            sxx,
            sse,
            last_day,
        })
    }

    /// The prediction bound [`HORIZON_DAYS`] after the last run.
    fn bound(&self, n: usize, risk: f64, minute_peaks: bool) -> PeakBound {
        let n_f = n as f64;
        let at = self.last_day + HORIZON_DAYS;
        let (spread, freedom, spread_floored) = pooled(self.sse, n_f - 2.0, minute_peaks);
        let leverage = 1.0 + 1.0 / n_f + (at - self.mean_day).powi(2) / self.sxx;
        let t = t_quantile(1.0 - risk, freedom).unwrap_or(f64::MAX);
        let projected = self.a + self.b * at;
        PeakBound {
            runs: n,
            quantile: 1.0 - risk,
            typical_mib: (self.a + self.b * self.last_day).exp(),
            spread,
            observed_spread: (self.sse / (n_f - 2.0)).sqrt(),
            minute_peaks,
            spread_floored,
            growth: Some((self.b * HORIZON_DAYS).exp() - 1.0),
            bound_mib: (projected + t * spread * leverage.sqrt()).exp(),
            from_highest: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peaks(mibs: &[f64], exact: bool) -> Vec<Peak> {
        mibs.iter()
            .enumerate()
            .map(|(i, &mib)| Peak {
                day: i as f64,
                mib,
                exact,
            })
            .collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6 * b.abs().max(1.0)
    }

    #[test]
    fn the_bound_is_the_t_prediction_interval_with_the_pooled_spread() {
        // Three runs at exactly 1000 MiB: their own spread is 0, so σ̂ is the prior's,
        // pooled: √((4 × 0.1² + 0) / (4 + 2)) = √(0.04 / 6) = 0.0816497; ν = 6;
        // t(0.999; 6) = 5.207626; bound = 1000 · exp(5.207626 × 0.0816497 × √(4/3))
        // = 1000 · exp(0.490977) = 1633.88 MiB.
        let b = bound(&peaks(&[1000.0; 3], true), 0.001).unwrap();
        assert!(close(b.spread, (0.04f64 / 6.0).sqrt()), "{b:?}");
        assert!(close(t_quantile(0.999, 6.0).unwrap(), 5.207_626), "t");
        let expected = 1000.0 * (5.207_626 * (0.04f64 / 6.0).sqrt() * (4.0f64 / 3.0).sqrt()).exp();
        assert!((b.bound_mib - expected).abs() < 0.01, "{b:?} vs {expected}");
        assert_eq!((b.runs, b.growth), (3, None));
        assert!(close(b.typical_mib, 1000.0));
    }

    #[test]
    fn a_steady_job_gets_less_headroom_than_a_spiky_one_and_more_runs_narrow_it() {
        let steady: Vec<f64> = (0..30)
            .map(|i| 1000.0 * (1.0 + 0.01 * f64::from(i % 3)))
            .collect();
        let spiky: Vec<f64> = (0..30)
            .map(|i| {
                1000.0
                    * if i % 10 == 0 {
                        1.5
                    } else {
                        1.0 + 0.05 * f64::from(i % 3)
                    }
            })
            .collect();
        let s = bound(&peaks(&steady, true), 0.001).unwrap();
        let p = bound(&peaks(&spiky, true), 0.001).unwrap();
        assert!(s.bound_mib / s.typical_mib < 1.2, "{s:?}");
        assert!(p.bound_mib / p.typical_mib > 1.4, "{p:?}");
        // The same steady spread from 5 runs is less certain than from 30.
        let few = bound(&peaks(&steady[..5], true), 0.001).unwrap();
        assert!(few.bound_mib > s.bound_mib, "{few:?} vs {s:?}");
        // A lower risk needs a higher bound.
        assert!(bound(&peaks(&steady, true), 0.0001).unwrap().bound_mib > s.bound_mib);
    }

    #[test]
    fn one_minute_peaks_are_widened_and_growth_is_projected() {
        // 30 identical 1-minute peaks: the spread is floored at 5 %, not the prior's
        // pooled 1.8 %.
        let flat = bound(&peaks(&[1000.0; 30], false), 0.001).unwrap();
        assert_eq!(flat.spread, MINUTE_PEAK_SPREAD);
        assert!(flat.minute_peaks && flat.spread_floored);
        // 3 of them: the prior's pooled √(4 · 0.1² / 6) = 8.2 % is above the floor, which
        // then changes nothing and is not said to.
        let few = bound(&peaks(&[1000.0; 3], false), 0.001).unwrap();
        assert!(few.minute_peaks && !few.spread_floored, "{few:?}");
        assert!(close(few.spread, (4.0f64 * 0.01 / 6.0).sqrt()), "{few:?}");
        // Peaks growing 1 % a day for 20 days: projected 30 days past the last run,
        // growth e^(30 · ln 1.01) − 1 = 34.78 %.
        let growing: Vec<f64> = (0..20).map(|d| 1000.0 * 1.01f64.powi(d)).collect();
        let g = bound(&peaks(&growing, true), 0.001).unwrap();
        let growth = g.growth.unwrap();
        assert!(close(growth, 1.01f64.powi(30) - 1.0), "{growth}");
        assert!(close(g.typical_mib, 1000.0 * 1.01f64.powi(19)), "{g:?}");
        assert!(g.bound_mib > 1000.0 * 1.01f64.powi(49), "{g:?}");
        // Noise without growth is not called growth.
        let noisy: Vec<f64> = (0..20)
            .map(|d| if d % 2 == 0 { 1000.0 } else { 1100.0 })
            .collect();
        assert_eq!(bound(&peaks(&noisy, true), 0.001).unwrap().growth, None);
    }

    #[test]
    fn a_seen_spike_keeps_the_bound_a_spread_above_it() {
        // 19 runs at 1,000 MiB and one spike at 1,500: the symmetric fit's bound,
        // exp(mean + t(0.999; 23) · σ̂ · √(1 + 1/20)), is about 1,419 MiB, below the spike;
        // the bound is the spike plus one spread, 1,500 · e^σ̂.
        let mut mibs = vec![1000.0; 19];
        mibs.push(1500.0);
        let b = bound(&peaks(&mibs, true), 0.001).unwrap();
        assert!(b.from_highest, "{b:?}");
        assert!(close(b.bound_mib, 1500.0 * b.spread.exp()), "{b:?}");
        let ys: Vec<f64> = mibs.iter().map(|m: &f64| m.ln()).collect();
        let mean = ys.iter().sum::<f64>() / 20.0;
        let ss: f64 = ys.iter().map(|y| (y - mean).powi(2)).sum();
        assert!(close(b.spread, ((0.04 + ss) / 23.0).sqrt()), "{b:?}");
        let symmetric = (mean + t_quantile(0.999, 23.0).unwrap() * b.spread * 1.05f64.sqrt()).exp();
        assert!(
            symmetric < 1500.0 && b.bound_mib > 1600.0,
            "{symmetric} {b:?}"
        );
    }

    #[test]
    fn too_few_runs_or_bad_values_give_no_bound() {
        assert!(bound(&peaks(&[1000.0], true), 0.001).is_none());
        assert!(bound(&peaks(&[1000.0, 0.0], true), 0.001).is_none());
        assert!(bound(&peaks(&[1000.0, f64::NAN], true), 0.001).is_none());
        assert!(bound(&peaks(&[1000.0, 1100.0], true), 0.0).is_none());
        assert!(bound(&peaks(&[1000.0, 1100.0], true), 0.5).is_none());
    }
}
