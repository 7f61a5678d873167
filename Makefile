# jvap: the two commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help setup run stop test deploy-check bench bench-e2e lint fmt build clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

setup: ## install what is missing: nats-server 2.10+ and PostgreSQL
	@bash deploy/local/setup.sh

run: ## build, start NATS and the three services, load the demo round, print the address and tokens
	@bash deploy/local/run.sh

stop: ## stop what `make run` started
	@bash deploy/local/stop.sh

test: setup ## build and run every test (unit, integration, end-to-end on real NATS, SQLite and PostgreSQL), after the lints and the deploy manifests' check
	cargo fmt --all --check
	bash deploy/check.sh
	cargo clippy --workspace --all-targets -- -D warnings
	cargo test --workspace

deploy-check: ## validate deploy/: compose, Kubernetes, Dockerfile, systemd units, NATS configs (a few seconds; as `make test` does)
	@bash deploy/check.sh

bench: ## time and peak memory: validation against a bare calamine read (10k to 1M rows), the outputs of 100,000 initiatives against a bare xlsx write (release)
	@bash deploy/local/bench.sh

bench-e2e: ## the service path end to end on its own NATS and SQLite: upload -> answer, accepted, version listed, files; p50/p95/max at rounds of 14,000 and 100,000 (release; ROUNDS="14000" for one)
	@bash deploy/local/bench-e2e.sh

lint: ## formatting and clippy, as `make test` checks them
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings

fmt: ## format the code
	cargo fmt --all

build: ## build every binary
	cargo build --bins

clean: stop ## remove build output and the local data of `make run`
	cargo clean
	rm -rf data
