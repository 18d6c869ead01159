import factory

from ensemble.accounts import tokens
from ensemble.accounts.models import ApiToken, Organisation, Team, TeamMembership, TeamRole, User

PASSWORD = "correct horse battery staple"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Ministère n°{n}")
    siret = factory.Sequence(lambda n: f"{11000000000000 + n:014d}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"agent{n}@example.gouv.fr")
    full_name = factory.Faker("name", locale="fr_FR")
    organisation = factory.SubFactory(OrganisationFactory)
    language = "en"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Équipe {n}")
    organisation = factory.SubFactory(OrganisationFactory)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMembership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    role = TeamRole.MEMBER


def api_token(user: User, scopes: list[str], days: int = 1) -> str:
    """A personal API token of ``user`` with these scopes; its value (``ens_…``)."""
    value, prefix, digest = tokens.new_token_value()
    ApiToken.objects.create(
        user=user,
        name="test",
        prefix=prefix,
        digest=digest,
        scopes=scopes,
        expires_at=tokens.expiry(days),
    )
    return value
