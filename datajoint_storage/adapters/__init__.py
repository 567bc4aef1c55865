"""Built-in adapters: ``file``, ``memory``, ``s3``, ``gcs``, ``azure``.

They are registered through this distribution's own ``datajoint.storage`` entry
points, exactly as a third-party plugin is; nothing here is imported until a store
asks for its protocol.
"""
