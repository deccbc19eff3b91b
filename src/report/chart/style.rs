//! What the charts share: the Okabe–Ito palette, text sizes, and the header (title,
//! subtitle, legend) drawn above the plot instead of a legend box over the data.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::Drawn;

/// Okabe–Ito blue: the main series (Fargate as run, cost, CPU).
pub(super) const BLUE: RGBColor = RGBColor(0, 114, 178);
/// Okabe–Ito bluish green: the better option (right-sized, recommended).
pub(super) const GREEN: RGBColor = RGBColor(0, 158, 115);
/// Okabe–Ito orange: the alternative (Glue).
pub(super) const ORANGE: RGBColor = RGBColor(230, 159, 0);
/// Okabe–Ito vermillion: the second measure (run time, memory).
pub(super) const VERMILLION: RGBColor = RGBColor(213, 94, 0);
/// Text and limits.
pub(super) const INK: RGBColor = RGBColor(34, 34, 34);
/// Secondary text (subtitles, "others", "n/a").
pub(super) const MUTED: RGBColor = RGBColor(100, 100, 100);
/// Grid lines.
pub(super) const GRID: RGBColor = RGBColor(225, 225, 225);
/// Every other row's background.
pub(super) const BAND: RGBColor = RGBColor(244, 244, 244);

/// The registered font at `size` pixels.
pub(super) fn font(size: u32) -> TextStyle<'static> {
    ("sans-serif", size).into_font().color(&INK)
}

/// `style` anchored at `h` horizontally and centred vertically.
pub(super) fn anchored(style: TextStyle<'static>, h: HPos) -> TextStyle<'static> {
    style.pos(Pos::new(h, VPos::Center))
}

/// Width in pixels of `text` at `size` (an estimate if the font cannot measure it).
pub(super) fn text_width(text: &str, size: u32) -> u32 {
    ("sans-serif", size)
        .into_font()
        .box_size(text)
        .map(|(w, _)| w)
        .unwrap_or(text.chars().count() as u32 * size * 6 / 10)
}

/// `text` cut to `max` pixels at `size`, ending in "…" when cut.
pub(super) fn fit(text: &str, size: u32, max: u32) -> String {
    if text_width(text, size) <= max {
        return text.to_string();
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let cut = format!("{}…", chars.iter().collect::<String>());
        if text_width(&cut, size) <= max {
            return cut;
        }
    }
    "…".to_string()
}

/// plotters' drawing error as text.
pub(super) fn failed<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> String {
    e.to_string()
}

/// How a legend entry shows its series.
#[derive(Debug, Clone, Copy)]
pub(super) enum Swatch {
    /// A filled square (bars).
    Bar(RGBColor),
    /// A thick line.
    Line(RGBColor),
    /// A dashed line (limits, deadlines).
    Dashed(RGBColor),
    /// A cross (measured points).
    Cross(RGBColor),
    /// A ring (the recommendation).
    Ring(RGBColor),
}

const TITLE: u32 = 22;
const SUBTITLE: u32 = 14;
const LEGEND: u32 = 14;
const LEFT: i32 = 20;
/// Swatch width, gap to its text, gap to the next entry.
const SWATCH: i32 = 20;
const SWATCH_GAP: i32 = 6;
const ENTRY_GAP: i32 = 24;
const LINE: i32 = 22;

/// Title, optional subtitle and legend above a chart, left-aligned.
#[derive(Debug, Clone)]
pub(super) struct Header {
    /// Title.
    pub(super) title: String,
    /// A line under the title.
    pub(super) subtitle: Option<String>,
    /// Legend entries.
    pub(super) legend: Vec<(String, Swatch)>,
}

impl Header {
    /// Legend entries per line for a chart `width` pixels wide.
    fn legend_lines(&self, width: u32) -> Vec<Vec<(&str, Swatch)>> {
        let room = width as i32 - 2 * LEFT;
        let mut lines: Vec<Vec<(&str, Swatch)>> = Vec::new();
        let mut used = 0;
        for (label, swatch) in &self.legend {
            let entry = SWATCH + SWATCH_GAP + text_width(label, LEGEND) as i32;
            match lines.last_mut() {
                Some(line) if used + ENTRY_GAP + entry <= room => {
                    line.push((label.as_str(), *swatch));
                    used += ENTRY_GAP + entry;
                }
                _ => {
                    lines.push(vec![(label.as_str(), *swatch)]);
                    used = entry;
                }
            }
        }
        lines
    }

    /// Height in pixels of the header of a chart `width` pixels wide.
    pub(super) fn height(&self, width: u32) -> u32 {
        let subtitle = if self.subtitle.is_some() { LINE } else { 0 };
        (16 + 30 + subtitle + LINE * self.legend_lines(width).len() as i32 + 8) as u32
    }

    /// Draw on `area` (the top `height` pixels of the chart).
    pub(super) fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        let (width, _) = area.dim_in_pixel();
        let top = anchored(font(TITLE), HPos::Left);
        area.draw(&Text::new(self.title.as_str(), (LEFT, 16 + 14), top))
            .map_err(failed)?;
        let mut y = 16 + 30 + LINE / 2;
        if let Some(subtitle) = &self.subtitle {
            let style = anchored(font(SUBTITLE).color(&MUTED), HPos::Left);
            area.draw(&Text::new(subtitle.as_str(), (LEFT, y), style))
                .map_err(failed)?;
            y += LINE;
        }
        for line in self.legend_lines(width) {
            let mut x = LEFT;
            for (label, swatch) in line {
                draw_swatch(area, swatch, x, y)?;
                x += SWATCH + SWATCH_GAP;
                let style = anchored(font(LEGEND), HPos::Left);
                area.draw(&Text::new(label, (x, y), style))
                    .map_err(failed)?;
                x += text_width(label, LEGEND) as i32 + ENTRY_GAP;
            }
            y += LINE;
        }
        Ok(())
    }
}

/// A legend swatch `SWATCH` pixels wide from `x`, centred on `y`.
fn draw_swatch<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    swatch: Swatch,
    x: i32,
    y: i32,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    let centre = (x + SWATCH / 2, y);
    match swatch {
        Swatch::Bar(c) => area.draw(&Rectangle::new(
            [(x + 3, y - 7), (x + SWATCH - 3, y + 7)],
            c.filled(),
        )),
        Swatch::Line(c) => area.draw(&PathElement::new(
            vec![(x, y), (x + SWATCH, y)],
            c.stroke_width(3),
        )),
        Swatch::Dashed(c) => area.draw(&DashedPathElement::new(
            vec![(x, y), (x + SWATCH, y)],
            5,
            3,
            c.stroke_width(2),
        )),
        Swatch::Cross(c) => area.draw(&Cross::new(centre, 5, c.stroke_width(2))),
        Swatch::Ring(c) => area.draw(&Circle::new(centre, 6, c.stroke_width(3))),
    }
    .map_err(failed)
}
