//! The Translation lab behind the engine's one session interface: a start builds the task and
//! the three untrained models; requests train them for a time budget, translate a sentence,
//! or take BLEU apart.

use super::translate::explain_bleu;
use super::{MtSession, MtSessionError};
use crate::session::{Answer, Context, Session, StartError};
use crate::training;
use contract::mt::limits::MtLimits;
use contract::mt::protocol::{MtProtocol, MtReply, MtRequest};
use contract::mt::MtLab;

impl Session for MtSession {
    type Protocol = MtProtocol;
    type Error = MtSessionError;

    fn start(spec: MtLab, _cx: &Context) -> Result<(Self, MtReply), StartError<MtSessionError>> {
        let mut session = MtSession::new(&spec)?;
        let reply = MtReply::Started {
            news: session.progress(None),
        };
        Ok((session, reply))
    }

    fn handle(&mut self, request: MtRequest, out: &mut Answer<Self>) -> Result<(), Self::Error> {
        match request {
            MtRequest::Train(ask) => {
                let now_ms = out.cx.now_ms;
                let speed = training::run_for(ask, MtLimits::MAX_TRAIN_BUDGET_MS, |ms, until| {
                    self.train_until(ms, now_ms, until)
                })?;
                out.reply(MtReply::Trained {
                    news: self.progress(speed),
                });
            }
            MtRequest::Translate {
                sentence,
                example,
                beam,
            } => {
                let translation = self.translate(sentence.as_deref(), example, beam)?;
                out.reply(MtReply::Translated { translation });
            }
            MtRequest::Bleu {
                candidate,
                reference,
            } => {
                out.reply(MtReply::Bleu {
                    breakdown: explain_bleu(&candidate, &reference)?,
                });
            }
        }
        Ok(())
    }
}
