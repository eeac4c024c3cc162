"""Development tools: the demo and scale seeds and the benchmarks. Nothing production needs;
installed when DEBUG is on or DEVTOOLS says so (config/settings.py). No app imports it."""
