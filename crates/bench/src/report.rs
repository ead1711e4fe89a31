//! The result table: figure, measured value, baseline, ratio, target and verdict, printed as
//! Markdown so it can go into docs/benchmarks.md as is.

use std::fmt::Write;

pub enum Verdict {
    Pass,
    Fail,
    /// Measured for context; no target.
    Info,
    /// Could not be measured; the reason is printed instead of a number.
    Missing(String),
}

pub struct Row {
    pub figure: String,
    pub value: String,
    pub baseline: String,
    pub ratio: String,
    pub target: String,
    pub verdict: Verdict,
}

#[derive(Default)]
pub struct Report {
    pub rows: Vec<Row>,
    pub notes: Vec<String>,
}

impl Report {
    /// A ratio row; `pass` is the verdict against `target`.
    pub fn ratio(
        &mut self,
        figure: &str,
        value: String,
        baseline: String,
        ratio: f64,
        target: &str,
        pass: bool,
    ) {
        let row = Row {
            figure: figure.to_owned(),
            value,
            baseline,
            ratio: format!("{ratio:.2}×"),
            target: target.to_owned(),
            verdict: if ratio.is_finite() && pass {
                Verdict::Pass
            } else {
                Verdict::Fail
            },
        };
        println!(
            "  -> {}: {} ({})",
            row.figure,
            row.ratio,
            verdict_text(&row.verdict)
        );
        self.rows.push(row);
    }

    pub fn info(&mut self, figure: &str, value: String, baseline: String, ratio: String) {
        println!("  -> {figure}: {value}");
        self.rows.push(Row {
            figure: figure.to_owned(),
            value,
            baseline,
            ratio,
            target: "–".to_owned(),
            verdict: Verdict::Info,
        });
    }

    pub fn missing(&mut self, figure: &str, target: &str, reason: &str) {
        println!("  -> {figure}: NOT MEASURED: {reason}");
        self.rows.push(Row {
            figure: figure.to_owned(),
            value: "–".to_owned(),
            baseline: "–".to_owned(),
            ratio: "–".to_owned(),
            target: target.to_owned(),
            verdict: Verdict::Missing(reason.to_owned()),
        });
    }

    pub fn note(&mut self, note: String) {
        println!("  note: {note}");
        self.notes.push(note);
    }

    pub fn count(&self, f: impl Fn(&Verdict) -> bool) -> usize {
        self.rows.iter().filter(|r| f(&r.verdict)).count()
    }

    pub fn markdown(&self) -> String {
        let mut s = String::new();
        s.push_str("| # | figure | twofa | baseline (same run) | ratio | target | result |\n");
        s.push_str("|---|---|---|---|---|---|---|\n");
        for (i, r) in self.rows.iter().enumerate() {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} |",
                i + 1,
                r.figure,
                r.value,
                r.baseline,
                r.ratio,
                r.target,
                verdict_text(&r.verdict)
            );
        }
        if !self.notes.is_empty() {
            s.push_str("\nNotes:\n");
            for n in &self.notes {
                let _ = writeln!(s, "- {n}");
            }
        }
        s
    }
}

fn verdict_text(v: &Verdict) -> String {
    match v {
        Verdict::Pass => "pass".into(),
        Verdict::Fail => "**FAIL**".into(),
        Verdict::Info => "info".into(),
        Verdict::Missing(why) => format!("**not measured**: {why}"),
    }
}
