from django.contrib.auth import views as auth_views
from django.urls import path

from onewindow.org import second_factor_views, views, views_account, views_tasks
from onewindow.org.forms import LoginForm

urlpatterns = [
    path("calendar/", views.calendar, name="calendar"),
    path(
        "login/",
        views_account.LoginView.as_view(
            template_name="org/login.html",
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The second factor (docs/decisions/0009).
    path(
        "account/second-factor/",
        second_factor_views.second_factor_setup,
        name="second_factor_setup",
    ),
    path(
        "account/second-factor/verify/",
        second_factor_views.second_factor_verify_page,
        name="second_factor_verify",
    ),
    path(
        "account/second-factor/disable/",
        second_factor_views.second_factor_disable_page,
        name="second_factor_disable",
    ),
    # The password policy and the audit trail (docs/decisions/0010).
    path("account/password/", views_account.password_change_page, name="password_change"),
    path("audit/", views_account.audit_trail, name="audit_trail"),
    path("audit/verify/", views_account.audit_trail_verify, name="audit_trail_verify"),
    # Background tasks: stuck, waiting, failed; run a failed one again (docs/decisions/0012).
    path("admin-tasks/", views_tasks.background_tasks, name="background_tasks"),
    path(
        "admin-tasks/<uuid:pk>/retry/",
        views_tasks.background_task_retry,
        name="background_task_retry",
    ),
    path("applicants/", views.applicant_search, name="applicant_search"),
    path("applicants/<int:pk>/", views.applicant_detail, name="applicant_detail"),
]
