"""The demo program's parts, one module per feature; `manage.py seed_demo` puts them
together."""
