//! `runs show ID --chart`: one run's CPU and memory over time against its size's limits.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::labels::number;
use super::style::{BLUE, GRID, Header, INK, Swatch, VERMILLION, failed, font};
use super::{Drawn, write_chart};
use crate::error::{Error, Result};

/// Chart size in pixels.
const SIZE: (u32, u32) = (960, 640);

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

/// One of the two panels: what it plots and against which limit.
struct Panel {
    /// Axis description, e.g. "CPU (vCPU)".
    label: &'static str,
    color: RGBColor,
    limit: f64,
    /// (time in `unit`s, value) per sample.
    points: Vec<(f64, f64)>,
}

/// Time axis unit for a run of `seconds`: seconds up to 5 minutes, minutes up to 5 hours,
/// then hours.
fn time_unit(seconds: f64) -> (f64, &'static str) {
    if seconds <= 300.0 {
        (1.0, "seconds since start")
    } else if seconds <= 5.0 * 3600.0 {
        (60.0, "minutes since start")
    } else {
        (3600.0, "hours since start")
    }
}

impl TraceChart<'_> {
    /// Draw to `path` (.svg or .png).
    pub fn write(&self, path: &Path) -> Result<()> {
        if self.samples.is_empty() {
            return Err(Error::invalid("--chart", "this run has no samples to draw"));
        }
        write_chart(path, SIZE, |root| self.draw(&root), |root| self.draw(&root))
    }

    /// Title; limits and peaks; the legend.
    fn header(&self) -> Header {
        let peak = |f: fn(&crate::model::run::Sample) -> f64| {
            self.samples.iter().map(f).fold(0.0, f64::max)
        };
        let seconds = self.end_seconds();
        Header {
            title: self.title.clone(),
            subtitle: Some(format!(
                "size {} vCPU / {} MiB · peak {} vCPU / {} MiB · {} samples over {} s",
                number(self.vcpu_limit),
                number(self.memory_limit_mib),
                number(peak(|s| s.cpu_vcpu)),
                number(peak(|s| s.memory_mib).round()),
                self.samples.len(),
                number(seconds),
            )),
            legend: vec![
                ("CPU in use".into(), Swatch::Line(BLUE)),
                ("memory in use".into(), Swatch::Line(VERMILLION)),
                ("limit of the size".into(), Swatch::Dashed(INK)),
            ],
        }
    }

    fn end_seconds(&self) -> f64 {
        self.samples
            .iter()
            .map(|s| s.offset_ms as f64 / 1000.0)
            .fold(0.0, f64::max)
    }

    fn panels(&self, unit: f64) -> [Panel; 2] {
        let points = |f: fn(&crate::model::run::Sample) -> f64| {
            self.samples
                .iter()
                .map(|s| (s.offset_ms as f64 / 1000.0 / unit, f(s)))
                .collect()
        };
        [
            Panel {
                label: "CPU (vCPU)",
                color: BLUE,
                limit: self.vcpu_limit,
                points: points(|s| s.cpu_vcpu),
            },
            Panel {
                label: "memory (MiB)",
                color: VERMILLION,
                limit: self.memory_limit_mib,
                points: points(|s| s.memory_mib),
            },
        ]
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE).map_err(failed)?;
        let header = self.header();
        let (top, body) = root.split_vertically(header.height(SIZE.0));
        header.draw(&top)?;
        let (unit, unit_label) = time_unit(self.end_seconds());
        let end = (self.end_seconds() / unit).max(1.0 / unit);
        for (area, panel) in body.split_evenly((2, 1)).iter().zip(self.panels(unit)) {
            draw_panel(area, &panel, end, unit_label)?;
        }
        Ok(())
    }
}

/// One panel: the measure over time, its limit dashed.
fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &Panel,
    end: f64,
    time_label: &str,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    let y_max = panel.points.iter().map(|p| p.1).fold(panel.limit, f64::max) * 1.15;
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .margin_right(24)
        .x_label_area_size(44)
        .y_label_area_size(72)
        .build_cartesian_2d(0.0..end, 0.0..y_max.max(1e-6))
        .map_err(failed)?;
    chart
        .configure_mesh()
        .x_desc(time_label)
        .y_desc(panel.label)
        .x_label_formatter(&|v| number(*v))
        .y_label_formatter(&|v| number(*v))
        .label_style(font(13))
        .axis_desc_style(font(14))
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .axis_style(INK)
        .draw()
        .map_err(failed)?;
    chart
        .draw_series(LineSeries::new(
            panel.points.clone(),
            panel.color.stroke_width(2),
        ))
        .map_err(failed)?;
    // The limit over the measure: a run held at its limit shows both.
    let limit = [(0.0, panel.limit), (end, panel.limit)];
    chart
        .draw_series(DashedLineSeries::new(limit, 8, 5, INK.stroke_width(2)))
        .map_err(failed)?;
    Ok(())
}
