"""Stylized-fact validation (issue #8): does the model reproduce what the source documents say?"""
