import factory

from ensemble.accounts.tests.factories import OrganisationFactory, UserFactory
from ensemble.chat.models import Room, RoomKind, RoomMember, RoomRole


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    kind = RoomKind.PRIVATE
    name = factory.Sequence(lambda n: f"Salon {n}")
    organisation = factory.SubFactory(OrganisationFactory)


class RoomMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoomMember

    room = factory.SubFactory(RoomFactory)
    user = factory.SubFactory(UserFactory)
    role = RoomRole.MEMBER
