"""Settings for the superbook example: everything host-specific comes from the environment,
which keel's states set in the Gunicorn unit (EnvironmentFile=/etc/superbook/env)."""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = os.environ.get("SUPERBOOK_SECRET_KEY", "insecure-example-key")
DEBUG = os.environ.get("SUPERBOOK_DEBUG", "0") == "1"
# one code base, several sites (bundles/django_app instances): each names itself
SITE_NAME = os.environ.get("SUPERBOOK_SITE_NAME", "superbook")
ALLOWED_HOSTS = os.environ.get("SUPERBOOK_ALLOWED_HOSTS", "*").split(",")

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.staticfiles",
    "books",
]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
ROOT_URLCONF = "superbook.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {},
    }
]
WSGI_APPLICATION = "superbook.wsgi.application"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("SUPERBOOK_DB_NAME", "superbook"),
        "USER": os.environ.get("SUPERBOOK_DB_USER", "superbook"),
        "PASSWORD": os.environ.get("SUPERBOOK_DB_PASSWORD", ""),
        "HOST": os.environ.get("SUPERBOOK_DB_HOST", "localhost"),
        "PORT": os.environ.get("SUPERBOOK_DB_PORT", "5432"),
    }
}

USE_TZ = True
STATIC_URL = "/static/"
STATIC_ROOT = os.environ.get("SUPERBOOK_STATIC_ROOT", str(BASE_DIR / "static"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
