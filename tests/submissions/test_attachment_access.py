from django.core.files.base import ContentFile
from django.urls import reverse

from submissions import access
from submissions.models import Attachment


def make(org, data=b"0123456789" * 100, kind="mp4"):
    a = Attachment(organization=org, kind=kind, original_name="视频.mp4", size=len(data))
    a.file.save("attachments/v.mp4", ContentFile(data), save=False)
    a.save()
    return a


def test_range_request_streams_a_slice(world, client_for):
    a = make(world.branch_a1)
    c = client_for(world.users.branch)
    url = reverse("submissions:attachment", args=[a.uuid])
    response = c.get(url, HTTP_RANGE="bytes=10-19")
    assert response.status_code == 206
    assert response["Content-Range"] == "bytes 10-19/1000"
    assert b"".join(response.streaming_content) == b"0123456789"
    full = c.get(url)
    assert full.status_code == 200 and full["Accept-Ranges"] == "bytes"
    assert c.get(url, HTTP_RANGE="bytes=5000-").status_code == 416


def test_branch_file_visible_to_its_college_not_to_siblings(world, client_for):
    a = make(world.branch_a1)
    url = reverse("submissions:attachment", args=[a.uuid])
    assert client_for(world.users.college).get(url).status_code == 200
    assert client_for(world.users.college_b).get(url).status_code == 404
    assert client_for(world.users.branch_b).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 404


def test_registered_viewer_extends_access(world, client_for):
    a = make(world.college_b)
    url = reverse("submissions:attachment", args=[a.uuid])
    assert client_for(world.users.judge).get(url).status_code == 404

    def judges_see_everything(user, attachment):
        return user.username == "judge"

    access.register_viewer(judges_see_everything)
    try:
        assert client_for(world.users.judge).get(url).status_code == 200
    finally:
        access._viewers.remove(judges_see_everything)
