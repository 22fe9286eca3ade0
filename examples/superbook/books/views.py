from django.conf import settings
from django.db import connection
from django.shortcuts import render

from .models import Greeting


def index(request):
    greeting = Greeting.objects.order_by("id").first()
    context = {"greeting": greeting, "site": settings.SITE_NAME, "database": connection.settings_dict["NAME"]}
    return render(request, "books/index.html", context)
