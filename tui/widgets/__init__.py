"""Reusable widgets of the app: tables that never read user text as markup, the nav bar."""
