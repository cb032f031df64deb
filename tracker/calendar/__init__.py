"""Calendar feeds (RFC 5545) of reporting and item deadlines, per person and per unit."""
