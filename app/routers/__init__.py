"""Thin HTTP routes: parse, authorise through dependencies, call a service."""
