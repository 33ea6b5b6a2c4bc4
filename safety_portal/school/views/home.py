from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from safety_portal.school.dashboard import panels_for


@login_required
def home(request):
    return render(request, "school/home.html", {"panels": panels_for(request.user)})


def healthz(request):
    """For the container health check: the app answers and reaches its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
