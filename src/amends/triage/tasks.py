from django.tasks import task

from .services import category_model_train


@task()
def retrain_category_model() -> str:
    """Retrain the category learner on the starter set and every agent correction; activate the result."""
    return category_model_train().version
