"""Registered drawings and their fingerprints.

Stage one of matching is global: every page of a drawing is decoded into a working image
(:mod:`celtrace.assets.images`), hashed with PDQ together with its 8 rotations and mirrors
(:mod:`celtrace.assets.fingerprint`), and looked up in a Hamming index of 256-bit codes
(:mod:`celtrace.assets.hash_index`) that is exact up to PDQ's match distance of 31.
"""
