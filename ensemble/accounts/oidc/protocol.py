"""The OpenID Connect authorization code flow with PKCE, and every check it needs.

Every failure raises :class:`SignInFailed` with a message for the person (shown on the error
page) and a reason for the audit log; no account is created or changed before all checks pass.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet

from ensemble.accounts.oidc.config import OIDCProvider

SIGNING_ALGORITHMS = ["RS256", "ES256"]
LEEWAY_SECONDS = 60
METADATA_TTL = 3600


# Claims Ensemble reads, which must be strings (absent or null: not given). email_verified is
# not among them: anything but true means "not verified", never a refusal.
STRING_CLAIMS = (
    "sub",
    "acr",
    "email",
    "given_name",
    "usual_name",
    "uid",
    "siret",
    "organization_label",
    "idp_id",
    "phone",
    "phone_number",
)


class SignInFailed(Exception):
    """Single sign-on did not succeed: ``message`` is for the person, ``reason`` for the audit,
    ``status`` for the refusal page (400: refused; 502: the provider's answer is unusable;
    503: the provider cannot be reached)."""

    def __init__(self, message: str, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.message, self.reason, self.status = message, reason, status


def unreachable(provider: OIDCProvider, error: Exception) -> SignInFailed:
    return SignInFailed(
        _("%(provider)s cannot be reached right now. Please try again in a few minutes.")
        % {"provider": provider.label},
        f"provider unreachable: {type(error).__name__}: {error}",
        status=503,
    )


def unreadable(provider: OIDCProvider, what: str) -> SignInFailed:
    """The provider answered, but not what the protocol says (an HTML page, a wrong type...)."""
    return SignInFailed(
        _(
            "%(provider)s sent an answer that Ensemble cannot use. Please try again later; "
            "if this goes on, tell your IT department."
        )
        % {"provider": provider.label},
        f"provider answer unusable: {what}",
        status=502,
    )


def json_object(provider: OIDCProvider, response: requests.Response, what: str) -> dict[str, Any]:
    """The JSON object of a provider's answer, or an unusable-answer refusal."""
    try:
        value = response.json()
    except ValueError as error:
        kind = response.headers.get("Content-Type", "no content type")[:100]
        raise unreadable(provider, f"{what} is not JSON ({kind})") from error
    if not isinstance(value, dict):
        raise unreadable(provider, f"{what} is a JSON {type(value).__name__}, not an object")
    return value


def check_claim_types(provider: OIDCProvider, claims: dict[str, Any], what: str) -> None:
    """Refuse claims of the wrong JSON type (an e-mail list, a numeric SIRET...)."""
    for name in STRING_CLAIMS:
        value = claims.get(name)
        if value is not None and not isinstance(value, str):
            raise SignInFailed(
                _(
                    "%(provider)s sent your details in a form that Ensemble cannot use "
                    "(%(claim)s). Contact your IT department."
                )
                % {"provider": provider.label, "claim": name},
                f"{what}: claim {name!r} is {type(value).__name__}, not str",
                status=502,
            )


def http_get(provider: OIDCProvider, url: str, **kwargs: Any) -> requests.Response:
    try:
        response = requests.get(url, timeout=settings.OIDC_HTTP_TIMEOUT, **kwargs)
    except requests.RequestException as error:
        raise unreachable(provider, error) from error
    if response.status_code >= 500:
        raise unreachable(provider, RuntimeError(f"HTTP {response.status_code} from {url}"))
    return response


def cache_key(what: str, provider: OIDCProvider) -> str:
    """Per discovery URL, so that a changed configuration never reads a stale document."""
    return f"oidc.{what}.{hashlib.sha256(provider.discovery_url.encode()).hexdigest()[:32]}"


def metadata(provider: OIDCProvider) -> dict[str, Any]:
    """The provider's discovery document (cached)."""
    key = cache_key("metadata", provider)
    document: dict[str, Any] | None = cache.get(key)
    if document is None:
        document = json_object(
            provider, http_get(provider, provider.discovery_url), "discovery document"
        )
        needed = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
        wrong = [name for name in needed if not isinstance(document.get(name), str)]
        optional = ("userinfo_endpoint", "end_session_endpoint")
        wrong += [name for name in optional if not isinstance(document.get(name) or "", str)]
        if wrong:
            raise unreadable(provider, f"discovery document: no text for {', '.join(wrong)}")
        cache.set(key, document, METADATA_TTL)
    return document


def signing_keys(provider: OIDCProvider, refresh: bool = False) -> KeySet:
    key = cache_key("jwks", provider)
    jwks: dict[str, Any] | None = None if refresh else cache.get(key)
    fetched = jwks is None
    if jwks is None:
        jwks = json_object(provider, http_get(provider, metadata(provider)["jwks_uri"]), "JWKS")
    try:
        keys = KeySet.import_key_set(jwks)  # type: ignore[arg-type]
    except (JoseError, TypeError, ValueError, KeyError) as error:
        raise unreadable(provider, f"JWKS is not a key set: {type(error).__name__}") from error
    if fetched:
        cache.set(key, jwks, METADATA_TTL)
    return keys


@dataclass(frozen=True)
class Authorization:
    """What we keep in the session between the redirect and the callback."""

    url: str
    state: str
    nonce: str
    code_verifier: str


def start(provider: OIDCProvider, redirect_uri: str) -> Authorization:
    """The URL to send the person to, with fresh state, nonce and PKCE verifier."""
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    params = {
        "response_type": "code",
        "client_id": provider.client_id,
        "redirect_uri": redirect_uri,
        "scope": provider.scopes,
        "state": state,
        "nonce": nonce,
        "code_challenge": challenge.rstrip(b"=").decode(),
        "code_challenge_method": "S256",
    }
    if provider.acr_values:
        # As ProConnect documents it: the acr asked for as an essential claim of the ID token,
        # which the provider must meet with one of these values (or refuse).
        acr = {"essential": True, "values": provider.acr_values.split()}
        params["claims"] = json.dumps({"id_token": {"acr": acr}}, separators=(",", ":"))
    url = f"{metadata(provider)['authorization_endpoint']}?{urlencode(params)}"
    return Authorization(url, state, nonce, verifier)


def exchange_code(
    provider: OIDCProvider, code: str, redirect_uri: str, code_verifier: str
) -> dict[str, Any]:
    """Trade the authorization code for tokens at the provider's token endpoint."""
    try:
        response = requests.post(
            metadata(provider)["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": code_verifier,
            },
            auth=(provider.client_id, provider.client_secret),
            timeout=settings.OIDC_HTTP_TIMEOUT,
        )
    except requests.RequestException as error:
        raise unreachable(provider, error) from error
    if response.status_code != 200:
        raise SignInFailed(
            _("The identity provider refused to complete the sign-in. Please start again."),
            f"token endpoint answered {response.status_code}: {response.text[:300]}",
        )
    tokens = json_object(provider, response, "token response")
    if not tokens.get("id_token") or not tokens.get("access_token"):
        raise SignInFailed(
            _("The identity provider sent an incomplete answer."), "no id_token or access_token"
        )
    if not isinstance(tokens["id_token"], str) or not isinstance(tokens["access_token"], str):
        raise unreadable(provider, "token response: id_token or access_token is not text")
    return tokens


def verify_jwt(provider: OIDCProvider, value: str, what: str) -> dict[str, Any]:
    """Check a JWT's signature with the provider's keys (refreshed once if a key is unknown)."""
    bad = SignInFailed(
        _("The identity provider's answer could not be verified. Please start again."),
        f"{what}: bad signature or format",
    )
    for refresh in (False, True):
        try:
            token = jwt.decode(
                value, signing_keys(provider, refresh), algorithms=SIGNING_ALGORITHMS
            )
            return dict(token.claims)
        except BadSignatureError as error:
            raise bad from error
        except JoseError as error:
            if refresh:
                raise SignInFailed(bad.message, f"{what}: {type(error).__name__}") from error
    raise bad  # pragma: no cover


def check_claims(
    claims: dict[str, Any], expected: dict[str, Any], what: str, *, expires: bool = True
) -> None:
    """Check the issuer, audience, nonce... given in ``expected``, and the expiry time."""
    options: dict[str, Any] = {
        name: {"essential": True, "value": value} for name, value in expected.items()
    }
    if expires:
        options["exp"] = {"essential": True}
    registry = jwt.JWTClaimsRegistry(now=int(time.time()), leeway=LEEWAY_SECONDS, **options)
    try:
        registry.validate(claims)
    except ExpiredTokenError as error:
        raise SignInFailed(
            _("The sign-in took too long and expired. Please start again."), f"{what}: expired"
        ) from error
    except (InvalidClaimError, MissingClaimError) as error:
        raise SignInFailed(
            _("The identity provider's answer is not meant for this service. Please start again."),
            f"{what}: {error}",
        ) from error


def check_acr(provider: OIDCProvider, acr: Any) -> None:
    """The ``acr`` must be at or above the provider's minimum in OIDC_ACR_LEVELS' order."""
    if not provider.min_acr:
        return
    levels: list[str] = settings.OIDC_ACR_LEVELS
    if provider.min_acr not in levels:
        raise SignInFailed(
            _("Single sign-on is misconfigured on this service. Tell your IT department."),
            f"minimum acr {provider.min_acr!r} is not one of OIDC_ACR_LEVELS",
            status=503,
        )
    if acr not in levels or levels.index(acr) < levels.index(provider.min_acr):
        raise SignInFailed(
            _(
                "Your identity was not verified at the level this service needs. "
                "Sign in again with a stronger method."
            ),
            f"acr {acr!r} below the minimum {provider.min_acr!r}",
        )


def validate_id_token(provider: OIDCProvider, id_token: str, nonce: str) -> dict[str, Any]:
    claims = verify_jwt(provider, id_token, "id_token")
    check_claim_types(provider, claims, "id_token")
    check_claims(
        claims,
        {"iss": metadata(provider)["issuer"], "aud": provider.client_id, "nonce": nonce},
        "id_token",
    )
    several_audiences = isinstance(claims.get("aud"), list) and len(claims["aud"]) > 1
    if several_audiences and claims.get("azp") != provider.client_id:
        raise SignInFailed(
            _("The identity provider's answer is not meant for this service."),
            "id_token: several audiences and azp is not our client",
        )
    if not claims.get("sub"):
        raise SignInFailed(_("The identity provider did not say who you are."), "id_token: no sub")
    check_acr(provider, claims.get("acr"))
    return claims


def fetch_userinfo(provider: OIDCProvider, access_token: str, subject: str) -> dict[str, Any]:
    """The userinfo claims, given as JSON or as a signed JWT (ProConnect signs them)."""
    endpoint = metadata(provider).get("userinfo_endpoint")
    if not endpoint:
        return {}
    response = http_get(provider, endpoint, headers={"Authorization": f"Bearer {access_token}"})
    if response.status_code != 200:
        raise SignInFailed(
            _("The identity provider refused to share your details. Please start again."),
            f"userinfo answered {response.status_code}",
        )
    if response.headers.get("Content-Type", "").split(";")[0].strip() == "application/jwt":
        claims = verify_jwt(provider, response.text, "userinfo")
        expected = {"iss": metadata(provider)["issuer"], "aud": provider.client_id}
        check_claims(claims, expected, "userinfo", expires=False)
    else:
        claims = json_object(provider, response, "userinfo")
    check_claim_types(provider, claims, "userinfo")
    if claims.get("sub") != subject:
        raise SignInFailed(
            _("The identity provider's answer is inconsistent. Please start again."),
            "userinfo: sub differs from the id_token's",
        )
    return claims


@dataclass(frozen=True)
class Logout:
    """Where to send the browser to end the provider's session, and the state it must return."""

    url: str
    state: str


def end_session(
    provider: OIDCProvider, id_token: str, post_logout_redirect_uri: str
) -> Logout | None:
    """RP-initiated logout at the provider (if it offers it)."""
    try:
        endpoint = metadata(provider).get("end_session_endpoint")
    except SignInFailed:
        return None
    if not endpoint:
        return None
    state = secrets.token_urlsafe(32)
    params = {
        "id_token_hint": id_token,
        "post_logout_redirect_uri": post_logout_redirect_uri,
        "state": state,
    }
    return Logout(f"{endpoint}?{urlencode(params)}", state)
