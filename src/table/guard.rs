//! Running the spreadsheet reader so that a panic inside it is an input error, not a crash.
//!
//! calamine indexes into the bytes of a workbook in many places; a damaged or hostile file can
//! make one of those indexes fail, which panics. The structure checks that run before it
//! ([`super::cfb`], [`super::biff`], [`super::zipped`]) rule out what would allocate without bound
//! (a panic cannot be caught once an allocation fails: the process aborts); what is left is
//! caught here, while the thread is marked as guarded so that the panic hook stays silent: the
//! user sees the tool's one-line input error, not a Rust panic message. A panic anywhere else is
//! a bug in this tool and keeps its message.

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    /// Whether this thread is inside [`quietly`]: its panics are reported as input errors.
    static GUARDED: Cell<bool> = const { Cell::new(false) };
}

static HOOK: Once = Once::new();

/// Installs, once per process, a panic hook that prints nothing for a panic inside [`quietly`]
/// and hands every other panic to the hook that was installed before (the default message).
/// `main` calls it first thing; tests that read hostile workbooks in-process may call it too.
pub fn install_quiet_hook() {
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !GUARDED.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

/// Runs `f`, returning its value, or the panic's message if it panicked. Nested calls are fine:
/// the guard is restored to what it was.
pub fn quietly<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    let was = GUARDED.with(|g| g.replace(true));
    // The closure's state is thrown away on a panic (the workbook is abandoned), so nothing
    // half-updated is observed afterwards.
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(was));
    result.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown failure".to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_its_message_and_the_guard_is_restored() {
        install_quiet_hook();
        let v: Vec<u8> = Vec::new();
        let index = v.len() + 3;
        let caught = quietly(|| v[index]);
        assert!(
            caught
                .as_ref()
                .is_err_and(|m| m.contains("index out of bounds")),
            "{caught:?}"
        );
        assert!(!GUARDED.with(Cell::get));
        assert_eq!(quietly(|| 7), Ok(7));
        let nested = quietly(|| quietly(|| panic!("inner")).unwrap_err());
        assert_eq!(nested.as_deref(), Ok("inner"));
        assert!(!GUARDED.with(Cell::get));
    }
}
