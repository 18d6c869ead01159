from ensemble.accounts.models.identities import ExternalIdentity
from ensemble.accounts.models.invitations import Invitation, SignInCode
from ensemble.accounts.models.organisations import Organisation, Team, TeamMembership, TeamRole
from ensemble.accounts.models.security import LoginFailure, UserSession
from ensemble.accounts.models.tokens import ApiToken, TokenScope
from ensemble.accounts.models.users import User

__all__ = [
    "ApiToken",
    "ExternalIdentity",
    "Invitation",
    "LoginFailure",
    "Organisation",
    "SignInCode",
    "Team",
    "TeamMembership",
    "TeamRole",
    "TokenScope",
    "User",
    "UserSession",
]
