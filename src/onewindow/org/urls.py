from django.contrib.auth import views as auth_views
from django.urls import path

from onewindow.org import views

urlpatterns = [
    path("", views.portal, name="portal"),
    path("login/", auth_views.LoginView.as_view(template_name="org/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("home/", views.home, name="home"),
]
