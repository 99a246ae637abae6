"""Orders, their items, and what feeds do to them: cancellations and refunds."""
