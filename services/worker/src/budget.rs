//! What one file may cost its worker.

use std::time::Duration;

/// The limits of one worker process. Defaults: 1 GiB of address space, 120 CPU seconds, 180 seconds
/// of wall-clock time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Budget {
    /// `RLIMIT_AS` of the worker, in bytes.
    pub memory_bytes: u64,
    /// `RLIMIT_CPU` of the worker, in seconds.
    pub cpu_seconds: u64,
    /// How long the parent waits before it kills the worker.
    pub wall: Duration,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            memory_bytes: 1 << 30,
            cpu_seconds: 120,
            wall: Duration::from_secs(180),
        }
    }
}

/// A budget setting that is not a positive whole number.
#[derive(Debug, thiserror::Error)]
#[error("{variable} must be a positive whole number{unit}, not {value:?}")]
pub struct BudgetError {
    pub variable: &'static str,
    pub unit: &'static str,
    pub value: String,
}

impl Budget {
    /// The default budget with any of `JVAP_WORKER_MEMORY_BYTES`, `JVAP_WORKER_CPU_SECONDS` and
    /// `JVAP_WORKER_SECONDS` that are set, read through `var` (the environment, or a test's map).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Budget, BudgetError> {
        let mut budget = Budget::default();
        let read =
            |variable: &'static str, unit: &'static str| -> Result<Option<u64>, BudgetError> {
                match var(variable).filter(|v| !v.trim().is_empty()) {
                    None => Ok(None),
                    Some(value) => match value.trim().parse::<u64>() {
                        Ok(n) if n > 0 => Ok(Some(n)),
                        _ => Err(BudgetError {
                            variable,
                            unit,
                            value,
                        }),
                    },
                }
            };
        if let Some(n) = read("JVAP_WORKER_MEMORY_BYTES", " of bytes")? {
            budget.memory_bytes = n;
        }
        if let Some(n) = read("JVAP_WORKER_CPU_SECONDS", " of seconds")? {
            budget.cpu_seconds = n;
        }
        if let Some(n) = read("JVAP_WORKER_SECONDS", " of seconds")? {
            budget.wall = Duration::from_secs(n);
        }
        Ok(budget)
    }

    /// [`Budget::from_vars`] on the process environment.
    pub fn from_env() -> Result<Budget, BudgetError> {
        Budget::from_vars(|name| std::env::var(name).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_variables_keep_the_defaults_and_set_ones_replace_them() {
        let budget =
            Budget::from_vars(|name| (name == "JVAP_WORKER_CPU_SECONDS").then(|| "30".to_string()))
                .expect("valid");

        assert_eq!(budget.cpu_seconds, 30);
        assert_eq!(budget.memory_bytes, 1 << 30);
        assert_eq!(budget.wall, Duration::from_secs(180));
    }

    #[test]
    fn a_budget_that_is_not_a_positive_number_is_refused_by_name() {
        let error = Budget::from_vars(|name| {
            (name == "JVAP_WORKER_MEMORY_BYTES").then(|| "1G".to_string())
        })
        .expect_err("refused");

        assert!(
            error.to_string().contains("JVAP_WORKER_MEMORY_BYTES"),
            "{error}"
        );
        assert!(error.to_string().contains("\"1G\""), "{error}");
    }
}
