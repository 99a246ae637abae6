"""The JSON API integrators use to set up and inspect their test world."""
