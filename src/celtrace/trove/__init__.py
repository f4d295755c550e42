"""Intake of found material ("troves"): a streaming walk over folders and archives.

A trove is hostile input. :func:`celtrace.trove.walk.walk` yields one :class:`celtrace.trove.items.TroveItem`
per file, archive member or refused entry; nothing in the trove can crash the walk, escape it or exhaust memory.
"""
