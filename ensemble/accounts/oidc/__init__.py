"""Single sign-on: Ensemble as an OpenID Connect relying party (ProConnect, Keycloak, ...)."""
