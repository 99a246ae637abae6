"""Failures on demand, so integrators can rehearse what production throws at them."""
