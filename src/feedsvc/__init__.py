"""feedsvc: a sandbox that speaks the Amazon MWS Feeds API for order feeds."""

__version__ = "0.1.0"
