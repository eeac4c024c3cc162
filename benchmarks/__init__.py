"""Performance tooling that is not part of the application: `make bench` (see http_bench)."""
