"""Screens of the sigtui app."""
