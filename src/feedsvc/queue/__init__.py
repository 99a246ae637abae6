"""A durable job queue in the service's own database."""
