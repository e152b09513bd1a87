"""Small utilities any app may use, and that know nothing of the apps: settings from the
environment, logging and request ids, the embedded PostgreSQL backend, health checks, sending texts,
spreadsheet-safe cells, the htmx request type, and the data-rights registry."""
