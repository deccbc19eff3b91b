//! Charts (plotters): SVG or PNG by the file's extension. PNG text is drawn with the bundled
//! DejaVu Sans (plotters' bitmap backend has no font of its own); SVG needs none.

use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

use plotters::coord::Shift;
use plotters::prelude::*;
use rust_decimal::prelude::ToPrimitive;

use crate::analysis::sizing::Candidate;
use crate::error::{Error, Result};
use crate::model::size::Size;

/// Chart size in pixels.
const SIZE: (u32, u32) = (960, 600);

static FONT: OnceLock<bool> = OnceLock::new();

fn register_font() -> bool {
    *FONT.get_or_init(|| {
        plotters::style::register_font(
            "sans-serif",
            FontStyle::Normal,
            include_bytes!("../../fixtures/fonts/DejaVuSans.ttf"),
        )
        .is_ok()
    })
}

fn chart_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Output(std::io::Error::other(format!(
        "chart {}: {e}",
        path.display()
    )))
}

/// Which file format a chart path asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// .svg
    Svg,
    /// .png
    Png,
}

/// The chart kind for a path, or an error naming the valid extensions.
pub fn kind(path: &Path) -> Result<Kind> {
    match path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .as_deref()
    {
        Some("svg") => Ok(Kind::Svg),
        Some("png") => Ok(Kind::Png),
        _ => Err(Error::invalid(
            "--chart",
            format!("{}: the file must end in .svg or .png", path.display()),
        )),
    }
}

/// Render a chart to `path` with the backend its extension names (.svg / .png; PNG text uses
/// the bundled font), into a temp file in the same directory renamed into place. The two
/// closures are the same drawing code instantiated for each backend.
fn write_chart(
    path: &Path,
    svg: impl FnOnce(DrawingArea<SVGBackend, Shift>) -> std::result::Result<(), String>,
    png: impl FnOnce(DrawingArea<BitMapBackend, Shift>) -> std::result::Result<(), String>,
) -> Result<()> {
    let kind = kind(path)?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| chart_error(path, e))?;
    let temp = tempfile::Builder::new()
        .prefix(".tmp-chart-")
        .suffix(if kind == Kind::Svg { ".svg" } else { ".png" })
        .tempfile_in(dir)
        .map_err(|e| chart_error(path, e))?;
    match kind {
        Kind::Svg => svg(SVGBackend::new(temp.path(), SIZE).into_drawing_area()),
        Kind::Png => {
            if !register_font() {
                return Err(chart_error(path, "the bundled font could not be loaded"));
            }
            png(BitMapBackend::new(temp.path(), SIZE).into_drawing_area())
        }
    }
    .map_err(|e| chart_error(path, e))?;
    temp.persist(path).map_err(|e| chart_error(path, e.error))?;
    Ok(())
}

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
        write_chart(path, |root| self.draw(root), |root| self.draw(root))
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
            .y_label_formatter(&|v| format!("${v:.4}"))
            .x_label_formatter(&|v| format!("{v}"))
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

fn dollars(value: Option<rust_decimal::Decimal>) -> f64 {
    value.and_then(|d| d.to_f64()).unwrap_or(0.0)
}

/// A bar series: label, colour, value of a row.
type Bar = (
    &'static str,
    RGBColor,
    Box<dyn Fn(&crate::report::monthly::ReportRow) -> f64>,
);

/// Monthly cost per job: Fargate as run, at the recommended size, and on Glue.
#[derive(Debug, Clone)]
pub struct CostChart<'a> {
    /// Title.
    pub title: String,
    /// Report rows (TOTAL is skipped).
    pub rows: &'a [crate::report::monthly::ReportRow],
}

impl CostChart<'_> {
    /// Draw to `path` (.svg or .png).
    pub fn write(&self, path: &Path) -> Result<()> {
        write_chart(path, |root| self.draw(root), |root| self.draw(root))
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
        let rows: Vec<&crate::report::monthly::ReportRow> =
            self.rows.iter().filter(|r| r.job != "TOTAL").collect();
        let series: [Bar; 3] = [
            (
                "Fargate (as run)",
                BLUE,
                Box::new(|r| dollars(Some(r.fargate_usd))),
            ),
            (
                "Fargate right-sized",
                GREEN,
                Box::new(|r| dollars(r.recommended_usd)),
            ),
            (
                "Glue equivalent",
                RED,
                Box::new(|r| dollars(r.glue_equivalent_usd)),
            ),
        ];
        let max = rows
            .iter()
            .flat_map(|r| series.iter().map(move |s| (s.2)(r)))
            .fold(0.0, f64::max)
            .max(1e-6)
            * 1.15;
        let n = rows.len().max(1) as f64;
        let mut chart = ChartBuilder::on(&root)
            .caption(&self.title, ("sans-serif", 24))
            .margin(20)
            .x_label_area_size(60)
            .y_label_area_size(90)
            .build_cartesian_2d(0.0..n, 0.0..max)
            .map_err(text)?;
        let names: Vec<String> = rows.iter().map(|r| r.job.clone()).collect();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(rows.len().max(1))
            .x_label_formatter(&|x| names.get(x.floor() as usize).cloned().unwrap_or_default())
            .y_desc("USD in the period")
            .y_label_formatter(&|v| format!("${v:.2}"))
            .draw()
            .map_err(text)?;
        for (k, (label, color, get)) in series.iter().enumerate() {
            let color = *color;
            chart
                .draw_series(rows.iter().enumerate().map(|(i, r)| {
                    let x0 = i as f64 + 0.15 + k as f64 * 0.23;
                    Rectangle::new([(x0, 0.0), (x0 + 0.21, get(r))], color.filled())
                }))
                .map_err(text)?
                .label(*label)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 15, y + 5)], color.filled())
                });
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
        write_chart(path, |root| self.draw(root), |root| self.draw(root))
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
