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

/// The budget as settings (`JVAP_WORKER_*`), for a service's or the CLI's command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::Args)]
pub struct BudgetArgs {
    /// Address space one file's worker may use, in bytes (its `RLIMIT_AS`).
    #[arg(long, env = "JVAP_WORKER_MEMORY_BYTES", default_value_t = 1 << 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub worker_memory_bytes: u64,
    /// CPU seconds one file's worker may use (its `RLIMIT_CPU`).
    #[arg(long, env = "JVAP_WORKER_CPU_SECONDS", default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..))]
    pub worker_cpu_seconds: u64,
    /// Seconds one file's worker may take before it is killed.
    #[arg(long, env = "JVAP_WORKER_SECONDS", default_value_t = 180, value_parser = clap::value_parser!(u64).range(1..))]
    pub worker_seconds: u64,
}

impl BudgetArgs {
    pub fn budget(&self) -> Budget {
        Budget {
            memory_bytes: self.worker_memory_bytes,
            cpu_seconds: self.worker_cpu_seconds,
            wall: Duration::from_secs(self.worker_seconds),
        }
    }
}

impl Budget {
    /// The budget of `JVAP_WORKER_MEMORY_BYTES`, `JVAP_WORKER_CPU_SECONDS` and `JVAP_WORKER_SECONDS`
    /// in the environment, the defaults for those unset (for tools that read no other setting).
    pub fn from_env() -> Result<Budget, clap::Error> {
        #[derive(clap::Parser)]
        struct Only {
            #[command(flatten)]
            budget: BudgetArgs,
        }
        <Only as clap::Parser>::try_parse_from(["jvap"]).map(|only| only.budget.budget())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        budget: BudgetArgs,
    }

    #[test]
    fn the_default_settings_are_the_default_budget_and_set_ones_replace_them() {
        let cli = Cli::try_parse_from(["jvap"]).expect("defaults");
        assert_eq!(cli.budget.budget(), Budget::default());
        let cli = Cli::try_parse_from(["jvap", "--worker-cpu-seconds", "30"]).expect("valid");
        let budget = cli.budget.budget();
        assert_eq!(budget.cpu_seconds, 30);
        assert_eq!(budget.memory_bytes, 1 << 30);
        assert_eq!(budget.wall, Duration::from_secs(180));
    }

    #[test]
    fn a_budget_that_is_not_a_positive_number_is_refused() {
        for bad in ["1G", "0", "-3"] {
            let error = Cli::try_parse_from(["jvap", "--worker-memory-bytes", bad]);
            assert!(error.is_err(), "{bad}");
        }
    }
}
