"""SCIM 2.0 (RFC 7643, 7644): IT departments provision accounts and teams from their identity
system. Authenticated by an operator's API token with the ``scim`` scope."""
