from django.utils.translation import gettext as _
from rest_framework import serializers

from ensemble.accounts.models import (
    ApiToken,
    Organisation,
    Team,
    TeamMembership,
    TeamRole,
    TokenScope,
    User,
    UserSession,
)
from ensemble.accounts.tokens import MAX_DAYS


class MeSerializer(serializers.ModelSerializer[User]):
    organisation: serializers.StringRelatedField[User] = serializers.StringRelatedField()

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "full_name",
            "language",
            "organisation",
            "is_external",
            "is_staff",
            "share_read_receipts",
        ]
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

    def validate_name(self, name: str) -> str:
        """A team's name is unique in its organisation (a database constraint: said here)."""
        organisation = (
            self.instance.organisation_id
            if self.instance is not None
            else self.context["request"].user.organisation_id
        )
        others = Team.objects.filter(organisation_id=organisation, name=name)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if organisation is not None and others.exists():
            raise serializers.ValidationError(
                _("Your organisation already has a team of this name.")
            )
        return name


class MemberInputSerializer(serializers.Serializer[None]):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    role = serializers.ChoiceField(choices=TeamRole.choices, default=TeamRole.MEMBER)


class InvitationInputSerializer(serializers.Serializer[None]):
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(
        choices=[TeamRole.MEMBER, TeamRole.ADMINISTRATOR], default=TeamRole.MEMBER
    )


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


class ApiTokenSerializer(serializers.ModelSerializer[ApiToken]):
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=TokenScope.choices), min_length=1, max_length=3
    )
    expires_in_days = serializers.IntegerField(
        min_value=1, max_value=MAX_DAYS, default=90, write_only=True
    )
    usable = serializers.BooleanField(source="is_usable", read_only=True)

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "scopes",
            "expires_in_days",
            "expires_at",
            "created_at",
            "last_used_at",
            "revoked_at",
            "usable",
        ]
        read_only_fields = [
            "id",
            "prefix",
            "expires_at",
            "created_at",
            "last_used_at",
            "revoked_at",
        ]

    def validate_scopes(self, scopes: list[str]) -> list[str]:
        if TokenScope.SCIM in scopes and not self.context["request"].user.is_staff:
            raise serializers.ValidationError(_("Only operators may give a token the scim scope."))
        return sorted(set(scopes))


class NewApiTokenSerializer(ApiTokenSerializer):
    token = serializers.CharField(read_only=True, help_text="Shown this once: copy it now.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]
