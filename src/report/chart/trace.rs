//! `runs show ID --chart`: one run's CPU and memory over time against its size's limits.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::write_chart;
use crate::error::{Error, Result};

/// Chart size in pixels.
const SIZE: (u32, u32) = (960, 600);

/// CPU and memory of one run over time, against the size's limits.
#[derive(Debug, Clone)]
pub struct TraceChart<'a> {
    /// Title.
    pub title: String,
    /// The trace.
    pub samples: &'a [crate::model::run::Sample],
    /// vCPU of the size.
    pub vcpu_limit: f64,
    /// MiB of the size.
    pub memory_limit_mib: f64,
}

impl TraceChart<'_> {
    /// Draw to `path` (.svg or .png).
    pub fn write(&self, path: &Path) -> Result<()> {
        if self.samples.is_empty() {
            return Err(Error::invalid("--chart", "this run has no samples to draw"));
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
        let root = root.titled(&self.title, ("sans-serif", 24)).map_err(text)?;
        let panels = root.split_evenly((2, 1));
        let end = self
            .samples
            .iter()
            .map(|s| s.offset_ms as f64 / 1000.0)
            .fold(1.0, f64::max);
        let cpu_max = self
            .samples
            .iter()
            .map(|s| s.cpu_vcpu)
            .fold(self.vcpu_limit, f64::max)
            * 1.15;
        let memory_max = self
            .samples
            .iter()
            .map(|s| s.memory_mib)
            .fold(self.memory_limit_mib, f64::max)
            * 1.15;
        let panels_spec = [
            ("CPU (vCPU)", cpu_max, self.vcpu_limit, BLUE, true),
            (
                "memory (MiB)",
                memory_max,
                self.memory_limit_mib,
                RED,
                false,
            ),
        ];
        for (area, (label, y_max, limit, color, is_cpu)) in panels.iter().zip(panels_spec) {
            let mut chart = ChartBuilder::on(area)
                .margin(15)
                .x_label_area_size(40)
                .y_label_area_size(80)
                .build_cartesian_2d(0.0..end, 0.0..y_max.max(1e-6))
                .map_err(text)?;
            chart
                .configure_mesh()
                .x_desc("seconds since start")
                .y_desc(label)
                .draw()
                .map_err(text)?;
            let points = self.samples.iter().map(|s| {
                (
                    s.offset_ms as f64 / 1000.0,
                    if is_cpu { s.cpu_vcpu } else { s.memory_mib },
                )
            });
            chart
                .draw_series(LineSeries::new(points, color.stroke_width(2)))
                .map_err(text)?
                .label(format!("{label} in use"))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                });
            chart
                .draw_series(LineSeries::new(
                    vec![(0.0, limit), (end, limit)],
                    BLACK.stroke_width(1),
                ))
                .map_err(text)?
                .label(format!("limit ({limit})"))
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK));
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperLeft)
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK)
                .draw()
                .map_err(text)?;
        }
        root.present().map_err(text)?;
        Ok(())
    }
}
