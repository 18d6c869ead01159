"""ID token checks, with tokens forged by a test key that the 'provider' publishes."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, OctKey, RSAKey

from ensemble.accounts.oidc import protocol
from ensemble.accounts.oidc.config import OIDCProvider

ISSUER = "https://idp.example.gouv.fr"
PROVIDER = OIDCProvider(
    name="proconnect",
    label="ProConnect",
    discovery_url="https://idp.example.gouv.fr/.well-known",
    client_id="ensemble",
    client_secret="x" * 32,
    scopes="openid",
    acr_values="eidas1",
    min_acr="eidas1",
    email_fallback=False,
)
RSA = RSAKey.generate_key(2048, parameters={"kid": "rsa"})
EC = ECKey.generate_key("P-256", parameters={"kid": "ec"})
OTHER = RSAKey.generate_key(2048, parameters={"kid": "rsa"})  # same kid, not published


@pytest.fixture(autouse=True)
def published_keys(monkeypatch: Any) -> None:
    keys = KeySet([RSA, EC])
    monkeypatch.setattr(protocol, "signing_keys", lambda provider, refresh=False: keys)
    monkeypatch.setattr(protocol, "metadata", lambda provider: {"issuer": ISSUER})


def claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {
        "iss": ISSUER,
        "aud": "ensemble",
        "sub": "abc",
        "nonce": "n" * 43,
        "iat": now,
        # a day: the parametrised payloads are made when the tests are collected, and a slow
        # suite reached them after a 5-minute expiry (they failed as "expired")
        "exp": now + 24 * 3600,
        "acr": "eidas1",
    }
    return {key: value for key, value in {**base, **changes}.items() if value is not None}


def forge(payload: dict[str, Any], key: Any = RSA, alg: str = "RS256") -> str:
    return jwt.encode({"alg": alg, "kid": key.kid}, payload, key)


@pytest.mark.parametrize(("key", "alg"), [(RSA, "RS256"), (EC, "ES256")])
def test_a_good_token_passes(key: Any, alg: str) -> None:
    assert protocol.validate_id_token(PROVIDER, forge(claims(), key, alg), "n" * 43)["sub"] == "abc"


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (claims(iss="https://evil.example"), "iss"),
        (claims(aud="someone-else"), "aud"),
        (claims(nonce="other"), "nonce"),
        (claims(exp=int(time.time()) - 3600), "expired"),
        (claims(exp=None), "exp"),
        (claims(sub=None), "no sub"),
        (claims(aud=["ensemble", "other"]), "azp"),
        (claims(acr=None), "acr"),
    ],
)
def test_bad_claims_are_refused(payload: dict[str, Any], reason: str) -> None:
    with pytest.raises(protocol.SignInFailed) as failure:
        protocol.validate_id_token(PROVIDER, forge(payload), "n" * 43)
    assert reason in failure.value.reason


def test_several_audiences_pass_when_we_are_the_authorized_party() -> None:
    token = forge(claims(aud=["ensemble", "other"], azp="ensemble"))
    assert protocol.validate_id_token(PROVIDER, token, "n" * 43)["azp"] == "ensemble"


def test_a_token_signed_by_an_unpublished_key_is_refused() -> None:
    with pytest.raises(protocol.SignInFailed, match="bad signature"):
        protocol.validate_id_token(PROVIDER, forge(claims(), OTHER), "n" * 43)


def test_symmetric_and_unsigned_tokens_are_refused() -> None:
    secret = OctKey.import_key("x" * 32)
    hs256 = jwt.encode({"alg": "HS256"}, claims(), secret)
    _header, payload, _signature = forge(claims()).split(".")
    unsigned = f"{jwt.encode({'alg': 'HS256'}, {}, secret).split('.')[0]}.{payload}."
    for token in (hs256, unsigned, "not.a.jwt", ""):
        with pytest.raises(protocol.SignInFailed):
            protocol.validate_id_token(PROVIDER, token, "n" * 43)


def test_a_minimum_acr_outside_the_known_levels_is_a_clear_refusal() -> None:
    misconfigured = replace(PROVIDER, min_acr="eidas9")
    with pytest.raises(protocol.SignInFailed) as failure:
        protocol.validate_id_token(misconfigured, forge(claims()), "n" * 43)
    assert failure.value.status == 503
    assert failure.value.reason == "minimum acr 'eidas9' is not one of OIDC_ACR_LEVELS"


@pytest.mark.parametrize(
    ("acr", "minimum", "accepted"),
    [
        ("eidas1-mfa", "eidas1", True),
        ("eidas0-mfa", "eidas1", True),
        ("eidas0", "eidas1", False),
        ("eidas1", "eidas0-mfa", False),
        ("eidas0-mfa", "eidas1-mfa", False),
        ("eidas2", "eidas1-mfa", True),
        ("https://proconnect.gouv.fr/assurance/self-asserted-2fa", "eidas1", False),
    ],
)
def test_proconnect_levels_are_ordered(acr: str, minimum: str, accepted: bool) -> None:
    provider = replace(PROVIDER, min_acr=minimum)
    if accepted:
        protocol.check_acr(provider, acr)
    else:
        with pytest.raises(protocol.SignInFailed):
            protocol.check_acr(provider, acr)
