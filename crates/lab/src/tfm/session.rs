//! The Transformer lab behind the engine's one session interface: a start builds the data and
//! the untrained model; requests train for a time budget, look at another sequence or head,
//! or sample text.

use super::{Focus, TfmSession, TfmSessionError};
use crate::session::{Answer, Context, Session, StartError};
use crate::training;
use contract::tfm::limits::TfmLimits;
use contract::tfm::protocol::{TfmProtocol, TfmReply, TfmRequest};
use contract::tfm::TfmLab;

impl Session for TfmSession {
    type Protocol = TfmProtocol;
    type Error = TfmSessionError;

    fn start(spec: TfmLab, _cx: &Context) -> Result<(Self, TfmReply), StartError<TfmSessionError>> {
        let mut session = TfmSession::new(&spec)?;
        let view = session.view()?;
        let reply = TfmReply::Started {
            progress: session.progress(None, true),
            contrast: session.contrast(true),
            view,
        };
        Ok((session, reply))
    }

    fn handle(&mut self, request: TfmRequest, out: &mut Answer<Self>) -> Result<(), Self::Error> {
        match request {
            TfmRequest::Train(ask) => {
                let speed = training::train_for(self, ask, TfmLimits::MAX_TRAIN_BUDGET_MS, out.cx.now_ms)?;
                let progress = self.progress(speed, false);
                out.reply(TfmReply::Trained {
                    progress,
                    contrast: self.contrast(false),
                    view: self.view()?,
                });
            }
            TfmRequest::Focus {
                input,
                example,
                layer,
                head,
            } => {
                self.set_focus(Focus {
                    input,
                    example,
                    layer,
                    head,
                })?;
                out.reply(TfmReply::Focused { view: self.view()? });
            }
            TfmRequest::Sample {
                prompt,
                length,
                temperature,
                seed,
            } => {
                let text = self.sample(&prompt, length, temperature, seed)?;
                out.reply(TfmReply::Sampled {
                    prompt: prompt.to_lowercase(),
                    text,
                    temperature,
                    step: self.step(),
                });
            }
        }
        Ok(())
    }
}
