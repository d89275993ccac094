//! What the Engine panel knows, as a plain type: every engine message is applied by one
//! function, so the panel's behaviour is tested natively without a browser.

use contract::diagnostics::{
    BenchmarkRow, Diagnostics, DiagnosticsReply, DiagnosticsRequest, EngineInfo, MatmulBench, SLUG,
};
use contract::{FromEngine, ToEngine};

#[derive(Clone, Debug, PartialEq)]
pub enum EngineStatus {
    Starting,
    Ready(EngineInfo),
    /// The worker could not start or stopped; the user can restart it.
    Failed(String),
}

/// What the engine is busy with (it does one thing at a time).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Task {
    /// The matrix-product measurement of this size.
    Matmul(usize),
    BenchmarkSuite,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PanelState {
    pub status: EngineStatus,
    /// What the engine is running right now, if anything.
    pub busy: Option<Task>,
    /// The last refused or failed request, shown until the next one starts.
    pub error: Option<String>,
    /// Every measurement of this visit, newest last.
    pub results: Vec<MatmulBench>,
    /// Rows of the last benchmark suite run, in the order they arrived.
    pub suite: Vec<BenchmarkRow>,
}

impl Default for PanelState {
    fn default() -> Self {
        Self::new()
    }
}

impl PanelState {
    pub fn new() -> Self {
        PanelState {
            status: EngineStatus::Starting,
            busy: None,
            error: None,
            results: Vec::new(),
            suite: Vec::new(),
        }
    }

    /// Applies one message from the engine: what is addressed to everyone (the worker is up,
    /// or down) and what the engine's own participant says; the labs' traffic is not this
    /// panel's.
    pub fn apply(&mut self, message: &FromEngine) {
        match message {
            FromEngine::Ready(info) => self.status = EngineStatus::Ready(info.clone()),
            FromEngine::Failed { message } => {
                self.busy = None;
                self.status = EngineStatus::Failed(message.clone());
            }
            FromEngine::Error { from, message, .. } if from == SLUG => {
                self.refused(message.clone())
            }
            FromEngine::Reply { from, body, .. } if from == SLUG => {
                match body.read::<DiagnosticsReply>() {
                    Ok(reply) => self.answered(reply),
                    Err(e) => self.refused(e.to_string()),
                }
            }
            _ => {}
        }
    }

    /// A request for the engine's own participant (always running: run 0).
    pub fn request(request: &DiagnosticsRequest) -> ToEngine {
        ToEngine::request::<Diagnostics>(0, request)
    }

    /// A request could not be sent or was refused; the engine is still usable.
    pub fn refused(&mut self, message: String) {
        self.busy = None;
        self.error = Some(message);
    }

    pub fn answered(&mut self, reply: DiagnosticsReply) {
        match reply {
            DiagnosticsReply::Started => self.busy = None,
            DiagnosticsReply::MeasuringMatmul { n } => {
                self.busy = Some(Task::Matmul(n));
                self.error = None;
            }
            DiagnosticsReply::MatmulMeasured(bench) => {
                self.busy = None;
                self.results.push(bench);
            }
            DiagnosticsReply::BenchmarkRow(row) => self.suite.push(row),
            DiagnosticsReply::BenchmarksDone => self.busy = None,
        }
    }

    /// The suite starts over: its table is emptied and filled as rows arrive.
    pub fn suite_started(&mut self) {
        self.busy = Some(Task::BenchmarkSuite);
        self.error = None;
        self.suite.clear();
    }

    /// A restart keeps the results already measured: losing them would punish the user for a crash.
    pub fn restarting(&mut self) {
        self.status = EngineStatus::Starting;
        self.busy = None;
        self.error = None;
    }

    pub fn can_measure(&self) -> bool {
        matches!(self.status, EngineStatus::Ready(_)) && self.busy.is_none()
    }

    pub fn latest(&self) -> Option<&MatmulBench> {
        self.results.last()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info() -> EngineInfo {
        EngineInfo {
            threads: 2,
            simd128: true,
            shared_memory: true,
            build: contract::diagnostics::EngineBuild::Threaded,
            version: "0.1.0".into(),
        }
    }

    fn diag(reply: DiagnosticsReply) -> FromEngine {
        FromEngine::reply::<Diagnostics>(0, &reply)
    }

    fn bench(n: usize) -> MatmulBench {
        MatmulBench {
            n,
            threads: 2,
            seconds_one_thread: 0.01,
            seconds_all_threads: 0.006,
            repetitions: 5,
            bit_identical: true,
            max_rel_error_vs_scalar: 1e-7,
        }
    }

    #[test]
    fn a_measurement_runs_then_lands_in_results() {
        let mut s = PanelState::new();
        assert!(!s.can_measure(), "not before the engine is ready");
        s.apply(&FromEngine::Ready(info()));
        assert!(s.can_measure());
        s.apply(&diag(DiagnosticsReply::MeasuringMatmul { n: 256 }));
        assert_eq!(s.busy, Some(Task::Matmul(256)));
        assert!(!s.can_measure(), "one measurement at a time");
        s.apply(&diag(DiagnosticsReply::MatmulMeasured(bench(256))));
        assert_eq!(s.busy, None);
        assert_eq!(s.latest(), Some(&bench(256)));
    }

    #[test]
    fn a_crash_stops_the_run_and_a_restart_keeps_results() {
        let mut s = PanelState::new();
        s.apply(&FromEngine::Ready(info()));
        s.apply(&diag(DiagnosticsReply::MatmulMeasured(bench(128))));
        s.apply(&diag(DiagnosticsReply::MeasuringMatmul { n: 512 }));
        s.apply(&FromEngine::Failed {
            message: "the engine worker died: boom".into(),
        });
        assert_eq!(s.busy, None);
        assert!(matches!(&s.status, EngineStatus::Failed(m) if m.contains("boom")));
        s.restarting();
        assert_eq!(s.status, EngineStatus::Starting);
        assert_eq!(s.results.len(), 1);
    }

    #[test]
    fn a_refused_request_is_shown_and_cleared_by_the_next() {
        let mut s = PanelState::new();
        s.apply(&FromEngine::Ready(info()));
        s.apply(&FromEngine::Error {
            from: SLUG.into(),
            run: 0,
            message: "matrix size N = 9999 exceeds the limit of 2048".into(),
        });
        assert!(s.error.as_deref().is_some_and(|e| e.contains("2048")));
        assert!(s.can_measure(), "the engine is still usable");
        s.apply(&diag(DiagnosticsReply::MeasuringMatmul { n: 128 }));
        assert_eq!(s.error, None);
    }

    #[test]
    fn the_suite_fills_its_table_row_by_row() {
        let mut s = PanelState::new();
        s.apply(&FromEngine::Ready(info()));
        s.suite_started();
        assert!(!s.can_measure());
        let row = BenchmarkRow {
            workload: "matmul A·B, N = 128".into(),
            unit: "GFLOP/s".into(),
            one_thread: 30.0,
            all_threads: 50.0,
            threads: 2,
        };
        s.apply(&diag(DiagnosticsReply::BenchmarkRow(row.clone())));
        assert_eq!(s.suite, vec![row]);
        assert_eq!(s.busy, Some(Task::BenchmarkSuite));
        s.apply(&diag(DiagnosticsReply::BenchmarksDone));
        assert!(s.can_measure());
        s.suite_started();
        assert!(s.suite.is_empty(), "a new run starts a new table");
    }

    #[test]
    fn nothing_is_measured_before_the_engine_is_ready() {
        let s = PanelState::new();
        assert_eq!(s.status, EngineStatus::Starting);
        assert!(!s.can_measure());
    }
}
