from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from core.page_cache import not_kept
        from notifications import digests, invitations, subscribers, subscribers_people
        from notifications.models import Delivery

        # Who hears each step of the loop between a team and its sponsor.
        subscribers.register()
        # Who hears of writing shared with them, pulses, places on teams and roles.
        subscribers_people.register()
        # Partner notes: an accountability partner hears that someone checked in.
        digests.register()
        # Calendar invitations: the weekly check-in and milestones, sent, moved, cancelled.
        invitations.register()
        # The mail workers update the outgoing-email rows at every email: no page kept
        # between visits shows them, so those writes leave kept pages alone.
        not_kept(*(model for model in Delivery.__subclasses__() if not model._meta.abstract))
