"""OpenID providers, each configured by environment variables (docs/subsystems/identity.md).

OIDC_PROVIDERS=proconnect,keycloak
OIDC_PROCONNECT_DISCOVERY_URL=https://…/.well-known/openid-configuration
OIDC_PROCONNECT_CLIENT_ID=…   OIDC_PROCONNECT_CLIENT_SECRET_FILE=/run/secrets/…
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

from ensemble.core.config import env_bool, env_list, env_str

DEFAULT_SCOPES = "openid email given_name usual_name uid siret organization_label idp_id"
# ProConnect's levels from eidas1 up, those with a second factor included (eidas0-mfa: an
# identity only declared, but a second factor; see OIDC_ACR_LEVELS for their order).
DEFAULT_ACR_VALUES = "eidas1 eidas0-mfa eidas1-mfa eidas2 eidas3"


@dataclass(frozen=True)
class OIDCProvider:
    name: str
    label: str
    discovery_url: str
    client_id: str
    client_secret: str
    scopes: str
    acr_values: str
    min_acr: str
    email_fallback: bool

    @property
    def slug(self) -> str:
        return self.name.lower()


def providers_from_env() -> dict[str, OIDCProvider]:
    providers: dict[str, OIDCProvider] = {}
    for raw_name in env_list("OIDC_PROVIDERS"):
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", raw_name):
            raise ImproperlyConfigured(
                f"OIDC_PROVIDERS: {raw_name!r} is not a valid name (letters and digits only)"
            )
        prefix = f"OIDC_{raw_name.upper()}_"
        missing = [
            prefix + key
            for key in ("DISCOVERY_URL", "CLIENT_ID", "CLIENT_SECRET")
            if not env_str(prefix + key)
        ]
        if missing:
            raise ImproperlyConfigured(f"provider {raw_name!r} needs {', '.join(missing)}")
        acr_values = env_str(prefix + "ACR_VALUES", DEFAULT_ACR_VALUES)
        providers[raw_name.lower()] = OIDCProvider(
            name=raw_name.lower(),
            label=env_str(prefix + "LABEL", raw_name),
            discovery_url=env_str(prefix + "DISCOVERY_URL"),
            client_id=env_str(prefix + "CLIENT_ID"),
            client_secret=env_str(prefix + "CLIENT_SECRET"),
            scopes=env_str(prefix + "SCOPES", DEFAULT_SCOPES),
            acr_values=acr_values,
            min_acr=env_str(prefix + "MIN_ACR", acr_values.split()[0] if acr_values else ""),
            email_fallback=env_bool(prefix + "EMAIL_FALLBACK", False),
        )
    return providers
