"""Built-in adapters: ``file``, ``memory``, ``s3``, ``gcs``, ``azure``.

They are registered through this distribution's own ``datajoint_storage.adapters``
entry points, loaded by the same code and held to the same contract as a third-party
plugin, but invisible to DataJoint (which reads ``datajoint.storage``); nothing here
is imported until a store asks for its protocol.
"""
