from django.http import HttpRequest
from ninja.security import HttpBearer

from .models import ApiKey
from .services import apikey_authenticate


class ApiKeyAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        return apikey_authenticate(key=token)
