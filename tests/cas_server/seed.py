"""Create the test CAS server's database: ``python -m tests.cas_server.seed`` (settings from the environment).

By hand (README "统一身份认证"): DJANGO_SETTINGS_MODULE=tests.cas_server.settings CAS_TEST_DB=/tmp/cas.sqlite3."""

import django


def main():
    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from cas_server.models import ReplaceAttributName, ServicePattern

    from .users import (DISPLAY_NAME_ATTRIBUTE, EMPLOYEE_ID_ATTRIBUTE, EVERYONE, OTHER_SERVICE_PATTERN, PASSWORD,
                        PORTAL_SERVICE_PATTERN)

    call_command("migrate", verbosity=0, interactive=False)
    if ServicePattern.objects.exists():
        return  # seeded already (a rerun by hand)
    for person in EVERYONE:
        # django-cas-server sends the CAS user's model fields as attributes; the service pattern renames them
        User.objects.create_user(person.username, password=PASSWORD, first_name=person.display_name,
                                 last_name=person.employee_id)
    portal = ServicePattern.objects.create(pos=1, name="党建品牌平台", pattern=PORTAL_SERVICE_PATTERN, single_log_out=True)
    ReplaceAttributName.objects.create(service_pattern=portal, name="last_name", replace=EMPLOYEE_ID_ATTRIBUTE)
    ReplaceAttributName.objects.create(service_pattern=portal, name="first_name", replace=DISPLAY_NAME_ATTRIBUTE)
    ServicePattern.objects.create(pos=2, name="另一个校内系统", pattern=OTHER_SERVICE_PATTERN)


if __name__ == "__main__":
    main()
