"""Golden-file tests: the exact bytes of every MWS response shape."""
