//! The outputs of a large round are built on several threads (`std::thread::scope`): the duplicate
//! search and the change log beside the breakdowns, the workbook beside the other files, and the
//! workbook's two long sheets side by side.

use std::thread::ScopedJoinHandle;

/// What a scoped thread returned. If it panicked, the panic carries on in the caller, as if the work
/// had been done there.
pub(crate) fn joined<T>(thread: ScopedJoinHandle<'_, T>) -> T {
    thread
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}
