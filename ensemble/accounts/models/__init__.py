from ensemble.accounts.models.organisations import Organisation, Team, TeamMembership, TeamRole
from ensemble.accounts.models.security import LoginFailure, UserSession
from ensemble.accounts.models.users import User

__all__ = [
    "LoginFailure",
    "Organisation",
    "Team",
    "TeamMembership",
    "TeamRole",
    "User",
    "UserSession",
]
