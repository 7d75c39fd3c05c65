"""Email: the SMTP server to use, messages built from the outbox, and the sender that
delivers them off the request path."""
