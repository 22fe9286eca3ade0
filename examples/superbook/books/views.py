from django.shortcuts import render

from .models import Greeting


def index(request):
    greeting = Greeting.objects.order_by("id").first()
    return render(request, "books/index.html", {"greeting": greeting})
