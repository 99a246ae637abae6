"""Tab-separated order feeds (the Seller Central templates) and their reports."""
