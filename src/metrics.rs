//! What an operator watches, in the Prometheus text format (`GET /metrics`, behind the
//! token `metrics.token`; without one the route answers 404).
//!
//! Counters and histograms are kept by the code that does the work (one registry for the
//! process: several `App` instances of one process, as the tests start, add to the same
//! figures); the gauges that describe a state (the connection pool, the search index's lag
//! behind the audit log) are read when the metrics are scraped.

use std::sync::LazyLock;
use std::time::Duration;

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, Opts, Registry,
    TextEncoder,
};

/// Request latency buckets (seconds): a fast read is under a millisecond, a PDF or a
/// rebuild several seconds.
const LATENCY: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

pub struct Metrics {
    registry: Registry,
    /// Requests by method, route template (`/api/v1/documents/{id}`) and status.
    pub requests: IntCounterVec,
    /// Request latency by method and route template.
    pub latency: HistogramVec,
    /// Time to answer a search, from the query to its hits.
    pub search: Histogram,
    /// Time of PDF work by kind: `stamp`, `extract`.
    pub pdf: HistogramVec,
    /// Logins refused for a wrong username or password.
    pub login_failures: IntCounter,
    /// Logins refused by the throttle (429).
    pub login_throttled: IntCounter,
}

fn build() -> Result<Metrics, prometheus::Error> {
    let registry = Registry::new_custom(Some("vanban".into()), None)?;
    let requests = IntCounterVec::new(
        Opts::new(
            "http_requests_total",
            "HTTP requests by route template and status",
        ),
        &["method", "route", "status"],
    )?;
    let latency = HistogramVec::new(
        HistogramOpts::new(
            "http_request_duration_seconds",
            "HTTP request latency by route template",
        )
        .buckets(LATENCY.to_vec()),
        &["method", "route"],
    )?;
    let search = Histogram::with_opts(
        HistogramOpts::new("search_duration_seconds", "Time to answer a search")
            .buckets(LATENCY.to_vec()),
    )?;
    let pdf = HistogramVec::new(
        HistogramOpts::new(
            "pdf_work_duration_seconds",
            "PDF stamping and text extraction",
        )
        .buckets(LATENCY.to_vec()),
        &["work"],
    )?;
    let login_failures = IntCounter::new(
        "login_failures_total",
        "Logins refused for a wrong username or password",
    )?;
    let login_throttled =
        IntCounter::new("login_throttled_total", "Logins refused by the throttle")?;
    registry.register(Box::new(requests.clone()))?;
    registry.register(Box::new(latency.clone()))?;
    registry.register(Box::new(search.clone()))?;
    registry.register(Box::new(pdf.clone()))?;
    registry.register(Box::new(login_failures.clone()))?;
    registry.register(Box::new(login_throttled.clone()))?;
    Ok(Metrics {
        registry,
        requests,
        latency,
        search,
        pdf,
        login_failures,
        login_throttled,
    })
}

/// The process's metrics.
pub static METRICS: LazyLock<Metrics> = LazyLock::new(|| match build() {
    Ok(m) => m,
    // Names and labels above are constants checked by a unit test; a registry that
    // refuses them is a broken build, not an input.
    Err(e) => panic!("metrics registry: {e}"),
});

/// Counts one request.
pub fn request(method: &str, route: &str, status: u16, took: Duration) {
    let m = &*METRICS;
    m.requests
        .with_label_values(&[method, route, &status.to_string()])
        .inc();
    m.latency
        .with_label_values(&[method, route])
        .observe(took.as_secs_f64());
}

/// Runs `work`, observing its time in `histogram` (with `labels`).
pub fn timed<T>(histogram: &HistogramVec, labels: &[&str], work: impl FnOnce() -> T) -> T {
    let started = std::time::Instant::now();
    let out = work();
    histogram
        .with_label_values(labels)
        .observe(started.elapsed().as_secs_f64());
    out
}

/// A state read at scrape time.
#[derive(Debug, Clone, Copy, Default)]
pub struct Gauges {
    pub pool_connections: u32,
    pub pool_idle: u32,
    pub pool_max: u32,
    /// Document changes in the audit log the search index has not applied yet.
    pub index_lag_entries: i64,
    /// Age of the oldest of them (0 when none).
    pub index_lag_seconds: f64,
    pub index_last_seq: i64,
}

/// The metrics as Prometheus text, with the gauges of `g`.
pub fn render(g: &Gauges) -> Result<String, prometheus::Error> {
    let mut out = Vec::new();
    TextEncoder::new().encode(&METRICS.registry.gather(), &mut out)?;
    let mut text = String::from_utf8_lossy(&out).into_owned();
    for (name, help, value) in [
        (
            "vanban_db_pool_connections",
            "Connections open in the pool",
            f64::from(g.pool_connections),
        ),
        (
            "vanban_db_pool_idle",
            "Idle connections in the pool",
            f64::from(g.pool_idle),
        ),
        (
            "vanban_db_pool_max",
            "Largest number of connections the pool opens",
            f64::from(g.pool_max),
        ),
        (
            "vanban_search_index_lag_entries",
            "Document changes in the audit log not yet in the search index",
            g.index_lag_entries as f64,
        ),
        (
            "vanban_search_index_lag_seconds",
            "Age of the oldest document change not yet in the search index",
            g.index_lag_seconds,
        ),
        (
            "vanban_search_index_last_seq",
            "The last audit entry the search index applied",
            g.index_last_seq as f64,
        ),
    ] {
        text.push_str(&format!(
            "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}\n"
        ));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registry_builds_and_renders() {
        request(
            "GET",
            "/api/v1/documents/{id}",
            200,
            Duration::from_millis(3),
        );
        METRICS.login_failures.inc();
        let text = render(&Gauges {
            index_lag_entries: 2,
            ..Default::default()
        })
        .expect("render");
        assert!(text.contains(
            r#"vanban_http_requests_total{method="GET",route="/api/v1/documents/{id}",status="200"}"#
        ));
        assert!(text.contains("vanban_login_failures_total"));
        assert!(text.contains("vanban_search_index_lag_entries 2\n"));
        assert!(text.contains("# TYPE vanban_http_request_duration_seconds histogram"));
    }
}
