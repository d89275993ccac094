//! The optimizer lab behind the engine's one session interface: a start builds the race at
//! step 0; a request takes more steps. A link's `at=` is the page's to replay with step
//! requests, in slices it shows and can interrupt (a replay inside the start blocked the
//! worker for tens of seconds and sent megabytes at once).

use super::{OptimSession, OptimSessionError};
use crate::session::{Answer, Context, Session, StartError};
use contract::limits::check_range;
use contract::optim::limits::OptimLimits;
use contract::optim::protocol::{OptimProtocol, OptimReply, OptimRequest};
use contract::optim::OptimLab;

impl Session for OptimSession {
    type Protocol = OptimProtocol;
    type Error = OptimSessionError;

    fn start(spec: OptimLab, _cx: &Context) -> Result<(Self, OptimReply), StartError<OptimSessionError>> {
        let session = OptimSession::new(&spec).map_err(OptimSessionError::from)?;
        let reply = OptimReply::Started {
            contour: session.contour(OptimLimits::CONTOUR_COLUMNS, OptimLimits::CONTOUR_ROWS),
            frame: session.frame(0),
        };
        Ok((session, reply))
    }

    fn handle(&mut self, request: OptimRequest, out: &mut Answer<Self>) -> Result<(), Self::Error> {
        let OptimRequest::Step { steps } = request;
        check_range(
            "steps per request",
            steps,
            1,
            OptimLimits::steps_per_request(self.runs()),
        )?;
        let limit = OptimLimits::MAX_STEPS;
        if self.steps_taken() >= limit {
            return Err(OptimSessionError::LastStep);
        }
        let from = self.steps_taken() + 1;
        self.run_to((self.steps_taken() + steps).min(limit));
        out.reply(OptimReply::Frame(self.frame(from)));
        Ok(())
    }
}
