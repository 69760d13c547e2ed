from django.contrib.auth import views as auth_views
from django.urls import path

from amends.core.ratelimit import rate_limit

from . import views

app_name = "accounts"
urlpatterns = [
    # Each account and address is also paused after failed tries (accounts.signin); this only bounds the flood.
    path("login/", rate_limit("sign-in", limit=60, methods=("POST",))(views.SignInView.as_view()), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]

# The console pages live under /console/ with the others; they are mounted from amends.urls.
console_urlpatterns = [
    path("authority/", views.authority_view, name="authority"),
    path("sign-ins/", views.sign_ins_view, name="sign_ins"),
    path("sign-ins/<int:pk>/lift/", views.sign_in_lift_view, name="sign_in_lift"),
]
