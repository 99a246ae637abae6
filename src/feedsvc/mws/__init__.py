"""The MWS Feeds wire protocol: parameters, checks, actions and XML envelopes."""
