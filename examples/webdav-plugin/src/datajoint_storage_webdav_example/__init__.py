"""WebDAV stores for DataJoint.

Nothing to import or register: installing this distribution adds the ``webdav``
protocol through its ``datajoint.storage`` entry point.
"""

from .adapter import WebDAVAdapter

__all__ = ["WebDAVAdapter"]
__version__ = "0.1.0"
