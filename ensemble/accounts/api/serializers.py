from rest_framework import serializers

from ensemble.accounts.models import Organisation, Team, TeamMembership, TeamRole, User, UserSession


class MeSerializer(serializers.ModelSerializer[User]):
    organisation: serializers.StringRelatedField[User] = serializers.StringRelatedField()

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "language", "organisation", "is_external", "is_staff"]
        read_only_fields = ["id", "email", "organisation", "is_external", "is_staff"]


class OrganisationSerializer(serializers.ModelSerializer[Organisation]):
    class Meta:
        model = Organisation
        fields = ["id", "name", "siret"]
        read_only_fields = fields


class PersonSerializer(serializers.ModelSerializer[User]):
    class Meta:
        model = User
        fields = ["id", "email", "full_name"]
        read_only_fields = fields


class MembershipSerializer(serializers.ModelSerializer[TeamMembership]):
    user = PersonSerializer(read_only=True)

    class Meta:
        model = TeamMembership
        fields = ["user", "role"]


class TeamSerializer(serializers.ModelSerializer[Team]):
    abilities = serializers.SerializerMethodField()
    memberships = MembershipSerializer(many=True, read_only=True)

    class Meta:
        model = Team
        fields = ["id", "name", "organisation", "memberships", "abilities"]
        read_only_fields = ["id", "organisation", "memberships", "abilities"]

    def get_abilities(self, team: Team) -> dict[str, bool]:
        return team.get_abilities(self.context["request"].user)


class MemberInputSerializer(serializers.Serializer[None]):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    role = serializers.ChoiceField(choices=TeamRole.choices, default=TeamRole.MEMBER)


class MemberRemoveSerializer(serializers.Serializer[None]):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())


class SessionSerializer(serializers.ModelSerializer[UserSession]):
    current = serializers.SerializerMethodField()

    class Meta:
        model = UserSession
        fields = ["id", "ip", "user_agent", "created_at", "last_seen_at", "current"]
        read_only_fields = fields

    def get_current(self, session: UserSession) -> bool:
        return bool(session.session_key == self.context["request"].session.session_key)
