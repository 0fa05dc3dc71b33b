from django.contrib.auth.decorators import login_required
from django.shortcuts import render


def portal(request):
    return render(request, "org/portal.html")


@login_required
def home(request):
    return render(request, "org/home.html")
