"""Sellers and the MWS credentials that act for them."""
