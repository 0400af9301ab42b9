from . import demo
from . import report
from .hooks import uninstall_hook
