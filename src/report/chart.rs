//! Charts (plotters): SVG or PNG by the file's extension. Text is laid out with the bundled
//! DejaVu Sans on both (plotters' `ab_glyph` feature measures text through the registered
//! font on every backend); PNG draws its glyphs, SVG names `sans-serif` for the viewer.

mod labels;

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

/// Render a chart to `path` with the backend its extension names (.svg / .png; text laid
/// out with the bundled font), into a temp file in the same directory renamed into place. The two
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
    // Every backend lays text out with the registered font (plotters' ab_glyph feature),
    // SVG included: without it SVG fails with FontUnavailable where no system font is found.
    if !register_font() {
        return Err(chart_error(path, "the bundled font could not be loaded"));
    }
    match kind {
        Kind::Svg => svg(SVGBackend::new(temp.path(), SIZE).into_drawing_area()),
        Kind::Png => png(BitMapBackend::new(temp.path(), SIZE).into_drawing_area()),
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
            .y_label_formatter(&|v| labels::money(*v))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::run::Sample;
    use crate::model::size::Os;
    use crate::report::monthly::ReportRow;
    use rust_decimal::Decimal;
    use rust_decimal_macros::dec;

    /// The text of every `<text>` element of an SVG document, unescaped; panics unless the
    /// file is one whole `<svg>` document.
    fn svg_texts(path: &Path) -> Vec<String> {
        let svg = std::fs::read_to_string(path).expect("an SVG file");
        let body = svg.trim();
        assert!(body.starts_with("<svg"), "not an SVG document: {body:.200}");
        assert!(body.ends_with("</svg>"), "a truncated SVG document");
        let texts: Vec<String> = body
            .split("<text")
            .skip(1)
            .map(|chunk| {
                let inner = &chunk[chunk.find('>').expect("a text tag") + 1..];
                let inner = &inner[..inner.find("</text>").expect("a closed text tag")];
                inner
                    .trim()
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&apos;", "'")
                    .replace("&amp;", "&")
            })
            .collect();
        assert!(body.matches("<rect").count() + body.matches("<polyline").count() > 0);
        texts
    }

    /// Pixel size and drawn (non-white) pixels of a PNG.
    fn png(path: &Path) -> ((u32, u32), usize) {
        let image = image::open(path).expect("a PNG").to_rgb8();
        let drawn = image.pixels().filter(|p| p.0 != [255, 255, 255]).count();
        (image.dimensions(), drawn)
    }

    pub(super) fn row(job: &str, usd: Decimal) -> ReportRow {
        ReportRow {
            month: "2026-11".into(),
            job: job.into(),
            runs: 30,
            failed_runs: 0,
            billed_hours: dec!(1),
            vcpu_hours: dec!(1),
            gb_hours: dec!(2),
            fargate_usd: usd,
            fargate_spot_usd: Some(usd * dec!(0.3)),
            glue_equivalent_usd: Some(usd * dec!(1.4)),
            recommended_cpu_vcpu: Some(dec!(0.5)),
            recommended_memory_gib: Some(dec!(1)),
            recommended_usd: Some(usd * dec!(0.6)),
            savings_usd: Some(usd * dec!(0.4)),
        }
    }

    pub(super) fn size(vcpu: u32) -> Size {
        Size::new(vcpu * 1024, vcpu * 2048, Os::Linux).unwrap()
    }

    pub(super) fn candidates() -> Vec<Candidate> {
        [1, 2, 4]
            .into_iter()
            .map(|v| Candidate {
                size: size(v),
                seconds: 60.0 + 240.0 / f64::from(v),
                usd_per_run: Decimal::from(v) * dec!(0.0004),
                meets_deadline: true,
            })
            .collect()
    }

    pub(super) fn samples() -> Vec<Sample> {
        (0..40)
            .map(|i| Sample {
                offset_ms: i * 500,
                cpu_vcpu: 0.2 + (i % 5) as f64 * 0.1,
                memory_mib: 100.0 + i as f64 * 5.0,
            })
            .collect()
    }

    /// Each chart in each format: `draw(path)` then the file checked as that format.
    fn render_both(name: &str, expected: &[&str], draw: impl Fn(&Path) -> Result<()>) {
        let dir = tempfile::tempdir().unwrap();
        // SVG first: in a fresh process nothing has registered the font yet.
        let svg_path = dir.path().join(format!("{name}.svg"));
        draw(&svg_path).unwrap_or_else(|e| panic!("{name}.svg: {e}"));
        let texts = svg_texts(&svg_path);
        for want in expected {
            assert!(
                texts.iter().any(|t| t.contains(want)),
                "{name}.svg lacks {want:?}: {texts:?}"
            );
        }
        let png_path = dir.path().join(format!("{name}.png"));
        draw(&png_path).unwrap();
        let ((width, height), drawn) = png(&png_path);
        assert!(width >= 600 && height >= 300, "{name}: {width}×{height}");
        assert!(drawn > 5_000, "{name}: {drawn} drawn pixels");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "temp files left: {leftovers:?}");
    }

    #[test]
    fn the_cost_chart_renders_as_png_and_svg() {
        let rows = [row("nightly-rollup", dec!(12.5)), row("hourly", dec!(3.25))];
        let chart = CostChart {
            title: "Monthly cost per job, 2026-11".into(),
            rows: &rows,
        };
        render_both(
            "cost",
            &["Monthly cost per job, 2026-11", "nightly-rollup"],
            |p| chart.write(p),
        );
    }

    #[test]
    fn the_sweep_chart_renders_as_png_and_svg() {
        let candidates = candidates();
        let measured = [(1.0, 300.0, 3), (2.0, 180.0, 3)];
        let chart = SweepChart {
            title: "rollup: cost and run time per size".into(),
            candidates: &candidates,
            measured: &measured,
            recommended: size(2),
            deadline: Some(Duration::from_secs(400)),
        };
        render_both(
            "sweep",
            &["rollup: cost and run time per size", "vCPU", "run time"],
            |p| chart.write(p),
        );
    }

    #[test]
    fn the_trace_chart_renders_as_png_and_svg() {
        let samples = samples();
        let chart = TraceChart {
            title: "rollup — run 20261103".into(),
            samples: &samples,
            vcpu_limit: 1.0,
            memory_limit_mib: 2048.0,
        };
        render_both(
            "trace",
            &["rollup — run 20261103", "CPU (vCPU)", "memory (MiB)"],
            |p| chart.write(p),
        );
    }
}

/// Charts to look at: `CHART_PREVIEW=/tmp/charts cargo test --lib chart -- --ignored`
/// writes each chart at 3 and at 50 jobs, tiny and large costs, as PNG and SVG.
#[cfg(test)]
mod preview {
    use super::tests::{candidates, row, samples, size};
    use super::*;
    use rust_decimal::Decimal;
    use rust_decimal_macros::dec;

    fn jobs(n: usize, largest: Decimal) -> Vec<crate::report::monthly::ReportRow> {
        (0..n)
            .map(|i| {
                let usd = (largest / Decimal::from((i + 1) * (i + 1))).round_dp(6);
                row(
                    &format!("job-{i:02}-{}", ["etl", "rollup", "sessions-daily"][i % 3]),
                    usd,
                )
            })
            .collect()
    }

    #[test]
    #[ignore = "writes charts to $CHART_PREVIEW for a person to look at"]
    fn preview() {
        let Ok(dir) = std::env::var("CHART_PREVIEW") else {
            return;
        };
        let dir = Path::new(&dir);
        for (name, n, largest) in [
            ("cost-3-tiny", 3, dec!(0.0003)),
            ("cost-3-large", 3, dec!(12000)),
            ("cost-50-tiny", 50, dec!(0.0003)),
            ("cost-50-large", 50, dec!(12000)),
        ] {
            let rows = jobs(n, largest);
            for ext in ["png", "svg"] {
                CostChart {
                    title: "Monthly cost per job, 2026-11".into(),
                    rows: &rows,
                }
                .write(&dir.join(format!("{name}.{ext}")))
                .unwrap();
            }
        }
        let candidates = candidates();
        let samples = samples();
        for ext in ["png", "svg"] {
            SweepChart {
                title: "rollup: cost and run time per size".into(),
                candidates: &candidates,
                measured: &[(1.0, 300.0, 3), (2.0, 180.0, 3)],
                recommended: size(2),
                deadline: Some(Duration::from_secs(400)),
            }
            .write(&dir.join(format!("sweep.{ext}")))
            .unwrap();
            TraceChart {
                title: "rollup — run 20261103T100000Z-1a2b3c4d".into(),
                samples: &samples,
                vcpu_limit: 1.0,
                memory_limit_mib: 2048.0,
            }
            .write(&dir.join(format!("trace.{ext}")))
            .unwrap();
        }
    }
}
