//! The Recurrent lab behind the engine's one session interface: a start builds the data and
//! the untrained network; requests train for a time budget or follow another sequence.

use super::{RnnSession, RnnSessionError};
use crate::session::{Answer, Context, Session, StartError};
use crate::training;
use contract::rnn::limits::RnnLimits;
use contract::rnn::protocol::{RnnProtocol, RnnReply, RnnRequest};
use contract::rnn::RnnLab;

impl Session for RnnSession {
    type Protocol = RnnProtocol;
    type Error = RnnSessionError;

    fn start(spec: RnnLab, _cx: &Context) -> Result<(Self, RnnReply), StartError<RnnSessionError>> {
        let mut session = RnnSession::new(&spec)?;
        let reply = RnnReply::Started {
            progress: session.progress(None, true),
            clipping: session.take_clipping(),
            compared: session.compared(true),
            inside: session.inside(),
        };
        Ok((session, reply))
    }

    fn handle(&mut self, request: RnnRequest, out: &mut Answer<Self>) -> Result<(), Self::Error> {
        match request {
            RnnRequest::Train(ask) => {
                let speed = training::train_for(self, ask, RnnLimits::MAX_TRAIN_BUDGET_MS, out.cx.now_ms)?;
                out.reply(RnnReply::Trained {
                    progress: self.progress(speed, false),
                    clipping: self.take_clipping(),
                    compared: self.compared(false),
                    inside: self.inside(),
                });
            }
            RnnRequest::Inside { example } => {
                self.look_inside(example)?;
                out.reply(RnnReply::Inside(self.inside()));
            }
            RnnRequest::Score { text } => out.reply(RnnReply::Scored(self.score(&text)?)),
            RnnRequest::Sample {
                prompt,
                length,
                temperature,
                seed,
            } => out.reply(RnnReply::Sampled(self.sample(&prompt, length, temperature, seed)?)),
            RnnRequest::FillIn { text } => out.reply(RnnReply::FilledIn {
                completions: self.fill_in(&text)?,
            }),
        }
        Ok(())
    }
}
