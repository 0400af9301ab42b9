from . import test_invoiced
from . import test_reports
from . import test_uninstall
from . import test_i18n
