"""A generic job table: work enqueued by a request and done by the background worker."""
