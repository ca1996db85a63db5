# memlab's commands. Each one installs what it needs first (scripts/setup.sh, idempotent).
.PHONY: serve test build setup cluster-start cluster-stop
serve: ## Serve the app at http://127.0.0.1:8080/ with built-in demo data
	@scripts/serve.sh
test: ## Run every check and test suite (what CI runs)
	@scripts/test.sh
build: ## Build the static site into dist/ and print its gzip size
	@scripts/build.sh
setup: ## Install the toolchain pieces that are missing
	@scripts/setup.sh --test
cluster-start: ## Start a real local Flink 2.3.0 cluster (JobManager + 2 TaskManagers) and the load job
	@scripts/flink-cluster.sh start 2 && scripts/flink-cluster.sh submit
cluster-stop: ## Stop it
	@scripts/flink-cluster.sh stop
