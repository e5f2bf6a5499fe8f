//! Order statistics of a sample (nearest-rank percentiles) and the table cells built from them.

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub n: usize,
    pub min: f64,
    pub median: f64,
    pub p99: f64,
    pub max: f64,
}

/// The nearest-rank percentile `p` (0 < p <= 100) of an ascending sample.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    assert!(!sorted.is_empty(), "percentile of an empty sample");
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub fn summarize(sample: &[f64]) -> Option<Summary> {
    if sample.is_empty() {
        return None;
    }
    let mut sorted = sample.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    Some(Summary {
        n: sorted.len(),
        min: sorted[0],
        median: percentile(&sorted, 50.0),
        p99: percentile(&sorted, 99.0),
        max: sorted[sorted.len() - 1],
    })
}

/// A number with 3 significant figures at most, without scientific notation.
pub fn fmt(x: f64) -> String {
    let a = x.abs();
    if a >= 100.0 || a == 0.0 {
        format!("{x:.0}")
    } else if a >= 10.0 {
        format!("{x:.1}")
    } else if a >= 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.3}")
    }
}

/// "min / median / max" of a summary.
pub fn cell(s: Option<Summary>) -> String {
    match s {
        Some(s) => format!("{} / {} / {}", fmt(s.min), fmt(s.median), fmt(s.max)),
        None => "n/a".into(),
    }
}

/// "p50 / p99" of a summary.
pub fn cell_p(s: Option<Summary>) -> String {
    match s {
        Some(s) => format!("{} / {}", fmt(s.median), fmt(s.p99)),
        None => "n/a".into(),
    }
}

/// ours / theirs, as "1/N" when we are smaller (lower is better for every row here).
pub fn ratio(ours: f64, theirs: f64) -> String {
    if ours <= 0.0 || theirs <= 0.0 {
        return "n/a".into();
    }
    if ours <= theirs {
        format!("1/{}", fmt(theirs / ours))
    } else {
        format!("{}x", fmt(ours / theirs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let sample: Vec<f64> = (1..=100).map(f64::from).collect();
        let s = summarize(&sample).unwrap();
        assert_eq!(
            (s.n, s.min, s.median, s.p99, s.max),
            (100, 1.0, 50.0, 99.0, 100.0)
        );
        let s = summarize(&[3.0, 1.0, 2.0]).unwrap();
        assert_eq!((s.min, s.median, s.p99, s.max), (1.0, 2.0, 3.0, 3.0));
        assert_eq!(summarize(&[7.0]).unwrap().p99, 7.0);
        assert!(summarize(&[]).is_none());
    }

    #[test]
    fn ratios_and_formatting() {
        assert_eq!(ratio(10.0, 240.0), "1/24.0");
        assert_eq!(ratio(2.0, 1.0), "2.00x");
        assert_eq!(ratio(0.0, 1.0), "n/a");
        assert_eq!(fmt(1234.5), "1234");
        assert_eq!(fmt(0.01234), "0.012");
        assert_eq!(cell(summarize(&[1.0, 2.0, 3.0])), "1.00 / 2.00 / 3.00");
    }
}
