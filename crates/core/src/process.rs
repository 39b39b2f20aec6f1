//! Who holds a claim or lease in the shared database, and whether that
//! process still lives. The desktop app, its outbox worker and every CLI
//! run share one data directory; a claim names its process so a claim left
//! by a process that died can be taken over.

use chrono::{DateTime, Utc};

/// This process's identity in claims and leases: `pid:<pid>:<random>`, the
/// random part telling two holders inside one process apart.
pub fn holder_id() -> String {
    format!(
        "pid:{}:{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    )
}

/// The process id in a holder id, if it has one.
pub fn holder_pid(holder: &str) -> Option<u32> {
    holder.split(':').nth(1).and_then(|p| p.parse().ok())
}

/// Whether the process behind `holder`, which took its claim at `since`,
/// may still be working on it. On Linux a dead pid is known at once;
/// elsewhere a claim older than `max_age` is taken as abandoned.
pub fn holder_alive(holder: &str, since: Option<&str>, max_age: chrono::Duration) -> bool {
    if cfg!(target_os = "linux") {
        if let Some(pid) = holder_pid(holder) {
            return pid == std::process::id()
                || std::path::Path::new(&format!("/proc/{pid}")).exists();
        }
    }
    since
        .and_then(|at| DateTime::parse_from_rfc3339(at).ok())
        .is_some_and(|at| Utc::now().signed_duration_since(at) < max_age)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holder_ids_name_this_process_and_differ() {
        let (a, b) = (holder_id(), holder_id());
        assert_ne!(a, b);
        assert_eq!(holder_pid(&a), Some(std::process::id()));
        assert!(holder_alive(&a, None, chrono::Duration::zero()));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_dead_process_does_not_hold_anything() {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        let now = crate::time::now_rfc3339();
        assert!(!holder_alive(
            &format!("pid:{pid}:x"),
            Some(&now),
            chrono::Duration::minutes(10)
        ));
    }
}
