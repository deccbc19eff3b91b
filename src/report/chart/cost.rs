//! `report --chart`: the period's cost per job as horizontal bars, largest on top — Fargate
//! as run, right-sized and on Glue, each bar labelled with its amount; the jobs past the
//! first [`TOP`] summed into one "others (K jobs)" bar. The chart grows with the bars.

use std::path::Path;

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::labels::money;
use super::style::{
    self, BAND, BLUE, GREEN, GRID, Header, INK, MUTED, ORANGE, Swatch, anchored, failed, font,
};
use super::{Drawn, font_for, write_chart};
use crate::error::Result;
use crate::report::monthly::ReportRow;

/// Jobs shown by name; past these, the rest share one bar (unless that is a single job).
pub(super) const TOP: usize = 15;
const WIDTH: u32 = 960;
/// Height of one bar (at most `MAX_BAR` when few), the space between two jobs' groups of
/// bars, and the least plot height (so one job is not a sliver).
const BAR: u32 = 16;
const MAX_BAR: u32 = 26;
const GROUP_GAP: u32 = 14;
const MIN_PLOT: u32 = 120;
const NAME_SIZE: u32 = 14;
const VALUE_SIZE: u32 = 12;
/// Plot margins (left, right, top) and the money axis below it.
const MARGINS: (u32, u32, u32) = (12, 28, 6);
const AXIS: u32 = 46;

/// One series of bars: its legend label, colour and the row's figure. `missing_as_run`: a
/// job without the figure counts at its as-run cost in sums (as the TOTAL row does for
/// right-sizing); otherwise a sum with a job missing is unknown (as TOTAL does for Glue).
struct Series {
    label: &'static str,
    color: RGBColor,
    value: fn(&ReportRow) -> Option<Decimal>,
    missing_as_run: bool,
}

const SERIES: [Series; 3] = [
    Series {
        label: "Fargate as run",
        color: BLUE,
        value: |r| Some(r.fargate_usd),
        missing_as_run: false,
    },
    Series {
        label: "Fargate right-sized",
        color: GREEN,
        value: |r| r.recommended_usd,
        missing_as_run: true,
    },
    Series {
        label: "Glue equivalent",
        color: ORANGE,
        value: |r| r.glue_equivalent_usd,
        missing_as_run: false,
    },
];

impl Series {
    /// The series' sum over `rows` (None when a row lacks it and it cannot stand in).
    fn sum(&self, rows: &[&ReportRow]) -> Option<Decimal> {
        rows.iter()
            .map(|r| {
                (self.value)(r).or(if self.missing_as_run {
                    Some(r.fargate_usd)
                } else {
                    None
                })
            })
            .sum()
    }
}

/// One group of bars: a job, or the jobs past the top ones summed.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Group {
    /// Job name, or "others (K jobs)".
    pub(super) name: String,
    /// True for the summed group.
    pub(super) others: bool,
    /// One figure per shown series (None: no bar, "n/a").
    pub(super) values: Vec<Option<f64>>,
}

fn dollars(value: Option<Decimal>) -> Option<f64> {
    value.and_then(|d| d.to_f64())
}

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
        super::kind(path)?;
        font_for(path)?;
        let layout = Layout::new(self);
        let size = (WIDTH, layout.height());
        write_chart(
            path,
            size,
            |root| layout.draw(&root),
            |root| layout.draw(&root),
        )
    }

    /// The job rows, largest Fargate cost first (then by name).
    fn jobs(&self) -> Vec<&ReportRow> {
        let mut jobs: Vec<&ReportRow> = self.rows.iter().filter(|r| r.job != "TOTAL").collect();
        jobs.sort_by(|a, b| b.fargate_usd.cmp(&a.fargate_usd).then(a.job.cmp(&b.job)));
        jobs
    }

    /// The series with a figure for some job (Fargate as run always).
    fn series(&self) -> Vec<&'static Series> {
        let jobs = self.jobs();
        SERIES
            .iter()
            .enumerate()
            .filter(|(i, s)| *i == 0 || jobs.iter().any(|r| (s.value)(r).is_some()))
            .map(|(_, s)| s)
            .collect()
    }

    /// The bar groups: the first [`TOP`] jobs by name, the rest summed as "others".
    pub(super) fn groups(&self) -> Vec<Group> {
        let jobs = self.jobs();
        let series = self.series();
        let shown = if jobs.len() > TOP + 1 {
            TOP
        } else {
            jobs.len()
        };
        let mut groups: Vec<Group> = jobs[..shown]
            .iter()
            .map(|r| Group {
                name: r.job.clone(),
                others: false,
                values: series.iter().map(|s| dollars((s.value)(r))).collect(),
            })
            .collect();
        let rest = &jobs[shown..];
        if !rest.is_empty() {
            groups.push(Group {
                name: format!("others ({} jobs)", rest.len()),
                others: true,
                values: series.iter().map(|s| dollars(s.sum(rest))).collect(),
            });
        }
        groups
    }

    /// "50 jobs · total: Fargate as run $1.2k · right-sized $800 · Glue equivalent $1.5k"
    /// (the TOTAL row's figures when there is one).
    fn subtitle(&self) -> String {
        let jobs = self.jobs();
        let total = self.rows.iter().find(|r| r.job == "TOTAL");
        let figures: Vec<String> = self
            .series()
            .iter()
            .map(|s| {
                let sum = total.map_or_else(|| s.sum(&jobs), |t| (s.value)(t));
                let amount = dollars(sum).map_or_else(|| "n/a".to_string(), money);
                format!("{} {amount}", s.label)
            })
            .collect();
        let count = match jobs.len() {
            1 => "1 job".to_string(),
            n => format!("{n} jobs"),
        };
        format!("{count} · total: {}", figures.join(" · "))
    }
}

/// Where everything goes: computed once, before the backend exists.
struct Layout {
    header: Header,
    groups: Vec<Group>,
    colors: Vec<RGBColor>,
    /// Width of the job-name column.
    names: u32,
    /// Right end of the money axis: room for the longest bar's label.
    x_max: f64,
    /// Pixels of one bar, and of one job's group of bars.
    bar: u32,
    group: u32,
}

impl Layout {
    fn new(chart: &CostChart) -> Layout {
        let series = chart.series();
        let groups = chart.groups();
        let widest_name = groups
            .iter()
            .map(|g| style::text_width(&g.name, NAME_SIZE))
            .max()
            .unwrap_or(0);
        let names = (widest_name + 16).clamp(80, WIDTH * 2 / 5);
        let values = groups.iter().flat_map(|g| g.values.iter().flatten());
        // At least ten micro-dollars: finer ticks than the rows' precision all read "$0".
        let max = values.clone().fold(0.0, |a: f64, b| a.max(*b)).max(1e-5);
        let label = values
            .map(|v| style::text_width(&money(*v), VALUE_SIZE))
            .max()
            .unwrap_or(0);
        let plot = (WIDTH - names - MARGINS.0 - MARGINS.1) as f64;
        // The largest bar ends where its label still fits before the right edge.
        let room = (plot - label as f64 - 14.0).max(plot / 2.0);
        let bars = series.len() as u32;
        let group = (bars * BAR + GROUP_GAP).max(MIN_PLOT / groups.len().max(1) as u32);
        Layout {
            bar: ((group - GROUP_GAP) / bars).min(MAX_BAR),
            group,
            header: Header {
                title: chart.title.clone(),
                subtitle: Some(chart.subtitle()),
                legend: series
                    .iter()
                    .map(|s| (s.label.to_string(), Swatch::Bar(s.color)))
                    .collect(),
            },
            colors: series.iter().map(|s| s.color).collect(),
            groups,
            names,
            x_max: max * plot / room,
        }
    }

    /// Pixels of the plot: every group.
    fn plot_height(&self) -> u32 {
        self.groups.len().max(1) as u32 * self.group
    }

    /// Pixels of the whole chart: header, plot, axis.
    fn height(&self) -> u32 {
        self.header.height(WIDTH) + MARGINS.2 + self.plot_height() + AXIS
    }

    /// Top of group `g`'s bar `k`, in plot units (y grows upwards from the axis).
    fn bar_top(&self, g: usize, k: usize) -> f64 {
        let bars = self.colors.len() as u32 * self.bar;
        let from_top = g as u32 * self.group + (self.group - bars) / 2 + k as u32 * self.bar;
        f64::from(self.plot_height() - from_top)
    }

    /// Vertical centre of group `g`, in plot units.
    fn group_centre(&self, g: usize) -> f64 {
        f64::from(self.plot_height()) - (g as f64 + 0.5) * f64::from(self.group)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE).map_err(failed)?;
        let (top, body) = root.split_vertically(self.header.height(WIDTH));
        self.header.draw(&top)?;
        let mut chart = ChartBuilder::on(&body)
            .margin_left(MARGINS.0)
            .margin_right(MARGINS.1)
            .margin_top(MARGINS.2)
            .x_label_area_size(AXIS)
            .y_label_area_size(self.names)
            .build_cartesian_2d(0.0..self.x_max, 0.0..f64::from(self.plot_height()))
            .map_err(failed)?;
        self.draw_bands(&mut chart)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(8)
            .x_label_formatter(&|v| money(*v))
            .x_label_style(font(13))
            .x_desc("USD in the period")
            .axis_desc_style(font(14))
            .bold_line_style(GRID)
            .light_line_style(TRANSPARENT)
            .axis_style(INK)
            .draw()
            .map_err(failed)?;
        if self.groups.is_empty() {
            let style = font(16)
                .color(&MUTED)
                .pos(Pos::new(HPos::Center, VPos::Center));
            let middle = (self.x_max / 2.0, f64::from(self.plot_height()) / 2.0);
            let text = Text::new("no runs in the period", middle, style);
            chart.draw_series([text]).map_err(failed)?;
        }
        self.draw_bars(&mut chart)?;
        self.draw_names(root, &chart)
    }

    /// A light band behind every other group, so a group's bars read together.
    fn draw_bands<DB: DrawingBackend>(&self, chart: &mut Plot<'_, DB>) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        let step = f64::from(self.group);
        let top = f64::from(self.plot_height());
        let bands = (0..self.groups.len()).filter(|g| g % 2 == 1).map(|g| {
            let y = top - g as f64 * step;
            Rectangle::new([(0.0, y), (self.x_max, y - step)], BAND.filled())
        });
        chart.draw_series(bands).map_err(failed)?;
        Ok(())
    }

    /// The bars, each with its amount at its end ("n/a" where the figure is unknown).
    fn draw_bars<DB: DrawingBackend>(&self, chart: &mut Plot<'_, DB>) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        for (g, group) in self.groups.iter().enumerate() {
            for (k, (value, color)) in group.values.iter().zip(&self.colors).enumerate() {
                let top = self.bar_top(g, k) - 1.0;
                let bottom = top - f64::from(self.bar) + 2.0;
                let middle = (top + bottom) / 2.0;
                let (end, text, ink): (f64, String, &'static RGBColor) = match value {
                    Some(v) => (*v, money(*v), &INK),
                    None => (0.0, "n/a".to_string(), &MUTED),
                };
                if value.is_some() {
                    chart
                        .draw_series([Rectangle::new([(0.0, top), (end, bottom)], color.filled())])
                        .map_err(failed)?;
                }
                let style = anchored(font(VALUE_SIZE).color(ink), HPos::Left);
                let label = EmptyElement::at((end, middle)) + Text::new(text, (5, 0), style);
                chart.draw_series([label]).map_err(failed)?;
            }
        }
        Ok(())
    }

    /// Each group's name left of its bars, centred on them.
    fn draw_names<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        chart: &Plot<'_, DB>,
    ) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        let origin = root.get_base_pixel();
        for (g, group) in self.groups.iter().enumerate() {
            let (x, y) = chart.backend_coord(&(0.0, self.group_centre(g)));
            let ink: &'static RGBColor = if group.others { &MUTED } else { &INK };
            let name = style::fit(&group.name, NAME_SIZE, self.names - 16);
            let style = anchored(font(NAME_SIZE).color(ink), HPos::Right);
            root.draw(&Text::new(name, (x - origin.0 - 8, y - origin.1), style))
                .map_err(failed)?;
        }
        Ok(())
    }
}

/// The cost chart's plot: money across, bar positions (pixels from the axis) up.
type Plot<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;
