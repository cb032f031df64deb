"""Quarterly reporting reminders: rules, the exactly-once outbox, email delivery, in-app notices."""
