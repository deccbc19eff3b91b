//! `tune --chart`: predicted cost per run and run time per vCPU, the measured points, the
//! deadline and the recommended size.

use std::path::Path;
use std::time::Duration;

use plotters::chart::DualCoordChartContext;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use rust_decimal::prelude::ToPrimitive;

use super::labels::{money, number};
use super::style::{BLUE, GREEN, GRID, Header, INK, Swatch, VERMILLION, failed, font};
use super::{Drawn, write_chart};
use crate::analysis::sizing::Candidate;
use crate::error::{Error, Result};
use crate::model::size::Size;
use crate::report::text;

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

/// What the sweep chart plots, in chart units.
struct Points {
    /// (log2 vCPU, USD per run) and (log2 vCPU, seconds) per candidate.
    costs: Vec<(f64, f64)>,
    times: Vec<(f64, f64)>,
    /// The log2 vCPU axis (Fargate's sizes are powers of two: one tick each) and the tops
    /// of the two value axes.
    x: (f64, f64),
    cost_max: f64,
    time_max: f64,
    deadline: Option<f64>,
    /// The recommended candidate (log2 vCPU, USD per run), if the model priced it.
    pick: Option<(f64, f64)>,
    /// Measured (log2 vCPU, seconds).
    measured: Vec<(f64, f64)>,
}

/// log2 of the size's vCPU: the chart's x.
fn vcpu(size: Size) -> f64 {
    size.vcpu().to_f64().unwrap_or(1.0).max(1e-3).log2()
}

/// The vCPU at a whole log2 `x` ("0.25", "1", "16"); nothing between two sizes.
fn vcpu_tick(x: f64) -> String {
    if (x - x.round()).abs() < 1e-6 {
        number(x.round().exp2())
    } else {
        String::new()
    }
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
        write_chart(path, SIZE, |root| self.draw(&root), |root| self.draw(&root))
    }

    fn points(&self) -> Points {
        let usd = |c: &Candidate| c.usd_per_run.to_f64().unwrap_or(0.0);
        let costs: Vec<(f64, f64)> = self
            .candidates
            .iter()
            .map(|c| (vcpu(c.size), usd(c)))
            .collect();
        let times: Vec<(f64, f64)> = self
            .candidates
            .iter()
            .map(|c| (vcpu(c.size), c.seconds))
            .collect();
        let measured: Vec<(f64, f64)> = self
            .measured
            .iter()
            .map(|m| (m.0.max(1e-3).log2(), m.1))
            .collect();
        let xs = costs.iter().chain(&measured).map(|p| p.0);
        let x_min = xs.clone().fold(f64::INFINITY, f64::min) - 0.5;
        let x_max = xs.fold(f64::NEG_INFINITY, f64::max) + 0.5;
        let deadline = self.deadline.map(|d| d.as_secs_f64());
        let time_max = times
            .iter()
            .map(|p| p.1)
            .chain(self.measured.iter().map(|m| m.1))
            .chain(deadline)
            .fold(0.0, f64::max);
        let pick = self
            .candidates
            .iter()
            .find(|c| c.size == self.recommended)
            .map(|c| (vcpu(c.size), usd(c)));
        Points {
            // At least ten micro-dollars: finer money ticks would all read "$0".
            cost_max: (costs.iter().map(|p| p.1).fold(0.0, f64::max) * 1.15).max(1e-5),
            time_max: (time_max * 1.15).max(1.0),
            x: (x_min, x_max),
            costs,
            times,
            deadline,
            pick,
            measured,
        }
    }

    /// Title; the recommendation's cost and time; the legend.
    fn header(&self) -> Header {
        let pick = self.candidates.iter().find(|c| c.size == self.recommended);
        let subtitle = pick.map(|c| {
            format!(
                "recommended {}: {} per run, {} predicted",
                c.size,
                money(c.usd_per_run.to_f64().unwrap_or(0.0)),
                text::duration(Duration::from_secs_f64(c.seconds.max(0.0))),
            )
        });
        let mut legend = vec![
            ("cost per run (predicted)".to_string(), Swatch::Line(BLUE)),
            (
                "run time T(v) = a + b/v".to_string(),
                Swatch::Line(VERMILLION),
            ),
        ];
        if !self.measured.is_empty() {
            legend.push((
                "measured (trimmed mean of repeats)".into(),
                Swatch::Cross(VERMILLION),
            ));
        }
        if let Some(d) = self.deadline {
            legend.push((
                format!("deadline ({})", text::duration(d)),
                Swatch::Dashed(INK),
            ));
        }
        if pick.is_some() {
            legend.push((
                format!("recommended: {}", self.recommended),
                Swatch::Ring(GREEN),
            ));
        }
        Header {
            title: self.title.clone(),
            subtitle,
            legend,
        }
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE).map_err(failed)?;
        let header = self.header();
        let (top, body) = root.split_vertically(header.height(SIZE.0));
        header.draw(&top)?;
        let p = self.points();
        let x = p.x.0..p.x.1;
        let mut chart = ChartBuilder::on(&body)
            .margin(16)
            .margin_top(8)
            .x_label_area_size(44)
            .y_label_area_size(72)
            .right_y_label_area_size(72)
            .build_cartesian_2d(x.clone(), 0.0..p.cost_max)
            .map_err(failed)?
            .set_secondary_coord(x, 0.0..p.time_max);
        chart
            .configure_mesh()
            .x_desc("vCPU (log scale)")
            .y_desc("USD per run")
            .y_label_formatter(&|v| money(*v))
            .x_labels((p.x.1 - p.x.0).ceil() as usize + 1)
            .x_label_formatter(&|v| vcpu_tick(*v))
            .label_style(font(13))
            .axis_desc_style(font(14))
            .bold_line_style(GRID)
            .light_line_style(TRANSPARENT)
            .axis_style(INK)
            .draw()
            .map_err(failed)?;
        chart
            .configure_secondary_axes()
            .y_desc("run time (seconds)")
            .y_label_formatter(&|v| number(*v))
            .label_style(font(13))
            .axis_desc_style(font(14))
            .axis_style(INK)
            .draw()
            .map_err(failed)?;
        draw_series(&mut chart, &p)
    }
}

/// The sweep chart's plot: log2 vCPU across, USD per run up, seconds on the right.
type Plane = Cartesian2d<RangedCoordf64, RangedCoordf64>;
type Plot<'a, DB> = DualCoordChartContext<'a, DB, Plane, Plane>;

/// Lines, measured points, deadline and the recommendation ring.
fn draw_series<DB: DrawingBackend>(chart: &mut Plot<'_, DB>, p: &Points) -> Drawn
where
    DB::ErrorType: 'static,
{
    if let Some(d) = p.deadline {
        let line = [(p.x.0, d), (p.x.1, d)];
        chart
            .draw_secondary_series(DashedLineSeries::new(line, 8, 5, INK.stroke_width(2)))
            .map_err(failed)?;
        // Named on the line too: with two value axes, a line alone reads as either.
        let style = font(13).pos(Pos::new(HPos::Left, VPos::Bottom));
        let name = EmptyElement::at((p.x.0, d)) + Text::new("deadline", (8, -4), style);
        chart.draw_secondary_series([name]).map_err(failed)?;
    }
    chart
        .draw_series(LineSeries::new(p.costs.clone(), BLUE.stroke_width(3)))
        .map_err(failed)?;
    chart
        .draw_series(p.costs.iter().map(|c| Circle::new(*c, 3, BLUE.filled())))
        .map_err(failed)?;
    chart
        .draw_secondary_series(LineSeries::new(p.times.clone(), VERMILLION.stroke_width(3)))
        .map_err(failed)?;
    chart
        .draw_secondary_series(
            p.measured
                .iter()
                .map(|m| Cross::new(*m, 7, VERMILLION.stroke_width(3))),
        )
        .map_err(failed)?;
    if let Some(pick) = p.pick {
        chart
            .draw_series([Circle::new(pick, 11, GREEN.stroke_width(4))])
            .map_err(failed)?;
    }
    Ok(())
}
