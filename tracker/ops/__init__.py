"""Operations: health check, scheduler heartbeat, structured logs, backup and restore."""
