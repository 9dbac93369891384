//! sled's panics kept inside the store (issue 26, B1): a damaged sled file makes sled 0.34
//! panic (in its `serialization.rs` or page cache) where it should return an error. At the
//! seams where sled is opened and read, [`catch`] turns such a panic into an error the store
//! answers like any other database damage (set the database aside, rebuild from the journal).
//!
//! While a seam runs, the panic hook of the process is wrapped: a panic on the seam's own
//! thread is written to the diagnostics log, not printed as if the program had crashed; a panic
//! on any other thread goes to the hook as before. The hook is restored when the seam ends.

#![forbid(unsafe_code)]

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe, PanicHookInfo};
use std::sync::{Arc, Mutex};

type Hook = Box<dyn Fn(&PanicHookInfo<'_>) + Sync + Send + 'static>;

/// One seam at a time installs its hook (the hook is the process's, not the thread's).
static SEAM: Mutex<()> = Mutex::new(());

thread_local! {
    /// How deep this thread is in seams (a seam inside a seam keeps the outer hook).
    static DEPTH: Cell<u32> = const { Cell::new(0) };
    /// What the hook saw of this thread's last panic inside a seam.
    static CAUGHT: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs `f`; a panic inside it comes back as `Err` with sled's message (and where it was
/// raised), logged rather than printed.
pub fn catch<T>(what: &str, f: impl FnOnce() -> T) -> Result<T, String> {
    let outcome = if DEPTH.with(Cell::get) > 0 {
        run(f)
    } else {
        let _one = SEAM.lock().unwrap_or_else(|p| p.into_inner());
        let previous: Arc<Hook> = Arc::new(panic::take_hook());
        let forward = Arc::clone(&previous);
        panic::set_hook(Box::new(move |info| {
            if DEPTH.with(Cell::get) > 0 {
                // The crate and file are enough (`sled-0.34.7/src/pagecache/mod.rs:2047`).
                let at = info
                    .location()
                    .map(|l| {
                        let file = l.file();
                        let short = file.find("sled-").map_or(file, |i| &file[i..]);
                        format!(" at {short}:{}", l.line())
                    })
                    .unwrap_or_default();
                CAUGHT.with(|c| *c.borrow_mut() = Some(format!("{}{at}", payload_text(info))));
            } else {
                forward(info);
            }
        }));
        let outcome = run(f);
        drop(panic::take_hook());
        match Arc::try_unwrap(previous) {
            Ok(hook) => panic::set_hook(hook),
            // Another thread is inside the hook this instant: keep forwarding to it.
            Err(shared) => panic::set_hook(Box::new(move |info| shared(info))),
        }
        outcome
    };
    outcome.map_err(|payload| {
        let text = CAUGHT
            .with(|c| c.borrow_mut().take())
            .unwrap_or_else(|| downcast(payload.as_ref()));
        tracing::error!("sled panicked during {what}: {text}");
        text
    })
}

fn run<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    DEPTH.with(|d| d.set(d.get() + 1));
    let r = panic::catch_unwind(AssertUnwindSafe(f));
    DEPTH.with(|d| d.set(d.get() - 1));
    r
}

fn payload_text(info: &PanicHookInfo<'_>) -> String {
    downcast(info.payload())
}

fn downcast(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_in_a_seam_comes_back_as_an_error_and_the_hook_is_restored() {
        assert_eq!(catch("nothing", || 7), Ok(7));
        let e = catch("a read", || -> u32 { panic!("failed to deserialize data") }).unwrap_err();
        assert!(e.starts_with("failed to deserialize data at "), "{e}");
        // A seam inside a seam.
        let inner = catch("outer", || catch("inner", || panic!("inner")).unwrap_err());
        assert!(inner.unwrap().starts_with("inner"));
        // Outside a seam a panic is a panic again.
        assert!(std::panic::catch_unwind(|| panic!("plain")).is_err());
    }
}
