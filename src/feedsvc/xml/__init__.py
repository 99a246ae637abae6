"""XML feeds: safe parsing, schema validation, and reading messages into commands."""
