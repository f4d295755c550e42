"""Apache Spark as celtrace's engine at scale (``--engine spark``): log import and queries, and fingerprinting.

Nothing here is imported unless Spark is asked for: PySpark is an optional extra and starting it takes seconds.
"""
