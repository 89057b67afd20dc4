//! The spell's own thread: a mailbox of jobs that must run on it, and waiting for
//! I/O-bound host calls without ever running script code on a tokio worker.
//!
//! Host code on other threads (a parallel workflow, a tool running on tokio) calls back into
//! the script by posting a job to the mailbox; the spell thread runs those jobs whenever it
//! waits for an I/O-bound call, so callbacks interleave safely with the script.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::ThreadId;
use std::time::Instant;

use futures::future::BoxFuture;
use llmspell_bridge::{HostError, codes};

/// A unit of work that must run on the spell thread.
pub type Job = Box<dyn FnOnce() + Send>;

/// The shared tokio runtime that drives I/O-bound host futures (never script code).
pub fn io_runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("llmspell-io")
            .enable_all()
            .build()
            .expect("the I/O runtime starts")
    })
}

/// Cooperative cancellation of a running spell (debugger "terminate", Ctrl-C).
#[derive(Clone, Debug, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn new() -> CancelToken {
        CancelToken::default()
    }
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// The receiving end, owned by the spell thread.
pub struct Mailbox {
    receiver: Receiver<Job>,
    sender: MailboxSender,
}

/// The sending end: cheap to clone, usable from any thread.
#[derive(Clone)]
pub struct MailboxSender {
    sender: Arc<Mutex<Sender<Job>>>,
    spell_thread: ThreadId,
}

impl Mailbox {
    /// A mailbox for the current thread, which becomes the spell thread.
    pub fn for_current_thread() -> Mailbox {
        let (sender, receiver) = mpsc::channel();
        Mailbox {
            receiver,
            sender: MailboxSender {
                sender: Arc::new(Mutex::new(sender)),
                spell_thread: std::thread::current().id(),
            },
        }
    }

    pub fn sender(&self) -> MailboxSender {
        self.sender.clone()
    }

    /// Runs every job already queued; returns how many ran.
    pub fn run_pending(&self) -> usize {
        let mut count = 0;
        while let Ok(job) = self.receiver.try_recv() {
            job();
            count += 1;
        }
        count
    }

    /// Waits for one job (until `deadline`) and runs it. Returns `Ok(false)` when the deadline
    /// passed with nothing to do, and an error when the spell was cancelled.
    pub fn run_one(&self, deadline: Option<Instant>, cancel: &CancelToken) -> Result<bool, HostError> {
        // Wake up regularly so cancellation is seen even when nothing arrives.
        const TICK: std::time::Duration = std::time::Duration::from_millis(50);
        loop {
            if cancel.is_cancelled() {
                return Err(HostError::new(codes::TERMINATED, "the spell was terminated"));
            }
            let now = Instant::now();
            let wait = match deadline {
                Some(deadline) if deadline <= now => return Ok(false),
                Some(deadline) => (deadline - now).min(TICK),
                None => TICK,
            };
            match self.receiver.recv_timeout(wait) {
                Ok(job) => {
                    job();
                    return Ok(true);
                }
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => return Ok(false),
            }
        }
    }

    /// Drives `future` on the I/O runtime and blocks this (spell) thread until it finishes,
    /// running mailbox jobs meanwhile. Fails with `timeout` at `deadline` and `terminated` on
    /// cancellation.
    pub fn wait_for<T: Send + 'static>(
        &self,
        future: BoxFuture<'static, T>,
        deadline: Option<Instant>,
        cancel: &CancelToken,
    ) -> Result<T, HostError> {
        let slot: Arc<Mutex<Option<T>>> = Arc::new(Mutex::new(None));
        let done = Arc::new(AtomicBool::new(false));
        let sender = self.sender();
        let task = {
            let slot = slot.clone();
            let done = done.clone();
            io_runtime().spawn(async move {
                let value = future.await;
                *slot.lock().expect("result slot") = Some(value);
                done.store(true, Ordering::SeqCst);
                // An empty job wakes the spell thread up.
                sender.post(Box::new(|| {}));
            })
        };
        while !done.load(Ordering::SeqCst) {
            match self.run_one(deadline, cancel) {
                Ok(true) => {}
                Ok(false) if done.load(Ordering::SeqCst) => break,
                Ok(false) => {
                    task.abort();
                    return Err(HostError::new(codes::TIMEOUT, "the spell ran past its time limit"));
                }
                Err(error) => {
                    task.abort();
                    return Err(error);
                }
            }
        }
        let value = slot.lock().expect("result slot").take();
        value.ok_or_else(|| HostError::internal("an I/O-bound call finished without a result"))
    }
}

impl MailboxSender {
    /// Queues `job` to run on the spell thread. Returns false when the spell has ended.
    pub fn post(&self, job: Job) -> bool {
        self.sender.lock().map(|sender| sender.send(job).is_ok()).unwrap_or(false)
    }

    pub fn is_spell_thread(&self) -> bool {
        std::thread::current().id() == self.spell_thread
    }

    /// Runs `work` on the spell thread and returns its result: directly when already there,
    /// otherwise through the mailbox, blocking the calling thread until it has run.
    pub fn run_on_spell_thread<R: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<R, HostError> + Send + 'static,
    ) -> Result<R, HostError> {
        if self.is_spell_thread() {
            return work();
        }
        let (reply, answer) = mpsc::sync_channel(1);
        let posted = self.post(Box::new(move || {
            let _ = reply.send(work());
        }));
        if !posted {
            return Err(HostError::new(codes::TERMINATED, "the spell has already ended"));
        }
        answer
            .recv()
            .unwrap_or_else(|_| Err(HostError::new(codes::TERMINATED, "the spell ended before the callback ran")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn wait_for_runs_callbacks_posted_from_other_threads() {
        let mailbox = Mailbox::for_current_thread();
        let sender = mailbox.sender();
        let spell_thread = std::thread::current().id();
        let future: BoxFuture<'static, Result<bool, HostError>> = Box::pin(async move {
            // From a tokio worker, run something on the spell thread and see where it ran.
            tokio::task::spawn_blocking(move || {
                sender.run_on_spell_thread(move || Ok(std::thread::current().id() == spell_thread))
            })
            .await
            .unwrap()
        });
        let ran_on_spell_thread = mailbox.wait_for(future, None, &CancelToken::new()).unwrap();
        assert!(ran_on_spell_thread.unwrap());
    }

    #[test]
    fn wait_for_stops_at_the_deadline() {
        let mailbox = Mailbox::for_current_thread();
        let future: BoxFuture<'static, ()> =
            Box::pin(async { tokio::time::sleep(Duration::from_secs(30)).await });
        let deadline = Some(Instant::now() + Duration::from_millis(50));
        let error = mailbox.wait_for(future, deadline, &CancelToken::new()).unwrap_err();
        assert_eq!(error.code, "timeout");
    }
}
