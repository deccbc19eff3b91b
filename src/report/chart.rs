//! Charts (plotters): SVG or PNG by the file's extension. Text is laid out with the bundled
//! DejaVu Sans on both (plotters' `ab_glyph` feature measures text through the registered
//! font on every backend); PNG draws its glyphs, SVG names `sans-serif` for the viewer.
//!
//! Three charts: [`SweepChart`] (`tune --chart`), [`CostChart`] (`report --chart`) and
//! [`TraceChart`] (`runs show ID --chart`). Colours are the Okabe–Ito palette (distinct for
//! colour-blind readers and in grey print); money reads at any scale ([`labels::money`]).

mod cost;
mod labels;
mod style;
mod sweep;
mod trace;

#[cfg(test)]
mod tests;

use std::path::Path;
use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::{Error, Result};

pub use cost::CostChart;
pub use sweep::SweepChart;
pub use trace::TraceChart;

/// What a drawing function returns: plotters' error as text.
type Drawn = std::result::Result<(), String>;

static FONT: OnceLock<bool> = OnceLock::new();

/// Register the bundled font as `sans-serif` (once); false if it cannot be read.
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

/// The bundled font, registered, or the error naming the chart.
fn font_for(path: &Path) -> Result<()> {
    if register_font() {
        Ok(())
    } else {
        Err(chart_error(path, "the bundled font could not be loaded"))
    }
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

/// Render a `size` (pixels) chart to `path` with the backend its extension names (.svg /
/// .png; text laid out with the bundled font), into a temp file in the same directory
/// renamed into place. The two closures are the same drawing code instantiated for each
/// backend.
fn write_chart(
    path: &Path,
    size: (u32, u32),
    svg: impl FnOnce(DrawingArea<SVGBackend, Shift>) -> Drawn,
    png: impl FnOnce(DrawingArea<BitMapBackend, Shift>) -> Drawn,
) -> Result<()> {
    let kind = kind(path)?;
    // Every backend lays text out with the registered font (plotters' ab_glyph feature),
    // SVG included: without it SVG fails with FontUnavailable where no system font is found.
    font_for(path)?;
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
        Kind::Svg => svg(SVGBackend::new(temp.path(), size).into_drawing_area()),
        Kind::Png => png(BitMapBackend::new(temp.path(), size).into_drawing_area()),
    }
    .map_err(|e| chart_error(path, e))?;
    temp.persist(path).map_err(|e| chart_error(path, e.error))?;
    Ok(())
}
