//! `tune --chart`: predicted cost per run and run time per vCPU, the measured points, the
//! deadline and the recommended size.

use std::path::Path;
use std::time::Duration;

use plotters::coord::Shift;
use plotters::prelude::*;
use rust_decimal::prelude::ToPrimitive;

use super::labels;
use super::write_chart;
use crate::analysis::sizing::Candidate;
use crate::error::{Error, Result};
use crate::model::size::Size;

/// Chart size in pixels.
const SIZE: (u32, u32) = (960, 600);

/// Cost and run time per vCPU from a sweep or model, marking the recommendation and the
/// deadline.
#[derive(Debug, Clone)]
pub struct SweepChart<'a> {
    /// Title.
    pub title: String,
    /// Sizes priced by the model.
    pub candidates: &'a [Candidate],
    /// Measured (vCPU, trimmed-mean seconds, runs).
    pub measured: &'a [(f64, f64, usize)],
    /// The recommended size.
    pub recommended: Size,
    /// Deadline, if any.
    pub deadline: Option<Duration>,
}

impl SweepChart<'_> {
    /// Draw to `path` (.svg or .png).
    pub fn write(&self, path: &Path) -> Result<()> {
        if self.candidates.is_empty() {
            return Err(Error::invalid(
                "--chart",
                "no runtime model to draw: record runs at two or more CPU sizes (tune --sweep)",
            ));
        }
        write_chart(path, SIZE, |root| self.draw(root), |root| self.draw(root))
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: DrawingArea<DB, Shift>,
    ) -> std::result::Result<(), String>
    where
        DB::ErrorType: 'static,
    {
        let text = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
        root.fill(&WHITE).map_err(text)?;
        let vcpu = |s: Size| s.vcpu().to_f64().unwrap_or(0.0);
        let costs: Vec<(f64, f64)> = self
            .candidates
            .iter()
            .map(|c| (vcpu(c.size), c.usd_per_run.to_f64().unwrap_or(0.0)))
            .collect();
        let times: Vec<(f64, f64)> = self
            .candidates
            .iter()
            .map(|c| (vcpu(c.size), c.seconds))
            .collect();
        let x_min = costs.iter().map(|p| p.0).fold(f64::INFINITY, f64::min) / 1.5;
        let x_max = costs.iter().map(|p| p.0).fold(0.0, f64::max) * 1.5;
        let cost_max = costs.iter().map(|p| p.1).fold(0.0, f64::max) * 1.15;
        let deadline = self.deadline.map(|d| d.as_secs_f64());
        let time_max = times
            .iter()
            .map(|p| p.1)
            .chain(self.measured.iter().map(|m| m.1))
            .chain(deadline)
            .fold(0.0, f64::max)
            * 1.15;
        let mut chart = ChartBuilder::on(&root)
            .caption(&self.title, ("sans-serif", 24))
            .margin(20)
            .x_label_area_size(50)
            .y_label_area_size(80)
            .right_y_label_area_size(80)
            .build_cartesian_2d((x_min..x_max).log_scale(), 0.0..cost_max.max(1e-9))
            .map_err(text)?
            .set_secondary_coord((x_min..x_max).log_scale(), 0.0..time_max.max(1.0));
        chart
            .configure_mesh()
            .x_desc("vCPU (log scale)")
            .y_desc("USD per run")
            .y_label_formatter(&|v| labels::money(*v))
            .x_label_formatter(&|v| labels::number(*v))
            .draw()
            .map_err(text)?;
        chart
            .configure_secondary_axes()
            .y_desc("run time (seconds)")
            .draw()
            .map_err(text)?;
        chart
            .draw_series(LineSeries::new(costs.clone(), BLUE.stroke_width(2)))
            .map_err(text)?
            .label("cost per run (predicted)")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLUE.stroke_width(2)));
        chart
            .draw_series(costs.iter().map(|p| Circle::new(*p, 3, BLUE.filled())))
            .map_err(text)?;
        chart
            .draw_secondary_series(LineSeries::new(times, RED.stroke_width(2)))
            .map_err(text)?
            .label("run time T(v) = a + b/v")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], RED.stroke_width(2)));
        chart
            .draw_secondary_series(
                self.measured
                    .iter()
                    .map(|m| Cross::new((m.0, m.1), 6, RED.stroke_width(2))),
            )
            .map_err(text)?
            .label("measured (trimmed mean of repeats)")
            .legend(|(x, y)| Cross::new((x + 10, y), 5, RED.stroke_width(2)));
        if let Some(d) = deadline {
            chart
                .draw_secondary_series(LineSeries::new(
                    vec![(x_min, d), (x_max, d)],
                    BLACK.stroke_width(1),
                ))
                .map_err(text)?
                .label("deadline")
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK));
        }
        if let Some(pick) = self.candidates.iter().find(|c| c.size == self.recommended) {
            let point = (vcpu(pick.size), pick.usd_per_run.to_f64().unwrap_or(0.0));
            chart
                .draw_series([Circle::new(point, 10, GREEN.stroke_width(3))])
                .map_err(text)?
                .label(format!("recommended: {}", pick.size))
                .legend(|(x, y)| Circle::new((x + 10, y), 6, GREEN.stroke_width(3)));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(text)?;
        root.present().map_err(text)?;
        Ok(())
    }
}
