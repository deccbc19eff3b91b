//! The three charts in both formats, the cost chart's layout read back from its SVG, and a
//! preview to look at (`CHART_PREVIEW=DIR cargo test --lib chart -- --ignored`).

use std::path::Path;
use std::time::Duration;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal_macros::dec;

use super::cost::TOP;
use super::*;
use crate::analysis::sizing::Candidate;
use crate::model::run::Sample;
use crate::model::size::{Os, Size};
use crate::report::monthly::ReportRow;

/// One `<text>` or `<rect>` of an SVG chart.
#[derive(Debug, Clone, Default)]
struct Element {
    x: f64,
    y: f64,
    width: f64,
    height: f64,
    fill: String,
    text: String,
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = tag[start..].find('"')? + start;
    Some(tag[start..end].to_string())
}

fn number(tag: &str, name: &str) -> f64 {
    attribute(tag, name)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

/// The texts and rectangles of an SVG chart; panics unless the file is one whole `<svg>`
/// document with some drawing in it.
fn svg(path: &Path) -> (Vec<Element>, Vec<Element>) {
    let svg = std::fs::read_to_string(path).expect("an SVG file");
    let body = svg.trim();
    assert!(body.starts_with("<svg"), "not an SVG document: {body:.200}");
    assert!(body.ends_with("</svg>"), "a truncated SVG document");
    let element = |chunk: &str| {
        let tag = &chunk[..chunk.find('>').expect("a closed tag")];
        Element {
            x: number(tag, "x"),
            y: number(tag, "y"),
            width: number(tag, "width"),
            height: number(tag, "height"),
            fill: attribute(tag, "fill").unwrap_or_default(),
            text: String::new(),
        }
    };
    let texts: Vec<Element> = body
        .split("<text")
        .skip(1)
        .map(|chunk| {
            let inner = &chunk[chunk.find('>').expect("a text tag") + 1..];
            let inner = &inner[..inner.find("</text>").expect("a closed text tag")];
            let text = inner
                .trim()
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&");
            Element {
                text,
                ..element(chunk)
            }
        })
        .collect();
    let rects: Vec<Element> = body.split("<rect").skip(1).map(element).collect();
    assert!(rects.len() + body.matches("<polyline").count() > 5);
    (texts, rects)
}

/// Pixel size and drawn (non-white) pixels of a PNG.
fn png(path: &Path) -> ((u32, u32), usize) {
    let image = image::open(path).expect("a PNG").to_rgb8();
    let drawn = image.pixels().filter(|p| p.0 != [255, 255, 255]).count();
    (image.dimensions(), drawn)
}

fn row(job: &str, usd: Decimal) -> ReportRow {
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
        glue_runs: 0,
        public_ipv4_usd: Decimal::ZERO,
        pull_usd: Decimal::ZERO,
    }
}

/// `n` jobs, the largest costing `largest`, the others falling off as 1/i.
fn jobs(n: usize, largest: Decimal) -> Vec<ReportRow> {
    (0..n)
        .map(|i| {
            let usd = (largest / Decimal::from(i + 1)).round_dp(6);
            let kind = ["etl", "rollup", "sessions-daily"][i % 3];
            row(&format!("job-{i:02}-{kind}"), usd)
        })
        .collect()
}

fn size(vcpu: u32) -> Size {
    Size::new(vcpu * 1024, vcpu * 2048, Os::Linux).unwrap()
}

fn candidates() -> Vec<Candidate> {
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

fn samples() -> Vec<Sample> {
    (0..40)
        .map(|i| Sample {
            offset_ms: i * 500,
            cpu_vcpu: 0.2 + (i % 5) as f64 * 0.1,
            memory_mib: 100.0 + i as f64 * 5.0,
        })
        .collect()
}

/// `draw(path)` as SVG then PNG, each file checked as that format; the SVG's texts.
fn render_both(name: &str, expected: &[&str], draw: impl Fn(&Path) -> Result<()>) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    // SVG first: in a fresh process nothing has registered the font yet.
    let svg_path = dir.path().join(format!("{name}.svg"));
    draw(&svg_path).unwrap_or_else(|e| panic!("{name}.svg: {e}"));
    let texts: Vec<String> = svg(&svg_path).0.into_iter().map(|t| t.text).collect();
    for want in expected {
        assert!(
            texts.iter().any(|t| t.contains(want)),
            "{name}.svg lacks {want:?}: {texts:?}"
        );
    }
    let png_path = dir.path().join(format!("{name}.png"));
    draw(&png_path).unwrap();
    let ((width, height), drawn) = png(&png_path);
    assert!(width >= 600 && height >= 200, "{name}: {width}×{height}");
    assert!(drawn > 5_000, "{name}: {drawn} drawn pixels");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temp files left: {leftovers:?}");
    texts
}

#[test]
fn the_cost_chart_renders_as_png_and_svg() {
    let rows = [row("nightly-rollup", dec!(12.5)), row("hourly", dec!(3.25))];
    let chart = CostChart {
        title: "Monthly cost per job, 2026-11".into(),
        rows: &rows,
    };
    let texts = render_both(
        "cost",
        &[
            "Monthly cost per job, 2026-11",
            "nightly-rollup",
            "hourly",
            "Fargate as run",
            "Fargate right-sized",
            "Glue equivalent",
            "$12.50",
            "$7.50",
            "$17.50",
        ],
        |p| chart.write(p),
    );
    assert!(
        texts.iter().any(|t| t.contains("2 jobs · total")),
        "{texts:?}"
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
    let texts = render_both(
        "sweep",
        &["rollup: cost and run time per size", "vCPU", "run time"],
        |p| chart.write(p),
    );
    assert!(texts.iter().any(|t| t == "$0.0008"), "{texts:?}");
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

#[test]
fn an_empty_report_draws_an_empty_chart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.svg");
    CostChart {
        title: "Monthly cost per job, 2026-12".into(),
        rows: &[],
    }
    .write(&path)
    .unwrap();
    let (texts, _) = svg(&path);
    assert!(
        texts.iter().any(|t| t.text.starts_with("0 jobs")),
        "{texts:?}"
    );
}

#[test]
fn the_cost_chart_shows_the_top_jobs_largest_first_and_sums_the_rest() {
    let mut rows = jobs(50, dec!(12000));
    rows[40].recommended_usd = None;
    rows[45].glue_equivalent_usd = None;
    let chart = CostChart {
        title: "t".into(),
        rows: &rows,
    };
    let groups = chart.groups();
    assert_eq!(groups.len(), TOP + 1);
    assert_eq!(groups[0].name, "job-00-etl");
    assert_eq!(
        groups[0].values,
        [Some(12000.0), Some(7200.0), Some(16800.0)]
    );
    let firsts: Vec<f64> = groups[..TOP].iter().map(|g| g.values[0].unwrap()).collect();
    assert!(firsts.windows(2).all(|w| w[0] >= w[1]), "{firsts:?}");
    let others = &groups[TOP];
    assert_eq!(others.name, "others (35 jobs)");
    assert!(others.others);
    let rest: Decimal = rows[TOP..].iter().map(|r| r.fargate_usd).sum();
    assert_eq!(others.values[0], rest.to_f64());
    // A job without a recommendation counts at its cost (as TOTAL does); one without a Glue
    // price makes the Glue sum unknown.
    let right_sized: Decimal = rows[TOP..]
        .iter()
        .map(|r| r.recommended_usd.unwrap_or(r.fargate_usd))
        .sum();
    assert_eq!(others.values[1], right_sized.to_f64());
    assert_eq!(others.values[2], None);
    // Sixteen jobs fit: no "others (1 jobs)".
    let rows = jobs(TOP + 1, dec!(5));
    let chart = CostChart {
        title: "t".into(),
        rows: &rows,
    };
    assert!(chart.groups().iter().all(|g| !g.others));
}

/// The cost chart read back from its SVG: names centred on their bars, bars longest on
/// top, amounts on the bars, money ticks distinct, height growing with the jobs.
fn check_cost_layout(rows: &[ReportRow], path: &Path) -> f64 {
    CostChart {
        title: "Monthly cost per job, 2026-11".into(),
        rows,
    }
    .write(path)
    .unwrap();
    let (texts, rects) = svg(path);
    let bars = |fill: &str| -> Vec<Element> {
        let mut bars: Vec<Element> = rects.iter().filter(|r| r.fill == fill).cloned().collect();
        bars.sort_by(|a, b| a.y.total_cmp(&b.y));
        bars
    };
    let (as_run, glue) = (bars("#0072B2"), bars("#E69F00"));
    let groups = rows.len().min(TOP + 1);
    // The legend swatches are bars of the same colours, above the plot.
    let (as_run, glue) = (
        &as_run[as_run.len() - groups..],
        &glue[glue.len() - groups..],
    );
    let widths: Vec<f64> = as_run.iter().map(|b| b.width).collect();
    assert!(
        widths[..groups - 1].windows(2).all(|w| w[0] >= w[1]),
        "{widths:?}"
    );
    for (g, name) in rows
        .iter()
        .take(groups.min(TOP))
        .map(|r| &r.job)
        .enumerate()
    {
        let label = texts.iter().find(|t| &t.text == name).expect("a name");
        let (top, bottom) = (as_run[g].y, glue[g].y + glue[g].height);
        assert!(
            top < label.y && label.y < bottom,
            "{name} at y {} is off its bars ({top}..{bottom})",
            label.y
        );
        assert!(label.x <= as_run[g].x, "{name} left of its bars");
        let amount = labels::money(rows[g].fargate_usd.to_f64().unwrap());
        let middle = as_run[g].y + as_run[g].height / 2.0;
        assert!(
            texts
                .iter()
                .any(|t| t.text == amount && (t.y - middle).abs() < 3.0 && t.x > as_run[g].x),
            "{name}: no {amount} on its bar"
        );
    }
    let plot_bottom = glue.last().map_or(0.0, |b| b.y + b.height);
    let ticks: Vec<&String> = texts
        .iter()
        .filter(|t| t.text.starts_with('$') && t.y > plot_bottom + 2.0)
        .map(|t| &t.text)
        .collect();
    let distinct: std::collections::BTreeSet<&&String> = ticks.iter().collect();
    assert!(ticks.len() >= 4, "{ticks:?}");
    assert_eq!(distinct.len(), ticks.len(), "{ticks:?}");
    svg_height(path)
}

fn svg_height(path: &Path) -> f64 {
    let svg = std::fs::read_to_string(path).unwrap();
    number(&svg[..svg.find('>').unwrap()], "height")
}

#[test]
fn the_cost_chart_reads_at_3_and_50_jobs_tiny_and_large() {
    let dir = tempfile::tempdir().unwrap();
    let mut heights = Vec::new();
    for (n, largest) in [
        (3, dec!(0.0003)),
        (50, dec!(0.0003)),
        (3, dec!(12000)),
        (50, dec!(12000)),
        // A micro-dollar, the rows' precision: ticks below it would all read "$0".
        (3, dec!(0.000001)),
    ] {
        let rows = jobs(n, largest);
        let path = dir.path().join(format!("cost-{n}-{largest}.svg"));
        heights.push(check_cost_layout(&rows, &path));
    }
    assert!(
        heights[0] < heights[1] && heights[1] <= 1400.0,
        "{heights:?}"
    );
    assert_eq!(heights[0], heights[2]);
}

/// Charts to look at: `CHART_PREVIEW=/tmp/charts cargo test --lib chart -- --ignored`
/// writes each chart at 3 and at 50 jobs, tiny and large costs, as PNG and SVG.
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
        ("cost-3-micro", 3, dec!(0.000001)),
        ("cost-empty", 0, dec!(0)),
    ] {
        let mut rows = jobs(n, largest);
        // A job without a recommendation ("n/a"), and a name too long for its column.
        if n >= 3 {
            rows[1].recommended_usd = None;
            rows[2].job =
                "pyspark-daily-sessions-for-the-marketing-analytics-team-eu-west-1".into();
        }
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
