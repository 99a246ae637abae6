"""MWS request quotas: a token bucket and an hourly quota per seller and operation."""
