"""One direct room per pair of people, held by a unique key: existing direct rooms get theirs
(the oldest of a pair, if two were ever made; the other keeps no key and stays readable)."""

from typing import Any

from django.db import migrations, models


def key_direct_rooms(apps: Any, schema_editor: Any) -> None:
    Room = apps.get_model("chat", "Room")
    RoomMember = apps.get_model("chat", "RoomMember")
    taken: set[str] = set()
    for room in Room.objects.filter(kind="direct").order_by("created_at"):
        people = sorted(
            str(user)
            for user in RoomMember.objects.filter(room=room).values_list("user_id", flat=True)
        )
        key = ":".join(people)
        if len(people) == 2 and key not in taken:
            taken.add(key)
            Room.objects.filter(pk=room.pk).update(direct_key=key)


class Migration(migrations.Migration):
    dependencies = [("chat", "0009_meeting_rooms_and_guests")]

    operations = [
        migrations.AddField(
            model_name="room",
            name="direct_key",
            field=models.CharField(
                blank=True, editable=False, max_length=80, null=True, unique=True
            ),
        ),
        migrations.RunPython(key_direct_rooms, migrations.RunPython.noop),
    ]
