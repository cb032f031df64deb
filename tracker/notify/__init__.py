"""Notifications of workflow steps (submitted, returned, accepted, correction requested): in-app at
once, by e-mail at once or in a daily digest, through the reminders' exactly-once outbox."""
