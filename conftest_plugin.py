"""pinpoint_mock's pytest plugin, for a project that lists it in ``pytest_plugins`` or copies
this file instead of relying on the installed entry point.

The plugin itself is :mod:`pinpoint_mock.pytest_plugin` (the ``pytest11`` entry point names
it, so an installed package needs nothing of this file); this module only re-exports its hooks
and fixtures. Equivalent, and shorter: ``pytest_plugins = ["pinpoint_mock.pytest_plugin"]``
in your top-level conftest.py when the package's automatic plugin loading is disabled
(``PYTEST_DISABLE_PLUGIN_AUTOLOAD=1``).
"""

from pinpoint_mock.pytest_plugin import *  # noqa: F403
from pinpoint_mock.pytest_plugin import __all__ as __all__
