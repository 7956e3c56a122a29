from django.apps import AppConfig


class PolicyAppConfig(AppConfig):
    name = "tests.policy_app"
    label = "policy_app"
