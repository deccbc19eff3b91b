//! AWS failures through the CLI: one line that says what happened and what to do.

use super::{fargate_cost, run};

/// Regression: an unreachable `--endpoint-url` took 23–40 s of retries and printed the
/// SDK's Debug dump. Port 9 (discard) on loopback refuses connections.
#[test]
fn an_unreachable_endpoint_is_one_line_naming_it() {
    let (code, stdout, stderr) = run(fargate_cost().args([
        "--endpoint-url",
        "http://127.0.0.1:9",
        "--region",
        "us-east-1",
        "import",
        "ecs",
        "--cluster",
        "data",
    ]));
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.is_empty());
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("cannot reach --endpoint-url http://127.0.0.1:9"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("DispatchFailure") && !stderr.contains("{"),
        "{stderr}"
    );
    let (code, _, stderr) = run(fargate_cost().args([
        "--endpoint-url",
        "localhost:5000",
        "import",
        "ecs",
        "--cluster",
        "data",
    ]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.starts_with("error: --endpoint-url: "), "{stderr}");
}
