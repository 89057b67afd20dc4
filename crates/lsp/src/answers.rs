//! Answers before edits: the transport holds a document notification until the service has
//! answered every request the client sent before it.
//!
//! The specification asks that a request be answered against the document as it was when the
//! request arrived. The transport applies document notifications as soon as it reads them, while
//! `tower-lsp-server` runs request handlers later and concurrently: without this barrier, a
//! `completion` followed at once by a `didChange` could be computed on the changed text.
//!
//! Two counts make the barrier. The transport counts the requests it forwards (messages with an
//! `id`, which the service answers). [`TrackAnswers`], wrapped around the service, numbers the
//! requests in the order the service is called with them, which is the order they were
//! forwarded (`tower-lsp-server` calls its service once per message, in input order), and counts
//! the ones whose handler has finished. Handlers are quick (an analysis call takes well under a
//! millisecond), so the wait is short. A request still unfinished after the wait's limit is given
//! up on with a warning, and later waits no longer count it: a stuck handler can delay the edits
//! once, never stop them.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::sync::watch;
use tower_lsp_server::jsonrpc::{Request, Response};
use tower_service::Service;

/// How long a document notification waits for the requests sent before it.
pub const ANSWER_WAIT_LIMIT: Duration = Duration::from_secs(10);

/// The requests the transport forwarded, and which of them the service has finished.
pub struct RequestLedger {
    counts: watch::Sender<Counts>,
}

/// Wraps the service to tell a [`RequestLedger`] when each request's handler has finished.
pub struct TrackAnswers<S> {
    inner: S,
    ledger: Arc<RequestLedger>,
    /// The number the next request gets (its rank among the requests forwarded).
    next_sequence: u64,
}

impl Default for RequestLedger {
    fn default() -> RequestLedger {
        RequestLedger {
            counts: watch::Sender::new(Counts::default()),
        }
    }
}

impl RequestLedger {
    /// The transport forwarded a request (a message the service will answer).
    pub fn forwarded(&self) {
        self.counts.send_modify(|counts| counts.forwarded += 1);
    }

    /// Waits until the service has finished every request forwarded so far, at most `limit`.
    /// Returns whether they all finished; if not, logs a warning naming `before` (what had to
    /// wait) and stops waiting for those requests from now on.
    pub async fn wait_until_answered(&self, limit: Duration, before: &str) -> bool {
        let mut receiver = self.counts.subscribe();
        if receiver.borrow_and_update().all_finished() {
            return true;
        }
        let finished = tokio::time::timeout(limit, receiver.wait_for(Counts::all_finished))
            .await
            .is_ok_and(|waited| waited.is_ok());
        if !finished {
            let mut unfinished = 0;
            self.counts.send_modify(|counts| {
                unfinished = counts.forwarded - counts.given_up_below - counts.finished;
                counts.given_up_below = counts.forwarded;
                counts.finished = 0;
            });
            tracing::warn!(
                "{unfinished} request(s) still unanswered after {limit:?}; going on with {before} \
                 without waiting for them"
            );
        }
        finished
    }

    /// The handler of the request with this sequence number has finished.
    fn finished(&self, sequence: u64) {
        self.counts.send_modify(|counts| {
            if sequence >= counts.given_up_below {
                counts.finished += 1;
            }
        });
    }
}

impl<S> TrackAnswers<S> {
    pub fn new(inner: S, ledger: Arc<RequestLedger>) -> TrackAnswers<S> {
        TrackAnswers {
            inner,
            ledger,
            next_sequence: 0,
        }
    }
}

impl<S> Service<Request> for TrackAnswers<S>
where
    S: Service<Request, Response = Option<Response>>,
    S::Future: Send + 'static,
    S::Error: 'static,
{
    type Response = Option<Response>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Option<Response>, S::Error>> + Send>>;

    fn poll_ready(&mut self, context: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(context)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let finished = request.id().is_some().then(|| {
            let sequence = self.next_sequence;
            self.next_sequence += 1;
            Finished {
                ledger: self.ledger.clone(),
                sequence,
            }
        });
        let answer = self.inner.call(request);
        Box::pin(async move {
            let answer = answer.await;
            drop(finished);
            answer
        })
    }
}

#[derive(Clone, Copy, Default)]
struct Counts {
    /// Requests the transport forwarded.
    forwarded: u64,
    /// Requests numbered below this are no longer waited for (a wait for them timed out).
    given_up_below: u64,
    /// Requests numbered from `given_up_below` on whose handler has finished.
    finished: u64,
}

impl Counts {
    fn all_finished(&self) -> bool {
        self.given_up_below + self.finished >= self.forwarded
    }
}

/// Tells the ledger a request is finished when dropped: when its handler has returned, or when
/// its future is dropped unfinished (the service stopped).
struct Finished {
    ledger: Arc<RequestLedger>,
    sequence: u64,
}

impl Drop for Finished {
    fn drop(&mut self) {
        self.ledger.finished(self.sequence);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHORT: Duration = Duration::from_millis(50);

    #[tokio::test]
    async fn a_wait_ends_when_every_forwarded_request_is_finished() {
        let ledger = Arc::new(RequestLedger::default());
        assert!(ledger.wait_until_answered(SHORT, "nothing").await);
        ledger.forwarded();
        ledger.forwarded();
        let waiting = tokio::spawn({
            let ledger = ledger.clone();
            async move {
                ledger
                    .wait_until_answered(Duration::from_secs(30), "a test")
                    .await
            }
        });
        // Out of order, as concurrent handlers finish.
        ledger.finished(1);
        tokio::time::sleep(SHORT).await;
        assert!(!waiting.is_finished(), "one request is still unfinished");
        ledger.finished(0);
        assert!(waiting.await.unwrap());
    }

    #[tokio::test]
    async fn a_request_that_never_finishes_is_waited_for_once() {
        let ledger = RequestLedger::default();
        ledger.forwarded();
        assert!(!ledger.wait_until_answered(SHORT, "a test").await);
        // Given up on: the next wait does not count it, even when it finishes late.
        assert!(ledger.wait_until_answered(SHORT, "a test").await);
        ledger.forwarded();
        ledger.finished(0);
        assert!(
            !ledger.wait_until_answered(SHORT, "a test").await,
            "the late finish of request 0 must not stand for request 1"
        );
        ledger.forwarded();
        ledger.finished(2);
        assert!(ledger.wait_until_answered(SHORT, "a test").await);
    }
}
