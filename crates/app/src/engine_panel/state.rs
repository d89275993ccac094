//! What the Engine panel knows, as a plain type: every engine message is applied by one
//! function, so the panel's behaviour is tested natively without a browser.

use spec::{EngineInfo, FromEngine, MatmulBench};

#[derive(Clone, Debug, PartialEq)]
pub enum EngineStatus {
    /// The page is not cross-origin isolated: the engine is not started at all.
    NotIsolated,
    Starting,
    Ready(EngineInfo),
    /// The worker could not start or stopped; the user can restart it.
    Failed(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct PanelState {
    pub status: EngineStatus,
    /// The size being measured right now, if any.
    pub measuring: Option<usize>,
    /// The last refused or failed request, shown until the next one starts.
    pub error: Option<String>,
    /// Every measurement of this visit, newest last.
    pub results: Vec<MatmulBench>,
}

impl PanelState {
    pub fn new(isolated: bool) -> Self {
        PanelState {
            status: if isolated {
                EngineStatus::Starting
            } else {
                EngineStatus::NotIsolated
            },
            measuring: None,
            error: None,
            results: Vec::new(),
        }
    }

    pub fn apply(&mut self, message: FromEngine) {
        match message {
            FromEngine::Ready(info) => self.status = EngineStatus::Ready(info),
            FromEngine::MeasuringMatmul { n } => {
                self.measuring = Some(n);
                self.error = None;
            }
            FromEngine::MatmulMeasured(bench) => {
                self.measuring = None;
                self.results.push(bench);
            }
            FromEngine::Error { message } => {
                self.measuring = None;
                self.error = Some(message);
            }
            FromEngine::Failed { message } => {
                self.measuring = None;
                self.status = EngineStatus::Failed(message);
            }
        }
    }

    /// A restart keeps the results already measured: losing them would punish the user for a crash.
    pub fn restarting(&mut self) {
        self.status = EngineStatus::Starting;
        self.measuring = None;
        self.error = None;
    }

    pub fn can_measure(&self) -> bool {
        matches!(self.status, EngineStatus::Ready(_)) && self.measuring.is_none()
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
            version: "0.1.0".into(),
        }
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
        let mut s = PanelState::new(true);
        assert!(!s.can_measure(), "not before the engine is ready");
        s.apply(FromEngine::Ready(info()));
        assert!(s.can_measure());
        s.apply(FromEngine::MeasuringMatmul { n: 256 });
        assert_eq!(s.measuring, Some(256));
        assert!(!s.can_measure(), "one measurement at a time");
        s.apply(FromEngine::MatmulMeasured(bench(256)));
        assert_eq!(s.measuring, None);
        assert_eq!(s.latest(), Some(&bench(256)));
    }

    #[test]
    fn a_crash_stops_the_run_and_a_restart_keeps_results() {
        let mut s = PanelState::new(true);
        s.apply(FromEngine::Ready(info()));
        s.apply(FromEngine::MatmulMeasured(bench(128)));
        s.apply(FromEngine::MeasuringMatmul { n: 512 });
        s.apply(FromEngine::Failed {
            message: "the engine worker died: boom".into(),
        });
        assert_eq!(s.measuring, None);
        assert!(matches!(&s.status, EngineStatus::Failed(m) if m.contains("boom")));
        s.restarting();
        assert_eq!(s.status, EngineStatus::Starting);
        assert_eq!(s.results.len(), 1);
    }

    #[test]
    fn a_refused_request_is_shown_and_cleared_by_the_next() {
        let mut s = PanelState::new(true);
        s.apply(FromEngine::Ready(info()));
        s.apply(FromEngine::Error {
            message: "matrix size N = 9999 exceeds the limit of 2048".into(),
        });
        assert!(s.error.as_deref().is_some_and(|e| e.contains("2048")));
        assert!(s.can_measure(), "the engine is still usable");
        s.apply(FromEngine::MeasuringMatmul { n: 128 });
        assert_eq!(s.error, None);
    }

    #[test]
    fn not_isolated_never_measures() {
        let s = PanelState::new(false);
        assert_eq!(s.status, EngineStatus::NotIsolated);
        assert!(!s.can_measure());
    }
}
