import factory

from organizations.models import Level, Organization, RoleAssignment, User


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"党组织{n}")
    code = factory.Sequence(lambda n: f"ORG{n}")
    level = Level.COLLEGE
    org_type = "college_committee"
    members_staff = 10
    members_student = 20


class SchoolFactory(OrganizationFactory):
    name = "中共测试大学委员会"
    code = "SCHOOL"
    level = Level.SCHOOL
    org_type = "school_committee"


class CollegeFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"第{n}学院党委")
    level = Level.COLLEGE
    org_type = "college_committee"


class BranchFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"第{n}党支部")
    level = Level.BRANCH
    org_type = "teacher"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.edu.cn")
    password = factory.PostGenerationMethodCall("set_password", "pw-123456")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def give_role(user, role, org=None):
    RoleAssignment.objects.create(user=user, role=role, organization=org)
    from organizations import roles

    roles.forget(user)
    return user
