//! The CNN lab behind the engine's one session interface: a start builds the model (once the
//! MNIST digits are in), requests train for a time budget, look at a digit, or explain a unit.

use super::{CnnSession, CnnSessionError};
use crate::session::{Answer, Context, Session, StartError};
use crate::training;
use contract::cnn::limits::CnnLimits;
use contract::cnn::protocol::{CnnProtocol, CnnReply, CnnRequest};
use contract::cnn::CnnLab;

impl Session for CnnSession {
    type Protocol = CnnProtocol;
    type Error = CnnSessionError;

    fn start(spec: CnnLab, cx: &Context) -> Result<(Self, CnnReply), StartError<CnnSessionError>> {
        let mnist = cx.assets.mnist.get("the MNIST digits")?;
        let mut session = CnnSession::new(&spec, mnist)?;
        let reply = CnnReply::Started {
            progress: session.progress(None),
            view: session.view(),
            gallery: session.gallery(),
        };
        Ok((session, reply))
    }

    fn handle(&mut self, request: CnnRequest, out: &mut Answer<Self>) -> Result<(), Self::Error> {
        match request {
            CnnRequest::Train(ask) => {
                let speed = training::train_for(self, ask, CnnLimits::MAX_TRAIN_BUDGET_MS, out.cx.now_ms)?;
                out.reply(CnnReply::Trained {
                    progress: self.progress(speed),
                    view: self.view(),
                });
            }
            CnnRequest::Look { digit, shift } => {
                self.look(digit, shift)?;
                out.reply(CnnReply::Viewed(self.view()));
            }
            CnnRequest::Receptive {
                layer,
                channel,
                y,
                x,
            } => out.reply(CnnReply::ReceptiveField(
                self.receptive_field(layer, channel, y, x)?,
            )),
        }
        Ok(())
    }
}
