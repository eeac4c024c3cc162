from django.urls import path

from programs import profile_views

app_name = "profile"

urlpatterns = [
    path("profile/", profile_views.edit, name="edit"),
    path(
        "programs/<int:program_id>/people/<int:user_id>/profile/",
        profile_views.member,
        name="member",
    ),
]
