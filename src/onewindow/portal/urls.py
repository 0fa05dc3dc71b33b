from django.urls import path

from onewindow.portal import views

urlpatterns = [
    path("", views.portal, name="portal"),
    path("home/", views.home, name="home"),
    path("notifications/", views.inbox, name="notifications"),
]
