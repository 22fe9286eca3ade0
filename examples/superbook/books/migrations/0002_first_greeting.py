from django.db import migrations


def add_greeting(apps, schema_editor):
    Greeting = apps.get_model("books", "Greeting")
    Greeting.objects.create(text="Hello from PostgreSQL, rendered by Django")


class Migration(migrations.Migration):
    dependencies = [("books", "0001_initial")]
    operations = [migrations.RunPython(add_greeting, migrations.RunPython.noop)]
