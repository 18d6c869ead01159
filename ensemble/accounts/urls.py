from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from ensemble.accounts import guest_views, views
from ensemble.accounts.forms import NewPasswordForm, ResetRequestForm
from ensemble.accounts.oidc import views as oidc_views
from ensemble.core.ratelimit import limited_posts

app_name = "accounts"

urlpatterns = [
    path("login/", views.sign_in_view, name="login"),
    path("login/code/", views.sign_in_totp_view, name="login_totp"),
    path("logout/", views.sign_out_view, name="logout"),
    path("profile/", views.profile_view, name="profile"),
    path("security/", views.security_view, name="security"),
    path("security/totp/start/", views.totp_start_view, name="totp_start"),
    path("security/totp/confirm/", views.totp_confirm_view, name="totp_confirm"),
    path("security/totp/disable/", views.totp_disable_view, name="totp_disable"),
    path("security/sessions/<int:pk>/revoke/", views.session_revoke_view, name="session_revoke"),
    path("security/tokens/", views.token_create_view, name="token_create"),
    path("security/tokens/<uuid:pk>/revoke/", views.token_revoke_view, name="token_revoke"),
    path("email/confirm/", views.email_confirm_send_view, name="email_confirm_send"),
    path("email/confirm/<str:token>/", views.email_confirm_view, name="email_confirm"),
    path("language/", views.language_view, name="language"),
    path("invitations/<str:token>/", guest_views.invitation_view, name="invitation"),
    path("code/", guest_views.code_request_view, name="code_request"),
    path("code/verify/", guest_views.code_verify_view, name="code_verify"),
    path("oidc/<str:name>/login/", oidc_views.oidc_login_view, name="oidc_login"),
    path("oidc/<str:name>/callback/", oidc_views.oidc_callback_view, name="oidc_callback"),
    path("oidc/logged-out/", oidc_views.oidc_logged_out_view, name="oidc_logged_out"),
    path(
        "password/reset/",
        limited_posts("accounts.password_reset")(
            auth_views.PasswordResetView.as_view(
                template_name="accounts/password_reset.html",
                form_class=ResetRequestForm,
                email_template_name="accounts/password_reset_email.txt",
                subject_template_name="accounts/password_reset_subject.txt",
                success_url=reverse_lazy("accounts:password_reset_done"),
            )
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            form_class=NewPasswordForm,
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
