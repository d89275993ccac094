//! The Network lab behind the engine's one session interface: a start builds the data and the
//! untrained network; a request trains more epochs. A link's `at=` is the page's to replay with
//! train requests, in slices it shows and can interrupt.

use super::{NetSession, NetSessionError};
use crate::session::{Answer, Context, Session, StartError};
use crate::training::Trainable;
use contract::limits::check_range;
use contract::net::limits::NetLimits;
use contract::net::protocol::{NetProtocol, NetReply, NetRequest};
use contract::net::NetLab;

impl Session for NetSession {
    type Protocol = NetProtocol;
    type Error = NetSessionError;

    fn start(spec: NetLab, _cx: &Context) -> Result<(Self, NetReply), StartError<NetSessionError>> {
        let mut session = NetSession::new(&spec)?;
        let untrained = session.evaluate();
        let reply = NetReply::Started {
            data: session.data(),
            frame: session.frame(Some(vec![untrained])),
        };
        Ok((session, reply))
    }

    fn handle(&mut self, request: NetRequest, out: &mut Answer<Self>) -> Result<(), Self::Error> {
        let (epochs, contrast) = match request {
            NetRequest::Train { epochs, contrast } => (epochs, contrast),
            NetRequest::Contrast { epochs } => {
                let most = NetLimits::epochs_per_request(&self.spec, 1);
                check_range("epochs per request", epochs, 0, most)?;
                let epoch = self.epoch();
                let (twin, first) = match self.contrast.take() {
                    Some(twin) => (twin, None),
                    None => {
                        let twin = self.contrast_run()?;
                        let untrained = twin.evaluate();
                        (Box::new(twin), Some(untrained))
                    }
                };
                let twin = self.contrast.insert(twin);
                twin.train_epochs(epochs.min(epoch - twin.epoch()), out.cx.now_ms);
                out.reply(NetReply::Contrasted(twin.contrast_frame(first)));
                return Ok(());
            }
            NetRequest::Explain { point } => {
                out.reply(NetReply::Explained(self.explain(point)?));
                return Ok(());
            }
            NetRequest::SetWeight { edit } => {
                if edit.epoch != self.epoch() {
                    return Err(NetSessionError::EditElsewhen {
                        edit: edit.epoch,
                        epoch: self.epoch(),
                    });
                }
                check_range(
                    "edited weights",
                    self.edit_count() + 1,
                    0,
                    NetLimits::MAX_EDITS,
                )?;
                self.set_weight(edit)?;
                // The contrast run (never ahead of this one) gets it at the same epoch.
                if let Some(twin) = &mut self.contrast {
                    twin.set_weight(edit)?;
                }
                out.reply(NetReply::Trained(self.frame(None)));
                return Ok(());
            }
            NetRequest::Jacobian { layer, point } => {
                out.reply(NetReply::Jacobian(self.jacobian(layer, point)?));
                return Ok(());
            }
        };
        // The contrast run trains along only when it is level: then the request does both.
        let level = contrast && self.contrast.as_ref().is_some_and(|t| t.epoch() == self.epoch());
        let most = NetLimits::epochs_per_request(&self.spec, 1 + usize::from(level));
        check_range("epochs per request", epochs, 1, most)?;
        if self.epoch() >= NetLimits::MAX_EPOCHS {
            return Err(NetSessionError::LastEpoch);
        }
        if let Some(why) = self.stopped() {
            return Err(NetSessionError::Stopped(why.to_string()));
        }
        let from = self.epoch();
        self.train_epochs(epochs, out.cx.now_ms);
        let mut frame = self.frame(None);
        // A contrast run level with this one keeps level; one behind catches up on request.
        let to = self.epoch();
        if let Some(twin) = self.contrast.as_mut().filter(|t| contrast && t.epoch() == from) {
            if twin.stopped().is_none() {
                twin.train_epochs(to - from, out.cx.now_ms);
                frame.contrast = Some(twin.contrast_frame(None));
            }
        }
        out.reply(NetReply::Trained(frame));
        Ok(())
    }
}
