"""`manage.py api_token USERNAME NAME`: issue a token for the read-only certification API."""

from django.core.management.base import BaseCommand, CommandError

from people.models import User

from ...models import ApiToken


class Command(BaseCommand):
    help = "Issue an API token acting as USERNAME (scoped like that user's pages); prints the key once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("name", help="What the token is for, e.g. 省执法监督平台")

    def handle(self, *args, username, name, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username}")
        _token, key = ApiToken.issue(user=user, name=name)
        self.stdout.write(key)
