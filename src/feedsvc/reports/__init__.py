"""Processing reports: per-message outcomes rendered as MWS wrote them."""
