from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "amends.customers"
    label = "customers"
