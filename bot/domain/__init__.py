"""The domain: services and rules free of Telegram types and SQL (they use storage/ repositories)."""
