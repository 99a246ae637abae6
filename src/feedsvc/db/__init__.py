"""Database plumbing: declarative base, engine factory, transaction scope."""
