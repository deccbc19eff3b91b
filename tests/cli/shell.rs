//! `completions` and `man`: generated from the real flags, for every shell.

use super::{fargate_cost, run};

#[test]
fn completions_for_every_shell_name_the_commands_and_flags() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (code, stdout, stderr) = run(fargate_cost().args(["completions", shell]));
        assert_eq!(code, 0, "{shell}: {stderr}");
        for word in ["compare", "tune", "output", "sweep"] {
            assert!(stdout.contains(word), "{shell} completion lacks {word}");
        }
    }
    let (code, _, stderr) = run(fargate_cost().args(["completions", "tcsh"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("bash") && stderr.lines().count() == 1,
        "{stderr}"
    );
}

#[test]
fn man_page_is_roff_with_every_command() {
    let (code, stdout, stderr) = run(fargate_cost().arg("man"));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains(".TH fargate-cost 1"), "{stdout}");
    for command in [
        "compare", "run", "runs", "tune", "report", "import", "prices",
    ] {
        assert!(stdout.contains(command), "man page lacks {command}");
    }
}

/// Regression: clap errors were cut to their first line.
#[test]
fn usage_errors_are_one_complete_line() {
    let (code, stdout, stderr) = run(fargate_cost().args(["--output", "bogus", "compare"]));
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("table, json, csv, markdown"), "{stderr}");
    let (code, _, stderr) = run(fargate_cost().args(["report", "--from", "2026-11-01"]));
    assert_eq!(code, 2);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("--to"), "{stderr}");
}
