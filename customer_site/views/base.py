"""What the customer's pages share: a page that says plainly what went wrong."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def problem(request: HttpRequest, title: str, text: str, status: int) -> HttpResponse:
    return render(request, "customer_site/public_problem.html", {"title": title, "text": text}, status=status)
